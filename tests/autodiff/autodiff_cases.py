"""The primitive table under test: one case per primitive (and per calling form).

Each case gives a function written against a numpy-like module (so the same code runs with
``numpy`` on course Tensors and with ``autograd.numpy``), and the inputs' shapes and domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    f: Callable[..., Any]          # f(np_module, *inputs)
    shapes: tuple                  # one entry per differentiable input
    domain: str = "normal"         # normal | positive | unit (in (-0.9, 0.9)) | matrix (near I)
    ref: Callable[..., Any] | None = None  # reference for autograd when the course uses a fused primitive
    autograd_ok: bool = True       # False where HIPS autograd itself is wrong (see the case)

    def inputs(self, seed: int = 0, dtype: Any = np.float64) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        out = []
        for shape in self.shapes:
            if self.domain == "positive":
                x = rng.uniform(0.5, 2.0, shape)
            elif self.domain == "unit":
                x = rng.uniform(-0.9, 0.9, shape)
            elif self.domain == "matrix" and len(shape) >= 2 and shape[-1] == shape[-2]:
                x = np.eye(shape[-1]) * 2.0 + rng.standard_normal(shape) * 0.3  # well conditioned
            else:
                x = rng.standard_normal(shape)
            out.append(np.asarray(x, dtype=dtype))
        return out


LABELS = np.array([0, 2, 1, 2])


def _sce_course(np_, z):
    import course
    return course.softmax_cross_entropy(z, LABELS)


def _sce_ref(anp, z):
    shifted = z - anp.max(z, axis=1, keepdims=True)
    logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(logp[anp.arange(4), LABELS])


def _lse_course(np_, x):
    import course
    return course.logsumexp(x, axis=1)


def _lse_ref(anp, x):
    m = anp.max(x, axis=1, keepdims=True)
    return (m + anp.log(anp.sum(anp.exp(x - m), axis=1, keepdims=True)))[:, 0]


def _relu_course(np_, x):
    import course
    return course.relu(x)


def _sigmoid_course(np_, x):
    import course
    return course.sigmoid(x)


CASES = [
    Case("add", lambda np, x, y: x + y, ((3, 4), (4,))),
    Case("add-scalar", lambda np, x: 2.5 + x, ((3,),)),
    Case("subtract", lambda np, x, y: x - y, ((3, 4), (3, 1))),
    Case("rsubtract", lambda np, x: 1.0 - x, ((2, 3),)),
    Case("multiply", lambda np, x, y: x * y, ((2, 3), (2, 1))),
    Case("divide", lambda np, x, y: x / y, ((3, 2), (2,)), "positive"),
    Case("rdivide", lambda np, x: 2.0 / x, ((4,),), "positive"),
    Case("power-const", lambda np, x: x ** 3, ((3, 2),)),
    Case("power-both", lambda np, x, y: x ** y, ((3,), (3,)), "positive"),
    Case("rpower", lambda np, x: 2.0 ** x, ((3,),)),
    Case("np.power", lambda np, x: np.power(x, 1.5), ((4,),), "positive"),
    Case("negative", lambda np, x: -x, ((3,),)),
    Case("exp", lambda np, x: np.exp(x), ((2, 3),)),
    Case("log", lambda np, x: np.log(x), ((2, 3),), "positive"),
    Case("sin", lambda np, x: np.sin(x), ((5,),)),
    Case("cos", lambda np, x: np.cos(x), ((5,),)),
    Case("tan", lambda np, x: np.tan(x), ((5,),), "unit"),
    Case("tanh", lambda np, x: np.tanh(x), ((2, 3),)),
    Case("sqrt", lambda np, x: np.sqrt(x), ((4,),), "positive"),
    Case("abs", lambda np, x: np.abs(x), ((6,),)),
    Case("square", lambda np, x: np.square(x), ((3, 3),)),
    Case("log1p", lambda np, x: np.log1p(x), ((4,),), "positive"),
    Case("expm1", lambda np, x: np.expm1(x), ((4,),)),
    Case("maximum", lambda np, x, y: np.maximum(x, y), ((3, 4), (4,))),
    Case("maximum-relu", lambda np, x: np.maximum(0, x), ((3, 4),)),
    Case("minimum", lambda np, x, y: np.minimum(x, y), ((3, 4), (3, 4))),
    Case("matmul-2d", lambda np, x, y: x @ y, ((3, 4), (4, 2))),
    Case("matmul-1d-2d", lambda np, x, y: x @ y, ((4,), (4, 2))),
    Case("matmul-2d-1d", lambda np, x, y: x @ y, ((3, 4), (4,))),
    Case("matmul-1d-1d", lambda np, x, y: x @ y, ((4,), (4,))),
    Case("matmul-batched", lambda np, x, y: np.matmul(x, y), ((2, 3, 4), (4, 5))),
    Case("dot", lambda np, x, y: np.dot(x, y), ((3, 4), (4, 2))),
    Case("sum-all", lambda np, x: np.sum(x), ((3, 4),)),
    Case("sum-axis", lambda np, x: np.sum(x, axis=0), ((3, 4),)),
    Case("sum-keepdims", lambda np, x: np.sum(x, axis=1, keepdims=True) * x, ((3, 4),)),
    Case("sum-method", lambda np, x: x.sum(axis=(0, 2)), ((2, 3, 4),)),
    Case("mean", lambda np, x: np.mean(x, axis=1), ((3, 4),)),
    Case("max-axis", lambda np, x: np.max(x, axis=1), ((3, 4),)),
    Case("max-all", lambda np, x: np.max(x), ((3, 4),)),
    Case("min-keepdims", lambda np, x: np.min(x, axis=0, keepdims=True), ((3, 4),)),
    Case("reshape", lambda np, x: np.reshape(x, (4, 3)) * np.arange(12.0).reshape(4, 3), ((3, 4),)),
    Case("transpose", lambda np, x: np.transpose(x) * np.arange(12.0).reshape(4, 3), ((3, 4),)),
    Case("transpose-axes", lambda np, x: np.transpose(x, (2, 0, 1)), ((2, 3, 4),)),
    Case(".T", lambda np, x: x.T @ x, ((3, 2),)),
    Case("getitem-slice", lambda np, x: x[1:, ::2], ((3, 4),)),
    Case("getitem-fancy", lambda np, x: x[np.array([0, 2, 0]), np.array([1, 1, 1])], ((3, 4),)),
    Case("getitem-range", lambda np, x: x[range(3), np.array([3, 0, 3])], ((3, 4),)),
    Case("getitem-int", lambda np, x: x[1] * x[2], ((3, 4),)),
    # HIPS autograd has no rule for float_power: its reference is power
    Case("float_power", lambda np, x, y: np.float_power(x, y), ((3,), (3,)), domain="positive",
         ref=lambda anp, x, y: anp.power(x, y)),
    Case("getitem-mask", lambda np, x: x[np.arange(12).reshape(3, 4) % 3 == 0], ((3, 4),)),
    Case("getitem-slice-mask", lambda np, x: x[1:, np.array([True, False, True, True])], ((3, 4),)),
    Case("getitem-rows-repeated", lambda np, x: x[np.array([2, 0, 2])] * x[np.array([1, 1, 0])],
         ((3, 4),)),
    Case("concatenate", lambda np, x, y: np.concatenate([x, y], axis=1), ((2, 3), (2, 2))),
    Case("stack", lambda np, x, y: np.stack([x, y], axis=0), ((2, 3), (2, 3))),
    Case("where", lambda np, x, y: np.where(np.arange(6.0).reshape(2, 3) > 2, x, y), ((2, 3), (2, 3))),
    # autograd 1.9 returns a (2, 3) gradient for the (3,) input here (no unbroadcast in its rule)
    Case("where-broadcast", lambda np, x, y: np.where(np.arange(6.0).reshape(2, 3) > 2, x, y),
         ((2, 3), (3,)), autograd_ok=False),
    Case("clip", lambda np, x: np.clip(x, -0.5, 0.5), ((10,),)),
    Case("var", lambda np, x: np.var(x, axis=0), ((4, 3),)),
    Case("std", lambda np, x: np.std(x, axis=1), ((3, 5),)),
    Case("squeeze", lambda np, x: np.squeeze(x, axis=1), ((3, 1, 2),)),
    Case("expand_dims", lambda np, x: np.expand_dims(x, 0) * np.ones((2, 1, 1)), ((3, 2),)),
    Case("broadcast_to", lambda np, x: np.broadcast_to(x, (3, 4)), ((1, 4),)),
    # autograd 1.9 refuses new leading axes ("Can't handle extra leading dims")
    Case("broadcast_to-leading", lambda np, x: np.broadcast_to(x, (3, 4)), ((4,),), autograd_ok=False),
    # Negative axes in a permutation (HIPS autograd's transpose rule has the same bug we had:
    # it argsorts the axes unnormalised, so only central differences can referee it).
    Case("transpose-negative-axes", lambda np, x: np.transpose(x, (0, -1, 1)), ((2, 3, 4),),
         autograd_ok=False),
    Case("transpose-negative-cube", lambda np, x: np.transpose(x, (0, -1, 1)), ((2, 2, 2),),
         autograd_ok=False),
    Case("transpose-method-negative", lambda np, x: x.transpose(-1, 0, 1), ((2, 3, 4),),
         autograd_ok=False),
    # Tensor bounds of clip get a gradient where they are the output (autograd gives none).
    Case("clip-tensor-bounds", lambda np, x, lo, hi: np.clip(x, lo - 0.5, hi + 0.5),
         ((3, 4), (4,), (3, 1)), autograd_ok=False),
    Case("clip-lower-only", lambda np, x, lo: np.clip(x, lo, None), ((5,), (5,)), autograd_ok=False),
    Case("clip-keywords", lambda np, x: np.clip(x, min=-0.3, max=0.4), ((6,),), autograd_ok=False),
    # Keywords that numpy honours must be honoured (autograd does not take them).
    Case("max-initial", lambda np, x: np.max(x, axis=1, initial=0.2), ((3, 4),), autograd_ok=False),
    Case("min-initial-where", lambda np, x: np.min(x, axis=0, initial=0.5,
                                                   where=np.array([True, False, True])),
         ((4, 3),), autograd_ok=False),
    Case("sum-initial-where", lambda np, x: np.sum(x, axis=1, initial=2.0,
                                                   where=np.arange(4) % 2 == 0), ((3, 4),),
         autograd_ok=False),
    Case("mean-where", lambda np, x: np.mean(x, axis=0, where=np.arange(12).reshape(3, 4) > 2),
         ((3, 4),), autograd_ok=False),
    Case("std-correction", lambda np, x: np.std(x, axis=0, correction=1), ((4, 3),),
         autograd_ok=False),
    Case("var-ddof-keepdims", lambda np, x: np.var(x, axis=1, ddof=1, keepdims=True) * x,
         ((3, 5),)),
    Case("astype-int-is-constant", lambda np, x: x.astype(int) * x + x.astype(bool) * x,
         ((6,),), "positive", autograd_ok=False),
    Case("power-zero-exponent", lambda np, x: (x * (np.arange(4.0) > 1)) ** 0.0 + x ** 0,
         ((4,),)),
    # Everyday functions with rules of their own or built from primitives.
    Case("outer", lambda np, x, y: np.outer(x, y), ((3,), (4,))),
    Case("ravel", lambda np, x: np.ravel(x) * np.arange(12.0), ((3, 4),)),
    Case("ravel-method-F", lambda np, x: x.ravel(order="F") * np.arange(12.0), ((3, 4),),
         autograd_ok=False),
    Case("flatten", lambda np, x: x.flatten() * np.arange(12.0), ((3, 4),)),
    Case("moveaxis", lambda np, x: np.moveaxis(x, 0, -1), ((2, 3, 4),)),
    Case("moveaxis-many", lambda np, x: np.moveaxis(x, [0, 1], [-1, 0]), ((2, 3, 4),)),
    Case("swapaxes", lambda np, x: np.swapaxes(x, 0, -1), ((2, 3, 4),)),
    Case("swapaxes-method", lambda np, x: x.swapaxes(1, 2), ((2, 3, 4),)),
    Case("split", lambda np, x: np.split(x, 2, axis=1)[1] * np.split(x, [1], axis=1)[0],
         ((3, 4),)),
    Case("hstack", lambda np, x, y: np.hstack([x, y]), ((2, 3), (2, 2))),
    Case("hstack-1d", lambda np, x, y: np.hstack([x, y]), ((3,), (2,))),
    Case("vstack", lambda np, x, y: np.vstack([x, y]), ((3,), (2, 3))),
    Case("concatenate-axis-none", lambda np, x, y: np.concatenate([x, y], axis=None),
         ((2, 3), (4,)), autograd_ok=False),
    # autograd 1.9 has no VJP for flip, and its pad VJP fails on the keyword form
    Case("copy", lambda np, x: x.T.copy() * np.arange(3.0), ((3, 4),),
         ref=lambda np, x: np.transpose(x) * np.arange(3.0)),  # autograd has no .copy()
    Case("flip", lambda np, x: np.flip(x, axis=1), ((3, 4),), autograd_ok=False),
    Case("flip-all", lambda np, x: np.flip(x), ((3, 4),), autograd_ok=False),
    # HIPS autograd sorts 1-d arrays only (NotImplementedError otherwise): checked numerically.
    Case("sort", lambda np, x: np.sort(x) * np.arange(5.0), ((5,),)),
    Case("sort-axis", lambda np, x: np.sort(x, axis=0) * np.arange(3.0)[:, None], ((3, 4),),
         autograd_ok=False),
    Case("sort-flat", lambda np, x: np.sort(x, axis=None) ** 2, ((2, 3),), autograd_ok=False),
    Case("tile", lambda np, x: np.tile(x, (2, 1, 3)), ((3, 2),)),
    Case("pad", lambda np, x: np.pad(x, ((1, 0), (2, 1)), constant_values=0.5), ((3, 4),),
         autograd_ok=False),
    Case("einsum-matmul", lambda np, x, y: np.einsum("ij,jk->ik", x, y), ((3, 4), (4, 2))),
    Case("einsum-implicit", lambda np, x, y: np.einsum("ij,kj", x, y), ((3, 4), (2, 4))),
    Case("einsum-reduce", lambda np, x, y: np.einsum("ijk,k->i", x, y), ((2, 3, 4), (4,))),
    Case("einsum-outer-sum", lambda np, x, y: np.einsum("i,j->j", x, y), ((3,), (4,))),
    Case("norm", lambda np, x: np.linalg.norm(x), ((3, 4),)),
    # autograd 1.9: wrong shape with keepdims, no rule for ord=1, NaN for ord=inf
    Case("norm-axis", lambda np, x: np.linalg.norm(x, axis=1, keepdims=True) * x, ((3, 4),),
         autograd_ok=False),
    Case("norm-ord1", lambda np, x: np.linalg.norm(x, ord=1, axis=0), ((3, 4),),
         autograd_ok=False),
    Case("norm-ord3", lambda np, x: np.linalg.norm(x, ord=3), ((5,),)),
    Case("norm-inf", lambda np, x: np.linalg.norm(x, ord=np.inf), ((5,),), autograd_ok=False),
    Case("inv", lambda np, x: np.linalg.inv(x), ((3, 3),), "matrix"),
    Case("inv-batched", lambda np, x: np.linalg.inv(x), ((2, 3, 3),), "matrix"),
    Case("det", lambda np, x: np.linalg.det(x), ((3, 3),), "matrix"),
    Case("det-batched", lambda np, x: np.linalg.det(x), ((2, 3, 3),), "matrix"),
    Case("solve-vector", lambda np, a, b: np.linalg.solve(a, b), ((3, 3), (3,)), "matrix"),
    Case("solve-matrix", lambda np, a, b: np.linalg.solve(a, b), ((3, 3), (3, 2)), "matrix"),
    Case("cumsum", lambda np, x: np.cumsum(x, axis=1), ((3, 4),)),
    Case("cumsum-flat", lambda np, x: np.cumsum(x), ((3, 4),)),
    Case("cumsum-negative-axis", lambda np, x: x.cumsum(axis=-2), ((3, 4),)),
    Case("prod", lambda np, x: np.prod(x, axis=0), ((3, 4),)),
    Case("prod-all", lambda np, x: np.prod(x), ((2, 3),)),
    Case("prod-axes", lambda np, x: np.prod(x, axis=(0, 2), keepdims=True), ((2, 3, 2),)),
    Case("softmax_cross_entropy", _sce_course, ((4, 3),), ref=_sce_ref),
    Case("logsumexp", _lse_course, ((3, 5),), ref=_lse_ref),
    Case("relu", _relu_course, ((3, 4),), ref=lambda anp, x: anp.maximum(x, 0)),
    Case("sigmoid", _sigmoid_course, ((3, 4),), ref=lambda anp, x: 1 / (1 + anp.exp(-x))),
]


def weighted_scalar(out: Any, seed: int = 1) -> Any:
    """Reduce an output to a scalar with fixed random weights, so every entry of the upstream
    gradient is different (a uniform upstream gradient hides transposition mistakes)."""
    shape = np.shape(out.value if hasattr(out, "value") else out)
    w = np.random.default_rng(seed).standard_normal(shape)
    return (out * w).sum() if shape else out * w
