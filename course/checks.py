"""Assertion helpers for the notebooks' test cells.

Every graded test cell calls one of these. When a student's answer is wrong they raise an
``AssertionError`` whose message says *what* is wrong (which entry, yours vs expected) and, when
the error has a recognisable pattern, *why* (a ``Hint:`` line): a forgotten ``return``, a
transposed shape, a bias gradient that was not summed over the batch, a flipped sign, a factor
such as the batch size (mean vs sum), or one of the notebook's own known mistakes passed in
``mistakes`` as ``{hint text: the value that mistake produces}``.

The message goes into the exception only: nbgrader scores a test cell 0 when it writes to
stderr, so nothing here prints or warns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["check_array", "check_exact", "check_gradient", "check_scalar", "check", "spy"]

Mistakes = Mapping[str, Any] | None

HINT_NONE = ("your code returned None. Did you forget the `return` statement at the end of "
             "the function (or return inside an `if` that was not taken)?")
HINT_TENSOR = ("you returned a course.Tensor; return a plain numpy array instead "
               "(its `.value`).")
HINT_TRANSPOSE = ("the shape is transposed: you are probably missing a transpose "
                  "(e.g. dW = X.T @ dS, not dS.T @ X; dX = dS @ W.T).")
HINT_BATCH_SUM = ("you have one extra leading (batch) axis: sum the bias gradient over the "
                  "batch axis (`d.sum(axis=0)`), because the bias was broadcast to every row.")
HINT_UNBROADCAST = ("the value was broadcast in the forward pass, so its gradient must be "
                    "summed over the broadcast axes (unbroadcast) until it has the input's shape.")
HINT_KEEPDIMS = ("same numbers, different number of axes: check `keepdims=` in your sum/mean, "
                 "or reshape to the expected shape.")
HINT_RESHAPE = ("the number of entries is right but the shape is not: check the order of the "
                "axes / a missing reshape.")
HINT_SIGN = ("every entry has the right size but the wrong sign: check the sign in your "
             "derivative (e.g. d/dx cos x = -sin x, the order of a subtraction, or "
             "gradient ascent vs descent).")
HINT_ZERO = ("your result is all zeros: did you forget to compute it, to accumulate into it "
             "(`+=`), or to seed the output gradient with 1?")
HINT_NONFINITE = ("your result contains NaN or inf: look for a division by zero, log(0), "
                  "or an overflow in exp (e.g. softmax without subtracting the max).")
HINT_APPROXIMATE = ("your value is right to only a few digits, which is what a numerical "
                    "approximation such as a finite difference gives; this exercise asks for the "
                    "exact derivative formula (right to rounding, about 15 digits).")
HINT_GENERIC = ("compare your formula with the derivation above, entry by entry; try a tiny "
                "input where you can compute the answer by hand.")


def _fmt(x: Any) -> str:
    return f"{float(x):.6g}" if np.isscalar(x) or np.ndim(x) == 0 else str(x)


class _Mismatch(Exception):
    """Raised inside the helpers; the public functions turn it into the AssertionError."""


def _fail(name: str, what: str, hint: str) -> None:
    raise _Mismatch(f"{name} is wrong: {what}\nHint: {hint}")


def _student_facing(check_fn: Callable) -> Callable:
    """Re-raise a mismatch as AssertionError from the public function itself.

    The student's traceback then ends in one frame of this module (the check they called)
    instead of the chain of internal helpers, and without "During handling..." noise.
    """
    @functools.wraps(check_fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            check_fn(*args, **kwargs)
        except _Mismatch as mismatch:
            raise AssertionError(str(mismatch)) from None
    return wrapper


def _kind(value: Any) -> str:
    """The name of a value's type (for an object of the student's process while grading, the
    name of its class there)."""
    return getattr(type(value), "remote_type_name", None) and value.remote_type_name or \
        type(value).__name__


def _as_numeric(actual: Any, expected: np.ndarray, name: str, *, scalar: bool) -> np.ndarray:
    """The student's value as an array, or a failure naming what they returned instead."""
    if actual is None:
        _fail(name, "it is None.", HINT_NONE)
    kind = _kind(actual)
    if kind == "Tensor" and hasattr(actual, "value"):
        _fail(name, "it is a Tensor, not a numpy " + ("number." if scalar else "array."),
              HINT_TENSOR)
    if scalar:
        if isinstance(actual, (bool, np.bool_)) or not (
                isinstance(actual, (Real, np.number)) or
                (isinstance(actual, np.ndarray) and actual.ndim == 0)):
            shape = f" of shape {np.shape(actual)}" if isinstance(actual, np.ndarray) else ""
            _fail(name, f"expected a number, got a {kind}{shape}.",
                  "return a single float (e.g. `float(x)` or `x.item()` or `x.sum()`), "
                  "not a container.")
    elif not isinstance(actual, (np.ndarray, np.number, Real)) or isinstance(actual, bool):
        _fail(name, f"expected a numpy array, got a {kind}.",
              "return a numpy array (use `np.array(...)` or numpy operations), "
              "not a list, tuple, string or other object.")
    arr = np.asarray(actual)
    allowed = "fiu" + ("b" if expected.dtype.kind == "b" else "")
    if arr.dtype.kind not in allowed:
        _fail(name, f"it has dtype {arr.dtype}, expected numbers.",
              "make sure you compute with numbers (float arrays), not objects or strings.")
    return arr


