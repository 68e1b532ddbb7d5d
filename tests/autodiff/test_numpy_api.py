"""numpy functions on Tensors: every keyword is honoured (same value as numpy) or refused by
name; the value of every honoured form equals numpy's."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import course
from course import Tensor
from course.autodiff import numpy_api
from course.gradcheck import numeric_grad, rel_error


def test_handlers_take_exactly_numpys_parameters():
    """A handler with numpy's parameter names cannot swallow a keyword: each one is either
    used or refused in the handler's code (the tests below check which)."""
    for func, handler in numpy_api.FUNCTIONS.items():
        theirs = [p for p in inspect.signature(func).parameters.values()
                  if p.kind is not p.VAR_KEYWORD]
        ours = inspect.signature(handler).parameters
        for p in theirs:
            assert p.name in ours, f"{numpy_api.full_name(func)}: no parameter {p.name}"


X = np.arange(12.0).reshape(3, 4) / 7 - 0.6
MASK = np.array([True, False, True, True])

# (call, applied to a Tensor and to the plain array, must give the same value)
SAME_VALUE = [
    lambda np_, x: np_.max(x, axis=1, initial=0.5),
    lambda np_, x: np_.min(x, initial=-10.0),
    lambda np_, x: np_.max(x, axis=0, keepdims=True, initial=-1.0, where=MASK),
    lambda np_, x: np_.sum(x, initial=10.0),
    lambda np_, x: np_.max(x[:, :0], axis=1, initial=0.5) + np_.sum(x),  # empty: initial
    lambda np_, x: np_.min(x[:0], initial=2.0) * np_.sum(x),
    lambda np_, x: np_.sum(x, axis=1, where=MASK),
    lambda np_, x: np_.sum(x, 1, None, None, True),  # positional keywords
    lambda np_, x: np_.mean(x, axis=0, where=X > 0),
    lambda np_, x: np_.prod(x, axis=1, initial=2.0),
    lambda np_, x: np_.std(x, correction=1),
    lambda np_, x: np_.std(x, axis=0, ddof=1, keepdims=True),
    lambda np_, x: np_.var(x, axis=1, mean=np_.mean(x, axis=1, keepdims=True)),
    lambda np_, x: np_.sum(x, dtype=np.float32),
    lambda np_, x: np_.concatenate([x, x], axis=None),
    lambda np_, x: np_.concatenate([x, x], dtype=np.float32),
    lambda np_, x: np_.stack([x, x], axis=-1),
    lambda np_, x: np_.reshape(x, (4, 3), order="F"),
    lambda np_, x: np_.clip(x, a_min=-0.2, a_max=None),
    lambda np_, x: np_.clip(x, min=-0.2, max=0.3),
    lambda np_, x: np_.cumsum(x),
    lambda np_, x: np_.cumsum(x, axis=-1),
    lambda np_, x: np_.transpose(x[None], (0, -1, 1)),
    lambda np_, x: np_.moveaxis(x[None], -1, 0),
    lambda np_, x: np_.pad(x, 1, constant_values=2.0),
    lambda np_, x: np_.pad(x, ((0, 1), (2, 0))),
    lambda np_, x: np_.tile(x, 2),
    lambda np_, x: np_.linalg.norm(x, axis=0),
    lambda np_, x: np_.linalg.norm(x, ord="fro"),
    lambda np_, x: np_.linalg.norm(x[0], ord=-np.inf),
    lambda np_, x: np_.linalg.norm(x[0], ord=0),
    lambda np_, x: np_.einsum("ij->j", x),
    lambda np_, x: np_.hstack([x[0], x[1]]),
    lambda np_, x: np_.vstack([x[0], x]),
    lambda np_, x: np_.outer(x[0], x[1]),
    lambda np_, x: np_.split(x, [1, 3], axis=1)[1],
]


@pytest.mark.parametrize("k", range(len(SAME_VALUE)))
def test_honoured_keywords_give_numpys_value(k):
    call = SAME_VALUE[k]
    ours = call(np, Tensor(X, requires_grad=True))
    theirs = call(np, X)
    ours = ours.value if isinstance(ours, Tensor) else ours
    assert np.shape(ours) == np.shape(theirs)
    assert np.result_type(ours) == np.result_type(theirs), (k, np.result_type(ours))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6 if np.result_type(theirs) == np.float32
                               else 1e-12)


