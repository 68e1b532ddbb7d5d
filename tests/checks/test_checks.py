"""course.checks: the test-cell API. Right answers pass silently; wrong ones fail with
"NAME is wrong: WHAT" and a "Hint:" line only when there is evidence for the mistake."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import course
from course import diagnosis as d
from course.checks import (check, check_array, check_exact, check_gradient, check_order, check_outputs,
                           check_scalar, spy)

# nothing here may warn (nbgrader scores a test cell that writes to stderr 0) ...
pytestmark = pytest.mark.filterwarnings("error")

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def nothing_printed(capsys):
    """... nor print."""
    yield
    assert capsys.readouterr() == ("", "")


rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
dS = rng.normal(size=(5, 2))
DW = X.T @ dS  # (3, 2)
W = rng.normal(size=(3, 3))


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    assert type(info.value) is AssertionError
    return str(info.value)


def hint_of(message: str) -> str | None:
    """The hint line of a failure message (the last line), or None."""
    _, sep, hint = message.partition("\nHint: ")
    assert not sep or "\n" not in hint, message
    return hint if sep else None


# -- right answers ----------------------------------------------------------------------------
def test_right_answers_pass():
    check_array(DW.copy(), DW, "dW")
    check_array(DW.astype(np.float32), DW, "dW")
    check_array(DW + 1e-9, DW, "dW")
    check_array(np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0]), "n")
    check_array(np.array([True, False]), np.array([True, False]), "mask")
    check_array(2.5, np.array(2.5), "y")
    check_scalar(np.float64(2.5), 2.5, "y")
    check_scalar(2, 2.0, "y")
    check_scalar(np.array(2.5), 2.5, "y")
    check_scalar(np.float32(0.1), 0.1, "y")
    check_exact(np.sin(0.3) * 2, 2 * np.sin(0.3), "d")
    check_exact(np.array([1.0, 1e-17]), np.array([1.0, 0.0]), "d")  # zero up to rounding
    check_outputs((DW, X), (DW.copy(), X.copy()), "f", ["dW", "dX"])
    check_outputs([DW, X], (DW, X), "f", ["dW", "dX"])
    check(True, "never shown")
    check(np.bool_(True), "never shown", "no hint")


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_property_right_value_always_passes(e):
    check_array(e.copy(), e, "x")
    if e.ndim == 0:
        check_scalar(float(e), float(e), "x")


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_property_right_value_always_passes_check_exact(e):
    check_exact(e.copy(), e, "x")


def test_nan_and_inf_in_both_pass():
    e = np.array([np.nan, np.inf, -np.inf, 1.0])
    check_array(e.copy(), e, "x")
    check_scalar(np.nan, np.nan, "x")
    check_scalar(np.inf, np.inf, "x")


def test_check_exact_accepts_an_equal_value_with_inf_or_nan():
    for e in (np.array([np.inf, 1.0]), np.array([np.nan, 1.0]), np.array(np.inf)):
        check_exact(e.copy(), e, "d")


def test_check_exact_with_inf_expected_still_catches_a_wrong_finite_entry():
    msg = failure(check_exact, np.array([np.inf, 5.0]), np.array([np.inf, 1.0]), "d")
    assert "at index 1: yours 5, expected 1." in msg


# -- messages -----------------------------------------------------------------------------------
def test_array_message_names_entry_and_values():
    wrong = DW.copy()
    wrong[2, 1] += 1.0
    msg = failure(check_array, wrong, DW, "dW")
    yours, wanted = d.fmt_pair(wrong[2, 1], DW[2, 1])
    assert msg.startswith(f"dW is wrong: 1 of 6 entries differ; the largest difference is at "
                          f"index (2, 1): yours {yours}, expected {wanted}.")
    assert hint_of(msg) is None  # one entry off: evidence of nothing in particular


def test_vector_index_is_a_plain_integer():
    msg = failure(check_array, np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]), "g")
    assert msg.startswith("g is wrong: 1 of 3 entries differ; the largest difference is at "
                          "index 2: yours 4, expected 3.")


def test_scalar_message():
    assert failure(check_scalar, 3.0, 2.0, "loss") == "loss is wrong: yours 3, expected 2."
    msg = failure(check_scalar, 1.0001, 1.0, "loss", rtol=1e-9)
    assert msg == "loss is wrong: yours 1.0001, expected 1 (relative difference 1.0e-04)."


def test_message_shows_enough_digits_to_see_the_difference():
    msg = failure(check_scalar, 1.0000001, 1.0, "y", rtol=1e-9, atol=0)
    assert "yours 1.0000001, expected 1" in msg


def test_hint_is_the_last_line():
    msg = failure(check_array, DW.T, DW, "dW")
    assert msg == ("dW is wrong: it is an array of shape (2, 3), expected an array of shape "
                   f"(3, 2).\nHint: {d.TRANSPOSE}")


def test_random_wrong_value_gets_no_hint():
    assert hint_of(failure(check_array, rng.normal(size=DW.shape), DW, "dW")) is None
    assert hint_of(failure(check_scalar, 0.731, 1.9, "y")) is None


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                  elements=st.one_of(st.floats(-100, -0.01), st.floats(0.01, 100))),
       st.floats(-10, 10), st.sampled_from([3, 5, 16]))
def test_property_random_factor_gets_no_hint(e, k, batch):
    for special in (1.0, 0.0, -1.0, 2.0, 0.5, batch, 1 / batch):
        assume(abs(k - special) > 1e-3 * max(1.0, abs(special)))
    assert hint_of(failure(check_array, k * e, e, "x", batch=batch)) is None


# -- wrong types --------------------------------------------------------------------------------
def test_none_means_a_forgotten_return():
    for fn, expected in ((check_array, DW), (check_scalar, 1.0), (check_exact, DW)):
        msg = failure(fn, None, expected, "dW")
        assert msg == f"dW is wrong: it is None.\nHint: {d.NONE}"


def test_tensor_gets_the_value_hint():
    t = course.Tensor(DW.copy())
    assert failure(check_array, t, DW, "dW") == \
        f"dW is wrong: it is a Tensor, not a numpy array.\nHint: {d.TENSOR}"
    assert failure(check_scalar, course.Tensor(np.array(1.0)), 1.0, "y") == \
        f"y is wrong: it is a Tensor, not a numpy number.\nHint: {d.TENSOR}"


def test_an_object_of_the_students_process_is_named_by_its_class_there():
    class Proxy:  # what autograder.wire.Remote exposes for an object of the student's process
        remote_type_name = "Tensor"
        value = None

    assert hint_of(failure(check_array, Proxy(), DW, "dW")) == d.TENSOR


@pytest.mark.parametrize("bad, kind", [([1.0, 2.0], "list"), ((1.0, 2.0), "tuple"),
                                       ("0.5", "str"), ({"a": 1}, "dict"), (True, "bool"),
                                       (np.bool_(True), "bool")])
def test_array_check_names_the_wrong_type(bad, kind):
    msg = failure(check_array, bad, DW, "dW")
    assert msg.startswith(f"dW is wrong: expected a numpy array, got a {kind}.\nHint: ")


@pytest.mark.parametrize("bad", [np.array([None, 1.0], dtype=object), np.array(["a", "b"]),
                                 np.array([True, False])])
def test_non_numeric_dtype_is_rejected(bad):
    msg = failure(check_array, bad, np.ones(2), "g")
    assert msg.startswith(f"g is wrong: it has dtype {bad.dtype}, expected numbers.")


def test_expected_value_must_be_numeric():
    with pytest.raises(TypeError, match="must be numeric"):
        check_array(np.ones(2), np.array(["a", "b"]), "g")


@pytest.mark.parametrize("bad, kind", [(True, "bool"), (np.bool_(False), "bool"),
                                       ([1.0], "list"), ("1.0", "str"),
                                       (np.array([1.0]), "ndarray of shape (1,)")])
def test_scalar_check_rejects_non_numbers(bad, kind):
    msg = failure(check_scalar, bad, 1.0, "y")
    assert msg.startswith(f"y is wrong: expected a number, got a {kind}.\nHint: ")


def test_scalar_check_hint_for_a_container_that_adds_up():
    parts = np.array([0.5, 1.5, 2.0])
    assert "`x.sum()`" in hint_of(failure(check_scalar, parts, 4.0, "loss"))
    assert "`x.mean()`" in hint_of(failure(check_scalar, parts, 4.0 / 3, "loss"))
    assert "`x.sum()`" in hint_of(failure(check_scalar, [0.5, 1.5, 2.0], 4.0, "loss"))


def test_scalar_check_no_reduction_claim_without_evidence():
    msg = failure(check_scalar, np.array([0.5, 1.5, 2.0]), 7.0, "loss")
    assert "add up" not in msg and "average" not in msg


def test_scalar_check_does_not_call_a_bool_a_container():
    assert "container" not in failure(check_scalar, True, 1.0, "y")


def test_complex_values_are_rejected_without_warning():
    z = np.array([1.0 + 1j, 2.0])
    assert "complex128" in failure(check_array, z, np.ones(2), "z")
    assert failure(check_scalar, z, 3.0, "z").startswith("z is wrong: expected a number")
    msg = failure(check_outputs, (z, np.ones(2)), (np.ones(2), np.ones(2)), "f", ["a", "b"])
    assert msg.startswith("f: a is wrong:")


# -- shapes -------------------------------------------------------------------------------------
def test_shape_messages():
    assert failure(check_array, np.zeros((4, 2)), DW, "dW") == \
        "dW is wrong: it is an array of shape (4, 2), expected an array of shape (3, 2)."
    msg = failure(check_array, np.array([2.5]), 2.5, "y")
    assert msg == ("y is wrong: it is an array of shape (1,), expected a single number."
                   f"\nHint: {d.KEEPDIMS}")


def test_batch_sum_hint_through_check_array():
    rows = rng.normal(size=(5, 3))
    assert hint_of(failure(check_array, rows, rows.sum(axis=0), "db")) == d.BATCH_SUM


# -- value hints through the public API --------------------------------------------------------
@pytest.mark.parametrize("k, hint", [(-1.0, d.SIGN), (2.0, d.TWICE), (0.5, d.HALF)])
def test_builtin_factor_hints(k, hint):
    assert hint_of(failure(check_array, k * DW, DW, "dW")) == hint
    assert hint_of(failure(check_scalar, k * 1.3, 1.3, "y")) == hint


def test_square_transpose_and_reversed_hints():
    assert hint_of(failure(check_array, W.T, W, "W")) == d.TRANSPOSE
    v = np.array([1.0, 2.0, 3.0])
    assert hint_of(failure(check_array, v[::-1], v, "v")) == d.REVERSED


def test_zero_and_nonfinite_hints():
    # all zeros is a fact in the message, not a hint: many different mistakes give 0
    msg = failure(check_array, np.zeros_like(DW), DW, "dW")
    assert hint_of(msg) is None and "Yours is all zeros." in msg
    wrong = DW.copy()
    wrong[1, 1] = np.nan
    msg = failure(check_array, wrong, DW, "dW")
    assert "at index (1, 1): yours nan" in msg and hint_of(msg) == d.NONFINITE
    assert hint_of(failure(check_scalar, np.inf, 1.0, "y")) == d.NONFINITE


def test_batch_only_with_batch():
    big, small = d.batch_factors(8)
    assert hint_of(failure(check_array, 8 * DW, DW, "dW", batch=8)) == big
    assert hint_of(failure(check_array, DW / 8, DW, "dW", batch=8)) == small
    assert hint_of(failure(check_array, 8 * DW, DW, "dW")) is None
    assert hint_of(failure(check_array, 8 * DW, DW, "dW", batch=4)) is None
    assert hint_of(failure(check_scalar, 8 * 0.7, 0.7, "y", batch=8)) == big


def test_batch_of_one_adds_no_factor():
    assert hint_of(failure(check_array, 3 * DW, DW, "dW", batch=1)) is None


def test_factors_and_mistakes():
    assert hint_of(failure(check_array, 3 * DW, DW, "dW", factors={"three": 3.0})) == "three"
    wrong = X.T @ (dS + 1)
    msg = failure(check_array, wrong, DW, "dW", mistakes={"used S, not dS": wrong})
    assert hint_of(msg) == "used S, not dS"
    # mistakes come first, even where a built-in rule has evidence too
    assert hint_of(failure(check_array, -DW, DW, "dW", mistakes={"m": -DW})) == "m"
    # a "mistake" equal to the right answer is never shown
    assert hint_of(failure(check_array, DW + 1, DW, "dW", mistakes={"m": DW.copy()})) is None


def test_mistake_of_the_wrong_shape():
    wrong = DW.sum(axis=1)
    msg = failure(check_array, wrong, DW, "dW", mistakes={"summed over the outputs": wrong})
    assert hint_of(msg) == "summed over the outputs"


def test_rtol_and_atol():
    check_array(DW * (1 + 1e-3), DW, "dW", rtol=1e-2)
    failure(check_array, DW * (1 + 1e-3), DW, "dW")
    check_array(np.array([1e-3]), np.array([0.0]), "g", atol=1e-2)


# -- check_exact -------------------------------------------------------------------------------
def test_check_exact_finite_difference_gets_the_approximation_hint():
    x, h = 0.7, 1e-6
    approx = (np.sin(x + h) - np.sin(x - h)) / (2 * h)
    msg = failure(check_exact, approx, np.cos(x), "dsin")
    assert msg.startswith("dsin is wrong: close, but not exact: off by ")
    assert hint_of(msg) == d.APPROXIMATE


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                  elements=st.one_of(st.floats(-100, -0.01), st.floats(0.01, 100))),
       st.sampled_from([1e-6, -1e-6, 3e-7]))
def test_property_almost_equal_gets_approximation_not_factor_hint(e, rel):
    assert hint_of(failure(check_exact, e * (1 + rel), e, "d")) == d.APPROXIMATE


def test_check_exact_far_value_is_described_not_called_approximate():
    msg = failure(check_exact, np.array([1.0, 3.0]), np.array([1.0, 2.0]), "d")
    assert "1 of 2 entries differ" in msg and hint_of(msg) is None
    assert hint_of(failure(check_exact, -np.array([1.0, 2.0]), np.array([1.0, 2.0]), "d")) \
        == d.SIGN


def test_check_exact_digits():
    check_exact(1.0 + 1e-9, 1.0, "d", digits=6)
    assert hint_of(failure(check_exact, 1.0 + 1e-9, 1.0, "d")) == d.APPROXIMATE


def test_check_exact_scalar_type_checks():
    assert failure(check_exact, np.array([1.0]), 1.0, "d").startswith(
        "d is wrong: expected a number, got a ndarray of shape (1,).")
    assert "got a list" in failure(check_exact, [1.0, 2.0], np.ones(2), "d")


# -- check_gradient ----------------------------------------------------------------------------
def f_sq(x):
    return float(np.sum(x ** 2))


def test_check_gradient_passes_for_the_right_gradient():
    x = rng.normal(size=(2, 3))
    before = x.copy()
    check_gradient(f_sq, x, 2 * x, "grad")
    check_gradient(f_sq, x, 2 * x * (1 + 1e-8), "grad")
    assert np.array_equal(x, before)  # the input is restored after the differences
    check_gradient(f_sq, [1.0, 2.0], np.array([2.0, 4.0]), "grad")


@pytest.mark.parametrize("k, hint", [(-1.0, d.SIGN), (2.0, d.TWICE), (0.5, d.HALF)])
def test_check_gradient_factor_hints(k, hint):
    x = rng.normal(size=4)
    assert hint_of(failure(check_gradient, f_sq, x, k * 2 * x, "grad")) == hint


def test_check_gradient_failures():
    x = rng.normal(size=4)
    msg = failure(check_gradient, f_sq, x, 2 * x + rng.normal(size=4), "grad")
    assert msg.startswith("grad is wrong: ") and hint_of(msg) is None
    assert hint_of(failure(check_gradient, f_sq, x, None, "grad")) == d.NONE
    msg = failure(check_gradient, f_sq, x, (2 * x)[None], "grad")
    assert msg.startswith("grad is wrong: it is an array of shape (1, 4), expected an array of "
                          "shape (4,).") and hint_of(msg) == d.KEEPDIMS
    mean = lambda x: float(np.mean(x ** 2))  # noqa: E731
    assert hint_of(failure(check_gradient, mean, x, 2 * x, "grad", batch=4)) == \
        list(d.batch_factors(4))[0]


# -- check_outputs -----------------------------------------------------------------------------
DB = rng.normal(size=2)


def test_outputs_in_the_wrong_order():
    msg = failure(check_outputs, (DB, DW), (DW, DB), "backward", ["dW", "db"])
    assert msg == ("backward is wrong: the values are right but in the wrong order: you "
                   "returned (db, dW).\nHint: return them in the order (dW, db).")
    three = (DW, DB, X)
    msg = failure(check_outputs, (X, DW, DB), three, "f", ["dW", "db", "dX"])
    assert "you returned (dX, dW, db)." in msg


def test_outputs_wrong_order_is_not_claimed_without_a_permutation():
    # (dW, dW): one value is right, the other is a copy of it, not a swap
    msg = failure(check_outputs, (DW, DW), (DW, DB), "backward", ["dW", "db"])
    assert "order" not in msg and msg.startswith("backward: db is wrong:")
    # equal expected values: which is which cannot be told, no order claim
    msg = failure(check_outputs, (DB + 1, DB), (DB, DB), "f", ["a", "b"])
    assert "order" not in msg


def test_outputs_wrong_length():
    msg = failure(check_outputs, (DW, DB, X), (DW, DB), "backward", ["dW", "db"])
    assert msg == ("backward is wrong: it has 3 values, expected 2: (dW, db).\n"
                   "Hint: return exactly these values: `return dW, db`.")


def test_outputs_not_a_tuple():
    msg = failure(check_outputs, DW, (DW, DB), "backward", ["dW", "db"])
    assert msg == ("backward is wrong: expected a tuple of 2 values (dW, db), got a ndarray.\n"
                   "Hint: return all of them: `return dW, db`.")
    assert failure(check_outputs, None, (DW, DB), "backward", ["dW", "db"]) == \
        f"backward is wrong: it is None.\nHint: {d.NONE}"


def test_outputs_one_wrong_value_gets_check_arrays_message():
    wrong = DW.T
    msg = failure(check_outputs, (wrong, DB), (DW, DB), "backward", ["dW", "db"])
    assert msg == failure(check_array, wrong, DW, "backward: dW")
    assert hint_of(msg) == d.TRANSPOSE
    msg = failure(check_outputs, (DW, None), (DW, DB), "backward", ["dW", "db"])
    assert msg == f"backward: db is wrong: it is None.\nHint: {d.NONE}"
    msg = failure(check_outputs, (DW, [1.0, 2.0]), (DW, DB), "backward", ["dW", "db"])
    assert msg.startswith("backward: db is wrong: expected a numpy array, got a list.")


# -- check ---------------------------------------------------------------------------------------
def test_check():
    check(1 > 0, "not shown")
    with pytest.raises(AssertionError) as info:
        check(False, "accuracy is 0.50, expected at least 0.90.")
    assert str(info.value) == "accuracy is 0.50, expected at least 0.90."
    with pytest.raises(AssertionError) as info:
        check(np.bool_(False), "loss went up.", "lower the learning rate.")
    assert str(info.value) == "loss went up.\nHint: lower the learning rate."


# -- spy -----------------------------------------------------------------------------------------
def test_spy_records_calls_and_returns_the_value():
    s = spy(np.sin)
    assert s(0.0) == 0.0 and s(np.pi / 2) == 1.0
    assert s.calls == [(0.0,), (np.pi / 2,)]
    t = spy(lambda a, b: a + b)
    assert t(1, 2) == 3 and t.calls == [(1, 2)] and s.calls != t.calls


def test_spy_sees_how_a_function_is_used():
    calls = spy(lambda x: x ** 2)
    h = 1e-5
    (calls(3.0 + h) - calls(3.0 - h)) / (2 * h)  # a finite difference: two calls
    assert len(calls.calls) == 2 and all(isinstance(c[0], float) for c in calls.calls)


def test_failures_chain_nothing():
    # the public function raises from itself: no "During handling..." context for students
    with pytest.raises(AssertionError) as info:
        check_array(-DW, DW, "dW")
    assert info.value.__suppress_context__ and info.value.__cause__ is None


def test_check_order_on_dicts_and_numbers():
    params, velocity = {"w": np.array([1.0, 2.0])}, {"w": np.array([0.5, 0.5])}
    msg = failure(check_order, (velocity, params), (params, velocity), "momentum_step",
                  ["new_params", "new_velocity"])
    assert "you returned (new_velocity, new_params)" in msg
    assert "return them in the order (new_params, new_velocity)" in msg
    msg = failure(check_order, [np.ones((2, 2)), 0.5], (0.5, np.ones((2, 2))), "f", ["loss", "grad"])
    assert "you returned (grad, loss)" in msg


def test_check_order_silent_without_a_permutation():
    e = (np.array([1.0, 2.0]), np.array([3.0]))
    check_order(e, e, "f", ["a", "b"])  # right order
    check_order((np.array([1.0, 2.0]), np.array([4.0])), e, "f", ["a", "b"])  # a wrong value
    check_order((np.array([1.0, 2.0]),), e, "f", ["a", "b"])  # wrong length: other checks say so
    check_order("ab", e, "f", ["a", "b"])
    same = (np.ones(2), np.ones(2))
    check_order(same, same, "f", ["a", "b"])  # equal values: no order can be told apart


def test_evidence_is_relative_not_the_checks_absolute_tolerance():
    eps = np.finfo(float).eps
    # eps and 3 * eps are both within atol of each other, but they are different numbers
    msg = failure(check_scalar, eps, 8.7e-6, "h", mistakes={"took h^3 for h": 3 * eps})
    assert hint_of(msg) is None
    assert hint_of(failure(check_scalar, 3 * eps, 8.7e-6, "h", mistakes={"took h^3 for h": 3 * eps})) \
        == "took h^3 for h"
