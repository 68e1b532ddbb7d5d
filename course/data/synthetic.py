"""Small two-dimensional data sets for classifiers you can look at.

All generators are deterministic under ``seed`` and return ``X`` of shape (n, 2) float64 and
integer labels ``y`` of shape (n,).
"""

from __future__ import annotations

import numpy as np


def make_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The spiral of the CS231n notes: ``n_classes`` arms, ``n_per_class`` points each.

    Arm ``j`` has radius ``r`` from 0 to 1 and angle ``t`` from ``4j`` to ``4(j+1)`` plus
    Gaussian noise of standard deviation ``noise``; the point is (r sin t, r cos t).  A linear
    classifier gets about half of the three-arm spiral right.
    """
    if n_per_class < 1 or n_classes < 1:
        raise ValueError(f"make_spiral: n_per_class and n_classes must be >= 1, got "
                         f"{n_per_class} and {n_classes}.")
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def make_moons(n_samples: int = 200, noise: float = 0.2,
               seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``), labels 0 and 1.

    The first ``ceil(n/2)`` points lie on the upper moon (label 0), the rest on the lower one,
    each with isotropic Gaussian noise of standard deviation ``noise``.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be >= 2, got {n_samples}.")
    rng = np.random.default_rng(seed)
    n_out = n_samples - n_samples // 2
    n_in = n_samples // 2
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)],
              np.c_[1.0 - np.cos(t_in), 0.5 - np.sin(t_in)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    X = X + rng.standard_normal(X.shape) * noise
    return X, y


def make_blobs(n_per_class: int = 50, centers: tuple[tuple[float, float], ...] = ((-2.0, -1.0), (2.0, 1.5)),
               std: float = 0.8, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds around ``centers`` (default two, nearly separable: the SVM exercise).

    Label ``j`` is the index of the centre; rows are ordered by class.
    """
    centers_a = np.asarray(centers, dtype=np.float64)
    if centers_a.ndim != 2 or centers_a.shape[1] != 2 or len(centers_a) < 1:
        raise ValueError(f"make_blobs: centers must be a sequence of (x, y) pairs, got shape "
                         f"{centers_a.shape}.")
    if n_per_class < 1:
        raise ValueError(f"make_blobs: n_per_class must be >= 1, got {n_per_class}.")
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + std * rng.standard_normal((n_per_class, 2)) for c in centers_a])
    y = np.repeat(np.arange(len(centers_a), dtype=np.int64), n_per_class)
    return X, y
