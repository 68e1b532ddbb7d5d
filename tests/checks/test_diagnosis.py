"""course.diagnosis: every rule names its mistake on evidence, and only on evidence.

For each rule: (a) it fires when the alternative it stands for (computed from the student's own
value) matches the expected value, and (b) it stays silent where a naive guess would fire.
"""

from __future__ import annotations

import re
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course import diagnosis as d

pytestmark = pytest.mark.filterwarnings("error")  # the rules are pure: no warnings

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def isclose(rtol: float = 1e-5, atol: float = 1e-7):
    return lambda a, e: np.isclose(a, e, rtol=rtol, atol=atol)


CLOSE = isclose()  # check_array's defaults
NAMED = {d.TRANSPOSE, d.REVERSED, d.SIGN, d.TWICE, d.HALF, d.NONFINITE, d.KEEPDIMS,
         d.RESHAPE, d.BATCH_SUM, d.BATCH_MEAN, d.UNBROADCAST}


def close_all(x, y) -> bool:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x.shape == y.shape and bool(np.all(np.isclose(x, y, rtol=1e-5, atol=1e-7)))


def value_hint(actual, expected, close=CLOSE, **kw):
    return d.value_hint(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                        close, **kw)


def shape_hint(actual, expected, close=CLOSE, **kw):
    return d.shape_hint(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                        close, **kw)


rng = np.random.default_rng(1)
E23 = rng.normal(size=(2, 3))  # a generic (non-symmetric, no repeated entries) matrix
E33 = rng.normal(size=(3, 3))
V5 = rng.normal(size=5)

# Strategies --------------------------------------------------------------------------------------
nonzero = st.one_of(st.floats(-100, -0.01), st.floats(0.01, 100))
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def arrays(shape=small_shapes, elements=st.floats(-100, 100)):
    return hnp.arrays(np.float64, shape, elements=elements)


# Values from a small set: coincidences (symmetric, palindromes, -a == a.T ...) are frequent.
coarse = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])


# -- transpose (right shape: square) ------------------------------------------------------------
def test_transpose_fires_for_square_transposed_value():
    assert value_hint(E33.T, E33) == d.TRANSPOSE


def test_transpose_silent_when_the_transpose_does_not_match():
    wrong = E33.T.copy()
    wrong[0, 1] += 1.0
    assert value_hint(wrong, E33) is None


def test_transpose_silent_for_a_random_square_matrix():
    assert value_hint(rng.normal(size=(3, 3)), E33) is None


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=4).map(
    lambda s: (s[0], s[0]))))
def test_property_transpose_of_nonsymmetric_square_gets_transpose_hint(a):
    assume(not close_all(a.T, a))
    assert value_hint(a.T, a) == d.TRANSPOSE


# -- transpose (wrong shape) --------------------------------------------------------------------
def test_shape_transpose_fires_for_transposed_rectangular_value():
    assert shape_hint(E23.T, E23) == d.TRANSPOSE


def test_shape_transpose_silent_when_values_are_not_the_transpose():
    # the shape is the transposed one, but the values are a plain reshape: no transpose hint
    assert shape_hint(E23.reshape(3, 2), E23) == d.RESHAPE
    assert shape_hint(rng.normal(size=(3, 2)), E23) is None


def test_shape_transpose_for_3d_reverses_all_axes():
    e = rng.normal(size=(2, 3, 4))
    assert shape_hint(e.T, e) == d.TRANSPOSE
    assert shape_hint(np.transpose(e, (2, 0, 1)), e) != d.TRANSPOSE


# -- reversed ----------------------------------------------------------------------------------
def test_reversed_fires():
    assert value_hint(V5[::-1], V5) == d.REVERSED


def test_reversed_silent_for_other_permutations():
    assert value_hint(np.roll(V5, 1), V5) is None
    assert value_hint(V5[[1, 0, 2, 3, 4]], V5) is None


def test_reversed_only_for_vectors():
    # a 2-D array flipped along one axis is not "reversed order" nor a transpose
    assert value_hint(E23[:, ::-1], E23) is None
    assert value_hint(E23[::-1], E23) is None


