"""numpy functions on traced values: each one becomes primitives of :mod:`.rules`.

numpy hands ``np.sum(x, ...)`` with a Tensor or Dual argument to the handler listed here, with
the arguments as the caller wrote them.  Every handler has numpy's own signature, and every
keyword either does what numpy's does or is refused by name: a keyword that is quietly
ignored gives a wrong value or gradient with no error.  The same handlers serve the methods
(``x.sum(...)``, ``x.reshape(...)``), so both spellings accept the same arguments.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import rules as R
from .dispatch import ArrayLike

_UNSET: Any = np._NoValue  # numpy's own marker for "argument not given"


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


def _refuse(function: str, keyword: str, why: str) -> TypeError:
    return TypeError(f"numpy.{function}(..., {keyword}=...) is not supported on course Tensors: "
                     f"{why}")


def _no_out(function: str, out: Any) -> None:
    if out is not None:
        raise _refuse(function, "out", "writing into an existing array cannot be followed by the "
                      "derivative; assign the result instead (y = np.f(x)).")


def _axis(axis: Any) -> Any:
    if axis is None or type(axis) is int:
        return axis
    if isinstance(axis, (int, np.integer)):
        return int(axis)
    return tuple(int(a) for a in axis)


def _cast(x: Any, dtype: Any, function: str) -> Any:
    """``dtype=`` of a function: a float type is a differentiable cast; integer and boolean
    types make the result a constant (done by numpy on the values); complex is refused."""
    if dtype is None:
        return x
    kind = np.dtype(dtype).kind
    if kind == "f":
        return R.cast(x, dtype=np.dtype(dtype)) if isinstance(x, ArrayLike) else x.astype(dtype)
    if kind in "biu":
        return np.asarray(_value(x)).astype(dtype)
    raise _refuse(function, "dtype", f"{np.dtype(dtype)} is not a real type; the engine "
                  f"differentiates real-valued functions only.")


def _integer_result(dtype: Any) -> bool:
    """Whether ``dtype=`` asks for an integer or boolean result, which numpy computes in that
    type (a constant: integers get no gradient). A complex one is refused."""
    if dtype is None:
        return False
    kind = np.dtype(dtype).kind
    if kind == "c":
        raise TypeError(f"dtype={np.dtype(dtype)} is not supported on course Tensors: the engine "
                        f"differentiates real-valued functions only.")
    return kind != "f"


def astype(a: Any, dtype: Any, order: str = "K", casting: str = "unsafe", subok: bool = True,
           copy: bool = True) -> Any:
    """``x.astype(float32)`` is differentiable; ``x.astype(int)`` or ``bool`` is a constant."""
    if not np.can_cast(_value(a).dtype, dtype, casting):
        raise TypeError(f"astype: cannot cast {_value(a).dtype} to {np.dtype(dtype)} under "
                        f"casting={casting!r}.")
    return _cast(a, dtype, "astype")


# ---------------------------------------------------------------- reductions
def _mask(where: Any, a: Any = None, name: str = "") -> np.ndarray:
    """``where=`` as a boolean array; given ``a``, one that broadcasts to a's shape (numpy
    refuses a mask that would make the operand larger)."""
    mask = np.asarray(_value(where), dtype=bool)
    if a is not None:
        shape = np.shape(_value(a))
        try:
            fits = np.broadcast_shapes(mask.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"numpy.{name}(..., where=...): a mask of shape {mask.shape} does "
                             f"not broadcast to the operand's shape {shape} (numpy refuses it "
                             f"too).")
    return mask


def _accumulation(func: Callable, prim: R.Primitive, combine: Callable[[Any, Any], Any],
                  neutral: float, name: str) -> Callable[..., Any]:
    """np.sum and np.prod: ``where=`` puts the neutral element at the masked places,
    ``initial=`` is combined with the result, an integer ``dtype=`` gives a constant."""
    def handler(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                keepdims: bool = False, initial: Any = _UNSET, where: Any = True) -> Any:
        if dtype is None and out is None and initial is _UNSET and where is True:
            return prim(a, axis=_axis(axis), keepdims=bool(keepdims))  # the everyday case
        _no_out(name, out)
        if _integer_result(dtype):
            return func(*_unwrap((a, axis, dtype, None, keepdims, initial, where)))
        a = _cast(a, dtype, name)  # numpy accumulates in dtype, not in the input's type
        x = a if where is True else R.where(_mask(where, a, name), a, neutral)
        result = prim(x, axis=_axis(axis), keepdims=bool(keepdims))
        if initial is not _UNSET:
            result = combine(result, initial)
        return result
    handler.__name__ = name
    return handler


sum_ = _accumulation(np.sum, R.sum_, R.add, 0.0, "sum")
prod = _accumulation(np.prod, R.prod, R.multiply, 1.0, "prod")


def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         *, where: Any = True) -> Any:
    _no_out("mean", out)
    if _integer_result(dtype):
        return np.mean(*_unwrap((a, axis, dtype, None, keepdims)), where=_unwrap(where))
    a = _cast(a, dtype, "mean")  # numpy accumulates in dtype, not in the input's type
    if where is True:
        return R.mean(a, axis=_axis(axis), keepdims=bool(keepdims))
    mask = _mask(where, a, "mean")
    count = np.broadcast_to(mask, np.shape(_value(a))).sum(axis=_axis(axis), keepdims=bool(keepdims))
    return sum_(a, axis, keepdims=keepdims, where=mask) / count


def _extremum(func: Callable, prim: R.Primitive, pick: R.Primitive,
              name: str) -> Callable[..., Any]:
    def handler(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
                initial: Any = _UNSET, where: Any = True) -> Any:
        if out is None and initial is _UNSET and where is True:
            return prim(a, axis=_axis(axis), keepdims=bool(keepdims))  # the everyday case
        _no_out(name, out)
        x = a
        if where is not True:
            if initial is _UNSET:
                raise ValueError(f"numpy.{name}(..., where=...) needs initial= too: the masked "
                                 f"places need a value (numpy has the same rule).")
            x = R.where(_mask(where, a, name), a, initial)
        if initial is not _UNSET and np.size(_value(x)) == 0:
            # Nothing to compare: numpy gives initial at every place of the result.
            shape = np.shape(func(np.zeros(np.shape(_value(x))), axis=axis,
                                  keepdims=bool(keepdims), initial=0))
            return pick(np.full(shape, -np.inf if name == "max" else np.inf), initial)
        result = prim(x, axis=_axis(axis), keepdims=bool(keepdims))
        return result if initial is _UNSET else pick(result, initial)
    handler.__name__ = name
    return handler


max_ = _extremum(np.max, R.max_, R.maximum, "max")
min_ = _extremum(np.min, R.min_, R.minimum, "min")


def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out("cumsum", out)
    if _integer_result(dtype):
        return np.cumsum(*_unwrap((a, axis, dtype)))
    a = _cast(a, dtype, "cumsum")  # numpy accumulates in dtype, not in the input's type
    if axis is None:  # numpy: the cumulative sum of the flattened array
        a, axis = ravel(a), 0
    return R.cumsum(a, axis=int(axis))


def _deviations(function: str, a: Any, axis: Any, dtype: Any, ddof: Any, where: Any,
                mean: Any, correction: Any) -> tuple[Any, Any, int]:
    """The deviations from the mean, the axes and numpy's divisor max(n - ddof, 0), shared by
    np.var and np.std."""
    if where is not True:
        raise _refuse(function, "where", "compute the masked variance with np.sum(..., where=) "
                      "and np.mean(..., where=) instead.")
    if correction is not _UNSET:
        if ddof != 0:
            raise ValueError(f"numpy.{function}: ddof and correction cannot both be given (they "
                             f"are the same thing).")
        ddof = correction
    axis = _axis(axis)
    a = _cast(a, dtype, function)  # numpy computes in dtype, not in the input's type
    centre = R.mean(a, axis=axis, keepdims=True) if mean is _UNSET else mean
    # numpy divides by max(n - ddof, 0): more degrees of freedom than values give inf, not a
    # negative variance.
    return a - centre, axis, max(R._count(np.shape(_value(a)), axis) - ddof, 0)


def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
        keepdims: bool = False, *, where: Any = True, mean: Any = _UNSET,
        correction: Any = _UNSET) -> Any:
    _no_out("var", out)
    if _integer_result(dtype):
        raise _refuse("var", "dtype", "an integer variance has no derivative; cast the result.")
    centred, axis, divisor = _deviations("var", a, axis, dtype, ddof, where, mean, correction)
    return R.sum_(centred * centred, axis=axis, keepdims=bool(keepdims)) / divisor


def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
        keepdims: bool = False, *, where: Any = True, mean: Any = _UNSET,
        correction: Any = _UNSET) -> Any:
    _no_out("std", out)
    if _integer_result(dtype):  # a constant, computed from the float result
        return _cast(std(a, axis, None, None, ddof, keepdims, where=where, mean=mean,
                         correction=correction), dtype, "std")
    centred, axis, divisor = _deviations("std", a, axis, dtype, ddof, where, mean, correction)
    # The norm of the deviations over sqrt(n - ddof) is sqrt(var), with the norm's subgradient
    # 0 where the deviations are all 0 (a constant feature being standardised): central
    # differences give 0 there, and sqrt's derivative would give 0 * inf = NaN.
    return R.norm(centred, axis=axis, keepdims=bool(keepdims)) / math.sqrt(divisor)


# ---------------------------------------------------------------- products
def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, (ArrayLike, np.ndarray)) else np.ndim(x)


def dot(a: Any, b: Any, out: Any = None) -> Any:
    _no_out("dot", out)
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return R.multiply(a, b)
    if na > 2 or nb > 2:
        raise TypeError("numpy.dot of arrays with more than 2 axes is not supported on traced "
                        "values; use np.matmul (@), whose batching rules are supported.")
    return R.matmul(a, b)


def outer(a: Any, b: Any, out: Any = None) -> Any:
    _no_out("outer", out)
    return R.multiply(R.reshape(a, (-1, 1)), R.reshape(b, (1, -1)))


def einsum(*operands: Any, out: Any = None, optimize: Any = False, dtype: Any = None,
           order: str = "K", casting: str = "safe") -> Any:
    _no_out("einsum", out)
    if dtype is not None:
        raise _refuse("einsum", "dtype", "cast the operands (x.astype(...)) first.")
    if casting != "safe":
        raise _refuse("einsum", "casting", "cast the operands (x.astype(...)) first.")
    if not operands or not isinstance(operands[0], str):
        raise TypeError("numpy.einsum on course Tensors needs the subscripts string form, "
                        "e.g. np.einsum('ij,jk->ik', a, b).")
    spec, arrays = operands[0].replace(" ", ""), operands[1:]
    inputs, arrow, output = spec.partition("->")
    subs = inputs.split(",")
    if "." in spec or any(len(set(s)) != len(s) for s in subs):
        raise TypeError(f"numpy.einsum({operands[0]!r}) on course Tensors: ellipsis '...' and a "
                        f"subscript repeated within one operand (diagonals) are not supported; "
                        f"use explicit subscripts, and np.diagonal on a constant.")
    if len(subs) != len(arrays):
        raise ValueError(f"numpy.einsum: {len(subs)} operand subscripts for {len(arrays)} "
                         f"operands.")
    if not arrow:  # implicit mode: the subscripts that occur once, in alphabetical order
        letters = "".join(subs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return R.einsum(*arrays, spec=f"{','.join(subs)}->{output}")


# ---------------------------------------------------------------- shapes
def reshape(a: Any, /, shape: Any = None, order: str = "C", *, newshape: Any = None,
            copy: Any = None) -> Any:
    # copy= is about memory, and the engine never writes into a value: results are the same.
    shape = shape if shape is not None else newshape
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    shape = tuple(int(s) for s in shape)
    if order == "C":
        return R.reshape(a, shape)
    if order == "F":  # Fortran order is C order on the reversed axes
        return R.transpose(R.reshape(R.transpose(a), shape[::-1]))
    raise _refuse("reshape", "order", f"order={order!r}; use 'C' or 'F'.")


def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, (-1,), order=order)


def transpose(a: Any, axes: Any = None) -> Any:
    return R.transpose(a, None if axes is None else tuple(int(x) for x in axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(np.ndim(_value(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return R.transpose(a, tuple(axes))


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    ndim = np.ndim(_value(a))
    src = [int(s) % ndim for s in np.atleast_1d(source)]
    dst = [int(d) % ndim for d in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("numpy.moveaxis: source and destination need the same number of axes.")
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return R.transpose(a, tuple(order))


def squeeze(a: Any, axis: Any = None) -> Any:
    return R.reshape(a, np.squeeze(np.empty(np.shape(_value(a)), dtype=bool), axis=axis).shape)


def expand_dims(a: Any, axis: Any) -> Any:
    return R.reshape(a, np.expand_dims(np.empty(np.shape(_value(a)), dtype=bool), axis).shape)


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    return R.broadcast_to(array, shape=(shape,) if isinstance(shape, int) else tuple(shape))


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    return R.identity(a)


def full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, *, device: Any = None) -> Any:
    """An array like ``a`` (its shape and type, a constant) filled with ``fill_value``, through
    which the gradient flows when the fill is a Tensor."""
    like = np.full_like(_value(a), 0, dtype=dtype, order=order, shape=shape)
    if not isinstance(fill_value, ArrayLike) or like.dtype.kind != "f":
        return np.full_like(like, _value(fill_value))
    fill = (fill_value if _value(fill_value).dtype == like.dtype
            else R.cast(fill_value, dtype=like.dtype))
    return R.identity(R.broadcast_to(fill, shape=like.shape))  # a copy, as numpy's is


def copyto(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    """Writing a Tensor into a numpy array (also numpy's own np.full_like(array, x)) leaves
    the graph: the same rule as array[...] = x."""
    if isinstance(dst, ArrayLike):
        raise TypeError("numpy.copyto into a Tensor would change it in place behind the "
                        "engine's back; build a new one (np.where(mask, new, x)).")
    if isinstance(src, ArrayLike):
        src = src._escape_array("np.copyto(array, x) (also np.full_like(array, x) and "
                                "array[...] = x)")
    np.copyto(dst, src, casting=casting, where=_value(where))


def flip(m: Any, axis: Any = None) -> Any:
    return R.flip(m, axis=_axis(axis))


def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *,
         stable: Any = None) -> Any:
    """np.sort as an index: the elements picked in sorted order, so the gradient goes back to
    where each came from (the getitem rule); ties keep numpy's order (its argsort)."""
    if order is not None:
        raise _refuse("sort", "order", "order= sorts structured arrays, which have no "
                      "derivative.")
    value = np.asarray(_value(a))
    if axis is None:
        a, value, axis = R.reshape(a, (-1,)), value.reshape(-1), 0
    if value.ndim == 0:
        raise np.exceptions.AxisError(f"numpy.sort: axis {axis} is out of bounds for a 0-d array")
    index = list(np.indices(value.shape, sparse=True))
    axis = int(axis) % value.ndim
    index[axis] = np.argsort(value, axis=axis, kind=kind, stable=stable)
    return a[tuple(index)]


def tile(A: Any, reps: Any) -> Any:
    return R.tile(A, reps=(int(reps),) if isinstance(reps, (int, np.integer)) else tuple(reps))


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    if mode != "constant":
        raise _refuse("pad", "mode", f"mode={mode!r}; only mode='constant' has a derivative "
                      f"rule here.")
    value = kwargs.pop("constant_values", 0.0)
    for keyword in kwargs:
        raise _refuse("pad", keyword, "only constant_values= goes with mode='constant'.")
    if isinstance(value, ArrayLike) or np.ndim(value) != 0:
        raise _refuse("pad", "constant_values", "only one constant number is supported.")
    ndim = np.ndim(_value(array))
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    return R.pad(array, pad_width=tuple((int(b), int(e)) for b, e in widths), value=value)


# ---------------------------------------------------------------- joining and splitting
def _joined(function: str, arrays: Any, dtype: Any, casting: str, out: Any) -> list:
    _no_out(function, out)
    arrays = list(arrays)
    if dtype is not None:
        for x in arrays:
            if not np.can_cast(np.result_type(_value(x)), dtype, casting):
                raise TypeError(f"numpy.{function}: cannot cast {np.result_type(_value(x))} to "
                                f"{np.dtype(dtype)} under casting={casting!r}.")
    return arrays


def concatenate(arrays: Any, /, axis: Any = 0, out: Any = None, *, dtype: Any = None,
                casting: str = "same_kind") -> Any:
    arrays = _joined("concatenate", arrays, dtype, casting, out)
    if axis is None:  # numpy: flatten every array first
        arrays, axis = [ravel(x) for x in arrays], 0
    return _cast(R.concatenate(*arrays, axis=int(axis)), dtype, "concatenate")


def stack(arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None,
          casting: str = "same_kind") -> Any:
    arrays = _joined("stack", arrays, dtype, casting, out)
    return _cast(R.stack(*arrays, axis=int(axis)), dtype, "stack")


def hstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    arrays = [x if np.ndim(_value(x)) else reshape(x, (1,)) for x in tup]
    axis = 0 if arrays and np.ndim(_value(arrays[0])) == 1 else 1
    return concatenate(arrays, axis=axis, dtype=dtype, casting=casting)


def vstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    arrays = [x if np.ndim(_value(x)) >= 2 else reshape(x, (1, -1)) for x in tup]
    return concatenate(arrays, axis=0, dtype=dtype, casting=casting)


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    n = np.shape(_value(ary))[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(f"numpy.split: an axis of length {n} does not split into "
                             f"{indices_or_sections} equal parts (np.array_split is not supported).")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0, *(int(i) for i in indices_or_sections), n]
    where: list[Any] = [slice(None)] * np.ndim(_value(ary))
    parts = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        where[axis] = slice(start, stop)
        parts.append(R.getitem(ary, tuple(where)))
    return parts


# ---------------------------------------------------------------- elementwise with options
def where(condition: Any, x: Any = _UNSET, y: Any = _UNSET, /) -> Any:
    if x is _UNSET and y is _UNSET:
        return np.where(_value(condition))
    if x is _UNSET or y is _UNSET:
        raise ValueError("numpy.where: give both x and y (the values where the condition holds "
                         "and where it does not), or neither (then it returns the indices).")
    return R.where(_mask(condition), x, y)


def clip(a: Any, a_min: Any = _UNSET, a_max: Any = _UNSET, out: Any = None, *, min: Any = _UNSET,
         max: Any = _UNSET, **kwargs: Any) -> Any:
    _no_out("clip", out)
    for keyword in kwargs:
        raise _refuse("clip", keyword, "only the bounds are supported.")
    lo = min if min is not _UNSET else (None if a_min is _UNSET else a_min)
    hi = max if max is not _UNSET else (None if a_max is _UNSET else a_max)
    return R.clip(a, lo, hi)


# ---------------------------------------------------------------- numpy.linalg
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    ndim = np.ndim(_value(x))
    axis = _axis(axis)
    keepdims = bool(keepdims)
    vector = isinstance(axis, int) or (axis is None and ndim == 1)
    if ord is None or (ord == "fro" and (ndim == 2 or isinstance(axis, tuple))) or \
            (ord == 2 and vector):  # the Euclidean norm: one rule, with its subgradient 0 at 0
        return R.norm(x, axis=axis, keepdims=keepdims)
    if not vector or isinstance(ord, str):
        raise TypeError(f"numpy.linalg.norm(..., ord={ord!r}) of a matrix is not supported on "
                        f"course Tensors: the Frobenius norm (ord=None) is; spectral and "
                        f"nuclear norms need an SVD.")
    magnitude = R.absolute(x)
    if ord == np.inf:
        return R.max_(magnitude, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return R.min_(magnitude, axis=axis, keepdims=keepdims)
    if ord == 0:
        return np.sum(_value(x) != 0, axis=axis, keepdims=keepdims).astype(float)
    if ord == 1:
        return R.sum_(magnitude, axis=axis, keepdims=keepdims)
    return R.sum_(magnitude ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def inv(a: Any) -> Any:
    return R.inv(a)


def det(a: Any) -> Any:
    return R.det(a)


def solve(a: Any, b: Any) -> Any:
    return R.solve(a, b)


UFUNCS: dict[np.ufunc, R.Primitive] = {
    np.add: R.add, np.subtract: R.subtract, np.multiply: R.multiply, np.divide: R.divide,
    np.power: R.power, np.float_power: R.float_power, np.negative: R.negative,
    np.positive: R.identity, np.exp: R.exp, np.log: R.log, np.sin: R.sin, np.cos: R.cos,
    np.tan: R.tan, np.tanh: R.tanh, np.sqrt: R.sqrt, np.absolute: R.absolute,
    np.square: R.square, np.log1p: R.log1p, np.expm1: R.expm1, np.maximum: R.maximum,
    np.minimum: R.minimum, np.matmul: R.matmul,
}

NONDIFFERENTIABLE_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal, np.sign,
    np.floor, np.ceil, np.rint, np.trunc, np.isnan, np.isinf, np.isfinite, np.signbit,
    np.floor_divide,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
}

FUNCTIONS: dict[Callable, Callable[..., Any]] = {
    np.sum: sum_, np.mean: mean, np.max: max_, np.min: min_, np.amax: max_, np.amin: min_,
    np.prod: prod, np.cumsum: cumsum, np.var: var, np.std: std,
    np.dot: dot, np.outer: outer, np.einsum: einsum,
    np.reshape: reshape, np.ravel: ravel, np.transpose: transpose, np.swapaxes: swapaxes,
    np.moveaxis: moveaxis, np.squeeze: squeeze, np.expand_dims: expand_dims,
    np.broadcast_to: broadcast_to, np.copy: copy, np.full_like: full_like, np.flip: flip, np.sort: sort,
    np.copyto: copyto, np.tile: tile, np.pad: pad,
    np.concatenate: concatenate, np.stack: stack, np.hstack: hstack, np.vstack: vstack,
    np.split: split, np.where: where, np.clip: clip,
    np.linalg.norm: norm, np.linalg.inv: inv, np.linalg.det: det, np.linalg.solve: solve,
}

# Functions whose result does not depend differentiably on the values: run them on .value.
CONSTANT_FUNCTIONS = {
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like,
    np.result_type, np.argmax, np.argmin, np.argsort, np.isclose, np.allclose,
    np.array_equal, np.round, np.around, np.any, np.all, np.count_nonzero, np.nonzero,
    np.unique, np.isscalar, np.iscomplexobj, np.isrealobj, np.may_share_memory,
    np.shares_memory, np.array_repr, np.array_str, np.array2string, np.can_cast,
    np.min_scalar_type,
}


def full_name(func: Any) -> str:
    """``numpy.linalg.inv`` rather than ``inv``: the name a user can search for."""
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module}.{func.__name__}"


SUPPORTED_NAMES = sorted({f"numpy.{u.__name__}" for u in UFUNCS if u is not np.positive}
                         | {full_name(f) for f in FUNCTIONS})
