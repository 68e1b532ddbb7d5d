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
    domain: str = "normal"         # normal | positive | unit (in (-0.9, 0.9))
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
