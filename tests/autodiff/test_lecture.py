"""The numbers of the AD lecture and the seed notebooks, reproduced by the engine."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import course


def lecture_f(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


def test_lecture_value_and_gradient():
    value, (d1, d2) = course.value_and_grad(lecture_f, (0, 1))(2.0, 5.0)
    assert round(value, 3) == 11.652
    assert d1 == pytest.approx(5.5, abs=1e-12)
    assert round(d2, 3) == 1.716
    assert d2 == pytest.approx(2.0 - np.cos(5.0), abs=1e-12)


def test_lecture_trace_shows_the_numbers():
    t = course.trace(lecture_f, 2.0, 5.0)
    text = str(t)
    html = t._repr_html_()
    for shown in ("11.652", "5.5", "1.7163", "ln v_-1", "v_-1 × v_0"):
        assert shown in text and shown in html, shown
    assert [r.name for r in t.forward[:2]] == ["v_-1", "v_0"]
    assert t.value == pytest.approx(11.652071455, abs=1e-9)
    assert t.grads == pytest.approx((5.5, 2.0 - np.cos(5.0)))
    # the adjoint of x2 collects two uses: through v_2 = v_-1 × v_0 and through sin v_0
    row = next(r for r in t.adjoint if r.name == "v̄_0")
    assert row.expression.count("+") == 1


def test_forward_mode_gives_the_lecture_tangent():
    value, tangent = course.jvp(lambda x: lecture_f(x[0], x[1]), np.array([2.0, 5.0]),
                                np.array([1.0, 0.0]))
    assert round(value, 3) == 11.652 and tangent == pytest.approx(5.5)


# ---- the CS231n-style spiral network, written with numpy only, differentiated unchanged
def _spiral(n=100, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.zeros((n * k, 2))
    y = np.zeros(n * k, dtype=int)
    for j in range(k):
        r = np.linspace(0.0, 1, n)
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * 0.2
        X[j * n:(j + 1) * n] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[j * n:(j + 1) * n] = j
    return X, y


X, Y = _spiral()
REG = 1e-3


def compute_loss(params, np=np):
    W1, b1, W2, b2 = params
    hidden = np.maximum(0, np.dot(X, W1) + b1)
    scores = np.dot(hidden, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    m = X.shape[0]
    correct_logprobs = -np.log(probs[range(m), Y])
    data_loss = np.sum(correct_logprobs) / m
    reg_loss = 0.5 * REG * np.sum(W1 * W1) + 0.5 * REG * np.sum(W2 * W2)
    return data_loss + reg_loss


def _params(seed=1, h=100):
    rng = np.random.default_rng(seed)
    return (0.01 * rng.standard_normal((2, h)), np.zeros((1, h)),
            0.01 * rng.standard_normal((h, 3)), np.zeros((1, 3)))


def test_spiral_loss_is_differentiated_unchanged():
    params = _params()
    ours = course.grad(compute_loss)(params)
    theirs = autograd.grad(lambda p: compute_loss(p, np=anp))(params)
    assert isinstance(ours, tuple) and len(ours) == 4
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-14)
    # ReLU kinks crossed by the finite difference cost accuracy: CS231n's 1e-4 bound for kinks
    report = course.gradcheck.check_grad(compute_loss, params, ours, projections=8, tol=1e-4)
    assert report.passed, report.message


def test_spiral_network_trains_to_99_percent_with_grad():
    params = [p.copy() for p in _params(h=100)]
    params[0] = np.random.default_rng(2).standard_normal((2, 100)) * 0.5
    params[2] = np.random.default_rng(3).standard_normal((100, 3)) * 0.1
    vg = course.value_and_grad(compute_loss)
    for _ in range(3000):
        loss, grads = vg(tuple(params))
        for p, g in zip(params, grads):
            p -= 1.0 * g
    W1, b1, W2, b2 = params
    accuracy = np.mean(np.argmax(np.maximum(0, X @ W1 + b1) @ W2 + b2, axis=1) == Y)
    assert accuracy >= 0.99, accuracy


def test_dict_of_parameters():
    def loss(p):
        h = np.tanh(X @ p["W1"] + p["b1"])
        s = h @ p["W2"] + p["b2"]
        return course.softmax_cross_entropy(s, Y) + 1e-3 * np.sum(p["W1"] ** 2)

    rng = np.random.default_rng(0)
    p = {"W1": rng.standard_normal((2, 8)), "b1": np.zeros(8),
         "W2": rng.standard_normal((8, 3)), "b2": np.zeros(3)}
    g = course.grad(loss)(p)
    assert list(g) == ["W1", "b1", "W2", "b2"]
    assert all(g[k].shape == p[k].shape for k in p)
    assert course.gradcheck.check_grad(loss, p, g).passed
