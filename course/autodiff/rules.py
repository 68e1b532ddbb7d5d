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
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Apply to arrays (plain numpy result) or Tensors/Duals (recorded for AD)."""
        return _APPLY(self, args, kwargs)

    def differentiable(self, i: int) -> bool:
        """Whether argument ``i`` gets a gradient (labels, indices and masks do not)."""
        if self.variadic:
            return True
        return i < len(self.vjps) and self.vjps[i] is not None

    def vjp(self, i: int) -> Rule | None:
        if self.variadic:
            return lambda g, ans, *args, **kw: self.vjps[0](i, g, ans, *args, **kw)
        return self.vjps[i] if i < len(self.vjps) else None

    def jvp(self, i: int) -> Rule | None:
        if self.variadic:
            return lambda t, ans, *args, **kw: self.jvps[0](i, t, ans, *args, **kw)
        return self.jvps[i] if i < len(self.jvps) else None


PRIMITIVES: dict[str, Primitive] = {}


def _apply_plain(prim: Primitive, args: tuple, kwargs: dict) -> Any:
    return prim.forward(*args, **kwargs)


# Replaced by tensor.py with the dispatcher that records graphs; rules stay engine-agnostic.
_APPLY: Callable[[Primitive, tuple, dict], Any] = _apply_plain


def set_apply(apply: Callable[[Primitive, tuple, dict], Any]) -> None:
    global _APPLY
    _APPLY = apply


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
        return int(np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return int(np.prod([shape[a] for a in axes]))


def _safe_log(x: Any) -> Any:
    # d(x**y)/dy = x**y ln x; where x <= 0 the power is only defined for constant y, so 0.
    xv = x.value if hasattr(x, "value") else np.asarray(x)
    return np.log(np.where(xv > 0, x, 1.0))


# ---------------------------------------------------------------- elementwise, binary
add = defprim("add", np.add,
              [lambda g, ans, x, y: unbroadcast(g, _shape(x)),
               lambda g, ans, x, y: unbroadcast(g, _shape(y))],
              [lambda t, ans, x, y: t, lambda t, ans, x, y: t], symbol="+")
subtract = defprim("subtract", np.subtract,
                   [lambda g, ans, x, y: unbroadcast(g, _shape(x)),
                    lambda g, ans, x, y: unbroadcast(-g, _shape(y))],
                   [lambda t, ans, x, y: t, lambda t, ans, x, y: -t], symbol="-")
multiply = defprim("multiply", np.multiply,
                   [lambda g, ans, x, y: unbroadcast(g * y, _shape(x)),
                    lambda g, ans, x, y: unbroadcast(g * x, _shape(y))],
                   [lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t], symbol="×")
divide = defprim("divide", np.divide,
                 [lambda g, ans, x, y: unbroadcast(g / y, _shape(x)),
                  lambda g, ans, x, y: unbroadcast(-g * x / (y * y), _shape(y))],
                 [lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * x / (y * y)], symbol="/")
power = defprim("power", np.power,
                [lambda g, ans, x, y: unbroadcast(g * y * x ** (y - 1), _shape(x)),
                 lambda g, ans, x, y: unbroadcast(g * ans * _safe_log(x), _shape(y))],
                [lambda t, ans, x, y: t * y * x ** (y - 1),
                 lambda t, ans, x, y: t * ans * _safe_log(x)], symbol="^")
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
    return x.value if hasattr(x, "value") else x


# ---------------------------------------------------------------- elementwise, unary
negative = defprim("negative", np.negative, [lambda g, ans, x: -g], [lambda t, ans, x: -t],
                   symbol="-")
identity = defprim("identity", lambda x: np.array(x, copy=True), [lambda g, ans, x: g],
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


def _inside(x: Any, lo: Any, hi: Any) -> np.ndarray:
    xv = _v(x)
    inside = np.ones(xv.shape, dtype=bool)
    if lo is not None:
        inside &= xv >= _v(lo)
    if hi is not None:
        inside &= xv <= _v(hi)
    return inside


clip = defprim("clip", np.clip,
               [lambda g, ans, x, lo, hi: g * _inside(x, lo, hi)],
               [lambda t, ans, x, lo, hi: t * _inside(x, lo, hi)])
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
    # A broadcast view costs nothing; on Tensors np.broadcast_to dispatches to the primitive.
    return np.broadcast_to(_keep_reduced(g, _shape(x), axis, keepdims), _shape(x))


def _mean_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _sum_vjp(g, ans, x, axis, keepdims) / _count(_shape(x), axis)


def _extremum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # Ties share the gradient equally, so the rule is the average of the subgradients.
    shape = _shape(x)
    return _keep_reduced(g, shape, axis, keepdims) * _argmax_share(x, ans, axis, keepdims)


def _extremum_jvp(t: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return (t * _argmax_share(x, ans, axis, keepdims)).sum(axis=axis, keepdims=keepdims)


def _argmax_share(x: Any, ans: Any, axis: Any, keepdims: bool) -> np.ndarray:
    """1/k at each of the k places that attain the extremum, 0 elsewhere."""
    xv = _v(x)
    share = (xv == _keep_reduced(_v(ans), xv.shape, axis, keepdims)).astype(xv.dtype)
    share /= share.sum(axis=axis, keepdims=True)
    return share


sum_ = defprim("sum", np.sum, [_sum_vjp],
               [lambda t, ans, x, axis=None, keepdims=False: t.sum(axis=axis, keepdims=keepdims)],
               symbol="Σ")
mean = defprim("mean", np.mean, [_mean_vjp],
               [lambda t, ans, x, axis=None, keepdims=False: t.mean(axis=axis, keepdims=keepdims)])
max_ = defprim("max", np.max, [_extremum_vjp], [_extremum_jvp])
min_ = defprim("min", np.min, [_extremum_vjp], [_extremum_jvp])


# ---------------------------------------------------------------- shapes and indexing
def _inverse_axes(x: Any, axes: Any) -> Any:
    return None if axes is None else tuple(np.argsort(axes))


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
    if _is_basic_index(index):
        out[index] = g  # basic indexing never repeats an element, so plain assignment adds
    else:
        np.add.at(out, index, g)
    return out


def _is_basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


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


# ---------------------------------------------------------------- fused, numerically stable
def _log_softmax(z: Any) -> Any:
    shifted = z - _v(z).max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(z: Any) -> Any:
    e = np.exp(z - _v(z).max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


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
    if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
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