@pytest.mark.parametrize("k", range(len(SAME_VALUE)))
def test_honoured_keywords_give_the_right_gradient(k):
    call = SAME_VALUE[k]
    w = np.random.default_rng(k).standard_normal(np.shape(call(np, X)))

    def f(x):
        out = call(np, x)
        return np.sum(out * w) if isinstance(out, Tensor) else float(np.sum(out * w))
    if not isinstance(call(np, Tensor(X, requires_grad=True)), Tensor):
        return  # an integer-valued result: a constant
    analytic = course.grad(f)(X.copy())
    single = np.result_type(call(np, X)) == np.float32  # rounding: larger steps, looser check
    numeric = numeric_grad(lambda v: float(np.sum(np.asarray(call(np, v), dtype=float) * w)),
                           X.copy(), eps=1e-3 if single else 1e-6)
    assert rel_error(analytic, numeric) < (1e-3 if single else 1e-5)


REFUSED = [
    ("out", lambda x: np.clip(x, 0, 1, out=np.zeros(3))),
    ("out", lambda x: np.stack([x, x], out=np.zeros((2, 3)))),
    ("out", lambda x: np.sum(x, out=np.zeros(()))),
    ("out", lambda x: np.dot(x, x, out=np.zeros(()))),
    ("where", lambda x: np.var(x, where=np.ones(3, bool))),
    ("order", lambda x: np.reshape(x, (3,), order="A")),
    ("mode", lambda x: np.pad(x, 1, mode="reflect")),
    ("dtype", lambda x: np.sum(x, dtype=complex)),
    ("dtype", lambda x: np.einsum("i->", x, dtype=np.float32)),
    ("casting", lambda x: np.clip(x, 0, 1, casting="unsafe")),
]


@pytest.mark.parametrize("keyword, call", REFUSED, ids=[f"{k}-{i}" for i, (k, _) in enumerate(REFUSED)])
def test_unhonoured_keywords_are_refused_by_name(keyword, call):
    with pytest.raises(TypeError, match=rf"{keyword}="):
        call(Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True))


def test_max_where_without_initial_is_refused_like_numpy():
    with pytest.raises(ValueError, match="initial="):
        np.max(Tensor(X), where=X > 0)


def test_std_with_ddof_and_correction_is_refused():
    with pytest.raises(ValueError, match="ddof and correction"):
        np.std(Tensor(X), ddof=1, correction=1)


def test_integer_dtypes_of_functions_give_constants():
    x = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    total = np.sum(x, dtype=int)  # numpy casts the elements first: 1 + 2
    assert not isinstance(total, Tensor) and total == 3
    assert np.cumsum(x, dtype=int).tolist() == [1, 3]
    assert isinstance(np.concatenate([x, x], dtype=int, casting="unsafe"), np.ndarray)
    with pytest.raises(TypeError, match="same_kind"):  # as numpy
        np.concatenate([x, x], dtype=int)


def test_prod_gradient_at_exact_zeros_matches_central_differences():
    """prod/x would divide by zero; the rule multiplies the other elements instead."""
    x = np.array([[0.0, 2.0, -1.5], [0.0, 0.0, 3.0], [1.0, -2.0, 0.5]])
    w = np.array([0.3, -1.2, 0.7])
    for axis in (1, 0, None):
        weights = w if axis is not None else 1.0
        f = lambda v: np.sum(np.prod(v, axis=axis) * weights)  # noqa: E731
        analytic = course.grad(f)(x.copy())
        numeric = numeric_grad(lambda v: float(f(v)), x.copy())
        assert rel_error(analytic, numeric) < 1e-8, axis


def test_norm_gradient_at_zero_is_zero_not_nan():
    np.testing.assert_array_equal(course.grad(lambda x: np.linalg.norm(x))(np.zeros(3)), 0.0)


def test_std_of_a_constant_column_has_the_subgradient_zero_not_nan():
    """Standardising data with a constant feature: the deviations are all 0 there, where the
    derivative of sqrt(var) is 0 * inf = NaN; central differences give 0 (std is a norm of the
    deviations, and the norm's subgradient at 0 is taken, as for np.linalg.norm)."""
    data = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, -1.0]])  # the first column is constant
    w = np.array([1.0, 2.0])
    for std in (lambda x: np.std(x, axis=0), lambda x: x.std(axis=0, ddof=1, keepdims=True)[0]):
        f = lambda x: np.sum(std(x) * w)  # noqa: E731
        analytic = course.grad(f)(data.copy())
        numeric = numeric_grad(lambda v: float(f(v)), data.copy())
        assert np.all(np.isfinite(analytic)) and rel_error(analytic, numeric) < 1e-6


