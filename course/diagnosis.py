"""Why a student's value differs from the expected one: hints decided from evidence.

A hint names a mistake, so a wrong hint teaches the wrong lesson. Every rule here therefore
*tests* the mistake it names: it computes what the student's value would be if they had made it
(the transpose of theirs, theirs summed over the batch axis, the expected value times the batch
size ...) and names the mistake only when that alternative matches. When no rule matches there
is no hint, only the facts: where the values differ, with enough digits to see the difference.

:mod:`course.checks` builds its messages from these functions; they are pure (no printing, no
warnings) and work on plain numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

Close = Callable[[np.ndarray, np.ndarray], np.ndarray]  # elementwise: does an entry pass?
Mistakes = Mapping[str, Any] | None  # {hint: the value that mistake produces}
Factors = Mapping[str, float] | None  # {hint: factor k, when the mistake gives k * expected}

NONE = ("your code returned None. Did you forget the `return` statement at the end of the "
        "function (or return inside an `if` that was not taken)?")
TENSOR = "you returned a course.Tensor; return a plain numpy array instead (its `.value`)."
TRANSPOSE = ("your result is exactly the transpose of the expected one: you are missing a "
             "transpose or swapped the operands of a matrix product (e.g. dW = X.T @ dS, not "
             "dS.T @ X; dX = dS @ W.T).")
REVERSED = "your entries are right but in reverse order."
SIGN = ("every entry is exactly the negative of the expected one: the sign is wrong (e.g. "
        "d/dx cos x = -sin x, the order of a subtraction, or gradient ascent vs descent).")
TWICE = ("every entry is exactly 2 times the expected value: a factor 2 too many (e.g. "
         "d(x^2)/dx = 2x counted twice, or a loss written without its 1/2).")
HALF = ("every entry is exactly half the expected value: a factor 2 is missing (e.g. "
        "d(x^2)/dx = 2x).")
ZERO = "Yours is all zeros."  # a fact for the description, not a hint: many mistakes give 0
NONFINITE = ("your result contains NaN or inf where the expected value is finite: look for a "
             "division by zero, log(0), or an overflow in exp, and use a numerically stable "
             "formula (e.g. subtract the maximum before exp in a softmax).")
KEEPDIMS = ("same numbers, different number of axes: check `keepdims=` in your sum/mean, or "
            "reshape to the expected shape.")
RESHAPE = ("your numbers are right but arranged in another shape: check the order of the axes "
           "(a reshape or transpose of a multi-axis array).")
BATCH_SUM = ("your rows are right but not added up: sum over the batch axis (`.sum(axis=0)`), "
             "because the value was broadcast to every row in the forward pass.")
BATCH_MEAN = "your rows are right but not averaged: take the mean over the batch axis (axis 0)."
UNBROADCAST = ("the value was broadcast in the forward pass, so its gradient must be summed over "
               "the broadcast axes (unbroadcast) until it has the input's shape.")
APPROXIMATE = ("your value is right to only a few digits, while an exact formula is right to "
               "rounding (about 15 digits, whatever the order of its operations). Errors this "
               "small come from a numerical approximation (a finite difference), a rounded "
               "constant (2.718 for e, 3.14 for pi) or float32 arithmetic: use the exact "
               "derivative formula in float64.")


def batch_factors(n: int) -> dict[str, float]:
    """Factor hints for a value that depends on the batch size ``n`` (mean vs sum)."""
    return {
        f"every entry is exactly {n} (the batch size) times too large: the loss is a mean over "
        f"the batch, so its gradient is divided by the batch size (mean vs sum).": float(n),
        f"every entry is exactly {n} (the batch size) times too small: you divided by the batch "
        f"size where a sum is needed, or divided twice (mean vs sum).": 1.0 / n,
    }


BUILTIN_FACTORS = {SIGN: -1.0, TWICE: 2.0, HALF: 0.5}


# -- numbers as text ---------------------------------------------------------------------------------
def fmt_pair(a: Any, e: Any) -> tuple[str, str]:
    """``a`` and ``e`` with the fewest significant digits (at least 6) that tell them apart."""
    a, e = float(a), float(e)
    digits = digits_to_tell_apart(np.array([a]), np.array([e]))
    return f"{a:.{digits}g}", f"{e:.{digits}g}"


def digits_to_tell_apart(a: np.ndarray, e: np.ndarray) -> int:
    """Significant digits (6 to 17) at which every differing pair of ``a``, ``e`` prints
    differently. Found by trying each count on all pairs: rounding ties make "differs at n
    digits" non-monotonic in n (2**-9 + tiny differs from 2**-9 at 6 digits, not at 16)."""
    pairs = [(float(x), float(y)) for x, y in zip(a.ravel()[:200], e.ravel()[:200])
             if not (x == y or (np.isnan(x) and np.isnan(y)))]
    for digits in range(6, 18):
        if all(f"{x:.{digits}g}" != f"{y:.{digits}g}" for x, y in pairs):
            return digits
    return 17


