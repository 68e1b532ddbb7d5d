"""Losses: values against the textbook formulas, engine gradients against central differences."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course.gradcheck import check_grad
from course.nn import losses


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_softmax_cross_entropy_value_and_gradient(rng):
    z = rng.standard_normal((5, 3))
    y = np.array([0, 2, 1, 1, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert float(losses.softmax_cross_entropy(z, y)) == pytest.approx(-np.log(p[np.arange(5), y]).mean())
    report = check_grad(lambda v: losses.softmax_cross_entropy(v, y), z)
    assert report, report.message
    assert np.isfinite(float(losses.softmax_cross_entropy(z * 1e5, y)))


@pytest.mark.parametrize("labels", [np.array([0, 1, 1, 0, 1, 0]), np.array([-1, 1, 1, -1, 1, -1])])
def test_binary_logistic(rng, labels):
    z = rng.standard_normal(6) * 3
    s = np.where(labels > 0, 1.0, -1.0)
    assert float(losses.binary_logistic(z, labels)) == pytest.approx(np.mean(np.log1p(np.exp(-s * z))))
    report = check_grad(lambda v: losses.binary_logistic(v, labels), z)
    assert report, report.message


def test_binary_logistic_exact_at_zero_and_stable():
    y = np.array([0, 1, 1])
    # At w = 0 every score is 0: the derivative is -(s / 2) / m, not the 0 of a max/abs kink.
    g = course.grad(lambda v: losses.binary_logistic(v, y))(np.zeros(3))
    np.testing.assert_allclose(g, np.array([0.5, -0.5, -0.5]) / 3)
    big = np.array([1e4, -1e4, 1e4])
    assert float(losses.binary_logistic(big, y)) == pytest.approx(2e4 / 3)  # two of the three are wrong by 1e4
    with pytest.raises(ValueError, match="0/1 or -1/\\+1"):
        losses.binary_logistic(np.zeros(3), np.array([0, 2, 1]))


def test_hinge_binary(rng):
    z = rng.standard_normal(8) * 2
    y = rng.integers(0, 2, 8)
    s = 2.0 * y - 1
    assert float(losses.hinge(z, y)) == pytest.approx(np.mean(np.maximum(0, 1 - s * z)))
    report = check_grad(lambda v: losses.hinge(v, y), z)
    assert report, report.message


def test_hinge_multiclass(rng):
    z = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6)
    expected = 0.0
    for i in range(6):
        for j in range(4):
            if j != y[i]:
                expected += max(0.0, z[i, j] - z[i, y[i]] + 1.0)
    assert float(losses.hinge(z, y)) == pytest.approx(expected / 6)
    report = check_grad(lambda v: losses.hinge(v, y), z)
    assert report, report.message


def test_mse_and_l2(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    assert float(losses.mse(a, b)) == pytest.approx(np.mean((a - b) ** 2))
    report = check_grad(lambda v: losses.mse(v, b), a)
    assert report, report.message
    W1, W2 = rng.standard_normal((3, 2)), rng.standard_normal((2, 2))
    assert float(losses.l2_penalty([W1, W2], 0.1)) == pytest.approx(0.05 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)))
    g = course.grad(lambda ws: losses.l2_penalty(ws, 0.1))([W1, W2])
    np.testing.assert_allclose(g[0], 0.1 * W1)
    np.testing.assert_allclose(g[1], 0.1 * W2)
    with pytest.raises(ValueError, match="same shape"):
        losses.mse(a, b[:2])
