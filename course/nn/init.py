"""Weight initialisers: the scale that keeps activations from vanishing or exploding.

Each takes ``(n_in, n_out)`` and a ``numpy.random.Generator`` and returns an (n_in, n_out) array.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def xavier(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot/Xavier normal: std sqrt(2 / (n_in + n_out)), for tanh and sigmoid layers
    (keeps the variance of activations and of gradients roughly constant)."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))


def xavier_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (n_in + n_out)) (same variance)."""
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def he(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """He/Kaiming normal: std sqrt(2 / n_in), for ReLU layers (ReLU zeroes half the inputs,
    which halves the variance; the factor 2 restores it)."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


def small(n_in: int, n_out: int, rng: np.random.Generator, scale: float = 0.01) -> np.ndarray:
    """N(0, scale^2), the CS231n "0.01 * randn" start: fine for shallow nets, vanishes in deep ones."""
    return rng.standard_normal((n_in, n_out)) * scale


INITIALIZERS: dict[str, Initializer] = {"xavier": xavier, "glorot": xavier,
                                        "xavier_uniform": xavier_uniform, "he": he,
                                        "kaiming": he, "small": small}


def get_initializer(init: str | Initializer) -> Initializer:
    """Look up an initialiser by name (``'xavier'``, ``'he'``, ...) or pass a callable through."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except KeyError:
        raise ValueError(f"unknown initialiser {init!r}; choose one of {sorted(INITIALIZERS)} "
                         f"or pass a function (n_in, n_out, rng) -> array.") from None


def weight(n_in: int, n_out: int, init: str | Initializer = "he", seed: int | np.random.Generator | None = 0,
           dtype: type = np.float64) -> np.ndarray:
    """An (n_in, n_out) weight matrix from the named initialiser, in ``dtype``."""
    if n_in < 1 or n_out < 1:
        raise ValueError(f"layer sizes must be >= 1, got n_in={n_in}, n_out={n_out}.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return get_initializer(init)(n_in, n_out, rng).astype(dtype)