def array_text(arr: np.ndarray, digits: int, prefix: str) -> str:
    return np.array2string(arr, prefix=prefix, max_line_width=100,
                           formatter={"float_kind": lambda v: f"{v:.{digits}g}"})


def describe(actual: np.ndarray, expected: np.ndarray, bad: np.ndarray) -> str:
    """Where the values differ: the entry with the largest difference, yours vs expected."""
    if expected.ndim == 0:
        yours, wanted = fmt_pair(actual, expected)
        return f"yours {yours}, expected {wanted}{_relative(actual, expected)}."
    with np.errstate(all="ignore"):
        excess = np.where(bad, np.abs(actual - expected), -np.inf)
        excess = np.where(bad & ~np.isfinite(excess), np.inf, excess)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), expected.shape))
    zeros = f" {ZERO}" if actual.size > 1 and not actual.any() and expected.any() else ""
    where = str(idx[0]) if len(idx) == 1 else str(idx)
    yours, wanted = fmt_pair(actual[idx], expected[idx])
    text = (f"{int(bad.sum())} of {bad.size} entries differ; the largest difference is at index "
            f"{where}: yours {yours}, expected {wanted}{_relative(actual[idx], expected[idx])}."
            f"{zeros}")
    if expected.size <= 12:
        digits = digits_to_tell_apart(actual, expected)
        for label, arr in (("  yours:    ", actual), ("  expected: ", expected)):
            text += "\n" + label + array_text(arr, digits, label)
    return text


def _relative(a: Any, e: Any) -> str:
    """The relative difference, when it is small enough that the digits alone hide it."""
    a, e = float(a), float(e)
    if not (np.isfinite(a) and np.isfinite(e)) or e == 0:
        return ""
    rel = abs(a - e) / abs(e)
    return f" (relative difference {rel:.1e})" if 0 < rel < 1e-3 else ""


# -- evidence ------------------------------------------------------------------------------------------
def as_floats(value: Any) -> np.ndarray | None:
    """``value`` as a float array, or None when it is not real numbers (strings, complex ...)."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return None
    return arr.astype(float) if arr.dtype.kind in "fiub" else None


def _same(alternative: Any, expected: np.ndarray, close: Close) -> bool:
    """Does ``alternative`` pass the check that the student's value failed?"""
    alt = as_floats(alternative)
    if alt is None or alt.shape != expected.shape:
        return False
    with np.errstate(all="ignore"):
        ok = close(alt, expected) | (np.isnan(alt) & np.isnan(expected))
    return bool(np.all(ok))


def magnitude(values: Any) -> float:
    """The largest finite absolute value in ``values`` (0 when there is none)."""
    arr = as_floats(values)
    finite = np.abs(arr[np.isfinite(arr)]) if arr is not None else np.zeros(0)
    return float(finite.max()) if finite.size else 0.0


def evidence(derived: Any, alternative: Any, close: Close, scale: float = 0.0) -> bool:
    """Is ``derived`` (computed from the student's value) the value ``alternative`` that a
    mistake gives? It must pass the check's own test *and* agree to about 4 significant
    digits: a check's absolute tolerance (made for entries that should be 0) would otherwise
    call eps and 3 * eps the same number. Entries that are zero up to rounding (below 1e-12
    of ``scale``, the size of the expected values) agree with each other."""
    d, alt = as_floats(derived), as_floats(alternative)
    if d is None or alt is None or d.shape != alt.shape or not _same(d, alt, close):
        return False
    slack = 1e-7 * max(magnitude(d), magnitude(alt)) + 1e-12 * scale
    with np.errstate(all="ignore"):
        tight = (np.abs(d - alt) <= 1e-4 * np.abs(alt) + slack) | (d == alt) | \
            (np.isnan(d) & np.isnan(alt))
    return bool(np.all(tight))


