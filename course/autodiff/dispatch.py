"""Operators and the numpy protocols shared by ``Tensor`` (reverse mode) and ``Dual`` (forward mode).

Every arithmetic operator, method and numpy function on a traced value becomes a call of a
primitive from :mod:`course.autodiff.rules`; the subclass decides what "applying" a primitive
means (recording a graph node, or pushing a tangent forward).  This is what lets code written
with ``import numpy as np`` be differentiated unchanged.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import rules as R


class ArrayLike:
    """Mixin for values that carry derivative information alongside a numpy ``value``."""

    __slots__ = ()
    # Make ``ndarray <op> traced`` defer to us instead of treating us as an object scalar.
    __array_priority__ = 1000.0
    value: np.ndarray

    # Subclasses: how to apply a primitive when at least one argument is of this class.
    @classmethod
    def _apply(cls, prim: R.Primitive, args: tuple, kwargs: dict) -> Any:  # pragma: no cover
        raise NotImplementedError

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

    def item(self) -> float:
        return self.value.item()

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Converting to a plain array is an explicit "treat as constant" (plots, printing).
        return self.value if dtype is None else self.value.astype(dtype)

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Any:
        return R.add(self, other)

    def __radd__(self, other: Any) -> Any:
        return R.add(other, self)

    def __sub__(self, other: Any) -> Any:
        return R.subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        return R.subtract(other, self)

    def __mul__(self, other: Any) -> Any:
        return R.multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        return R.multiply(other, self)

    def __truediv__(self, other: Any) -> Any:
        return R.divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return R.divide(other, self)

    def __pow__(self, other: Any) -> Any:
        if isinstance(other, (int, float)) and other == 2:
            return R.square(self)
        return R.power(self, other)

    def __rpow__(self, other: Any) -> Any:
        return R.power(other, self)

    def __matmul__(self, other: Any) -> Any:
        return R.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return R.matmul(other, self)

    def __neg__(self) -> Any:
        return R.negative(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return R.absolute(self)

    def __getitem__(self, index: Any) -> Any:
        return R.getitem(self, _plain_index(index))

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
    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        return R.sum_(self, axis=_axis(axis), keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        return R.mean(self, axis=_axis(axis), keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        return R.max_(self, axis=_axis(axis), keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        return R.min_(self, axis=_axis(axis), keepdims=keepdims)

    def reshape(self, *shape: Any) -> Any:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return R.reshape(self, tuple(int(s) for s in shape))

    def transpose(self, *axes: Any) -> Any:
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]
        return R.transpose(self, tuple(axes) if axes else None)

    def dot(self, other: Any) -> Any:
        return _dot(self, other)

    def astype(self, dtype: Any) -> Any:
        return R.cast(self, dtype=np.dtype(dtype))

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

    def clip(self, lo: Any = None, hi: Any = None) -> Any:
        return R.clip(self, lo, hi)

    def abs(self) -> Any:
        return R.absolute(self)

    # ------------------------------------------------------------------ numpy protocols
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = f"numpy.{ufunc.__name__}"
        if method != "__call__":
            raise TypeError(f"{name}.{method} is not supported on {type(self).__name__} values; "
                            f"use the function form (e.g. np.sum instead of np.add.reduce).")
        if kwargs.get("out") is not None:
            raise TypeError(f"{name}(..., out=...) would overwrite an array in place, which the "
                            f"derivative cannot follow; assign the result instead (x = {name}(x)).")
        prim = UFUNCS.get(ufunc)
        if prim is not None:
            if kwargs:
                raise TypeError(f"{name} on {type(self).__name__} does not take the keyword "
                                f"arguments {sorted(kwargs)}.")
            return prim(*inputs)
        if ufunc in NONDIFFERENTIABLE_UFUNCS:
            return ufunc(*(_value(x) for x in inputs), **kwargs)
        raise TypeError(_unsupported(name, type(self).__name__))

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        handler = FUNCTIONS.get(func)
        if handler is not None:
            return handler(*args, **kwargs)
        if func in CONSTANT_FUNCTIONS:
            return func(*_unwrap(args), **_unwrap(kwargs))
        raise TypeError(_unsupported(f"numpy.{func.__name__}", type(self).__name__))


def _unsupported(name: str, kind: str) -> str:
    return (f"{name} is not supported on course {kind} values: it has no derivative rule. "
            f"Supported numpy functions: {', '.join(sorted(SUPPORTED_NAMES))}. "
            f"To use {name} on a constant, pass x.value instead.")


def _value(x: Any) -> Any:
    return x.value if isinstance(x, ArrayLike) else x


def _unwrap(x: Any) -> Any:
    if isinstance(x, ArrayLike):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _plain_index(index: Any) -> Any:
    """Indices are never differentiated: unwrap traced values and turn lists into arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, ArrayLike):
        return index.value.astype(np.intp) if index.value.dtype.kind == "f" else index.value
    if isinstance(index, (list, range)):
        return np.asarray(index)
    return index


def _axis(axis: Any) -> Any:
    if axis is None or isinstance(axis, int):
        return axis
    if isinstance(axis, np.integer):
        return int(axis)
    return tuple(int(a) for a in axis)


