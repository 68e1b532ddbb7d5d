"""Operators and the numpy protocols shared by ``Tensor`` (reverse mode) and ``Dual`` (forward mode).

Every arithmetic operator, method and numpy function on a traced value becomes a call of a
primitive from :mod:`course.autodiff.rules`; the subclass decides what "applying" a primitive
means (recording a graph node, or pushing a tangent forward).  This is what lets code written
with ``import numpy as np`` be differentiated unchanged.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import escapes
from . import rules as R


class ArrayLike(R.Traced):
    """Mixin for values that carry derivative information alongside a numpy ``value``.
    Subclasses define ``_apply``: what applying a primitive to them means."""

    __slots__ = ()
    # Make ``ndarray <op> traced`` defer to us instead of treating us as an object scalar.
    __array_priority__ = 1000.0
    value: np.ndarray

    # ------------------------------------------------------------------ array attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    @property
    def T(self) -> Any:
        return R.transpose(self)

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # Conversions to plain Python numbers and numpy arrays leave the graph: see escapes.py for
    # when they raise (or warn) instead of silently making a gradient 0.
    def _escape_number(self, how: str) -> np.ndarray:
        escapes.dual_escape(how)
        return self.value

    def _escape_array(self, how: str) -> np.ndarray:
        escapes.dual_escape(how)
        return self.value

    def item(self, *args: Any) -> Any:
        """The value as a Python number: a constant (like PyTorch's ``.item()``)."""
        return self._escape_number(".item()").item(*args)

    def __float__(self) -> float:
        return float(self._escape_number("float(x) (also math.exp(x) and the like, or array[i] = x)"))

    def __int__(self) -> int:
        return int(self._escape_number("int(x)"))

    def __index__(self) -> int:
        raise TypeError(f"a {type(self).__name__} holds real numbers and cannot be used as an "
                        f"index or a size; use an integer array (e.g. x.value.astype(int)).")

    def __complex__(self) -> complex:
        raise TypeError("complex(x): the engine differentiates real-valued functions only.")

    def __bool__(self) -> bool:
        # Branching on a value is fine: each branch is differentiated as it runs.
        return bool(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = self._escape_array("np.asarray(x)")
        return value if dtype is None else value.astype(dtype)

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(f"{type(self).__name__}s cannot be changed in place (the derivative "
                        f"could not follow); build a new one, e.g. with np.where(mask, new, x) "
                        f"or np.concatenate, or assign into x.value outside of differentiation.")

    # ------------------------------------------------------------------ operators
    # Each applies its primitive directly (no detour through numpy's dispatch): the fixed cost
    # per operation is what a small network's step time is made of.
    def __add__(self, other: Any) -> Any:
        return self._apply(R.add, (self, other), _NO_KWARGS)

    def __radd__(self, other: Any) -> Any:
        return self._apply(R.add, (other, self), _NO_KWARGS)

    def __sub__(self, other: Any) -> Any:
        return self._apply(R.subtract, (self, other), _NO_KWARGS)

    def __rsub__(self, other: Any) -> Any:
        return self._apply(R.subtract, (other, self), _NO_KWARGS)

    def __mul__(self, other: Any) -> Any:
        return self._apply(R.multiply, (self, other), _NO_KWARGS)

    def __rmul__(self, other: Any) -> Any:
        return self._apply(R.multiply, (other, self), _NO_KWARGS)

    def __truediv__(self, other: Any) -> Any:
        return self._apply(R.divide, (self, other), _NO_KWARGS)

    def __rtruediv__(self, other: Any) -> Any:
        return self._apply(R.divide, (other, self), _NO_KWARGS)

    def __pow__(self, other: Any) -> Any:
        if isinstance(other, (int, float)) and other == 2:
            return self._apply(R.square, (self,), _NO_KWARGS)
        return self._apply(R.power, (self, other), _NO_KWARGS)

    def __rpow__(self, other: Any) -> Any:
        return self._apply(R.power, (other, self), _NO_KWARGS)

    def __matmul__(self, other: Any) -> Any:
        return self._apply(R.matmul, (self, other), _NO_KWARGS)

    def __rmatmul__(self, other: Any) -> Any:
        return self._apply(R.matmul, (other, self), _NO_KWARGS)

    # Without these, Python runs ``y += 1`` as ``y = y + 1``: y names a new object while every
    # other name for the old one (and the array a view came from) keeps the old value, where
    # numpy changes it for all of them. Each class says in ``_in_place`` how it follows numpy.
    def __iadd__(self, other: Any) -> Any:
        return self._in_place(R.add, other, "+=")

    def __isub__(self, other: Any) -> Any:
        return self._in_place(R.subtract, other, "-=")

    def __imul__(self, other: Any) -> Any:
        return self._in_place(R.multiply, other, "*=")

    def __itruediv__(self, other: Any) -> Any:
        return self._in_place(R.divide, other, "/=")

    def __ipow__(self, other: Any) -> Any:
        return self._in_place(R.power, other, "**=")

    def __imatmul__(self, other: Any) -> Any:
        return self._in_place(R.matmul, other, "@=")

    # Floor division is piecewise constant (derivative 0 wherever it is defined), so its
    # result is a constant, as np.floor's is; the remainder x - y floor(x / y) keeps the
    # derivatives it has (1 for x, -floor(x / y) for y), numpy's value included.
    def __floordiv__(self, other: Any) -> np.ndarray:
        return np.floor_divide(self.value, _value(other))

    def __rfloordiv__(self, other: Any) -> np.ndarray:
        return np.floor_divide(_value(other), self.value)

    def __mod__(self, other: Any) -> Any:
        return self - other * np.floor_divide(self.value, _value(other))

    def __rmod__(self, other: Any) -> Any:
        return other - self * np.floor_divide(_value(other), self.value)

    def __divmod__(self, other: Any) -> tuple:
        return self // other, self % other

    def __rdivmod__(self, other: Any) -> tuple:
        return other // self, other % self

    def __imod__(self, other: Any) -> Any:  # in place, as numpy: y -= y's multiple of other
        return self.__isub__(other * np.floor_divide(self.value, _value(other)))

    def __ifloordiv__(self, other: Any) -> Any:
        raise TypeError(f"y //= ... would turn y in place into a step function of its old "
                        f"value (derivative 0): write q = y // ... for that constant and keep y, "
                        f"or y = y - y % ... for the multiple below y.")

    def __round__(self, ndigits: int | None = None) -> Any:
        if ndigits is None:  # a Python int, like int(x)
            return round(float(self._escape_number("round(x)")))
        return np.round(self.value, ndigits)  # a constant, like np.round(x)

    def __neg__(self) -> Any:
        return self._apply(R.negative, (self,), _NO_KWARGS)

    def __pos__(self) -> Any:
        return self._apply(R.identity, (self,), _NO_KWARGS)  # +a is a copy in numpy

    def __abs__(self) -> Any:
        return self._apply(R.absolute, (self,), _NO_KWARGS)

    def __getitem__(self, index: Any) -> Any:
        return self._apply(R.getitem, (self, _plain_index(index)), _NO_KWARGS)

    # Comparisons are not differentiable: they give plain boolean arrays (masks).
    def __lt__(self, other: Any) -> np.ndarray:
        return self.value < _value(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.value <= _value(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.value > _value(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.value >= _value(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.value == _value(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.value != _value(other)

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ methods
    # The methods share numpy's handlers, so ``x.sum(...)`` takes what ``np.sum(x, ...)`` takes.
    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return F.sum_(self, *args, **kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        return F.mean(self, *args, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        return F.max_(self, *args, **kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        return F.min_(self, *args, **kwargs)

    def prod(self, *args: Any, **kwargs: Any) -> Any:
        return F.prod(self, *args, **kwargs)

    def cumsum(self, *args: Any, **kwargs: Any) -> Any:
        return F.cumsum(self, *args, **kwargs)

    def var(self, *args: Any, **kwargs: Any) -> Any:
        return F.var(self, *args, **kwargs)

    def std(self, *args: Any, **kwargs: Any) -> Any:
        return F.std(self, *args, **kwargs)

    def reshape(self, *shape: Any, order: str = "C", copy: Any = None) -> Any:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        return F.reshape(self, shape, order=order, copy=copy)

    def ravel(self, order: str = "C") -> Any:
        return F.ravel(self, order)

    def copy(self, order: str = "C") -> Any:
        """A new node with the same value (numpy's ``a.copy()``, C-ordered unless ``order``
        says otherwise): the gradient flows through."""
        flags = self.value.flags
        if order == "A":  # numpy: Fortran order only for a Fortran-contiguous array
            order = "F" if flags.f_contiguous and not flags.c_contiguous else "C"
        if order == "C":
            return R.copy_c(self)
        if order == "K" or (order == "F" and flags.f_contiguous):
            return R.identity(self)  # the layout kept
        raise ValueError(f"copy(order={order!r}): use 'C' (the default), 'K' or 'A' (or 'F' "
                         f"for an array that is Fortran-ordered already).")

    def argmax(self, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        """Indices (integers: constants, no gradient), as ``np.argmax``."""
        return np.argmax(self.value, axis=axis, keepdims=keepdims)

    def argmin(self, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        return np.argmin(self.value, axis=axis, keepdims=keepdims)

    def __getattr__(self, name: str) -> Any:
        # Only for names that do not exist: say what to write instead of a bare AttributeError.
        if name.startswith("_"):  # dunder probes and the engine's own unset slots: fast
            raise AttributeError(name)
        kind = type(self).__name__
        advice = (f"call numpy's function on it, np.{name}(x), if numpy has one (the supported "
                  f"ones keep the gradient)" if hasattr(np, name) else
                  "use x.value for the plain numpy array (a constant: no gradient flows "
                  "through it)")
        raise AttributeError(f"'{kind}' object has no attribute '{name}': {advice}.")

    def flatten(self, order: str = "C") -> Any:
        return R.identity(F.ravel(self, order))  # numpy's flatten copies (ravel may not)

    def transpose(self, *axes: Any) -> Any:
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]
        return F.transpose(self, tuple(axes) if axes else None)

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        return F.swapaxes(self, axis1, axis2)

    def squeeze(self, axis: Any = None) -> Any:
        return F.squeeze(self, axis)

    def dot(self, other: Any) -> Any:
        return F.dot(self, other)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        return F.astype(self, dtype, *args, **kwargs)

    def clip(self, *args: Any, **kwargs: Any) -> Any:
        return F.clip(self, *args, **kwargs)

    def exp(self) -> Any:
        return R.exp(self)

    def log(self) -> Any:
        return R.log(self)

    def tanh(self) -> Any:
        return R.tanh(self)

    def sqrt(self) -> Any:
        return R.sqrt(self)

    def relu(self) -> Any:
        return R.relu(self)

    def sigmoid(self) -> Any:
        return R.sigmoid(self)

    def abs(self) -> Any:
        return R.absolute(self)

    # ------------------------------------------------------------------ numpy protocols
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        prim = F.UFUNCS.get(ufunc)
        if prim is not None and method == "__call__" and not kwargs:
            return self._apply(prim, inputs, _NO_KWARGS)
        name = f"numpy.{ufunc.__name__}"
        if method != "__call__":
            raise TypeError(_ufunc_method_message(ufunc, method, type(self).__name__))
        if kwargs.get("out") is not None:
            call = (f"y = {name}(x)" if ufunc.nin == 1 else
                    f"y = {name}(a, b), and a = a + b for a += b")
            raise TypeError(f"{name}(..., out=...) (or a += b into a numpy array a) would "
                            f"overwrite an array in place, which the derivative cannot follow; "
                            f"assign the result to a name instead: {call}.")
        # Keywords given with numpy's defaults change nothing (np.exp(x, where=True)).
        kwargs = {k: v for k, v in kwargs.items() if not _ufunc_default(k, v)}
        if prim is not None and not kwargs:
            return self._apply(prim, inputs, _NO_KWARGS)
        if ufunc in F.NONDIFFERENTIABLE_UFUNCS:
            return ufunc(*(_value(x) for x in inputs), **kwargs)
        if ufunc is np.remainder and len(inputs) == 2 and not kwargs:  # np.mod too
            return inputs[0] - inputs[1] * np.floor_divide(*(_value(x) for x in inputs))
        if ufunc is np.divmod and len(inputs) == 2 and not kwargs:
            quotient = np.floor_divide(*(_value(x) for x in inputs))
            return quotient, inputs[0] - inputs[1] * quotient
        if prim is not None or ufunc in (np.remainder, np.divmod):
            call = f"{name}(x)" if ufunc.nin == 1 else f"{name}(a, b)"
            advice = []
            if "where" in kwargs:
                advice.append(f"for where=mask write np.where(mask, {call}, other)")
            if "dtype" in kwargs:
                advice.append("for dtype= cast the operands first (x.astype(np.float32))")
            rest = sorted(set(kwargs) - {"where", "dtype"})
            if rest:
                advice.append(f"call {name} without {', '.join(k + '=' for k in rest)}")
            raise TypeError(f"{name} on {type(self).__name__} does not take the keyword "
                            f"arguments {sorted(kwargs)}: {'; '.join(advice)}.")
        raise TypeError(_unsupported(name, type(self).__name__))

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        handler = F.FUNCTIONS.get(func)
        if handler is not None:
            return handler(*args, **kwargs)
        if func in F.CONSTANT_FUNCTIONS:
            return func(*F._unwrap(args), **F._unwrap(kwargs))
        raise TypeError(_unsupported(F.full_name(func), type(self).__name__))


_NO_KWARGS: dict = {}


def _unsupported(name: str, kind: str) -> str:
    return (f"{name} is not supported on course {kind} values: it has no derivative rule. "
            f"Supported numpy functions: {', '.join(F.SUPPORTED_NAMES)}. "
            f"To use {name} on a constant, pass x.value instead.")


def _value(x: Any) -> Any:
    return x.value if isinstance(x, ArrayLike) else x


_UFUNC_DEFAULTS = {"where": True, "dtype": None, "casting": "same_kind", "order": "K",
                   "subok": True, "out": None}


def _ufunc_default(keyword: str, value: Any) -> bool:
    default = _UFUNC_DEFAULTS.get(keyword, _UFUNC_DEFAULTS)  # an unknown keyword: never
    if keyword == "out":
        return value is None or value == (None,)
    return type(value) is type(default) and value == default


# What to write instead of a ufunc method: ufunc.reduce etc. have no rules of their own.
_REDUCE_INSTEAD = {np.add: "np.sum", np.multiply: "np.prod", np.maximum: "np.max",
                   np.minimum: "np.min"}


def _ufunc_method_message(ufunc: np.ufunc, method: str, kind: str) -> str:
    name = f"numpy.{ufunc.__name__}"
    if method == "reduce" and ufunc in _REDUCE_INSTEAD:
        advice = f"write {_REDUCE_INSTEAD[ufunc]}(x, axis=...) instead"
    elif method == "accumulate" and ufunc is np.add:
        advice = "write np.cumsum(x, axis=...) instead"
    elif method == "outer":
        advice = (f"broadcast instead: {name}(a[:, None], b[None, :]) (a and b 1-d), or "
                  f"{name}(np.reshape(a, a.shape + (1,) * b.ndim), b) in general")
    elif method == "at":
        advice = ("it writes into an array in place, which the derivative cannot follow; build "
                  "the result instead (a sum over repeated indices is onehot.T @ values, with "
                  "onehot = np.eye(n)[indices])")
    else:
        advice = ("write it with supported functions (a Python loop over the axis with "
                  "np.stack, for an accumulation)")
    return f"{name}.{method} is not supported on {kind} values: {advice}."


def _plain_index(index: Any) -> Any:
    """Indices are never differentiated: unwrap traced values and turn lists into arrays."""
    if isinstance(index, tuple):
        return tuple([_plain_index(i) for i in index])
    if isinstance(index, ArrayLike):
        value = index.value
        if value.dtype.kind != "f":
            return value
        if getattr(index, "_mask", False):  # Tensor(mask): 0.0/1.0 standing for a mask
            return value != 0
        # A Tensor holds floats (integers are converted): whole numbers index as numpy's
        # integer arrays do; others would be truncated silently, where numpy raises.
        whole = value.astype(np.intp)
        if not np.array_equal(whole, value):
            raise IndexError(f"a Tensor of non-integer values ({value.ravel()[:3]}...) used as an "
                             f"index: indices must be whole numbers (or a boolean mask, which "
                             f"stays a numpy array). Write np.round(t.value).astype(int) if "
                             f"rounding is what you mean.")
        return whole
    if isinstance(index, range):
        return np.arange(index.start, index.stop, index.step)
    if isinstance(index, list):
        return np.asarray(index)
    return index


# The numpy function handlers need ArrayLike, so they are imported once it exists.
from . import numpy_api as F  # noqa: E402