def _matches(actual: np.ndarray, value: Any, rtol: float, atol: float) -> bool:
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return v.shape == actual.shape and bool(np.allclose(actual, v, rtol=rtol, atol=atol))


def _mistake_hint(actual: np.ndarray, expected: np.ndarray, mistakes: Mistakes,
                  rtol: float, atol: float) -> str | None:
    """The hint of the first known mistake whose value the student reproduced."""
    for hint, wrong in (mistakes or {}).items():
        # A "mistake" that coincides with the right answer would only mislead.
        if _matches(actual, wrong, rtol, atol) and not _matches(expected, wrong, rtol, atol):
            return hint
    return None


def _shape_hint(actual: np.ndarray, expected: np.ndarray) -> str:
    a, e = actual.shape, expected.shape
    if len(a) >= 2 and a == e[::-1]:
        return HINT_TRANSPOSE
    if actual.size == expected.size and \
            tuple(d for d in a if d != 1) == tuple(d for d in e if d != 1):
        return HINT_KEEPDIMS
    if len(a) == len(e) + 1 and a[1:] == e:
        return HINT_BATCH_SUM
    if len(a) == len(e) and len(a) >= 1 and a[1:] == e[1:] and e[0] == 1:
        return HINT_BATCH_SUM + " Keep the axis with `keepdims=True`: expected shape " + str(e)
    if len(a) >= len(e) and all(ei in (1, ai) for ai, ei in zip(a[len(a) - len(e):], e)):
        return HINT_UNBROADCAST + " Sum over the extra leading axes, then with keepdims=True " \
            "over the axes where the expected shape has size 1."
    if actual.size == expected.size:
        return HINT_RESHAPE
    return ("check which arrays you combine: the result must have the shape of the variable "
            "it is the gradient of.")