# -- sign, 2, 1/2 --------------------------------------------------------------------------------
@pytest.mark.parametrize("k, hint", [(-1.0, d.SIGN), (2.0, d.TWICE), (0.5, d.HALF)])
def test_builtin_factor_fires(k, hint):
    assert value_hint(k * E23, E23) == hint
    assert value_hint(k * 1.7, 1.7) == hint  # scalars too


@pytest.mark.parametrize("k", [-3.0, 3.0, 1.5, 0.25, -2.0, -0.5, 4.0, 1.01])
def test_other_factors_get_no_hint(k):
    assert value_hint(k * E23, E23) is None
    assert value_hint(k * 1.7, 1.7) is None


def test_factor_silent_when_only_some_entries_are_scaled():
    wrong = E23.copy()
    wrong[0] *= -1
    assert value_hint(wrong, E23) is None
    wrong = 2 * E23
    wrong[1, 2] = E23[1, 2] + 1
    assert value_hint(wrong, E23) is None


def test_custom_factor_fires():
    assert value_hint(3 * E23, E23, factors={"three": 3.0}) == "three"
    assert value_hint(3 * E23, E23, factors={"four": 4.0}) is None


@SETTINGS
@given(arrays(elements=nonzero), st.floats(-10, 10), st.sampled_from([3, 4, 8, 32]))
def test_property_random_factor_gets_no_hint(expected, k, n):
    # k away from 1 (the value would pass), 0 (all-zero rule), -1, 2, 0.5 and the batch size
    for special in (1.0, 0.0, -1.0, 2.0, 0.5, n, 1 / n):
        assume(abs(k - special) > 1e-3 * max(1.0, abs(special)))
    assert value_hint(k * expected, expected, factors=d.batch_factors(n)) is None


@SETTINGS
@given(arrays(elements=nonzero), st.sampled_from([3, 4, 10, 64]))
def test_property_batch_factor_fires_only_with_batch(expected, n):
    big, small = d.batch_factors(n)
    assert value_hint(n * expected, expected, factors=d.batch_factors(n)) == big
    assert value_hint(expected / n, expected, factors=d.batch_factors(n)) == small
    assert value_hint(n * expected, expected) is None
    assert value_hint(expected / n, expected) is None


def test_batch_factors_text_and_values():
    factors = d.batch_factors(16)
    assert sorted(factors.values()) == [1 / 16, 16.0]
    assert all("16 (the batch size)" in hint for hint in factors)


@SETTINGS
@given(arrays(elements=nonzero), st.sampled_from([1e-6, -1e-6, 3e-7]))
def test_property_almost_equal_arrays_get_no_factor_hint(expected, rel):
    tight = isclose(rtol=1e-12, atol=0.0)  # tight enough that these values fail
    actual = expected * (1 + rel)
    assert value_hint(actual, expected, tight, factors=d.batch_factors(8)) is None


@SETTINGS
@given(arrays(elements=st.floats(-100, 100)))
def test_property_negative_gets_sign_hint(a):
    assume(np.any(np.abs(a) > 1e-3))
    hint = value_hint(-a, a)
    # -a can also be the reversal of a ([1, -1]) or its transpose (antisymmetric a): then
    # that (equally true) hint may come first; otherwise it must be the sign.
    if a.ndim == 1 and a.size > 1 and close_all(-a, a[::-1]):
        assert hint in (d.SIGN, d.REVERSED)
    elif a.ndim == 2 and a.shape[0] == a.shape[1] and close_all(-a, a.T):
        assert hint in (d.SIGN, d.TRANSPOSE)
    else:
        assert hint == d.SIGN


# -- all zeros ---------------------------------------------------------------------------------
def test_all_zeros_is_a_fact_not_a_hint():
    # all zeros is stated as a fact by describe(), never a hint
    assert value_hint(np.zeros_like(E23), E23) is None
    assert d.ZERO in d.describe(np.zeros_like(E23), E23, np.ones(E23.shape, bool))


def test_zero_silent_for_a_single_number():
    # an accuracy or a loss of 0 is what many different mistakes give: no evidence of one
    assert value_hint(0.0, 2.5) is None


def test_zero_silent_when_expected_is_zero_too():
    assert value_hint(np.zeros(3), np.zeros(3)) is None
    assert value_hint(np.zeros(3), -np.zeros(3)) is None


