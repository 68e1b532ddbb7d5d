"""Optimizers, gradient clipping and early stopping.

An optimizer holds a list of parameters: anything with a ``.value`` array updated *in place*
and a ``.grad`` array (``course.Tensor`` with ``requires_grad=True``, or the ``Parameter`` of
the hand-written layers).  Parameters whose ``.grad`` is None are skipped.  Typical step::

    opt.zero_grad(); loss = loss_fn(model(X), y); loss.backward(); opt.step()
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np


class Optimizer:
    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimise (did you pass "
                             f"model.parameters()?).")
        for p in self.params:
            if not hasattr(p, "value") or not hasattr(p, "grad"):
                raise TypeError(f"{type(self).__name__}: parameters need .value and .grad "
                                f"(course.Tensor with requires_grad=True); got {type(p).__name__}.")
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}.")
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (heavy-ball or Nesterov) momentum:
    ``v = momentum v - lr g``, ``w += v`` (Nesterov: ``w += momentum v - lr g``).
    ``weight_decay`` adds ``weight_decay * w`` to every gradient (L2 regularisation)."""

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}.")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay
        self.velocity = [np.zeros_like(p.value) for p in self.params] if momentum else None

    def step(self) -> None:
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.value
            if self.velocity is None:
                p.value -= float(self.lr) * g
                continue
            v = self.velocity[i]
            v *= self.momentum
            v -= self.lr * g
            if self.nesterov:
                p.value += self.momentum * v - self.lr * g
            else:
                p.value += v


class Momentum(SGD):
    """SGD with heavy-ball momentum 0.9 by default (a name for the notebooks)."""

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, momentum, nesterov, weight_decay)


class Adam(Optimizer):
    """Adam (Kingma & Ba): per-parameter steps from bias-corrected running means of the
    gradient (``m``) and of its square (``v``): ``w -= lr m_hat / (sqrt(v_hat) + eps)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay = eps, weight_decay
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Fold both bias corrections into the step size: one scalar instead of two array ops.
        # Python floats, so float32 parameters stay float32 (a numpy float64 scalar would
        # promote every update to float64 and back).
        step = float(self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t))
        eps = float(self.eps * np.sqrt(1 - b2 ** self.t))
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.value
            # In place, with one temporary per parameter: this runs every step.
            tmp = g - m
            tmp *= 1 - b1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= step
            p.value -= tmp


def clip_grad_value(params: Iterable[Any], clip: float) -> None:
    """Clamp every gradient entry to [-clip, clip] in place."""
    if clip <= 0:
        raise ValueError(f"clip must be positive, got {clip}.")
    for p in params:
        if p.grad is not None:
            np.clip(p.grad, -clip, clip, out=p.grad)


def grad_norm(params: Iterable[Any]) -> float:
    """The Euclidean norm of all gradients together, as one long vector."""
    return float(np.sqrt(sum(float(np.sum(np.square(p.grad, dtype=np.float64)))
                             for p in params if p.grad is not None)))


def clip_grad_norm(params: Iterable[Any], max_norm: float) -> float:
    """Rescale all gradients together so their joint norm is at most ``max_norm`` (the
    direction is kept, unlike value clipping).  Returns the norm *before* clipping."""
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}.")
    params = [p for p in params if p.grad is not None]
    total = grad_norm(params)
    if total > max_norm:
        scale = max_norm / (total + 1e-12)
        for p in params:
            p.grad *= scale
    return total


class EarlyStopping:
    """Stop when a monitored metric has not improved for ``patience`` epochs, and remember
    the parameters of the best epoch.

    ``mode='max'`` for accuracies, ``'min'`` for losses; an improvement must exceed
    ``min_delta``.  ``update(metric, params)`` returns True when training should stop;
    ``restore(params)`` copies the best values back (``fit`` does that when
    ``restore_best`` is set).
    """

    def __init__(self, patience: int = 5, monitor: str = "val_acc", mode: str | None = None,
                 min_delta: float = 0.0, restore_best: bool = True) -> None:
        if patience < 1:
            raise ValueError(f"patience must be >= 1, got {patience}.")
        mode = mode or ("min" if "loss" in monitor else "max")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}.")
        self.patience, self.monitor, self.mode = patience, monitor, mode
        self.min_delta, self.restore_best = min_delta, restore_best
        self.best: float | None = None
        self.best_epoch = -1
        self.best_values: list[np.ndarray] | None = None
        self.bad_epochs = 0
        self.epoch = -1

    def improved(self, metric: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "max":
            return metric > self.best + self.min_delta
        return metric < self.best - self.min_delta

    def update(self, metric: float, params: Sequence[Any] = ()) -> bool:
        self.epoch += 1
        if self.improved(metric):
            self.best, self.best_epoch, self.bad_epochs = float(metric), self.epoch, 0
            self.best_values = [copy.deepcopy(np.array(p.value)) for p in params]
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, params: Sequence[Any]) -> None:
        if self.best_values is None:
            return
        for p, best in zip(params, self.best_values):
            p.value[...] = best


def cosine_schedule(optimizer: Optimizer, epochs: int, lr_min: float = 0.0) -> Callable[[int, Any], None]:
    """A ``fit`` callback that lowers ``optimizer.lr`` from its current value to ``lr_min``
    along half a cosine over ``epochs`` epochs (large steps early, fine ones at the end)."""
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}.")
    lr0 = optimizer.lr

    def update(epoch: int, history: Any = None) -> None:
        progress = min(epoch + 1, epochs) / epochs
        optimizer.lr = lr_min + (lr0 - lr_min) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return update
