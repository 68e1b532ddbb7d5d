"""Loss functions that work on numpy arrays *and* on ``course.Tensor`` (so they are
differentiated by the engine), written only with operations the engine supports.

Every loss returns the *mean* over the examples of a batch (so the learning rate does not
depend on the batch size).  Labels are never differentiated.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .. import autodiff as _ad


def _value(x: Any) -> np.ndarray:
    """The plain array behind a Tensor (masks and labels are constants)."""
    return np.asarray(x.value if hasattr(x, "value") else x)


def softmax_cross_entropy(logits: Any, y: Any) -> Any:
    """Mean of ``-log softmax(logits)[i, y_i]``; logits (m, k), y (m,) integers in 0..k-1.

    Uses the engine's fused primitive: log-softmax with the max shift (no overflow, no log 0)
    and the gradient ``(softmax - onehot) / m``.  On plain arrays it returns a float64 scalar.
    """
    return _ad.softmax_cross_entropy(logits, y)


def _signs(y: Any, n: int, name: str) -> np.ndarray:
    """Labels {0, 1} or {-1, +1} as signs -1/+1."""
    y = _value(y)
    if y.shape != (n,):
        raise ValueError(f"{name}: need one label per score ({n}), got labels of shape {y.shape}.")
    values = set(np.unique(y).tolist())
    if values <= {0, 1}:
        return 2.0 * y - 1.0
    if values <= {-1, 1}:
        return y.astype(np.float64)
    raise ValueError(f"{name}: labels must be 0/1 or -1/+1, got values {sorted(values)}.")


def _scores_1d(scores: Any, name: str) -> Any:
    shape = np.shape(_value(scores))
    if len(shape) == 2 and shape[1] == 1:
        return scores.reshape((shape[0],))
    if len(shape) != 1:
        raise ValueError(f"{name}: scores must have shape (m,) or (m, 1), got {shape}.")
    return scores


def binary_logistic(scores: Any, y: Any) -> Any:
    """Logistic-regression loss: mean of ``log(1 + exp(-s_i z_i))`` with signs ``s = 2y - 1``.

    ``scores`` z (m,) are logits (the log-odds of class 1); ``y`` are 0/1 (or -1/+1) labels.
    Computed as softplus(u) = [u > 0] u + log(1 + exp(u - 2 [u > 0] u)), u = -s z: the
    exponent is never positive, so nothing overflows, and the derivative is exact everywhere,
    including u = 0 (where an abs/max formulation would give a wrong subgradient).
    """
    scores = _scores_1d(scores, "binary_logistic")
    s = _signs(y, np.shape(_value(scores))[0], "binary_logistic")
    u = -s * scores
    pos = (_value(u) > 0).astype(_value(u).dtype)
    return np.mean(pos * u + np.log1p(np.exp(u - 2.0 * pos * u)))


def hinge(scores: Any, y: Any, margin: float = 1.0) -> Any:
    """Support-vector-machine hinge loss.

    * Binary: scores (m,) and labels 0/1 or -1/+1: mean of ``max(0, margin - s_i z_i)``.
    * Multiclass (CS231n's SVM): scores (m, k) and integer labels: mean over examples of
      ``sum_{j != y_i} max(0, z_ij - z_iy_i + margin)``.
    """
    shape = np.shape(_value(scores))
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        scores = _scores_1d(scores, "hinge")
        s = _signs(y, shape[0], "hinge")
        return np.mean(np.maximum(0.0, margin - s * scores))
    labels = _value(y)
    if len(shape) != 2 or labels.shape != (shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"hinge: multiclass scores must be (m, k) with m integer labels; got "
                         f"scores {shape} and labels {labels.shape} of dtype {labels.dtype}.")
    m = shape[0]
    correct = scores[np.arange(m), labels]
    margins = np.maximum(0.0, scores - correct.reshape((m, 1)) + margin)
    others = np.ones(shape, dtype=_value(scores).dtype)
    others[np.arange(m), labels] = 0.0  # the correct class is not a violation of itself
    return np.sum(margins * others) / m


def mse(pred: Any, target: Any) -> Any:
    """Mean squared error ``mean((pred - target)^2)`` over all entries."""
    if np.shape(_value(pred)) != np.shape(_value(target)):
        raise ValueError(f"mse: prediction {np.shape(_value(pred))} and target "
                         f"{np.shape(_value(target))} must have the same shape.")
    diff = pred - target
    return np.mean(diff * diff)


def l2_penalty(weights: Iterable[Any], reg: float) -> Any:
    """``0.5 * reg * sum of squares`` of the given weights; its gradient is ``reg * W``.

    Pass weight matrices only: regularising biases brings nothing (CS231n).
    """
    total: Any = 0.0
    for w in weights:
        total = total + np.sum(w * w)
    return 0.5 * reg * total


LOSSES = {"softmax_cross_entropy": softmax_cross_entropy, "binary_logistic": binary_logistic,
          "hinge": hinge, "mse": mse}
