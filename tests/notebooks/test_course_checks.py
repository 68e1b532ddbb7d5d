"""course.checks: right answers pass silently, wrong ones fail with the specific hint."""

from __future__ import annotations

import numpy as np
import pytest

from course.checks import check, check_array, check_gradient, check_scalar

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
dS = rng.normal(size=(5, 2))
DW = X.T @ dS


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_correct_answers_pass_silently(capsys):
    check_array(DW.copy(), DW, "dW")
    check_array(DW.astype(np.float32), DW, "dW")
    check_array(DW + 1e-9, DW, "dW")
    check_scalar(np.float64(2.5), 2.5, "y")
    check_scalar(2, 2.0, "y")
    check_scalar(np.array(2.5), 2.5, "y")
    check(True, "never shown")
    assert capsys.readouterr() == ("", "")


def test_none_means_forgotten_return():
    msg = failure(check_array, None, DW, "dW")
    assert msg.startswith("dW is wrong: it is None.") and "forget the `return`" in msg
    assert "forget the `return`" in failure(check_scalar, None, 1.0, "y")


@pytest.mark.parametrize("bad", [[1.0, 2.0], "0.5", {"a": 1}, (1, 2)])
def test_wrong_type_names_the_type(bad):
    msg = failure(check_array, bad, DW, "dW")
    assert f"got a {type(bad).__name__}" in msg and "numpy array" in msg


def test_scalar_rejects_containers_and_bools():
    assert "got a ndarray of shape (1,)" in failure(check_scalar, np.array([1.0]), 1.0, "y")
    assert "expected a number" in failure(check_scalar, True, 1.0, "y")
    assert "expected a number" in failure(check_scalar, [1.0], 1.0, "y")


def test_object_dtype_is_rejected():
    msg = failure(check_array, np.array([None, 1], dtype=object), np.ones(2), "g")
    assert "dtype object" in msg


def test_tensor_like_object_gets_value_hint():
    class Tensor:  # the check goes by type name, like course.Tensor
        value = DW

    assert ".value" in failure(check_array, Tensor(), DW, "dW")


def test_index_and_values_in_message():
    wrong = DW.copy()
    wrong[2, 1] += 1.0
    msg = failure(check_array, wrong, DW, "dW")
    assert "1 of 6 entries differ" in msg
    assert f"at index (2, 1): yours {wrong[2, 1]:.6g}, expected {DW[2, 1]:.6g}." in msg
    assert "Hint:" in msg


def test_1d_index_is_plain_integer():
    msg = failure(check_array, np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]), "g")
    assert "at index 2: yours 4, expected 3." in msg


def test_nan_and_inf():
    for bad in (np.nan, np.inf):
        wrong = DW.copy()
        wrong[0, 0] = bad
        assert "NaN or inf" in failure(check_array, wrong, DW, "dW")


def test_expected_nan_positions_must_match():
    check_array(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "g")
    assert "differ" in failure(check_array, np.array([0.0, 1.0]), np.array([np.nan, 1.0]), "g")


def test_transposed_shape_means_missing_transpose():
    assert "missing a transpose" in failure(check_array, DW.T, DW, "dW")


def test_transposed_square_values_mean_missing_transpose():
    a = rng.normal(size=(3, 3))
    assert "missing a transpose" in failure(check_array, a.T, a, "dW")


def test_unsummed_bias_gradient():
    msg = failure(check_array, dS, dS.sum(axis=0), "db")
    assert "shape (5, 2), expected shape (2,)" in msg
    assert "sum the bias gradient over the batch axis" in msg
    msg = failure(check_array, dS, dS.sum(axis=0, keepdims=True), "db")
    assert "sum the bias gradient over the batch axis" in msg and "keepdims" in msg


def test_unbroadcast_over_several_axes():
    g = rng.normal(size=(4, 5, 2))
    assert "unbroadcast" in failure(check_array, g, g.sum(axis=(0, 1)), "db")
    assert "unbroadcast" in failure(check_array, g, g.sum(axis=(0, 2))[:, None], "dc")


def test_stretched_size_one_axis_means_unbroadcast():
    g = rng.normal(size=(4, 3))
    msg = failure(check_array, g, g.sum(axis=1, keepdims=True), "dc")
    assert "unbroadcast" in msg and "keepdims=True" in msg


def test_keepdims_and_reshape_hints():
    v = rng.normal(size=(4,))
    assert "keepdims" in failure(check_array, v[:, None], v, "g")
    msg = failure(check_array, v[None, :], v, "g")
    assert "keepdims" in msg and "batch" not in msg
    assert "reshape" in failure(check_array, rng.normal(size=(2, 6)), rng.normal(size=(3, 4)), "g")


