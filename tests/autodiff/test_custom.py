"""course.primitive: a function with a derivative rule of one's own (custom VJP)."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course.gradcheck import numeric_grad


def _stable_lse():
    def forward(x):
        m = x.max(axis=-1, keepdims=True)
        return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]

    def vjp(g, ans, x):
        return g[..., None] * np.exp(x - ans[..., None])  # softmax(x) * g

    return course.primitive(forward, vjp, name="logsumexp")


def test_value_and_gradient_match_numeric_differences():
    lse = _stable_lse()
    x = np.random.default_rng(0).normal(size=(4, 5))
    w = np.random.default_rng(1).normal(size=4)
    f = lambda t: np.sum(w * lse(t))
    np.testing.assert_allclose(lse(x), np.log(np.exp(x).sum(axis=-1)), rtol=1e-12)
    np.testing.assert_allclose(course.grad(f)(x), numeric_grad(f, x), rtol=1e-7, atol=1e-9)


def test_the_custom_rule_survives_where_the_composed_one_overflows():
    lse = _stable_lse()
    x = np.array([[1000.0, 999.0, -5.0]])
    naive = lambda t: np.sum(np.log(np.sum(np.exp(t), axis=-1)))
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.all(np.isfinite(course.grad(naive)(x)))
    g = course.grad(lambda t: np.sum(lse(t)))(x)
    p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    np.testing.assert_allclose(g, p, rtol=1e-12)


def test_second_order_through_a_rule_written_with_numpy():
    cube = course.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3 * x ** 2)
    assert course.grad(lambda x: cube(x).sum())(np.array(3.0)) == pytest.approx(27.0)
    assert course.grad(course.grad(lambda x: cube(x).sum()))(np.array(3.0)) == pytest.approx(18.0)
    # a rule that reads the output: ans is a function of x in the second derivative
    xe = course.primitive(lambda x: x * np.exp(x), lambda g, ans, x: g * (ans + np.exp(x)))
    assert course.grad(course.grad(xe))(0.5) == pytest.approx(2.5 * np.exp(0.5))
    e = course.primitive(np.exp, lambda g, ans, x: g * ans)
    assert course.grad(course.grad(e))(0.5) == pytest.approx(np.exp(0.5))


def test_arguments_without_a_gradient_and_plain_arrays():
    scale = course.primitive(lambda x, k: x * k, lambda g, ans, x, k: g * k, None)
    x = np.arange(3.0)
    np.testing.assert_array_equal(scale(x, 2.0), 2 * x)  # arrays in, array out
    np.testing.assert_array_equal(course.grad(lambda t: scale(t, 5.0).sum())(x), np.full(3, 5.0))


def test_forward_mode_refuses_instead_of_dropping_the_tangent():
    cube = course.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3 * x ** 2, name="cube")
    with pytest.raises(NotImplementedError, match="cube: a custom primitive has VJP rules only"):
        course.jvp(cube, np.array(2.0), np.array(1.0))


@pytest.mark.parametrize("args, message", [
    ((np.exp,), "give one VJP rule per argument"),
    ((3.0, lambda g, ans, x: g), "forward must be a function"),
    ((np.exp, "rule"), "VJP rule 0 must be a function or None"),
])
def test_clear_errors(args, message):
    with pytest.raises(TypeError, match=message):
        course.primitive(*args)