def test_more_degrees_of_freedom_than_values_give_numpys_variance():
    x = np.array([0.5, -1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"), pytest.warns(RuntimeWarning):
        theirs = np.var(x, ddof=4)  # numpy divides by max(n - ddof, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = np.var(Tensor(x, requires_grad=True), ddof=4).value
        ours_std = np.std(Tensor(x, requires_grad=True), ddof=4).value
    assert ours == theirs == np.inf and ours_std == np.inf


def test_power_zero_exponent_at_zero_has_zero_gradient():
    g = course.grad(lambda x: np.sum(x ** 0.0 + x ** 0))(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_unsupported_forms_say_what_to_do():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(TypeError, match="ellipsis"):
        np.einsum("...i,i", x, x[0])
    with pytest.raises(TypeError, match="subscripts string"):
        np.einsum(x, [0, 1], x, [1, 2])
    with pytest.raises(TypeError, match="Frobenius"):
        np.linalg.norm(x, ord=2)
    with pytest.raises(TypeError, match="numpy.linalg.eig is not supported"):
        np.linalg.eig(x)


UFUNC_ADVICE = [
    (lambda x: np.add.reduce(x), r"np\.sum\(x, axis=\.\.\.\)"),
    (lambda x: np.maximum.reduce(x), r"np\.max\(x"),
    (lambda x: np.add.accumulate(x), r"np\.cumsum"),
    (lambda x: np.add.outer(x, x), r"numpy\.add\(a\[:, None\], b\[None, :\]\)"),
    (lambda x: np.add.at(np.zeros(3), [0, 0], x[:2]), r"onehot"),
    (lambda x: np.maximum.accumulate(x), r"loop"),
    (lambda x: np.negative(x, out=np.zeros(3)), r"y = numpy\.negative\(x\)\."),
    (lambda x: np.exp(x, where=x.value > 0), r"np\.where\(mask, numpy\.exp\(x\), other\)"),
    (lambda x: np.multiply(x, 2.0, dtype=np.float32), r"x\.astype"),
    (lambda x: np.mod(x, 1.0, where=x.value > 0), r"numpy\.remainder on Tensor does not take"),
]


@pytest.mark.parametrize("call, advice", UFUNC_ADVICE)
def test_refused_ufunc_forms_say_what_to_write_instead(call, advice):
    """np.add.outer has no 'function form', np.negative takes no second operand, and
    np.remainder is supported: the messages must not say otherwise."""
    with pytest.raises(TypeError, match=advice):
        call(Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True))


def test_ufunc_keywords_with_numpys_defaults_change_nothing():
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    np.testing.assert_array_equal(np.exp(x, where=True, casting="same_kind").value,
                                  np.exp(x.value))
    np.testing.assert_array_equal(np.mod(x, 1.0, dtype=None).value, np.mod(x.value, 1.0))
    g = course.grad(lambda v: np.sum(np.multiply(v, v, dtype=None, out=None)))(x.value)
    np.testing.assert_array_equal(g, 2 * x.value)


def test_methods_take_numpys_keywords():
    x = Tensor(X, requires_grad=True)
    np.testing.assert_allclose(x.max(axis=1, initial=0.5).value, X.max(axis=1, initial=0.5))
    np.testing.assert_allclose(x.sum(1, keepdims=True).value, X.sum(1, keepdims=True))
    np.testing.assert_allclose(x.std(ddof=1).value, X.std(ddof=1))
    np.testing.assert_allclose(x.ravel().value, X.ravel())
    np.testing.assert_allclose(x.flatten("F").value, X.flatten("F"))
    np.testing.assert_allclose(x.reshape(4, 3, order="F").value, X.reshape(4, 3, order="F"))
    assert x.astype(np.float32).dtype == np.float32
    assert isinstance(x.astype(int), np.ndarray)
    with pytest.raises(TypeError, match="out="):
        x.sum(out=np.zeros(()))


@pytest.mark.parametrize("reduce", [np.max, np.min])
def test_ties_share_the_gradient_of_an_extremum(reduce):
    # Central differences are undefined at a tie, so the rule (the average of the subgradients)
    # is checked directly; a NaN extremum sends the gradient to the NaN (as PyTorch does), and
    # a NaN row must not hide the tie in another row.
    sign = 1.0 if reduce is np.max else -1.0
    x = sign * np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0], [5.0, 5.0, 5.0]])
    g = course.grad(lambda x: np.sum(reduce(x, axis=1)))(x)
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    y = np.array([[np.nan, 1.0], [2.0, 2.0]])
    gy = course.grad(lambda y: np.sum(reduce(y, axis=1, keepdims=True)))(y)
    np.testing.assert_allclose(gy[0], [1.0, 0.0])
    np.testing.assert_allclose(gy[1], [0.5, 0.5])
    np.testing.assert_allclose(course.grad(lambda x: reduce(x))(sign * np.array([4.0, 4.0, 1.0])),
                               [0.5, 0.5, 0.0])
    # forward mode shares the tangent the same way
    np.testing.assert_allclose(course.jvp(lambda x: reduce(x, axis=1), x, np.ones_like(x))[1],
                               [1.0, 1.0, 1.0])


