"""Toy data sets and minibatching."""

from __future__ import annotations

import numpy as np
import pytest

from course.data import make_blobs, make_moons, make_spiral, minibatches


def test_spiral_follows_cs231n_construction():
    X, y = make_spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)
    assert X.shape == (300, 2) and np.array_equal(np.bincount(y), [100, 100, 100])
    # Radii run linearly from 0 to 1 along each arm, whatever the angular noise.
    r = np.hypot(X[:, 0], X[:, 1])
    for j in range(3):
        np.testing.assert_allclose(r[y == j], np.linspace(0, 1, 100), atol=1e-12)
    # Without noise the angle is exactly linspace(4j, 4(j+1)).
    X0, _ = make_spiral(n_per_class=50, n_classes=2, noise=0.0)
    t = np.arctan2(X0[1:50, 0], X0[1:50, 1])
    np.testing.assert_allclose(np.mod(t, 2 * np.pi), np.mod(np.linspace(0, 4, 50)[1:], 2 * np.pi), atol=1e-12)
    X1, _ = make_spiral(seed=0)
    np.testing.assert_array_equal(X, X1)
    assert not np.array_equal(X, make_spiral(seed=1)[0])


def test_moons_and_blobs():
    X, y = make_moons(n_samples=201, noise=0.0, seed=0)
    assert X.shape == (201, 2) and np.bincount(y).tolist() == [101, 100]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)
    Xb, yb = make_blobs(n_per_class=500, seed=0)
    assert Xb.shape == (1000, 2) and set(yb) == {0, 1}
    np.testing.assert_allclose(Xb[yb == 0].mean(axis=0), [-2.0, -1.0], atol=0.1)
    np.testing.assert_allclose(Xb[yb == 1].mean(axis=0), [2.0, 1.5], atol=0.1)
    with pytest.raises(ValueError):
        make_blobs(centers=[1.0, 2.0])


def test_minibatches_cover_everything_once():
    X = np.arange(23 * 2).reshape(23, 2)
    y = np.arange(23)
    batches = list(minibatches(X, y, 5, shuffle=True, seed=0))
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)  # rows stay paired with their labels
    again = np.concatenate([b[1] for b in minibatches(X, y, 5, seed=0)])
    np.testing.assert_array_equal(seen, again)
    rng = np.random.default_rng(0)  # one generator: a new order every epoch
    e1 = np.concatenate([b[1] for b in minibatches(X, y, 5, seed=rng)])
    e2 = np.concatenate([b[1] for b in minibatches(X, y, 5, seed=rng)])
    assert not np.array_equal(e1, e2)
    ordered = np.concatenate([b[1] for b in minibatches(X, y, 5, shuffle=False)])
    np.testing.assert_array_equal(ordered, y)
    with pytest.raises(ValueError, match="rows"):
        next(minibatches(X, y[:3], 5))
