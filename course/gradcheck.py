"""Gradient checking: compare an analytic gradient with central differences.

Conventions follow CS231n and PyTorch's ``gradcheck``: central differences with ``eps = 1e-6``
in float64, and the relative error ``max |a - n| / max(1e-8, |a| + |n|)``.  In float64 a
correct gradient typically gives relative errors of 1e-7 or less; above 1e-4 something is
usually wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .autodiff import flatten
from .autodiff import grad as _grad


def numeric_grad(f: Callable[[np.ndarray], Any], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of scalar ``f`` at ``x``: (f(x + h e_i) - f(x - h e_i)) / 2h.

    ``x`` is perturbed in place (so ``f`` may close over it) and is restored afterwards, also
    when ``f`` raises.  It must be a float64 array: in float32 the differences are dominated by
    round-off.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numeric_grad needs x as a float64 numpy array (round-off in lower "
                        "precision swamps the differences); convert with x.astype(np.float64).")
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + eps
            plus = float(f(x))
            x[i] = old - eps
            minus = float(f(x))
        finally:
            x[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return g


def rel_error(a: Any, b: Any) -> float:
    """CS231n's relative error: max |a - b| / max(1e-8, |a| + |b|), elementwise then max."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: {a.shape} vs {b.shape}.")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


@dataclass
class GradCheckReport:
    """What ``check_grad`` found; truthy when the check passed."""

    name: str
    passed: bool
    max_rel_error: float
    worst_index: tuple[int, ...] | int | None
    analytic_value: float
    numeric_value: float
    tol: float
    mode: str

    def __bool__(self) -> bool:
        return self.passed

    @property
    def message(self) -> str:
        where = "" if self.worst_index is None else f" at index {self.worst_index}"
        if self.passed:
            return (f"gradient of {self.name} OK: max relative error {self.max_rel_error:.2e} "
                    f"<= {self.tol:.0e} ({self.mode}).")
        hint = ""
        a, n = self.analytic_value, self.numeric_value
        if n != 0 and np.isclose(a, -n, rtol=1e-3):
            hint = " The signs are opposite: check the sign of your derivative."
        elif a == 0 and n != 0:
            hint = " Your gradient is zero there but should not be: is a term or a path missing?"
        elif n != 0 and a != 0 and abs(a / n - round(a / n)) < 1e-3 and round(a / n) not in (0, 1):
            hint = f" Yours is {round(a / n)} times too large: a sum where a mean was meant?"
        elif a != 0 and n != 0 and abs(n / a - round(n / a)) < 1e-3 and round(n / a) not in (0, 1):
            hint = f" Yours is {round(n / a)} times too small: a mean where a sum was meant?"
        return (f"gradient of {self.name} is wrong: max relative error {self.max_rel_error:.2e} "
                f"> {self.tol:.0e}{where}: analytic {a:.6g}, numeric {n:.6g} ({self.mode}).{hint}")

    def __str__(self) -> str:
        return self.message


def check_grad(f: Callable[[np.ndarray], Any], x: np.ndarray, analytic: Any = None, *,
               eps: float = 1e-6, tol: float = 1e-6, projections: int | None = None,
               seed: int = 0, name: str = "x") -> GradCheckReport:
    """Check ``analytic`` (default: ``course.grad(f)(x)``) against central differences.

    With ``projections=k`` only k random directions v are checked: the directional derivative
    ``<analytic, v>`` against ``(f(x + eps v) - f(x - eps v)) / 2 eps``.  That costs 2k
    evaluations of ``f`` instead of 2 per element, so a whole network checks in well under a
    second, and a wrong entry is still caught with probability 1.
    """
    if isinstance(x, (tuple, list, dict)):
        return _check_tree(f, x, analytic, eps=eps, tol=tol, projections=projections,
                           seed=seed, name=name)
    x = np.asarray(x, dtype=np.float64)
    if analytic is None:
        analytic = _grad(f)(x)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != x.shape:
        return GradCheckReport(name, False, float("inf"), None, float("nan"), float("nan"), tol,
                               f"shape mismatch: gradient {analytic.shape}, input {x.shape}")
    if projections:
        rng = np.random.default_rng(seed)
        a_dir, n_dir = np.empty(projections), np.empty(projections)
        for k in range(projections):
            v = rng.standard_normal(x.shape)
            v /= np.linalg.norm(v) or 1.0
            a_dir[k] = np.sum(analytic * v)
            n_dir[k] = (float(f(x + eps * v)) - float(f(x - eps * v))) / (2 * eps)
        err = np.abs(a_dir - n_dir) / np.maximum(1e-8, np.abs(a_dir) + np.abs(n_dir))
        k = int(np.argmax(err))
        return GradCheckReport(name, bool(err[k] <= tol), float(err[k]), k, float(a_dir[k]),
                               float(n_dir[k]), tol, f"{projections} random projections")
    numeric = numeric_grad(f, x.copy(), eps)
    err = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else None
    worst_t = tuple(int(i) for i in worst) if worst is not None else None
    max_err = float(err[worst]) if worst is not None else 0.0
    return GradCheckReport(name, max_err <= tol, max_err, worst_t,
                           float(analytic[worst]) if worst is not None else 0.0,
                           float(numeric[worst]) if worst is not None else 0.0, tol,
                           "central differences")


def _check_tree(f: Callable[[Any], Any], tree: Any, analytic: Any, **options: Any) -> GradCheckReport:
    """Check a function of a tuple/list/dict of arrays (e.g. all weights of a network) by
    viewing the parameters as one long vector."""
    leaves, rebuild = flatten(tree)
    shapes = [np.shape(leaf) for leaf in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = np.concatenate([np.asarray(leaf, dtype=np.float64).ravel() for leaf in leaves])

    def unflatten(vector: np.ndarray) -> Any:
        parts, start = [], 0
        for shape, size in zip(shapes, sizes):
            parts.append(vector[start:start + size].reshape(shape))
            start += size
        return rebuild(parts)

    if analytic is None:
        analytic = _grad(f)(unflatten(flat.copy()))
    analytic_leaves, _ = flatten(analytic)
    analytic_flat = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in analytic_leaves])
    return check_grad(lambda v: f(unflatten(v)), flat, analytic_flat, **options)