@pytest.mark.parametrize("reduce", ["sum", "mean", "cumsum", "var", "std", "prod"])
def test_a_wider_dtype_is_used_for_the_computation_as_numpy_does(reduce):
    # numpy accumulates in dtype=: float32 data summed in float64 keep the 1 next to 1e8
    x = np.array([1e8, 1.0, -1e8, 1.0], np.float32)
    f = lambda x: getattr(np, reduce)(x, dtype=np.float64)
    value, _ = course.value_and_grad(lambda x: np.sum(f(x)))(x)
    assert value == pytest.approx(float(np.sum(f(x))), rel=1e-12)


def test_float_power_computes_in_float64():
    x = np.array([4097.0], np.float32)
    value, g = course.value_and_grad(lambda x: np.sum(np.float_power(x, 2)))(x)
    assert value == 4097.0 ** 2 and g.dtype == np.float32 and g[0] == pytest.approx(8194.0)


@pytest.mark.parametrize("a", [
    np.array([[1.0, 2.0], [2.0, 4.0]]),                              # rank 1 of 2
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),   # rank 2 of 3
    np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]),   # rank 1 of 3: all zero
    np.stack([np.eye(3), np.diag([1.0, 0.0, 2.0])]),                 # a stack, one singular
])
def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix(a):
    """det(a) inv(a).T is not defined there, but the derivative is (the cofactors)."""
    g = course.grad(lambda m: np.sum(np.linalg.det(m)))(a.copy())
    numeric = numeric_grad(lambda m: float(np.sum(np.linalg.det(m))), a.copy())
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, numeric, atol=1e-7)
    _, tangent = course.jvp(lambda m: np.sum(np.linalg.det(m)), a.copy(), np.ones_like(a))
    assert tangent == pytest.approx(float(np.sum(numeric)), abs=1e-7)


@pytest.mark.parametrize("call", [
    lambda x: np.sum(x, where=np.ones((2, 4), bool)),
    lambda x: np.max(x, where=np.ones((2, 4), bool), initial=0.0),
    lambda x: np.mean(x, where=np.ones((3,), bool)),
])
def test_a_where_mask_larger_than_the_operand_is_refused_as_numpy_does(call):
    with pytest.raises(ValueError):
        call(np.arange(1.0, 5.0))  # numpy itself
    with pytest.raises(ValueError, match="does not broadcast"):
        course.grad(call)(np.arange(1.0, 5.0))


def test_floor_division_and_remainder_operators():
    """x // y is piecewise constant (a constant result); x % y keeps its derivatives."""
    def f(x):
        return np.sum((x % 0.7) * x + (x // 0.5) * x + 3.1 % (x + 5.0))
    x = np.array([0.33, 1.21, -0.95, 2.4])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    assert rel_error(g, numeric_grad(f, x.copy())) < 1e-6
    assert round(Tensor(2.6)) == 3
    with pytest.raises(course.autodiff.GraphEscapeError, match="round"):
        course.grad(lambda x: round(x[0]) * x[1])(np.array([1.6, 2.0]))


def test_second_derivative_of_det_is_right_at_singular_matrices():
    """The cofactors are quadratic in a 3x3 matrix, so a central difference of the gradient
    is exact; det * inv(a).T is not even defined there (or is rounding noise nearby)."""
    near = np.outer([1, 2, 3], [0.5, -1, 2.0]) + np.outer([0, 1, 1], [1, 1, 0.0])  # det ~ 1e-15
    exact = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    for a in (near, exact):
        v = np.random.default_rng(0).standard_normal((3, 3))
        h = course.hvp(np.linalg.det)(a, v)
        fd = (course.grad(np.linalg.det)(a + v) - course.grad(np.linalg.det)(a - v)) / 2
        np.testing.assert_allclose(h, fd, atol=1e-9)
