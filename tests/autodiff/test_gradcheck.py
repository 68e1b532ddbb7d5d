"""course.gradcheck: numeric gradients, relative error, reports students can read."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course.gradcheck import check_grad, numeric_grad, rel_error


def test_numeric_grad_restores_input_even_on_error():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    g = numeric_grad(lambda v: np.sum(v ** 3), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 3 * before ** 2, rtol=1e-8)
    calls = []

    def boom(v):
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError
        return 0.0
    with pytest.raises(ZeroDivisionError):
        numeric_grad(boom, x)
    np.testing.assert_array_equal(x, before)


def test_numeric_grad_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        numeric_grad(lambda v: v.sum(), np.ones(2, dtype=np.float32))


def test_rel_error_cs231n_form():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(2), np.ones(3))


def test_report_of_a_correct_gradient():
    x = np.random.default_rng(0).standard_normal((3, 4))
    r = check_grad(lambda v: np.sum(np.tanh(v) ** 2), x)
    assert r and r.max_rel_error < 1e-7 and "OK" in r.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x: -2 * x, "signs are opposite"),
    (lambda x: 2 * x * 4, "4 times too large"),
    (lambda x: 0 * x, "zero"),
])
def test_report_of_a_wrong_gradient_explains(wrong, hint):
    x = np.array([[0.5, -1.0], [2.0, 1.5]])
    r = check_grad(lambda v: np.sum(v ** 2), x, wrong(x), name="dW")
    assert not r
    assert "dW is wrong" in r.message and hint in r.message
    assert r.worst_index is not None and r.analytic_value != r.numeric_value


def test_shape_mismatch_is_reported():
    r = check_grad(lambda v: np.sum(v), np.ones((2, 3)), np.ones((3, 2)))
    assert not r and "shape" in r.mode


def test_projection_mode_checks_a_full_mlp():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 784)), rng.integers(0, 10, 64)
    params = (rng.standard_normal((784, 100)) * 0.05, np.zeros(100),
              rng.standard_normal((100, 200)) * 0.1, np.zeros(200),
              rng.standard_normal((200, 10)) * 0.1, np.zeros(10))

    def loss(p):
        W1, b1, W2, b2, W3, b3 = p
        h = np.tanh(X @ W1 + b1)
        h = np.tanh(h @ W2 + b2)
        return course.softmax_cross_entropy(h @ W3 + b3, y)

    g = course.grad(loss)(params)
    assert check_grad(loss, params, g, projections=5)
    broken = list(g)
    broken[2] = broken[2].copy()
    broken[2][3, 7] += 1e-2  # one wrong entry among ~100,000
    assert not check_grad(loss, params, tuple(broken), projections=5)
