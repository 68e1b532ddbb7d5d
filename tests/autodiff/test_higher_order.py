"""Second derivatives and Hessian-vector products against finite differences of gradients."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import course
from course.gradcheck import rel_error


@pytest.mark.parametrize("f, x", [
    (lambda x: x ** 3, 1.7),
    (lambda x: np.sin(x) * np.exp(x), 0.3),
    (lambda x: np.tanh(x) / (1 + x * x), -0.8),
    (lambda x: np.log(x) * np.sqrt(x), 2.5),
    (lambda x: course.sigmoid(x) ** 2, 0.4),
])
def test_second_derivative_matches_differences_of_first(f, x):
    d2 = course.grad(course.grad(f))(x)
    d1 = course.grad(f)
    eps = 1e-5
    assert d2 == pytest.approx((d1(x + eps) - d1(x - eps)) / (2 * eps), rel=1e-6)


def test_third_derivative():
    assert course.grad(course.grad(course.grad(lambda x: x ** 4)))(2.0) == pytest.approx(48.0)


def _f(x, np=np):
    A = np.reshape(np.arange(9.0), (3, 3)) / 10.0
    return np.sum(np.tanh(A @ x) ** 2) + np.sum(np.exp(x) * x) + np.max(x * x)


def test_hvp_matches_differences_of_gradients_and_autograd():
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal(3), rng.standard_normal(3)
    hv = course.hvp(_f)(x, v)
    g = course.grad(_f)
    eps = 1e-5
    fd = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    assert rel_error(hv, fd) < 1e-6
    ag = autograd.grad(lambda y: anp.sum(autograd.grad(lambda z: _f(z, np=anp))(y) * v))(x)
    np.testing.assert_allclose(hv, ag, rtol=1e-10)


def test_hessian_as_jacobian_of_gradient():
    x = np.array([0.3, -0.2, 0.9])
    H = course.jacobian(course.grad(_f))(x)
    assert H.shape == (3, 3)
    np.testing.assert_allclose(H, H.T, atol=1e-10)
    for i in range(3):
        e = np.zeros(3)
        e[i] = 1
        np.testing.assert_allclose(H[:, i], course.hvp(_f)(x, e), rtol=1e-10)


def test_jacobian_matches_forward_mode():
    f = lambda x: np.sin(x) * np.sum(x ** 2)  # noqa: E731
    x = np.array([0.5, 1.0, -1.5])
    J = course.jacobian(f)(x)
    for i in range(3):
        e = np.zeros(3)
        e[i] = 1.0
        np.testing.assert_allclose(J[:, i], course.jvp(f, x, e)[1], rtol=1e-12)


def test_gradient_with_respect_to_matrix_second_order():
    rng = np.random.default_rng(1)
    W, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    f = lambda W: np.sum(np.tanh(W @ np.ones(3)) ** 2) + np.sum(W ** 3)  # noqa: E731
    hv = course.hvp(f)(W, v)
    g = course.grad(f)
    fd = (g(W + 1e-5 * v) - g(W - 1e-5 * v)) / 2e-5
    assert hv.shape == W.shape and rel_error(hv, fd) < 1e-6


MATRIX = np.eye(3) * 2 + np.arange(9.0).reshape(3, 3) / 20


@pytest.mark.parametrize("f", [
    lambda x: np.linalg.det(MATRIX + np.outer(x, x)),
    lambda x: np.sum(np.linalg.inv(MATRIX + np.eye(3) * x) ** 2),
    lambda x: np.sum(np.linalg.solve(MATRIX + np.outer(x, x), x) ** 2),
    lambda x: np.linalg.norm(x) ** 3 + np.linalg.norm(x, ord=3),
    lambda x: np.prod(x) * np.sum(np.cumsum(x) ** 2),
    lambda x: np.einsum("i,ij,j->", x, MATRIX, np.tanh(x)),
    lambda x: np.sum(np.pad(np.flip(x), 1) * np.tile(x, 2)[:5] ** 2),
    lambda x: np.sum(np.clip(x, -0.2, 0.4) * x ** 2) + np.sum(x ** 0.0 * x),
    lambda x: np.max(x ** 2, initial=0.1) + np.std(x, correction=1) ** 3,
], ids=["det", "inv", "solve", "norm", "prod-cumsum", "einsum", "pad-flip-tile", "clip-power",
        "max-std"])
def test_hessian_vector_products_of_the_new_rules(f):
    """Every rule is written with differentiable operations, so grad(grad) works: checked
    against central differences of the gradient."""
    rng = np.random.default_rng(3)
    x, v = rng.uniform(0.3, 1.0, 3) * np.array([1, -1, 1]), rng.standard_normal(3)
    hv = course.hvp(f)(x, v)
    g = course.grad(f)
    fd = (g(x + 1e-5 * v) - g(x - 1e-5 * v)) / 2e-5
    assert rel_error(hv, fd) < 1e-6
