"""Assertion helpers for the notebooks' test cells.

Every graded test cell calls these. When a student's answer is wrong they raise an
``AssertionError`` that says *what* is wrong (which entry, yours vs expected, with enough digits
to see the difference) and, only when there is evidence for it, *why*: a ``Hint:`` line naming
the mistake. Evidence means the mistake reproduces the student's value: the transpose of their
array is the expected one, their rows summed over the batch axis are, the expected value times
the batch size is theirs, or a known wrong approach passed in ``mistakes`` as
``{hint: the value that mistake produces}`` gives their value (:mod:`course.diagnosis` holds the
rules). Without evidence the message states the facts and names no mistake.

The message goes into the exception only: nothing here prints or warns (nbgrader scores a test
cell that writes to stderr 0).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from course import diagnosis
from course.diagnosis import Factors, Mistakes

__all__ = ["check", "check_array", "check_exact", "check_gradient", "check_order",
           "check_outputs", "check_scalar", "spy"]



class _Mismatch(Exception):
    """Raised inside the helpers; the public functions turn it into the AssertionError."""


def _fail(name: str, what: str, hint: str | None) -> None:
    raise _Mismatch(f"{name} is wrong: {what}" + (f"\nHint: {hint}" if hint else ""))


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
        _fail(name, "it is None.", diagnosis.NONE)
    kind = _kind(actual)
    if kind == "Tensor" and hasattr(actual, "value"):
        _fail(name, "it is a Tensor, not a numpy " + ("number." if scalar else "array."),
              diagnosis.TENSOR)
    if scalar:
        if isinstance(actual, (bool, np.bool_)):
            _fail(name, f"expected a number, got a {kind}.",
                  "return the number itself, not the result of a comparison.")
        if not (isinstance(actual, (Real, np.number)) or
                (isinstance(actual, np.ndarray) and actual.ndim == 0)):
            shape = f" of shape {np.shape(actual)}" if isinstance(actual, np.ndarray) else ""
            _fail(name, f"expected a number, got a {kind}{shape}.",
                  _reduction_hint(actual, float(expected)) or
                  "return a single number (e.g. `float(x)` or `x.item()`), not a container.")
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


def _reduction_hint(actual: Any, expected: float) -> str | None:
    """When a container's entries add up to (or average to) the expected number, say so."""
    try:
        values = np.asarray(actual)
        if values.dtype.kind not in "fiu":
            return None
        values = values.astype(float)
    except (TypeError, ValueError):
        return None
    if values.size < 2 or not np.all(np.isfinite(values)):
        return None
    for reduce, text in ((np.sum, "add up to"), (np.mean, "average to")):
        if np.isclose(reduce(values), expected, rtol=1e-6, atol=1e-9):
            return (f"the entries of your result {text} the expected number: return that "
                    f"single number (`{'x.sum()' if reduce is np.sum else 'x.mean()'}`; "
                    "a sum of products is a dot product, `a @ b`).")
    return None


def _shape_text(shape: tuple[int, ...]) -> str:
    return "a single number" if shape == () else f"an array of shape {shape}"


def _compare(actual: np.ndarray, expected: np.ndarray, name: str, close: diagnosis.Close, *,
             mistakes: Mistakes, factors: Factors) -> None:
    """Shared diagnosis once both sides are numeric arrays; ``close`` says which entries pass."""
    if actual.shape != expected.shape:
        with np.errstate(all="ignore"):
            hint = diagnosis.shape_hint(actual.astype(float), expected.astype(float), close,
                                        mistakes=mistakes)
        _fail(name, f"it is {_shape_text(actual.shape)}, expected "
                    f"{_shape_text(expected.shape)}.", hint)
    with np.errstate(all="ignore"):
        actual_f = actual.astype(float)
        expected_f = expected.astype(float)
        both_nan = np.isnan(actual_f) & np.isnan(expected_f)
        bad = ~(close(actual_f, expected_f) | both_nan)
        if not bad.any():
            return
        what = diagnosis.describe(actual_f, expected_f, bad)
        hint = diagnosis.value_hint(actual_f, expected_f, close, mistakes=mistakes,
                                    factors=factors)
    _fail(name, what, hint)