def test_zero_silent_when_not_exactly_zero():
    assert value_hint(np.full(3, 1e-3), np.array([1.0, 2.0, 3.0])) is None


# -- NaN / inf ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_fires_where_expected_is_finite(bad):
    actual = E23.copy()
    actual[1, 1] = bad
    assert value_hint(actual, E23) == d.NONFINITE
    assert value_hint(bad, 1.0) == d.NONFINITE


def test_nonfinite_silent_when_expected_is_nonfinite_there():
    expected = np.array([np.nan, 1.0, np.inf])
    # the NaN and inf are right; only the middle entry is wrong (no mistake to name)
    assert value_hint(np.array([np.nan, 7.0, np.inf]), expected) is None
    # and a factor rule does not fire through the non-finite entries either
    assert value_hint(np.array([np.nan, 2.0, np.inf]), expected) != d.NONFINITE


def test_nonfinite_fires_even_when_expected_has_nan_elsewhere():
    # entry 0: NaN in both (right); entry 1: NaN where 1.0 is expected -> the evidence is there
    expected = np.array([np.nan, 1.0])
    assert value_hint(np.array([np.nan, np.nan]), expected) == d.NONFINITE


def test_nonfinite_expected_and_finite_actual_names_no_mistake():
    assert value_hint(np.array([1.0, 2.0]), np.array([np.inf, 2.0])) is None
    assert value_hint(np.array([0.0, 0.0]), np.array([np.nan, 0.0])) is None


# -- known mistakes ----------------------------------------------------------------------------
def test_known_mistake_fires():
    wrong = E23 + 1.0
    assert value_hint(wrong, E23, mistakes={"forgot the bias": wrong}) == "forgot the bias"
    assert d.known_mistake(wrong, E23, {"forgot the bias": wrong}, CLOSE) == "forgot the bias"


def test_known_mistake_silent_when_value_differs():
    assert value_hint(E23 + 2.0, E23, mistakes={"forgot the bias": E23 + 1.0}) is None


def test_known_mistake_equal_to_the_right_answer_is_ignored():
    # direct call with the right value: the "mistake" is the right answer itself
    assert value_hint(E23, E23, mistakes={"bogus": E23.copy()}) is None
    assert d.known_mistake(E23, E23, {"bogus": E23.copy()}, CLOSE) is None
    # a value that is within tolerance of a "mistake" that is itself within tolerance of the
    # expected value: still no claim (the mistake would be right)
    expected = np.array([1.0])
    mistake = np.array([1.0 + 0.9e-5])
    actual = np.array([1.0 + 1.8e-5])
    assert not close_all(actual, expected)
    assert value_hint(actual, expected, mistakes={"bogus": mistake}) is None


def test_known_mistakes_take_precedence():
    assert value_hint(-E23, E23, mistakes={"custom sign": -E23}) == "custom sign"
    assert value_hint(2 * E23, E23, mistakes={"custom": 2 * E23},
                      factors={"factor": 2.0}) == "custom"
    assert shape_hint(E23.T, E23, mistakes={"custom T": E23.T}) == "custom T"
    assert value_hint(np.zeros(3), np.ones(3), mistakes={"no init": np.zeros(3)}) == "no init"


def test_known_mistake_first_match_wins_and_bad_entries_are_skipped():
    mistakes = {"not numeric": "abc", "ragged": [[1.0], [1.0, 2.0]], "wrong shape": np.ones(4),
                "first": -E23, "second": -E23}
    assert value_hint(-E23, E23, mistakes=mistakes) == "first"


def test_known_mistake_with_wrong_shape():
    wrong = E23.sum(axis=1)
    assert shape_hint(wrong, E23, mistakes={"summed the wrong axis": wrong}) == \
        "summed the wrong axis"
    assert shape_hint(wrong + 1, E23, mistakes={"summed the wrong axis": wrong}) is None


# -- keepdims / reshape ------------------------------------------------------------------------
def test_keepdims_fires():
    e = rng.normal(size=4)
    assert shape_hint(e[None, :], e) == d.KEEPDIMS
    assert shape_hint(e[:, None], e) == d.KEEPDIMS
    assert shape_hint(e, e[None, :]) == d.KEEPDIMS
    assert shape_hint(np.array([2.5]), np.array(2.5)) == d.KEEPDIMS


