"""Pictures of classifiers and of training: decision regions, curves, first-layer weights.

Every function draws on a given matplotlib ``ax`` (or creates a figure) and returns the axes,
so notebooks can compose panels; nothing calls ``plt.show()``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

# Light fills for regions and strong colours for points, class by class.
_POINT_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"]
_REGION_COLORS = ["#aec7e8", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#c49c94", "#f7b6d2",
                  "#c7c7c7", "#dbdb8d", "#9edae5"]


def _as_labels(out: Any, n: int) -> np.ndarray:
    """Class labels from whatever a prediction function returns: labels, booleans, a column of
    scores (positive means class 1) or an (n, k) score matrix (argmax)."""
    out = np.asarray(out.value if hasattr(out, "value") else out)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    out = out.reshape(n)
    if out.dtype == bool:
        return out.astype(np.int64)
    if out.dtype.kind == "f" and not np.all(out == np.round(out)):
        return (out > 0).astype(np.int64)
    return out.astype(np.int64)


def _predictor(model: Any) -> Callable[[np.ndarray], Any]:
    """A function of an (n, 2) array: engine modules are run in eval mode without a graph."""
    if hasattr(model, "parameters") and hasattr(model, "eval"):
        from .train import predict_logits
        return lambda Z: predict_logits(model, Z)
    if not callable(model):
        raise TypeError(f"expected a prediction function or a course.nn Module, got {type(model).__name__}.")
    return model


def plot_decision_boundary(predict: Any, X: np.ndarray, y: np.ndarray, ax: Axes | None = None,
                           title: str | None = None, resolution: int = 200, padding: float = 0.5,
                           n_classes: int | None = None) -> Axes:
    """Colour the plane by predicted class and scatter the data on top.

    ``predict`` maps an (n, 2) array to labels, booleans, scores or an (n, k) score matrix;
    a :class:`course.nn.Module` works too.  The grid spans the data plus ``padding`` with
    ``resolution`` points per axis.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D inputs X of shape (n, 2), got {X.shape}.")
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4.5))[1]
    x_min, x_max = X[:, 0].min() - padding, X[:, 0].max() + padding
    y_min, y_max = X[:, 1].min() - padding, X[:, 1].max() + padding
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid = np.c_[xx.ravel(), yy.ravel()]
    Z = _as_labels(_predictor(predict)(grid), len(grid)).reshape(xx.shape)
    k = n_classes or int(max(Z.max(), y.max()) + 1)
    levels = np.arange(k + 1) - 0.5
    ax.contourf(xx, yy, Z, levels=levels, cmap=ListedColormap(_REGION_COLORS[:k]), alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=[_POINT_COLORS[int(c) % 10] for c in y], s=18,
               edgecolors="k", linewidths=0.5)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundaries(predictors: Mapping[str, Any], X: np.ndarray, y: np.ndarray,
                             ncols: int = 3, size: float = 3.6, **kwargs: Any) -> np.ndarray:
    """One decision-boundary panel per ``title -> predict`` entry; returns the axes array."""
    n = len(predictors)
    if n == 0:
        raise ValueError("plot_decision_boundaries: no predictors given.")
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, min(n, ncols), figsize=(size * min(n, ncols), size * nrows),
                             squeeze=False)
    for ax, (title, predict) in zip(axes.ravel(), predictors.items()):
        plot_decision_boundary(predict, X, y, ax=ax, title=title, **kwargs)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    return axes


def hidden_size_sweep(X: np.ndarray, y: np.ndarray, sizes: Sequence[int] = (1, 2, 3, 5, 20, 50),
                      activation: str = "tanh", epochs: int = 300, lr: float = 0.05,
                      reg: float = 1e-3, seed: int = 0, ncols: int = 3) -> np.ndarray:
    """Train a two-layer network per hidden size (full batch, Adam) and draw each decision
    boundary with its training accuracy in the title (the "from scratch" tutorial's sweep)."""
    from .train import accuracy
    predictors = {}
    for h in sizes:
        model = train_two_layer(X, y, h, activation=activation, epochs=epochs, lr=lr, reg=reg,
                                seed=seed)
        predictors[f"hidden size {h}: {accuracy(model, X, y):.0%}"] = model
    return plot_decision_boundaries(predictors, X, y, ncols=ncols)


def train_two_layer(X: np.ndarray, y: np.ndarray, hidden: int, activation: str = "tanh",
                    epochs: int = 300, lr: float = 0.05, reg: float = 1e-3, seed: int = 0):
    """A 2-``hidden``-k network trained full-batch with Adam on softmax cross-entropy plus
    L2 (``reg``); returns the model and keeps the loss per epoch in ``model.losses``."""
    from .nn import Adam, l2_penalty, mlp, softmax_cross_entropy

    k = int(np.max(y)) + 1
    model = mlp([X.shape[1], hidden, k], activation=activation, seed=seed)
    weights = [m.W for m in model if hasattr(m, "W")]
    opt = Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = softmax_cross_entropy(model(X), y) + l2_penalty(weights, reg)
        loss.backward()
        opt.step()
        losses.append(float(loss.value))
    model.losses = losses
    return model


def plot_training_curves(history: Any, axes: Sequence[Axes] | None = None,
                         title: str | None = None) -> Sequence[Axes]:
    """Loss (left) and accuracies (right) per epoch from a :class:`course.train.History`
    (or a dict with ``loss``, ``train_acc`` and optionally ``val_acc``/``val_loss``)."""
    h = history.as_dict() if hasattr(history, "as_dict") else dict(history)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    epochs = np.arange(1, len(h["loss"]) + 1)
    ax_loss, ax_acc = axes
    for ax, train_key, val_key, label in [(ax_loss, "loss", "val_loss", "loss"),
                                          (ax_acc, "train_acc", "val_acc", "accuracy")]:
        ax.plot(epochs, h[train_key], "o-", ms=3, label="training")
        if val_key in h and not np.all(np.isnan(np.asarray(h[val_key], dtype=float))):
            ax.plot(epochs, h[val_key], "o-", ms=3, label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.legend()
    if title:
        ax_loss.figure.suptitle(title)
    return axes


def plot_first_layer_weights(W: Any, n: int = 25, image_shape: tuple[int, int] = (28, 28),
                             ncols: int = 5, size: float = 1.4, title: str | None = None) -> np.ndarray:
    """Show the first ``n`` columns of a first-layer weight matrix (n_pixels, n_hidden) as
    images: the pattern each hidden unit responds to.  Accepts an array, a Tensor or a
    ``Linear`` module; each image gets its own symmetric colour scale (blue < 0 < red)."""
    W = getattr(W, "W", W)
    W = np.asarray(W.value if hasattr(W, "value") else W)
    pixels = image_shape[0] * image_shape[1]
    if W.ndim != 2 or W.shape[0] != pixels:
        raise ValueError(f"plot_first_layer_weights: W must be ({pixels}, n_hidden) for images "
                         f"{image_shape}, got {W.shape}.")
    n = min(n, W.shape[1])
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            w = W[:, i].reshape(image_shape)
            lim = float(np.abs(w).max()) or 1.0
            ax.imshow(w, cmap="seismic", vmin=-lim, vmax=lim)
    if title:
        fig.suptitle(title)
    return axes