def _factors(factors: Factors, batch: int | None) -> dict[str, float]:
    out = dict(factors or {})
    if batch and batch > 1:
        out.update(diagnosis.batch_factors(batch))
    return out


def _relative_close(rtol: float, atol: float) -> diagnosis.Close:
    return lambda a, e: np.isclose(a, e, rtol=rtol, atol=atol)


@_student_facing
def check_array(actual: Any, expected: Any, name: str, *, mistakes: Mistakes = None,
                factors: Factors = None, batch: int | None = None,
                rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Assert that ``actual`` (a student's array) equals ``expected`` up to rtol/atol.

    ``mistakes`` maps a hint to the value a known wrong approach produces; if the student's
    value matches one, that hint is shown. ``factors`` maps a hint to a factor ``k`` when a
    known mistake gives ``k * expected``; ``batch`` adds the batch size (mean vs sum) to them.
    Otherwise only the built-in rules with evidence apply (None, wrong type, NaN/inf, all zeros,
    transposed, reversed, un-summed batch axis, keepdims, sign, a factor 2).
    """
    expected_arr = np.asarray(expected)
    if expected_arr.dtype.kind not in "fiub":
        raise TypeError(f"check_array: expected value for {name} must be numeric, "
                        f"got dtype {expected_arr.dtype}")
    arr = _as_numeric(actual, expected_arr, name, scalar=False)
    _compare(arr, expected_arr, name, _relative_close(rtol, atol), mistakes=mistakes,
             factors=_factors(factors, batch))


@_student_facing
def check_scalar(actual: Any, expected: float, name: str, *, mistakes: Mistakes = None,
                 factors: Factors = None, batch: int | None = None,
                 rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Assert that ``actual`` is a single number close to ``expected`` (same diagnoses)."""
    expected_arr = np.asarray(float(expected))
    arr = _as_numeric(actual, expected_arr, name, scalar=True)
    _compare(arr, expected_arr, name, _relative_close(rtol, atol), mistakes=mistakes,
             factors=_factors(factors, batch))


@_student_facing
def check_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, analytic: Any, name: str,
                   *, mistakes: Mistakes = None, factors: Factors = None,
                   batch: int | None = None, tol: float = 1e-6, atol: float = 1e-7) -> None:
    """Assert that a student's ``analytic`` gradient of scalar ``f`` at ``x`` matches numerics.

    The reference is ``course.gradcheck.numeric_grad(f, x)`` (central differences). An entry
    passes when ``|analytic - numeric| <= tol * (|analytic| + |numeric|) + atol`` -- the
    relative error of ``course.gradcheck.rel_error`` with a small absolute floor for entries
    that are zero up to round-off.
    """
    from course.gradcheck import numeric_grad  # late import: keeps this module light

    numeric = np.asarray(numeric_grad(f, np.asarray(x, dtype=float)))
    arr = _as_numeric(analytic, numeric, name, scalar=False)
    # The numeric reference is itself right to about 1e-8 only: evidence is judged loosely.
    _compare(arr, numeric, name,
             lambda a, n: np.abs(a - n) <= tol * (np.abs(a) + np.abs(n)) + atol,
             mistakes=mistakes, factors=_factors(factors, batch))


@_student_facing
def check_exact(actual: Any, expected: Any, name: str, *, mistakes: Mistakes = None,
                factors: Factors = None, batch: int | None = None, digits: int = 12) -> None:
    """Assert that ``actual`` equals ``expected`` to ``digits`` significant digits.

    For exercises that ask for a derivative *formula*: an exact formula agrees to rounding
    (about 15 digits, whatever the order of its operations), while a finite difference is right
    to only 5-10 digits and fails here with a hint that says so. Differences are measured
    against the largest entry, so entries that are zero up to rounding pass.
    """
    expected_arr = np.asarray(expected, dtype=float)
    arr = _as_numeric(actual, expected_arr, name, scalar=expected_arr.ndim == 0)
    scale = diagnosis.magnitude(expected_arr)
    tol = 10.0 ** -digits

    def close(a: np.ndarray, e: np.ndarray) -> np.ndarray:
        # Equal infinities are exact; inf - inf would be nan.
        return (a == e) | (np.abs(a - e) <= tol * (np.abs(e) + scale))

    if arr.shape == expected_arr.shape:
        with np.errstate(all="ignore"):
            a = arr.astype(float)
            near = np.allclose(a, expected_arr, rtol=1e-4, atol=1e-6 * scale, equal_nan=True)
            exact = close(a, expected_arr) | (np.isnan(a) & np.isnan(expected_arr))
            if near and not exact.all():
                err = float(np.max(np.abs(a - expected_arr))) / (scale or 1.0)
                _fail(name, f"close, but not exact: off by {err:.1e} relative to its size.",
                      diagnosis.APPROXIMATE)
    _compare(arr, expected_arr, name, close, mistakes=mistakes, factors=_factors(factors, batch))


def _equal(actual: Any, expected: Any, close: diagnosis.Close) -> bool:
    """Same structure (dicts by key, lists and tuples by position) and close numbers."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            _equal(actual[k], expected[k], close) for k in expected)
    if isinstance(expected, (list, tuple)) and any(
            isinstance(e, (dict, list, tuple, np.ndarray)) for e in expected):
        return isinstance(actual, (list, tuple)) and len(actual) == len(expected) and all(
            _equal(a, e, close) for a, e in zip(actual, expected))
    wanted = diagnosis.as_floats(expected)
    return wanted is not None and diagnosis.evidence(actual, wanted, close)


@_student_facing
def check_order(actual: Any, expected: Sequence[Any], name: str, labels: Sequence[str], *,
                rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Fail only if ``actual`` holds exactly the ``expected`` values in another order.

    Values may be arrays, numbers or dicts and lists of them. Use it before checking each
    value with its own ``mistakes``: a tuple in the wrong order then fails with the order the
    student used (``you returned (dX, dW)``) instead of with a wrong value.
    """
    if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
        return
    close = _relative_close(rtol, atol)
    matches = [[j for j, e in enumerate(expected) if _equal(a, e, close)] for a in actual]
    order = [m[0] if len(m) == 1 else None for m in matches]
    if None not in order and sorted(order) == list(range(len(expected))) and \
            order != sorted(order):
        got = "(" + ", ".join(labels[j] for j in order) + ")"
        _fail(name, f"the values are right but in the wrong order: you returned {got}.",
              f"return them in the order ({', '.join(labels)}).")


@_student_facing
def check_outputs(actual: Any, expected: Sequence[Any], name: str, labels: Sequence[str], *,
                  rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Assert that a function returned the tuple ``expected`` (one array per label, in order).

    A tuple whose values are right but in another order fails with the order the student
    used (``(dX, dW)``, expected ``(dW, dX)``; see :func:`check_order`); each value is then
    checked with :func:`check_array`'s diagnoses.
    """
    want = "(" + ", ".join(labels) + ")"
    if actual is None:
        _fail(name, "it is None.", diagnosis.NONE)
    if not isinstance(actual, (tuple, list)):
        _fail(name, f"expected a tuple of {len(expected)} values {want}, got a {_kind(actual)}.",
              f"return all of them: `return {', '.join(labels)}`.")
    if len(actual) != len(expected):
        _fail(name, f"it has {len(actual)} values, expected {len(expected)}: {want}.",
              f"return exactly these values: `return {', '.join(labels)}`.")
    check_order(actual, expected, name, labels, rtol=rtol, atol=atol)
    for value, e, label in zip(actual, expected, labels):
        check_array(value, e, f"{name}: {label}", rtol=rtol, atol=atol)


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


def check(condition: Any, what: str, hint: str | None = None) -> None:
    """Assert a property that is not a value comparison (e.g. an accuracy threshold).

    ``what`` is a full sentence saying what went wrong, ``hint`` the mistake it shows (leave it
    out when the failure is not evidence of one particular mistake).
    """
    if not bool(condition):
        raise AssertionError(what + (f"\nHint: {hint}" if hint else ""))
