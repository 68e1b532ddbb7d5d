"""Minibatches: the loop every stochastic-gradient method runs over."""

from __future__ import annotations

from typing import Iterator

import numpy as np


def minibatches(X: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
                seed: int | np.random.Generator | None = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` pairs covering every row of ``X`` exactly once.

    With ``shuffle`` the rows are visited in a random order drawn from ``seed`` (an int or a
    ``numpy.random.Generator``, so a training loop can pass one generator and get a new order
    every epoch); the last batch may be smaller.  Shuffled batches are copies (fancy indexing),
    unshuffled ones are views.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"minibatches: X has {n} rows but y has {len(y)}; they must match.")
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be >= 1, got {batch_size}.")
    if shuffle:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]