def test_reshape_fires():
    e = rng.normal(size=(2, 6))
    assert shape_hint(e.reshape(3, 4), e) == d.RESHAPE
    assert shape_hint(e.reshape(12), e) == d.RESHAPE


def test_reshape_silent_for_same_size_array_that_is_not_a_reshape():
    e = rng.normal(size=(2, 6))
    shuffled = rng.permutation(e.ravel()).reshape(3, 4)
    assert not close_all(shuffled, e.reshape(3, 4))
    assert shape_hint(shuffled, e) is None
    assert shape_hint(-e.reshape(3, 4), e) is None
    assert shape_hint(rng.normal(size=4)[None, :], rng.normal(size=4)) is None


# -- batch sum / mean ------------------------------------------------------------------------
def test_batch_sum_fires():
    rows = rng.normal(size=(5, 3))
    assert shape_hint(rows, rows.sum(axis=0)) == d.BATCH_SUM


def test_batch_mean_fires():
    rows = rng.normal(size=(5, 3))
    assert shape_hint(rows, rows.mean(axis=0)) == d.BATCH_MEAN


def test_batch_sum_with_keepdims():
    rows = rng.normal(size=(5, 3))
    hint = shape_hint(rows, rows.sum(axis=0, keepdims=True))
    assert hint.startswith(d.BATCH_SUM) and "keepdims=True" in hint and "(1, 3)" in hint
    hint = shape_hint(rows, rows.mean(axis=0, keepdims=True))
    assert hint.startswith(d.BATCH_MEAN) and "keepdims=True" in hint


def test_batch_rules_silent_for_rows_that_do_not_add_up():
    rows = rng.normal(size=(5, 3))
    assert shape_hint(rows, rows.sum(axis=0) + 1.0) is None
    assert shape_hint(rows, rows.sum(axis=1)) is None  # the wrong axis is not the batch axis
    assert shape_hint(rng.normal(size=(5, 3)), rng.normal(size=(1, 3))) is None


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)),
       st.integers(2, 6), st.integers(0, 2 ** 32 - 1))
def test_property_rows_summing_to_expected_get_batch_sum_hint(expected, n, seed):
    r = np.random.default_rng(seed)
    rows = r.normal(scale=10.0, size=(n - 1, *expected.shape))
    actual = np.concatenate([rows, (expected - rows.sum(axis=0))[None]])
    # rows that also average to the expected value would be the same evidence for the mean:
    assume(not close_all(actual.mean(axis=0), expected))
    assert shape_hint(actual, expected) == d.BATCH_SUM


# -- unbroadcast -----------------------------------------------------------------------------
def test_unbroadcast_fires():
    g = rng.normal(size=(2, 4, 3))
    assert shape_hint(g, g.sum(axis=(0, 1))) == d.UNBROADCAST
    g = rng.normal(size=(4, 3))
    assert shape_hint(g, g.sum(axis=1, keepdims=True)) == d.UNBROADCAST


def test_unbroadcast_silent_without_evidence():
    assert shape_hint(rng.normal(size=(2, 4, 3)), rng.normal(size=3)) is None
    assert shape_hint(rng.normal(size=(4, 3)), rng.normal(size=(4, 1))) is None


def test_shape_rules_silent_for_unrelated_shapes():
    assert shape_hint(rng.normal(size=(4, 5)), E23) is None
    assert shape_hint(rng.normal(size=7), V5) is None
    assert shape_hint(np.zeros(0), V5) is None


# -- the right value, arbitrary values, noise -------------------------------------------------
@SETTINGS
@given(arrays(elements=st.floats(allow_nan=True, allow_infinity=True, width=64)))
def test_property_right_value_names_no_mistake(e):
    assert value_hint(e.copy(), e) is None
    assert value_hint(e.copy(), e, mistakes={"m": e.copy()}, factors=d.batch_factors(4)) is None


@SETTINGS
@given(arrays(), st.integers(0, 2 ** 32 - 1), st.floats(-3, 1))
def test_property_expected_plus_noise_names_no_mistake(expected, seed, log_scale):
    noise = np.random.default_rng(seed).normal(scale=10.0 ** log_scale, size=expected.shape)
    actual = expected + noise
    assume(not close_all(actual, expected))
    assert value_hint(actual, expected, factors=d.batch_factors(8)) is None


