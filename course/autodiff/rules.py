"""Derivative rules: one entry per primitive, in one table.

Each primitive has a forward function on numpy arrays, one vector-Jacobian product (VJP) per
differentiable argument (reverse mode) and one Jacobian-vector product (JVP) per argument
(forward mode). Rules have the signatures

    vjp(g, ans, *args, **kwargs) -> gradient with respect to one argument
    jvp(t, ans, *args, **kwargs) -> tangent contribution of one argument

where ``g`` is the upstream gradient (shape of ``ans``) and ``t`` the tangent of that argument.
Rules are written only with operators, methods and numpy functions that also work on
``Tensor`` objects, so the same rule builds a differentiable graph when a gradient is itself
differentiated (``grad(grad(f))``).  Broadcasting is undone by the one shared ``unbroadcast``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

Rule = Callable[..., Any]


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched so it has ``shape``."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = _sum(g, tuple(range(extra)))
        if g.shape == shape:  # a bias: only leading axes were added
            return g
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = _sum(g, stretched, keepdims=True)
    return g


@dataclass(frozen=True)
class Primitive:
    """A differentiable operation: forward on arrays plus per-argument VJP and JVP rules.

    ``vjps``/``jvps`` are indexed by argument position; ``None`` marks an argument that is not
    differentiable (labels, conditions).  ``variadic`` primitives take any number of tensor
    arguments and give one rule ``rule(i, g, ans, *args)`` for all of them.
    """

    name: str
    forward: Callable[..., np.ndarray]
    vjps: Sequence[Rule | None]
    jvps: Sequence[Rule | None]
    variadic: bool = False
    symbol: str = field(default="", compare=False)  # how a trace row shows the op

    def __post_init__(self) -> None:
        # Argument positions that get a gradient, for the per-operation check when recording.
        grads = {i for i, rule in enumerate(self.vjps) if rule is not None}
        object.__setattr__(self, "grad_args", frozenset(grads))
        # The same as a bit mask (every argument of a variadic primitive), for Tensor._apply.
        object.__setattr__(self, "grad_mask", -1 if self.variadic else sum(1 << i for i in grads))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Apply to arrays (plain numpy result) or Tensors/Duals (recorded for AD)."""
        for a in args:
            if isinstance(a, Traced):
                return a._apply(self, args, kwargs)
        return self.forward(*args, **kwargs)

    def differentiable(self, i: int) -> bool:
        """Whether argument ``i`` gets a gradient (labels, indices and masks do not)."""
        if self.variadic:
            return True
        return i in self.grad_args

    def vjp(self, i: int) -> Rule | None:
        if self.variadic:
            return lambda g, ans, *args, **kw: self.vjps[0](i, g, ans, *args, **kw)
        return self.vjps[i] if i < len(self.vjps) else None

    def jvp(self, i: int) -> Rule | None:
        if self.variadic:
            return lambda t, ans, *args, **kw: self.jvps[0](i, t, ans, *args, **kw)
        return self.jvps[i] if i < len(self.jvps) else None


PRIMITIVES: dict[str, Primitive] = {}


class Traced:
    """Base of the values that carry derivatives (``Tensor``, ``Dual``): a primitive applied
    to one of them is handed to its class's ``_apply``, which records or propagates it; on
    plain arrays it just computes.  The rules stay engine-agnostic."""

    __slots__ = ()

    @classmethod
    def _apply(cls, prim: "Primitive", args: tuple, kwargs: dict) -> Any:  # pragma: no cover
        raise NotImplementedError


def defprim(name: str, forward: Callable[..., Any], vjps: Sequence[Rule | None],
            jvps: Sequence[Rule | None], *, variadic: bool = False, symbol: str = "") -> Primitive:
    prim = Primitive(name, forward, tuple(vjps), tuple(jvps), variadic, symbol or name)
    PRIMITIVES[name] = prim
    return prim


def _shape(x: Any) -> tuple[int, ...]:
    try:
        return x.shape
    except AttributeError:  # Python scalars
        return np.shape(x)


def _ndim(x: Any) -> int:
    try:
        return x.ndim
    except AttributeError:
        return np.ndim(x)