def _dot(a: Any, b: Any) -> Any:
    if np.ndim(_value(a)) == 0 or np.ndim(_value(b)) == 0:
        return R.multiply(a, b)
    if np.ndim(_value(a)) > 2 or np.ndim(_value(b)) > 2:
        raise TypeError("numpy.dot of arrays with more than 2 axes is not supported on traced "
                        "values; use np.matmul (@), whose batching rules are supported.")
    return R.matmul(a, b)


def _reduction(prim: R.Primitive) -> Callable[..., Any]:
    def handler(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                keepdims: bool = False, **unused: Any) -> Any:
        if out is not None:
            raise TypeError(f"numpy.{prim.name}(..., out=...) is not supported on traced values.")
        if unused.get("where", True) is not True:
            raise TypeError(f"numpy.{prim.name}(..., where=...) is not supported on traced values.")
        result = prim(a, axis=_axis(axis), keepdims=bool(keepdims))
        return result if dtype is None else R.cast(result, dtype=np.dtype(dtype))
    return handler


def _reshape(a: Any, *args: Any, **kwargs: Any) -> Any:
    shape = args[0] if args else kwargs.get("shape", kwargs.get("newshape"))
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return R.reshape(a, tuple(int(s) for s in shape))


def _transpose(a: Any, axes: Any = None) -> Any:
    return R.transpose(a, None if axes is None else tuple(axes))


def _swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(np.ndim(_value(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return R.transpose(a, tuple(axes))


def _squeeze(a: Any, axis: Any = None) -> Any:
    return R.reshape(a, np.squeeze(np.empty(np.shape(_value(a)), dtype=bool), axis=axis).shape)


def _expand_dims(a: Any, axis: Any) -> Any:
    return R.reshape(a, np.expand_dims(np.empty(np.shape(_value(a)), dtype=bool), axis).shape)


def _concatenate(arrays: Any, axis: int = 0, **kwargs: Any) -> Any:
    return R.concatenate(*arrays, axis=axis)


def _stack(arrays: Any, axis: int = 0, **kwargs: Any) -> Any:
    return R.stack(*arrays, axis=axis)


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return np.where(_value(condition))
    return R.where(np.asarray(_value(condition), dtype=bool), x, y)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Any:
    lo = kwargs.get("min", a_min)
    hi = kwargs.get("max", a_max)
    return R.clip(a, _value(lo), _value(hi))


def _var(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, **kwargs: Any) -> Any:
    centered = a - R.mean(a, axis=_axis(axis), keepdims=True)
    n = R._count(np.shape(_value(a)), _axis(axis))
    return R.sum_(centered * centered, axis=_axis(axis), keepdims=keepdims) / (n - ddof)


def _std(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, **kwargs: Any) -> Any:
    return R.sqrt(_var(a, axis=axis, ddof=ddof, keepdims=keepdims))


def _broadcast_to(a: Any, shape: Any, **kwargs: Any) -> Any:
    return R.broadcast_to(a, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


def _copy(a: Any, **kwargs: Any) -> Any:
    return R.identity(a)


UFUNCS: dict[np.ufunc, R.Primitive] = {
    np.add: R.add, np.subtract: R.subtract, np.multiply: R.multiply, np.divide: R.divide,
    np.power: R.power, np.float_power: R.power, np.negative: R.negative,
    np.positive: R.identity, np.exp: R.exp, np.log: R.log, np.sin: R.sin, np.cos: R.cos,
    np.tan: R.tan, np.tanh: R.tanh, np.sqrt: R.sqrt, np.absolute: R.absolute,
    np.square: R.square, np.log1p: R.log1p, np.expm1: R.expm1, np.maximum: R.maximum,
    np.minimum: R.minimum, np.matmul: R.matmul,
}

NONDIFFERENTIABLE_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal, np.sign,
    np.floor, np.ceil, np.rint, np.trunc, np.isnan, np.isinf, np.isfinite, np.signbit,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
}

FUNCTIONS: dict[Callable, Callable[..., Any]] = {
    np.sum: _reduction(R.sum_), np.mean: _reduction(R.mean), np.max: _reduction(R.max_),
    np.min: _reduction(R.min_), np.amax: _reduction(R.max_), np.amin: _reduction(R.min_),
    np.dot: _dot, np.reshape: _reshape, np.transpose: _transpose, np.swapaxes: _swapaxes,
    np.squeeze: _squeeze, np.expand_dims: _expand_dims, np.concatenate: _concatenate,
    np.stack: _stack, np.where: _where, np.clip: _clip, np.var: _var, np.std: _std,
    np.broadcast_to: _broadcast_to, np.copy: _copy,
}

# Functions whose result does not depend differentiably on the values: run them on .value.
CONSTANT_FUNCTIONS = {
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.result_type, np.argmax, np.argmin, np.argsort, np.isclose, np.allclose,
    np.array_equal, np.round, np.around, np.any, np.all, np.count_nonzero, np.nonzero,
    np.unique, np.isscalar, np.iscomplexobj, np.isrealobj, np.may_share_memory,
    np.shares_memory, np.array_repr, np.array_str, np.array2string, np.can_cast,
    np.min_scalar_type,
}

SUPPORTED_NAMES = ({u.__name__ for u in UFUNCS} | {f.__name__ for f in FUNCTIONS}) - {"positive"}