def _verified(hint, a, e) -> bool:
    """An independent check that ``hint`` is true of student value ``a`` vs expected ``e``."""
    if hint is None:
        return True
    if hint == d.NONFINITE:
        bad = ~np.isfinite(a)
        return bool(bad.any()) and bool(np.isfinite(e[bad]).all())
    if hint == d.TRANSPOSE:
        return close_all(a.T, e) and not close_all(e.T, e)
    if hint == d.REVERSED:
        return close_all(a[::-1], e) and not close_all(e[::-1], e)
    k = {d.SIGN: -1.0, d.TWICE: 2.0, d.HALF: 0.5}[hint]
    return close_all(a, k * e) and not close_all(k * e, e)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3).flatmap(
    lambda s: st.tuples(hnp.arrays(np.float64, s, elements=coarse),
                        hnp.arrays(np.float64, s, elements=coarse))))
def test_property_every_hint_is_true(pair):
    a, e = pair
    assume(not close_all(a, e))
    hint = value_hint(a, e)
    assert _verified(hint, a, e), hint


@SETTINGS
@given(arrays(elements=st.floats(allow_nan=True, allow_infinity=True)),
       arrays(elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_property_rules_never_crash(a, e):
    # (warnings on extreme values are test_rules_do_not_warn_on_extreme_values' business)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _no_crash(a, e)


def _no_crash(a, e):
    result = value_hint(a, a.copy()) if a.shape != e.shape else value_hint(a, e)
    assert result is None or isinstance(result, str)
    if a.shape != e.shape:
        result = shape_hint(a, e)
        assert result is None or isinstance(result, str)


def test_rules_do_not_warn_on_extreme_values():
    # the module promises no warnings (it is called outside np.errstate too)
    assert value_hint(np.array([1.0, 2.0]), np.array([1e308, -1e308])) is None
    assert shape_hint(np.full((2, 2), 1e308), np.array([1e308, 1e308])) is None


# -- numbers as text ---------------------------------------------------------------------------
finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(finite, finite)
def test_property_fmt_pair_tells_different_floats_apart(a, e):
    assume(a != e or str(a) != str(e))  # 0.0 and -0.0 are different floats too
    yours, wanted = d.fmt_pair(a, e)
    assert yours != wanted
    # both printed with the same number of significant digits, at least 6, the fewest that work
    digits = [n for n in range(6, 18) if (f"{a:.{n}g}", f"{e:.{n}g}") == (yours, wanted)]
    assert digits, (yours, wanted)
    n = digits[0]
    assert n == 6 or f"{a:.{n - 1}g}" == f"{e:.{n - 1}g}"


def test_fmt_pair_examples():
    assert d.fmt_pair(1.23456789, 2.0) == ("1.23457", "2")
    assert d.fmt_pair(1.0000001, 1.0) == ("1.0000001", "1")
    assert d.fmt_pair(0.1 + 0.2, 0.3) == ("0.30000000000000004", "0.29999999999999999")
    assert d.fmt_pair(np.float32(1.5), 1.5) == ("1.5", "1.5")  # equal: not different
    assert d.fmt_pair(np.nan, 1.0) == ("nan", "1")
    assert d.fmt_pair(-np.inf, np.inf) == ("-inf", "inf")


@SETTINGS
@given(arrays(elements=st.floats(-1e300, 1e300)), st.integers(0, 2 ** 32 - 1))
def test_property_digits_to_tell_apart_shows_every_difference(e, seed):
    a = e.copy()
    r = np.random.default_rng(seed)
    flat = a.reshape(-1)
    for i in r.choice(flat.size, size=min(2, flat.size), replace=False):
        flat[i] = np.nextafter(flat[i], np.inf) if r.random() < 0.5 else flat[i] * 1.001
    _assert_digits_show_every_difference(a, e)


def _assert_digits_show_every_difference(a, e):
    n = d.digits_to_tell_apart(a, e)
    assert 6 <= n <= 17
    for x, y in zip(a.ravel(), e.ravel()):
        if x != y:
            assert f"{x:.{n}g}" != f"{y:.{n}g}"


def test_digits_to_tell_apart_example_with_a_rounding_tie():
    # 0.001953125 = 2**-9 is a tie at 6 digits, so its neighbour differs at 6 digits but not
    # at 16; the other pair needs 16 digits. 16 digits print the first pair identically.
    a = np.array([0.0019531250000000004, 4.000000000000001])
    e = np.array([0.001953125, 4.0])
    _assert_digits_show_every_difference(a, e)


def test_digits_to_tell_apart_ignores_nan_in_both():
    # a NaN in both arrays is not a difference: no reason for 17 digits
    a = np.array([np.nan, 0.1, 2.0])
    e = np.array([np.nan, 0.1, 1.0])
    assert d.digits_to_tell_apart(a, e) == 6


# -- describe ----------------------------------------------------------------------------------
def test_describe_scalar():
    assert d.describe(np.array(3.0), np.array(2.0), np.array(True)) == "yours 3, expected 2."
    assert d.describe(np.array(1.0000001), np.array(1.0), np.array(True)) == \
        "yours 1.0000001, expected 1 (relative difference 1.0e-07)."


def test_describe_array_names_the_largest_difference():
    e = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = e.copy()
    a[0, 2] = 3.5
    a[1, 0] = 1.0
    bad = ~np.isclose(a, e)
    text = d.describe(a, e, bad)
    assert text.startswith("2 of 6 entries differ; the largest difference is at index (1, 0): "
                           "yours 1, expected 4.")
    lines = text.splitlines()
    assert lines[1].startswith("  yours:    [[") and lines[3].startswith("  expected: [[")


def test_describe_vector_index_is_a_plain_integer_and_digits_suffice():
    e = np.array([1.0, 2.0, 3.0])
    a = np.array([1.0, 2.0000001, 3.0])
    text = d.describe(a, e, ~np.isclose(a, e, rtol=0, atol=0))
    assert "at index 1: yours 2.0000001, expected 2 (relative difference 5.0e-08)." in text
    assert "2.0000001" in text.splitlines()[1]


def test_describe_large_arrays_are_not_listed():
    e = np.arange(13.0)
    a = e.copy()
    a[7] = -1
    text = d.describe(a, e, a != e)
    assert text == "1 of 13 entries differ; the largest difference is at index 7: yours -1, " \
                   "expected 7."


def test_describe_points_at_a_nonfinite_entry():
    e = np.array([1.0, 2.0, 3.0])
    a = np.array([100.0, np.nan, 3.0])
    text = d.describe(a, e, ~np.isclose(a, e))
    assert "at index 1: yours nan, expected 2." in text


def test_describe_nan_in_both_does_not_inflate_digits():
    e = np.array([np.nan, 0.1, 1.0])
    a = np.array([np.nan, 0.1, 2.0])
    text = d.describe(a, e, np.array([False, False, True]))
    assert "0.10000000000000001" not in text, text


# -- what the hints say -----------------------------------------------------------------------
def test_hints_are_single_sentences_without_newlines():
    for hint in [*NAMED, *d.batch_factors(32), d.NONE, d.TENSOR, d.APPROXIMATE]:
        assert "\n" not in hint and hint.endswith((".", "?")) and not re.search(r"\s{2}", hint)


def test_evidence_for_values_that_are_zero_up_to_rounding():
    # rows of a softmax gradient sum to 0: a sum over the wrong axis is rounding noise, and
    # the mistake's value is other rounding noise of the same size
    rng = np.random.default_rng(0)
    P = rng.random((6, 3))
    P /= P.sum(axis=1, keepdims=True)
    dS = (P - np.eye(3)[[0, 1, 2, 2, 1, 0]]) / 6
    close = lambda a, e: np.isclose(a, e, rtol=1e-6, atol=1e-9)  # noqa: E731
    hint = "summed over the classes"
    student = dS[:, 2] + dS[:, 0] + dS[:, 1]  # the same sum in another order: other rounding
    assert not np.array_equal(student, dS.sum(axis=1))
    assert d.shape_hint(student, dS.sum(axis=0), close, mistakes={hint: dS.sum(axis=1)}) == hint
    # eps and 3 * eps are different numbers, although both are tiny next to the expected value
    eps = np.finfo(float).eps
    assert d.known_mistake(np.array(eps), np.array(8.7e-6), {hint: 3 * eps}, close) is None