def known_mistake(actual: np.ndarray, expected: np.ndarray, mistakes: Mistakes,
                  close: Close) -> str | None:
    """The hint of the first known mistake whose value the student reproduced."""
    scale = magnitude(expected)
    for hint, wrong in (mistakes or {}).items():
        wrong_arr = as_floats(wrong)
        # A "mistake" that coincides with the right answer would only mislead.
        if wrong_arr is not None and evidence(actual, wrong_arr, close, scale) and \
                not _same(wrong_arr, expected, close):
            return hint
    return None


def value_hint(actual: np.ndarray, expected: np.ndarray, close: Close, *,
               mistakes: Mistakes = None, factors: Factors = None) -> str | None:
    """A hint for a value of the right shape, or None when no rule has evidence."""
    with np.errstate(all="ignore"):
        return _value_hint(actual, expected, close, mistakes, factors)


def _value_hint(actual: np.ndarray, expected: np.ndarray, close: Close, mistakes: Mistakes,
                factors: Factors) -> str | None:
    hint = known_mistake(actual, expected, mistakes, close)
    if hint:
        return hint
    finite = np.isfinite(actual)
    if np.any(~finite & np.isfinite(expected)):
        return NONFINITE
    if not finite.all():
        return None
    scale = magnitude(expected)
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and \
            evidence(actual.T, expected, close, scale) and not _same(expected.T, expected, close):
        return TRANSPOSE
    if actual.ndim == 1 and actual.size > 1 and evidence(actual[::-1], expected, close, scale) \
            and not _same(expected[::-1], expected, close):
        return REVERSED
    for hint, k in [*(factors or {}).items(), *BUILTIN_FACTORS.items()]:
        scaled = k * expected
        if evidence(actual, scaled, close, scale) and not _same(scaled, expected, close):
            return hint
    return None


def _sum_to(value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """``value`` reduced over broadcast axes to ``shape`` (None if it cannot broadcast to it)."""
    if value.ndim < len(shape):
        return None
    lead = value.ndim - len(shape)
    if any(s not in (1, v) for s, v in zip(shape, value.shape[lead:])):
        return None
    out = value.sum(axis=tuple(range(lead))) if lead else value
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and out.shape[i] != 1)
    return out.sum(axis=axes, keepdims=True) if axes else out


def shape_hint(actual: np.ndarray, expected: np.ndarray, close: Close, *,
               mistakes: Mistakes = None) -> str | None:
    """A hint for a value of the wrong shape, or None when no rule has evidence."""
    hint = known_mistake(actual, expected, mistakes, close)
    if hint:
        return hint
    a, e = actual.shape, expected.shape
    scale = magnitude(expected)
    with np.errstate(all="ignore"):
        if actual.ndim >= 2 and a == e[::-1] and evidence(actual.T, expected, close, scale):
            return TRANSPOSE
        if actual.size == expected.size and actual.size and \
                evidence(actual.reshape(e), expected, close, scale):
            squeezed = tuple(d for d in a if d != 1) == tuple(d for d in e if d != 1)
            return KEEPDIMS if squeezed else RESHAPE
        keep = actual.ndim == expected.ndim and e[:1] == (1,) and a[:1] != (1,)
        if actual.ndim == expected.ndim + 1 or keep:
            for reduce, text in ((np.sum, BATCH_SUM), (np.mean, BATCH_MEAN)):
                reduced = reduce(actual, axis=0, keepdims=keep)
                if reduced.shape == e and evidence(reduced, expected, close, scale):
                    return text + (f" Keep the axis (`keepdims=True`): expected shape {e}."
                                   if keep else "")
        summed = _sum_to(actual, e)
        if summed is not None and evidence(summed, expected, close, scale):
            return UNBROADCAST
    return None


__all__ = ["APPROXIMATE", "NONE", "TENSOR", "as_floats", "batch_factors", "describe",
           "evidence", "fmt_pair", "known_mistake", "magnitude", "shape_hint", "value_hint"]