def _swap(x: Any) -> Any:
    """Transpose the last two axes (the matrix transpose of a batch of matrices)."""
    return x.T if _ndim(x) == 2 else np.swapaxes(x, -1, -2)


def _keep_reduced(g: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Give a reduction's output gradient back the reduced axes as size-1 axes."""
    if keepdims or axis is None:
        return g.reshape((1,) * len(shape)) if not keepdims else g
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    kept = list(shape)
    for a in axes:
        kept[a % len(shape)] = 1
    return g.reshape(tuple(kept))


def _count(shape: tuple[int, ...], axis: Any) -> int:
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return math.prod(shape[a] for a in axes)


def _expand(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` (with size-1 axes where a reduction removed them) repeated to ``shape``."""
    if isinstance(g, (np.ndarray, np.generic)):
        # One fresh array: cheaper than np.broadcast_to's machinery, and the caller may own it.
        out = np.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)  # a Tensor: the differentiable broadcast_to primitive


def _safe_log(x: Any) -> Any:
    # d(x**y)/dy = x**y ln x; where x <= 0 the power is only defined for constant y, so 0.
    xv = x.value if isinstance(x, Traced) else np.asarray(x)
    return np.log(np.where(xv > 0, x, 1.0))


# ---------------------------------------------------------------- elementwise, binary
add = defprim("add", np.add,
              [lambda g, ans, x, y: unbroadcast(g, _shape(x)),
               lambda g, ans, x, y: unbroadcast(g, _shape(y))],
              [lambda t, ans, x, y: t, lambda t, ans, x, y: t], symbol="+")
subtract = defprim("subtract", np.subtract,
                   [lambda g, ans, x, y: unbroadcast(g, _shape(x)),
                    lambda g, ans, x, y: -unbroadcast(g, _shape(y))],
                   [lambda t, ans, x, y: t, lambda t, ans, x, y: -t], symbol="-")
multiply = defprim("multiply", np.multiply,
                   [lambda g, ans, x, y: unbroadcast(g * y, _shape(x)),
                    lambda g, ans, x, y: unbroadcast(g * x, _shape(y))],
                   [lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t], symbol="×")
# d(x/y)/dy = -x/y² = -ans/y; summing g * ans before dividing by y is one full-size product
# fewer when y was broadcast (a softmax's row sums).
divide = defprim("divide", np.divide,
                 [lambda g, ans, x, y: unbroadcast(g / y, _shape(x)),
                  lambda g, ans, x, y: -unbroadcast(g * ans, _shape(y)) / y],
                 [lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y], symbol="/")
def _power_slope(x: Any, y: Any) -> Any:
    """d(x**y)/dx = y x**(y-1), taken as 0 where y == 0 (x**0 is constant), as PyTorch and
    autograd do: the formula alone gives 0 * inf = NaN at x = 0."""
    yv = _v(y)
    if np.all(yv != 0):
        return y * x ** (y - 1)
    return y * x ** np.where(yv == 0, 1.0, y - 1)


power = defprim("power", np.power,
                [lambda g, ans, x, y: unbroadcast(g * _power_slope(x, y), _shape(x)),
                 lambda g, ans, x, y: unbroadcast(g * ans * _safe_log(x), _shape(y))],
                [lambda t, ans, x, y: t * _power_slope(x, y),
                 lambda t, ans, x, y: t * ans * _safe_log(x)], symbol="^")
# numpy's float_power computes in float64 (at least) whatever its inputs: the same rules, the
# forward in numpy's own precision.
float_power = defprim("float_power", np.float_power, power.vjps, power.jvps, symbol="^")
# Ties go to the first argument, so np.maximum(0, x) has derivative 0 at x = 0 like ReLU.
maximum = defprim("maximum", np.maximum,
                  [lambda g, ans, x, y: unbroadcast(g * (_v(x) >= _v(y)), _shape(x)),
                   lambda g, ans, x, y: unbroadcast(g * (_v(x) < _v(y)), _shape(y))],
                  [lambda t, ans, x, y: t * (_v(x) >= _v(y)),
                   lambda t, ans, x, y: t * (_v(x) < _v(y))])
minimum = defprim("minimum", np.minimum,
                  [lambda g, ans, x, y: unbroadcast(g * (_v(x) <= _v(y)), _shape(x)),
                   lambda g, ans, x, y: unbroadcast(g * (_v(x) > _v(y)), _shape(y))],
                  [lambda t, ans, x, y: t * (_v(x) <= _v(y)),
                   lambda t, ans, x, y: t * (_v(x) > _v(y))])


def _v(x: Any) -> Any:
    """The numpy value of a Tensor or array: masks and comparisons are never differentiated."""
    return x.value if isinstance(x, Traced) else x


# ---------------------------------------------------------------- elementwise, unary
negative = defprim("negative", np.negative, [lambda g, ans, x: -g], [lambda t, ans, x: -t],
                   symbol="-")
identity = defprim("identity", lambda x: np.array(x, copy=True), [lambda g, ans, x: g],
                   [lambda t, ans, x: t])
# ndarray.copy() is C-ordered whatever its source (np.copy keeps the layout): which later
# reshapes are views, and so what an in-place change reaches, depends on it.
copy_c = defprim("copy", lambda x: np.array(x, copy=True, order="C"), [lambda g, ans, x: g],
                 [lambda t, ans, x: t])
exp = defprim("exp", np.exp, [lambda g, ans, x: g * ans], [lambda t, ans, x: t * ans])
log = defprim("log", np.log, [lambda g, ans, x: g / x], [lambda t, ans, x: t / x], symbol="ln")
sin = defprim("sin", np.sin, [lambda g, ans, x: g * np.cos(x)],
              [lambda t, ans, x: t * np.cos(x)])
cos = defprim("cos", np.cos, [lambda g, ans, x: -g * np.sin(x)],
              [lambda t, ans, x: -t * np.sin(x)])
tan = defprim("tan", np.tan, [lambda g, ans, x: g * (1 + ans * ans)],
              [lambda t, ans, x: t * (1 + ans * ans)])
tanh = defprim("tanh", np.tanh, [lambda g, ans, x: g * (1 - ans * ans)],
               [lambda t, ans, x: t * (1 - ans * ans)])
sqrt = defprim("sqrt", np.sqrt, [lambda g, ans, x: g * 0.5 / ans],
               [lambda t, ans, x: t * 0.5 / ans])
absolute = defprim("absolute", np.abs, [lambda g, ans, x: g * np.sign(_v(x))],
                   [lambda t, ans, x: t * np.sign(_v(x))], symbol="abs")
square = defprim("square", np.square, [lambda g, ans, x: g * 2 * x],
                 [lambda t, ans, x: t * 2 * x])
log1p = defprim("log1p", np.log1p, [lambda g, ans, x: g / (1 + x)],
                [lambda t, ans, x: t / (1 + x)])
expm1 = defprim("expm1", np.expm1, [lambda g, ans, x: g * (ans + 1)],
                [lambda t, ans, x: t * (ans + 1)])
relu = defprim("relu", lambda x: np.maximum(x, 0), [lambda g, ans, x: g * (_v(x) > 0)],
               [lambda t, ans, x: t * (_v(x) > 0)])
# 0.5 (1 + tanh(x/2)) is the logistic function without overflow in exp(-x) for large |x|.
sigmoid = defprim("sigmoid", lambda x: 0.5 * (1.0 + np.tanh(0.5 * x)),
                  [lambda g, ans, x: g * ans * (1 - ans)],
                  [lambda t, ans, x: t * ans * (1 - ans)], symbol="σ")


def _clip_masks(x: Any, lo: Any, hi: Any) -> tuple[Any, Any, Any]:
    """Where the output of ``clip(x, lo, hi) = minimum(maximum(x, lo), hi)`` comes from x, from
    the lower bound and from the upper bound (ties go to x, as in maximum/minimum)."""
    xv = _v(x)
    to_x, to_lo, to_hi = True, False, False
    if lo is not None:
        to_x = xv >= _v(lo)
        to_lo = ~to_x
    if hi is not None:
        below = (xv if lo is None else np.maximum(xv, _v(lo))) <= _v(hi)
        to_x, to_lo, to_hi = to_x & below, to_lo & below, ~below
    return to_x, to_lo, to_hi


def _clip_vjp(k: int) -> Rule:
    def rule(g: Any, ans: Any, x: Any, lo: Any, hi: Any) -> Any:
        return unbroadcast(g * _clip_masks(x, lo, hi)[k], _shape((x, lo, hi)[k]))
    return rule


def _clip_jvp(k: int) -> Rule:
    return lambda t, ans, x, lo, hi: t * _clip_masks(x, lo, hi)[k]


clip = defprim("clip", np.clip, [_clip_vjp(0), _clip_vjp(1), _clip_vjp(2)],
               [_clip_jvp(0), _clip_jvp(1), _clip_jvp(2)])
cast = defprim("cast", lambda x, dtype: x.astype(dtype),
               [lambda g, ans, x, dtype: g.astype(_v(x).dtype)],
               [lambda t, ans, x, dtype: t.astype(dtype)])


# ---------------------------------------------------------------- linear algebra
def _matmul_vjp_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _ndim(x) == 2 and _ndim(y) == 2:  # the common case, first
        return g @ y.T
    if _ndim(y) == 1:
        if _ndim(x) == 1:
            return g * y
        return unbroadcast(g[..., None] * y, _shape(x))
    if _ndim(x) == 1:
        return unbroadcast((y @ g[..., None])[..., 0], _shape(x))
    return unbroadcast(g @ _swap(y), _shape(x))


def _matmul_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _ndim(x) == 2 and _ndim(y) == 2:
        return x.T @ g
    if _ndim(x) == 1:
        if _ndim(y) == 1:
            return g * x
        return unbroadcast(x[:, None] * g[..., None, :], _shape(y))
    if _ndim(y) == 1:
        return unbroadcast((_swap(x) @ g[..., None])[..., 0], _shape(y))
    return unbroadcast(_swap(x) @ g, _shape(y))


matmul = defprim("matmul", np.matmul, [_matmul_vjp_x, _matmul_vjp_y],
                 [lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t], symbol="@")


# ---------------------------------------------------------------- reductions
def _sum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _expand(_keep_reduced(g, _shape(x), axis, keepdims), _shape(x))


def _mean_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    shape = _shape(x)
    return _expand(_keep_reduced(g, shape, axis, keepdims) / _count(shape, axis), shape)


def _attained(x: Any, ans: Any, axis: Any, keepdims: bool) -> tuple[np.ndarray, Any]:
    """Where each extremum is attained, and per extremum how often (None: once each).

    Ties share the gradient equally, so the rules use the average of the subgradients. A NaN
    extremum counts as attained where x is NaN (PyTorch's choice), not nowhere.
    """
    xv, ansv = _v(x), _v(ans)
    kept = _keep_reduced(ansv, xv.shape, axis, keepdims)
    attained = xv == kept
    if np.isnan(ansv).any():
        attained |= np.isnan(xv) & np.isnan(kept)
    elif np.count_nonzero(attained) == np.size(ansv):
        return attained, None  # no ties: one count instead of a count per extremum
    return attained, np.add.reduce(attained, axis=axis, keepdims=True, dtype=xv.dtype)


def _extremum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    attained, ties = _attained(x, ans, axis, keepdims)
    g = _keep_reduced(g, attained.shape, axis, keepdims)
    return g * attained if ties is None else g / ties * attained


def _extremum_jvp(t: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    attained, ties = _attained(x, ans, axis, keepdims)
    share = t * attained if ties is None else t * attained / ties
    return share.sum(axis=axis, keepdims=keepdims)


# The forward functions call the ufuncs' reduce directly: np.sum, np.mean and np.max are
# Python wrappers that cost more than the reduction itself on the small arrays of a minibatch.
def _sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if isinstance(x, Traced):  # a gradient being differentiated (grad of grad)
        return x.sum(axis=axis, keepdims=keepdims)
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


def _mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / _count(np.shape(x), axis)


sum_ = defprim("sum", _sum, [_sum_vjp],
               [lambda t, ans, x, axis=None, keepdims=False: t.sum(axis=axis, keepdims=keepdims)],
               symbol="Σ")
mean = defprim("mean", _mean, [_mean_vjp],
               [lambda t, ans, x, axis=None, keepdims=False: t.mean(axis=axis, keepdims=keepdims)])
max_ = defprim("max", lambda x, axis=None, keepdims=False:
               np.maximum.reduce(x, axis=axis, keepdims=keepdims), [_extremum_vjp], [_extremum_jvp])
min_ = defprim("min", lambda x, axis=None, keepdims=False:
               np.minimum.reduce(x, axis=axis, keepdims=keepdims), [_extremum_vjp], [_extremum_jvp])


def _others_product(x: np.ndarray, axis: Any) -> np.ndarray:
    """For each element, the product of the other elements along ``axis`` (exclusive products
    from both sides, so zeros are handled without dividing by them)."""
    if axis is None:
        return _others_product(x.reshape(-1), 0).reshape(x.shape)
    axes = (axis,) if isinstance(axis, int) else tuple(a % x.ndim for a in axis)
    if len(axes) > 1:  # move the reduced axes together and last, then treat them as one
        rest = [a for a in range(x.ndim) if a not in axes]
        moved = np.transpose(x, rest + list(axes))
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        back = _others_product(flat, -1).reshape(moved.shape)
        return np.transpose(back, np.argsort(rest + list(axes)))
    ones = np.ones_like(np.take(x, [0], axis=axes[0]))
    left = np.cumprod(np.concatenate([ones, x], axis=axes[0]), axis=axes[0])
    right = np.flip(np.cumprod(np.flip(np.concatenate([x, ones], axis=axes[0]), axes[0]),
                               axis=axes[0]), axes[0])
    n = x.shape[axes[0]]
    return (np.take(left, range(n), axis=axes[0]) * np.take(right, range(1, n + 1), axis=axes[0]))


def _prod_factor(x: Any, ans: Any, axis: Any, keepdims: bool) -> Any:
    """d prod / d x_i: the product of the other elements."""
    xv = _v(x)
    if np.all(xv != 0):
        return _keep_reduced(ans, xv.shape, axis, keepdims) / x
    if not isinstance(x, np.ndarray):
        raise NotImplementedError(
            "numpy.prod: derivatives of second order at inputs that contain 0 are not "
            "supported; the first derivative is (use grad once, or avoid exact zeros).")
    return _others_product(xv, axis)


prod = defprim("prod", lambda x, axis=None, keepdims=False:
               np.multiply.reduce(x, axis=axis, keepdims=keepdims),
               [lambda g, ans, x, axis=None, keepdims=False:
                _keep_reduced(g, _shape(x), axis, keepdims) * _prod_factor(x, ans, axis, keepdims)],
               [lambda t, ans, x, axis=None, keepdims=False:
                (t * _prod_factor(x, ans, axis, keepdims)).sum(axis=axis, keepdims=keepdims)],
               symbol="Π")
cumsum = defprim("cumsum", lambda x, axis: np.cumsum(x, axis=axis),
                 [lambda g, ans, x, axis: np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)],
                 [lambda t, ans, x, axis: np.cumsum(t, axis=axis)])


def _norm_denominator(ans: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """The norm with reduced axes kept, and 1 where it is 0: there x is 0 too, and the
    subgradient 0 is taken instead of 0/0."""
    kept = _keep_reduced(ans, shape, axis, keepdims)
    return kept + (_v(kept) == 0)


norm = defprim("norm", lambda x, axis=None, keepdims=False:
               np.sqrt(np.add.reduce(x * x, axis=axis, keepdims=keepdims)),
               [lambda g, ans, x, axis=None, keepdims=False:
                _keep_reduced(g, _shape(x), axis, keepdims) * x
                / _norm_denominator(ans, _shape(x), axis, keepdims)],
               [lambda t, ans, x, axis=None, keepdims=False:
                (t * x / _norm_denominator(ans, _shape(x), axis, keepdims)).sum(
                    axis=axis, keepdims=keepdims)], symbol="‖·‖")


# ---------------------------------------------------------------- shapes and indexing
def _inverse_axes(x: Any, axes: Any) -> Any:
    # Negative axes must be made positive first: argsort of (0, -1, 1) is not the inverse.
    return None if axes is None else tuple(np.argsort([a % len(axes) for a in axes]).tolist())


broadcast_to = defprim("broadcast_to", np.broadcast_to,
                       [lambda g, ans, x, shape: unbroadcast(g, _shape(x))],
                       [lambda t, ans, x, shape: np.broadcast_to(t, shape)])


reshape = defprim("reshape", np.reshape,
                  [lambda g, ans, x, shape: g.reshape(_shape(x))],
                  [lambda t, ans, x, shape: t.reshape(shape)])
transpose = defprim("transpose", np.transpose,
                    [lambda g, ans, x, axes=None: np.transpose(g, _inverse_axes(x, axes))],
                    [lambda t, ans, x, axes=None: np.transpose(t, axes)], symbol="ᵀ")


def _index_add(g: Any, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _picks_once(index):
        out[index] = g  # no element is picked twice, so plain assignment adds
    else:
        # Repeated indices must add up. numpy >= 1.25 has a fast path for tuples of integer
        # arrays: p[np.arange(m), labels] of a cross-entropy costs less this way than checking
        # that its rows are distinct and assigning.
        np.add.at(out, index, g)
    return out


def _picks_once(index: Any) -> bool:
    """Whether no element can be picked twice: the index holds no integer array (slices,
    integers, None, ... and boolean masks, whose picks are distinct)."""
    parts = index if type(index) is tuple else (index,)
    for p in parts:
        if isinstance(p, np.ndarray):
            if p.dtype.kind != "b":
                return False
        elif not (p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))):
            return False
    return True


getitem = defprim("getitem", lambda x, index: x[index],
                  [lambda g, ans, x, index: index_add(g, index, _shape(x))],
                  [lambda t, ans, x, index: t[index]], symbol="[]")
index_add = defprim("index_add", _index_add,
                    [lambda g, ans, u, index, shape: g[index]],
                    [lambda t, ans, u, index, shape: index_add(t, index, shape)])


def _concat_vjp(i: int, g: Any, ans: Any, *xs: Any, axis: int = 0) -> Any:
    axis = axis % _ndim(ans)
    start = sum(_shape(x)[axis] for x in xs[:i])
    where = [slice(None)] * _ndim(ans)
    where[axis] = slice(start, start + _shape(xs[i])[axis])
    return g[tuple(where)]


def _concat_jvp(i: int, t: Any, ans: Any, *xs: Any, axis: int = 0) -> Any:
    parts = [t if j == i else np.zeros(_shape(x), dtype=_v(ans).dtype) for j, x in enumerate(xs)]
    return np.concatenate(parts, axis=axis)


concatenate = defprim("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                      [_concat_vjp], [_concat_jvp], variadic=True)


def _stack_vjp(i: int, g: Any, ans: Any, *xs: Any, axis: int = 0) -> Any:
    return np.take(g, i, axis=axis) if isinstance(g, np.ndarray) else _take_tensor(g, i, axis)


def _take_tensor(g: Any, i: int, axis: int) -> Any:
    where: list[Any] = [slice(None)] * g.ndim
    where[axis % g.ndim] = i
    return g[tuple(where)]


stack = defprim("stack", lambda *xs, axis=0: np.stack(xs, axis=axis), [_stack_vjp],
                [lambda i, t, ans, *xs, axis=0: np.stack(
                    [t if j == i else np.zeros(_shape(x), dtype=_v(ans).dtype)
                     for j, x in enumerate(xs)], axis=axis)], variadic=True)

where = defprim("where", np.where,
                [None,
                 lambda g, ans, c, x, y: unbroadcast(np.where(c, g, 0.0), _shape(x)),
                 lambda g, ans, c, x, y: unbroadcast(np.where(c, 0.0, g), _shape(y))],
                [None, lambda t, ans, c, x, y: np.where(c, t, 0.0),
                 lambda t, ans, c, x, y: np.where(c, 0.0, t)])


flip = defprim("flip", lambda x, axis=None: np.flip(x, axis),
               [lambda g, ans, x, axis=None: np.flip(g, axis)],
               [lambda t, ans, x, axis=None: np.flip(t, axis)])


def _tile_vjp(g: Any, ans: Any, x: Any, reps: tuple[int, ...]) -> Any:
    # np.tile pads the shape and the repetitions with leading 1s to a common length; each output
    # axis of length r*n is read as (r, n), and the r copies are summed.
    shape = _shape(x)
    d = max(len(shape), len(reps))
    padded = (1,) * (d - len(shape)) + tuple(shape)
    reps = (1,) * (d - len(reps)) + tuple(reps)
    split = tuple(n for pair in zip(reps, padded) for n in pair)
    return g.reshape(split).sum(axis=tuple(range(0, 2 * d, 2))).reshape(shape)


tile = defprim("tile", lambda x, reps: np.tile(x, reps), [_tile_vjp],
               [lambda t, ans, x, reps: np.tile(t, reps)])


def _unpad(g: Any, pad_width: tuple) -> Any:
    return g[tuple(slice(before, g.shape[i] - after) for i, (before, after) in enumerate(pad_width))]


pad = defprim("pad", lambda x, pad_width, value=0.0:
              np.pad(x, pad_width, mode="constant", constant_values=value),
              [lambda g, ans, x, pad_width, value=0.0: _unpad(g, pad_width)],
              [lambda t, ans, x, pad_width, value=0.0: np.pad(t, pad_width)])


def _einsum_vjp(i: int, g: Any, ans: Any, *xs: Any, spec: str) -> Any:
    """The gradient of operand i contracts the output gradient with the other operands back to
    operand i's subscripts; subscripts that only operand i has were summed, so they come back
    by repetition."""
    inputs, output = spec.split("->")
    subs = inputs.split(",")
    others = [s for j, s in enumerate(subs) if j != i]
    available = set(output).union(*others)
    kept = "".join(c for c in subs[i] if c in available)
    operands = [g] + [x for j, x in enumerate(xs) if j != i]
    part = np.einsum(",".join([output] + others) + "->" + kept, *operands)
    shape = _shape(xs[i])
    if kept != subs[i]:
        sizes = dict(zip(kept, _shape(part)))
        part = _expand(part.reshape(tuple(sizes.get(c, 1) for c in subs[i])),
                       tuple(sizes.get(c, n) for c, n in zip(subs[i], shape)))
    return unbroadcast(part, shape)


def _einsum_jvp(i: int, t: Any, ans: Any, *xs: Any, spec: str) -> Any:
    return np.einsum(spec, *[t if j == i else x for j, x in enumerate(xs)])


einsum = defprim("einsum", lambda *xs, spec: np.einsum(spec, *xs), [_einsum_vjp], [_einsum_jvp],
                 variadic=True)


# ---------------------------------------------------------------- numpy.linalg
def _inv_vjp(g: Any, ans: Any, a: Any) -> Any:
    return -(_swap(ans) @ g @ _swap(ans))


inv = defprim("inv", np.linalg.inv, [_inv_vjp], [lambda t, ans, a: -(ans @ t @ ans)],
              symbol="inv")
def _cofactors(a: Any, ans: Any) -> Any:
    """d det(a) / d a: the cofactor matrix (the transposed adjugate), also where a is singular.

    det(a) inv(a).T is the same where a is invertible, but fails where the derivative is still
    defined (a singular matrix of rank n - 1 has nonzero cofactors). From a = U diag(s) Vh the
    cofactors are det(U) det(Vh) U diag(prod of the other s) Vh. A derivative being
    differentiated (Tensors) keeps the formula with inv, whose rules exist."""
    if isinstance(a, Traced):
        return _cofactors_by_minors(a)
    u, s, vh = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * _others_product(s, -1)[..., None, :]) @ vh)


def _cofactors_by_minors(a: Any) -> Any:
    """(-1)^(i+j) det(a without row i and column j), from det's own rule: a derivative that is
    itself differentiated, right at singular matrices too (det * inv is not). n^2 determinants
    of size n - 1: fine for the small matrices a course differentiates twice."""
    n = _shape(a)[-1]
    if n == 1:
        return np.ones(_shape(a))
    idx = np.arange(n)
    rows = []
    for i in range(n):
        kept_rows = a[..., idx[idx != i], :]
        rows.append(np.stack([(-1) ** (i + j) * np.linalg.det(kept_rows[..., idx[idx != j]])
                              for j in range(n)], axis=-1))
    return np.stack(rows, axis=-2)


det = defprim("det", np.linalg.det,
              [lambda g, ans, a: g[..., None, None] * _cofactors(a, ans)],
              [lambda t, ans, a: (_cofactors(a, ans) * t).sum(axis=(-2, -1))],
              symbol="det")



def _columns(v: Any, b: Any) -> Any:
    """numpy.linalg.solve reads a 1-d right-hand side ``b`` as one vector and anything else as
    (stacks of) matrices; give vectors (and their gradients) a column axis to treat both alike."""
    return v[..., None] if _ndim(b) == 1 else v


def _rows(v: Any, b: Any) -> Any:
    return v[..., 0] if _ndim(b) == 1 else v


def _solve_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    gb = np.linalg.solve(_swap(a), _columns(g, b))
    return unbroadcast(-(gb @ _swap(_columns(ans, b))), _shape(a))


def _solve_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return unbroadcast(_rows(np.linalg.solve(_swap(a), _columns(g, b)), b), _shape(b))


def _solve_jvp_a(t: Any, ans: Any, a: Any, b: Any) -> Any:
    return -_rows(np.linalg.solve(a, t @ _columns(ans, b)), b)


solve = defprim("solve", np.linalg.solve, [_solve_vjp_a, _solve_vjp_b],
                [_solve_jvp_a, lambda t, ans, a, b: np.linalg.solve(a, t)])


# ---------------------------------------------------------------- fused, numerically stable
def _log_softmax(z: Any) -> Any:
    shifted = z - np.maximum.reduce(_v(z), axis=-1, keepdims=True)
    return shifted - np.log(_sum(np.exp(shifted), -1, keepdims=True))


def _softmax(z: Any) -> Any:
    e = np.exp(z - np.maximum.reduce(_v(z), axis=-1, keepdims=True))
    return e / _sum(e, -1, keepdims=True)


def _sce_forward(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    m = len(labels)
    return -_log_softmax(logits)[np.arange(m), labels].sum() / m


def _sce_vjp(g: Any, ans: Any, logits: Any, labels: np.ndarray) -> Any:
    """(softmax(z) - onehot(y)) g / m: the classic fused gradient, no log or division by p."""
    m = len(labels)
    p = _softmax(logits)
    if isinstance(p, np.ndarray):  # first order: work in place on the fresh array
        p[np.arange(m), labels] -= 1.0
        p *= g / m
        return p
    onehot = np.zeros(_shape(logits), dtype=_v(logits).dtype)
    onehot[np.arange(m), labels] = 1.0
    return (p - onehot) * (g / m)


_softmax_ce = defprim(
    "softmax_cross_entropy", _sce_forward, [_sce_vjp, None],
    [lambda t, ans, z, labels: (_sce_vjp(np.ones((), dtype=_v(z).dtype), ans, z, labels) * t).sum(),
     None],
    symbol="softmax-CE")



def softmax_cross_entropy(logits: Any, labels: Any) -> Any:
    """Mean cross-entropy of integer ``labels`` (m,) under softmax(``logits``) (m, k).

    Fused and stable: log-softmax is computed with the max shift, and the gradient is
    (softmax - onehot) / m without ever dividing by a probability.
    """
    labels = np.asarray(_v(labels))
    shape = _shape(logits)
    if len(shape) != 2:
        raise ValueError(f"softmax_cross_entropy: logits must have shape (m, k), got {shape}.")
    if labels.shape != (shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"softmax_cross_entropy: labels must be {shape[0]} integers (one class "
                         f"index per row of logits), got shape {labels.shape} dtype {labels.dtype}.")
    if labels.size and (np.minimum.reduce(labels) < 0 or np.maximum.reduce(labels) >= shape[1]):
        raise ValueError(f"softmax_cross_entropy: labels must be in 0..{shape[1] - 1}, got values "
                         f"from {labels.min()} to {labels.max()}.")
    return _softmax_ce(logits, labels)


logsumexp = defprim(
    "logsumexp",
    lambda x, axis=-1, keepdims=False: _lse(x, axis, keepdims),
    [lambda g, ans, x, axis=-1, keepdims=False:
     _keep_reduced(g, _shape(x), axis, keepdims) * np.exp(x - _keep_reduced(ans, _shape(x), axis, keepdims))],
    [lambda t, ans, x, axis=-1, keepdims=False:
     (t * np.exp(x - _keep_reduced(ans, _shape(x), axis, keepdims))).sum(axis=axis, keepdims=keepdims)])


def _lse(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)
