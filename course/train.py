"""Training loop for engine-based models (:mod:`course.nn.modules`).

``fit`` runs minibatch training with progress bars (``tqdm.auto``: widget bars in Jupyter,
text elsewhere), evaluates on validation data after each epoch, supports early stopping and
callbacks, and is deterministic under ``seed`` (the shuffling order comes from one generator
seeded once; the model's own randomness, e.g. Dropout masks, comes from the seeds it was built
with).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from .autodiff import no_grad
from .data.batching import minibatches
from .nn.optim import EarlyStopping


@dataclass
class History:
    """Per-epoch records of one ``fit`` run.

    ``loss`` is the mean training loss over the epoch's minibatches (weighted by batch size),
    ``train_acc`` the accuracy on those minibatches *as they were seen* (the model changes
    during the epoch; evaluating again would cost another pass), ``val_loss`` / ``val_acc``
    are measured after the epoch in eval mode (NaN without validation data).
    """

    loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    stopped_early: bool = False
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, list[float]]:
        return {"loss": self.loss, "train_acc": self.train_acc, "val_loss": self.val_loss,
                "val_acc": self.val_acc, "epoch_time": self.epoch_time}

    def __repr__(self) -> str:
        if not self.loss:
            return "History(no epochs)"
        val = "" if np.isnan(self.val_acc[-1]) else f", val acc {self.val_acc[-1]:.2%}"
        return (f"History({self.epochs} epochs: loss {self.loss[-1]:.4f}, train acc "
                f"{self.train_acc[-1]:.2%}{val})")


Callback = Callable[[int, History], Any]


def predict_logits(model: Callable[[Any], Any], X: np.ndarray, batch_size: int = 8192) -> np.ndarray:
    """The model's outputs on ``X`` as a numpy array, in eval mode, recording no graph.

    The previous train/eval mode is restored afterwards.
    """
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            outs = [np.asarray(model(X[i:i + batch_size])) for i in range(0, len(X), batch_size)]
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    return np.concatenate(outs) if outs else np.empty((0,))


def predict(model: Callable[[Any], Any], X: np.ndarray, batch_size: int = 8192) -> np.ndarray:
    """Predicted class labels (argmax of the outputs; for a single output column, > 0)."""
    return _labels(predict_logits(model, X, batch_size))


def accuracy(model: Callable[[Any], Any], X: np.ndarray, y: np.ndarray, batch_size: int = 8192) -> float:
    """Fraction of ``X`` classified as ``y``."""
    return float(np.mean(predict(model, X, batch_size) == y))


def _labels(out: np.ndarray) -> np.ndarray:
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(len(out)) > 0).astype(np.int64)


def fit(model: Any, loss: Callable[[Any, np.ndarray], Any], optimizer: Any,
        X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None, epochs: int = 10, batch_size: int = 128,
        early_stopping: EarlyStopping | None = None, callbacks: Iterable[Callback] = (),
        seed: int = 0, progress: bool = True, clip_norm: float | None = None) -> History:
    """Train ``model`` with ``optimizer`` on ``loss(model(X_batch), y_batch)``.

    * ``model``: a :class:`course.nn.Module` (or any callable with ``parameters()``).
    * ``loss``: e.g. ``course.nn.softmax_cross_entropy``; must return a scalar Tensor.
    * ``optimizer``: from :mod:`course.nn.optim`, built on ``model.parameters()``.
    * ``early_stopping``: an :class:`EarlyStopping` watching ``'val_acc'`` (default),
      ``'val_loss'``, ``'loss'`` or ``'train_acc'``; with ``restore_best`` the best
      parameters are put back at the end.
    * ``callbacks``: functions ``cb(epoch, history)`` called after each epoch; one returning
      True stops training.
    * ``clip_norm``: clip the joint gradient norm before each step.

    Returns a :class:`History`.
    """
    from tqdm.auto import tqdm

    from .nn.optim import clip_grad_norm

    if len(X_train) != len(y_train):
        raise ValueError(f"fit: X_train has {len(X_train)} rows but y_train has {len(y_train)}.")
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: pass both X_val and y_val, or neither.")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"fit: epochs and batch_size must be >= 1, got {epochs} and {batch_size}.")
    params = model.parameters()
    rng = np.random.default_rng(seed)
    history = History()
    n = len(X_train)
    n_batches = -(-n // batch_size)
    epoch_bar = tqdm(range(epochs), desc="epochs", disable=not progress, unit="epoch")
    for epoch in epoch_bar:
        start = time.perf_counter()
        if hasattr(model, "train"):
            model.train()
        total_loss, correct = 0.0, 0
        batch_bar = tqdm(minibatches(X_train, y_train, batch_size, shuffle=True, seed=rng),
                         total=n_batches, desc=f"epoch {epoch + 1}", leave=False,
                         disable=not progress, unit="batch", mininterval=0.5)
        for Xb, yb in batch_bar:
            optimizer.zero_grad()
            out = model(Xb)
            value = loss(out, yb)
            value.backward()
            if clip_norm is not None:
                clip_grad_norm(params, clip_norm)
            optimizer.step()
            total_loss += float(value.value) * len(yb)
            correct += int(np.count_nonzero(_labels(out.value) == yb))
        history.loss.append(total_loss / n)
        history.train_acc.append(correct / n)
        if X_val is not None:
            logits = predict_logits(model, X_val)
            history.val_loss.append(float(np.asarray(loss(logits, y_val))))
            history.val_acc.append(float(np.mean(_labels(logits) == y_val)))
        else:
            history.val_loss.append(float("nan"))
            history.val_acc.append(float("nan"))
        history.epoch_time.append(time.perf_counter() - start)
        epoch_bar.set_postfix(loss=f"{history.loss[-1]:.4f}", train=f"{history.train_acc[-1]:.3f}",
                              val=f"{history.val_acc[-1]:.3f}")
        stop = any(bool(cb(epoch, history)) for cb in callbacks)
        if early_stopping is not None:
            metric = getattr(history, early_stopping.monitor)[-1]
            if np.isnan(metric):
                raise ValueError(f"early stopping monitors {early_stopping.monitor!r}, which needs "
                                 f"validation data (X_val, y_val).")
            if early_stopping.update(metric, params):
                history.stopped_early = True
                stop = True
        if stop:
            break
    epoch_bar.close()
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        if early_stopping.restore_best:
            early_stopping.restore(params)
    return history