def test_sign_flip():
    msg = failure(check_array, -DW, DW, "dW")
    assert "wrong sign" in msg
    assert "wrong sign" in failure(check_scalar, -2.0, 2.0, "dy")


@pytest.mark.parametrize("factor, words", [(5.0, "5 times too large"), (1 / 5, "5 times too small"),
                                           (2.0, "2 times too large")])
def test_constant_factor_mean_vs_sum(factor, words):
    msg = failure(check_array, DW * factor, DW, "dW")
    assert words in msg and "mean vs sum" in msg


def test_negative_factor_is_named():
    assert "has the wrong sign" in failure(check_array, -3 * DW, DW, "dW")


def test_all_zero():
    assert "all zeros" in failure(check_array, np.zeros_like(DW), DW, "dW")


def test_generic_hint_when_nothing_matches():
    wrong = DW + rng.normal(size=DW.shape)
    msg = failure(check_array, wrong, DW, "dW")
    assert "Hint: compare your formula" in msg


def test_mistakes_take_precedence_and_only_when_matching():
    hint = "you used X instead of X.T"
    wrong = dS.T @ X  # (2, 3): a shape the built-in transpose hint would also catch
    assert f"Hint: {hint}" in failure(check_array, wrong, DW, "dW", mistakes={hint: wrong})
    other = DW + 1.0
    msg = failure(check_array, other, DW, "dW", mistakes={hint: DW * 3})
    assert hint not in msg


def test_mistake_equal_to_the_answer_is_ignored():
    msg = failure(check_array, DW + 1.0, DW, "dW", mistakes={"same as right": DW.copy(),
                                                             "shifted": DW + 1.0})
    assert "Hint: shifted" in msg


def test_mistake_with_unconvertible_value_is_skipped():
    msg = failure(check_array, -DW, DW, "dW", mistakes={"weird": object()})
    assert "wrong sign" in msg


def test_no_stderr_and_no_warnings_on_bad_values(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        failure(check_array, np.array([np.inf, -np.inf, np.nan]), np.array([1.0, np.inf, 0.0]), "g")
        failure(check_array, np.array([np.inf, 1.0]), np.array([0.0, 0.0]), "g")
    assert capsys.readouterr() == ("", "")


def test_bad_expected_is_a_programming_error():
    with pytest.raises(TypeError):
        check_array(np.ones(2), np.array(["a", "b"]), "g")


def test_check_condition_message():
    msg = failure(check, False, "Training accuracy is 40%, expected at least 99%.", "train longer")
    assert msg == "Training accuracy is 40%, expected at least 99%.\nHint: train longer"


def _loss(w: np.ndarray) -> float:
    return float(np.sum(np.sin(w) * w ** 2))


def _dloss(w: np.ndarray) -> np.ndarray:
    return np.cos(w) * w ** 2 + 2 * w * np.sin(w)


def test_check_gradient_accepts_correct_gradient():
    w = rng.normal(size=(3, 4))
    before = w.copy()
    check_gradient(_loss, w, _dloss(w), "dw")
    np.testing.assert_array_equal(w, before)


def test_check_gradient_diagnoses_via_check_array():
    w = rng.normal(size=(3, 4))
    assert "wrong sign" in failure(check_gradient, _loss, w, -_dloss(w), "dw")
    assert "forget the `return`" in failure(check_gradient, _loss, w, None, "dw")
    assert "missing a transpose" in failure(check_gradient, _loss, w, _dloss(w).T, "dw")
    half = np.cos(w) * w ** 2 + w * np.sin(w)
    msg = failure(check_gradient, _loss, w, half, "dw", mistakes={"d(w^2) is 2w": half})
    assert msg.startswith("dw is wrong:") and "Hint: d(w^2) is 2w" in msg


def test_check_gradient_tolerates_zero_entries():
    w = np.array([0.0, 1.0, -2.0])  # gradient exactly 0 at w = 0: only round-off numerically
    check_gradient(_loss, w, _dloss(w), "dw")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, arrays  # noqa: E402

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
nonzero_arrays = arrays(np.float64, array_shapes(max_dims=3, max_side=4), elements=finite).filter(
    lambda a: np.abs(a).max(initial=0) > 1e-3)


@settings(max_examples=60, deadline=None)
@given(nonzero_arrays)
def test_property_same_passes_sign_and_factor_diagnosed(a):
    check_array(a.copy(), a, "g")
    assert "wrong sign" in failure(check_array, -a, a, "g")
    msg = failure(check_array, 8 * a, a, "g")
    assert "8 times too large" in msg and "mean vs sum" in msg


@settings(max_examples=60, deadline=None)
@given(nonzero_arrays, st.integers(2, 5))
def test_property_extra_batch_axis_diagnosed(a, n):
    msg = failure(check_array, np.stack([a] * n), a, "db")
    assert "sum the bias gradient over the batch axis" in msg