def _factor_hint(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    """Recognise actual == c * expected for a constant c (sign flip, batch size, 2, ...)."""
    e = expected.astype(float).ravel()
    a = actual.astype(float).ravel()
    ee = float(e @ e)
    if ee == 0.0 or not np.all(np.isfinite(a)):
        return None
    c = float(a @ e) / ee
    if abs(c) < 1e-12 or not np.allclose(a, c * e, rtol=max(rtol, 1e-4), atol=atol):
        return None
    if abs(c + 1.0) < 1e-4:
        return HINT_SIGN
    n = c if abs(c) >= 1 else 1.0 / c
    sign = "" if c > 0 else " and has the wrong sign"
    size = f"{abs(n):.0f} times {'too large' if abs(c) > 1 else 'too small'}" \
        if abs(abs(n) - round(abs(n))) < 1e-3 else f"{abs(c):.4g} times the expected value"
    return (f"yours is {size}{sign} (a constant factor). If that factor is the batch size, "
            "you mixed up mean vs sum: a loss averaged over the batch has gradients divided by "
            "the batch size. A factor 2 often comes from d(x^2)/dx = 2x.")


def _describe(actual: np.ndarray, expected: np.ndarray, bad: np.ndarray) -> str:
    """Where the answer is wrong: the worst entry, yours vs expected."""
    if expected.ndim == 0:
        return f"yours {_fmt(actual)}, expected {_fmt(expected)}."
    with np.errstate(all="ignore"):
        excess = np.where(bad, np.abs(actual - expected), -np.inf)
        excess = np.where(bad & ~np.isfinite(excess), np.inf, excess)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), expected.shape))
    where = str(idx[0]) if len(idx) == 1 else str(idx)
    text = (f"{int(bad.sum())} of {bad.size} entries differ; largest difference at index "
            f"{where}: yours {_fmt(actual[idx])}, expected {_fmt(expected[idx])}.")
    if expected.size <= 12:
        for label, arr in (("  yours:    ", actual), ("  expected: ", expected)):
            text += "\n" + label + np.array2string(arr, precision=5, prefix=label)
    return text


def _compare(actual: np.ndarray, expected: np.ndarray, name: str, mistakes: Mistakes,
             rtol: float, atol: float,
             close: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """Shared diagnosis once both sides are numeric arrays; ``close`` says which entries pass."""
    if actual.shape != expected.shape:
        hint = _mistake_hint(actual, expected, mistakes, rtol, atol) or \
            _shape_hint(actual, expected)
        _fail(name, f"it has shape {actual.shape}, expected shape {expected.shape}.", hint)
    with np.errstate(all="ignore"):
        actual_f = actual.astype(float)
        expected_f = expected.astype(float)
        both_nan = np.isnan(actual_f) & np.isnan(expected_f)
        bad = ~(close(actual_f, expected_f) | both_nan)
    if not bad.any():
        return
    what = _describe(actual_f, expected_f, bad)
    hint = _mistake_hint(actual_f, expected_f, mistakes, rtol, atol)
    if hint is None and not np.all(np.isfinite(actual_f[bad])):
        hint = HINT_NONFINITE
    if hint is None and not actual_f.any():
        hint = HINT_ZERO
    if hint is None and actual_f.ndim == 2 and actual_f.shape[0] == actual_f.shape[1] \
            and np.allclose(actual_f.T, expected_f, rtol=rtol, atol=atol):
        hint = HINT_TRANSPOSE
    if hint is None:
        with np.errstate(all="ignore"):
            hint = _factor_hint(actual_f, expected_f, rtol, atol)
    _fail(name, what, hint or HINT_GENERIC)


@_student_facing
def check_array(actual: Any, expected: Any, name: str, *, mistakes: Mistakes = None,
                rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Assert that ``actual`` (a student's array) equals ``expected`` up to rtol/atol.

    ``mistakes`` maps a hint to the value a known wrong approach produces; if the student's
    value matches one, that hint is shown. Otherwise built-in diagnoses apply (None, wrong
    type, NaN/inf, transposed or un-summed shapes, flipped sign, constant factor).
    """
    expected_arr = np.asarray(expected)
    if expected_arr.dtype.kind not in "fiub":
        raise TypeError(f"check_array: expected value for {name} must be numeric, "
                        f"got dtype {expected_arr.dtype}")
    arr = _as_numeric(actual, expected_arr, name, scalar=False)
    _compare(arr, expected_arr, name, mistakes, rtol, atol,
             lambda a, e: np.isclose(a, e, rtol=rtol, atol=atol))


@_student_facing
def check_scalar(actual: Any, expected: float, name: str, *, mistakes: Mistakes = None,
                 rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Assert that ``actual`` is a single number close to ``expected`` (same diagnoses)."""
    expected_arr = np.asarray(float(expected))
    arr = _as_numeric(actual, expected_arr, name, scalar=True)
    _compare(arr, expected_arr, name, mistakes, rtol, atol,
             lambda a, e: np.isclose(a, e, rtol=rtol, atol=atol))


@_student_facing
def check_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, analytic: Any, name: str,
                   *, mistakes: Mistakes = None, tol: float = 1e-6, atol: float = 1e-7) -> None:
    """Assert that a student's ``analytic`` gradient of scalar ``f`` at ``x`` matches numerics.

    The reference is ``course.gradcheck.numeric_grad(f, x)`` (central differences). An entry
    passes when ``|analytic - numeric| <= tol * (|analytic| + |numeric|) + atol`` -- the
    relative error of ``course.gradcheck.rel_error`` with a small absolute floor for entries
    that are zero up to round-off.
    """
    from course.gradcheck import numeric_grad  # late import: keeps this module light

    numeric = np.asarray(numeric_grad(f, np.asarray(x, dtype=float)))
    arr = _as_numeric(analytic, numeric, name, scalar=False)
    _compare(arr, numeric, name, mistakes, tol, atol,
             lambda a, n: np.abs(a - n) <= tol * (np.abs(a) + np.abs(n)) + atol)


@_student_facing
def check_exact(actual: Any, expected: Any, name: str, *, mistakes: Mistakes = None,
                digits: int = 12) -> None:
    """Assert that ``actual`` equals ``expected`` to ``digits`` significant digits.

    For exercises that ask for a derivative *formula*: an exact formula agrees to rounding
    (about 15 digits, whatever the order of its operations), while a finite difference is right
    to only 5-10 digits and fails here with a hint that says so. Differences are measured
    against the largest entry, so entries that are zero up to rounding pass.
    """
    expected_arr = np.asarray(expected, dtype=float)
    arr = _as_numeric(actual, expected_arr, name, scalar=expected_arr.ndim == 0)
    scale = float(np.max(np.abs(expected_arr))) if expected_arr.size else 0.0
    tol = 10.0 ** -digits
    close = lambda a, e: np.abs(a - e) <= tol * (np.abs(e) + scale)  # noqa: E731
    if arr.shape == expected_arr.shape:
        with np.errstate(all="ignore"):
            a = arr.astype(float)
            near = np.allclose(a, expected_arr, rtol=1e-4, atol=1e-6 * scale)
            if near and not close(a, expected_arr).all():
                err = float(np.max(np.abs(a - expected_arr))) / (scale or 1.0)
                _fail(name, f"close, but not exact: off by {err:.1e} relative to its size.",
                      HINT_APPROXIMATE)
    _compare(arr, expected_arr, name, mistakes, tol, tol * scale, close)


def spy(f: Callable) -> Callable:
    """``f``, recording the arguments of every call in ``.calls`` (a list of tuples).

    Tests hand a spy to a student's function to see *how* it uses ``f``: forward mode evaluates
    it once on dual numbers, reverse mode once on graph nodes, while a finite difference calls
    it on plain numbers, once or twice per input.
    """
    def recorded(*args: Any) -> Any:
        recorded.calls.append(args)
        return f(*args)

    recorded.calls = []
    return recorded


def check(condition: Any, what: str, hint: str = HINT_GENERIC) -> None:
    """Assert a property that is not a value comparison (e.g. an accuracy threshold).

    ``what`` is a full sentence saying what went wrong, ``hint`` what to look at.
    """
    if not bool(condition):
        raise AssertionError(f"{what}\nHint: {hint}")
