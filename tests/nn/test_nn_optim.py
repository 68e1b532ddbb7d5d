"""Optimizers converge on quadratics; clipping bounds gradients; early stopping."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course.nn import layers as L
from course.nn.optim import (SGD, Adam, EarlyStopping, Momentum, clip_grad_norm, clip_grad_value,
                             cosine_schedule, grad_norm)

# f(w) = 1/2 w^T A w - b^T w with condition number 50: minimum at A^-1 b.
A = np.diag([1.0, 5.0, 50.0])
A = (lambda Q: Q @ A @ Q.T)(np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0])
B = np.array([1.0, -2.0, 0.5])
W_STAR = np.linalg.solve(A, B)


def run(make_opt, steps: int) -> float:
    w = course.Tensor(np.zeros(3), requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (w @ (A @ w)) - B @ w
        loss.backward()
        opt.step()
    return float(np.linalg.norm(w.value - W_STAR))


@pytest.mark.parametrize("make_opt, steps", [
    (lambda p: SGD(p, lr=1 / 50), 2000),
    (lambda p: Momentum(p, lr=1 / 50, momentum=0.9), 400),
    (lambda p: SGD(p, lr=1 / 50, momentum=0.9, nesterov=True), 400),
    (lambda p: Adam(p, lr=0.05), 2000),
], ids=["sgd", "momentum", "nesterov", "adam"])
def test_optimizers_converge_on_quadratic(make_opt, steps):
    assert run(make_opt, steps) < 1e-4


def test_momentum_beats_plain_sgd_on_ill_conditioned_quadratic():
    assert run(lambda p: Momentum(p, lr=1 / 50), 200) < 0.1 * run(lambda p: SGD(p, lr=1 / 50), 200)


def test_sgd_step_is_exact_and_in_place():
    w = course.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    value = w.value
    w.grad = np.array([0.5, -1.0])
    SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.value, [0.95, 2.1])
    assert w.value is value


def test_optimizer_updates_manual_layer_parameters():
    dense = L.Dense(2, 1, seed=0)
    x, target = np.array([[1.0, 2.0]]), np.array([[3.0]])
    opt = Adam(dense.parameters(), lr=0.05)
    for _ in range(500):
        out, cache = dense.forward(x)
        dense.backward(2 * (out - target), cache)
        opt.step()
    assert dense(x)[0, 0] == pytest.approx(3.0, abs=1e-3)


def test_adam_keeps_float32():
    w = course.Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    w.grad = np.ones(4, dtype=np.float32)
    Adam([w]).step()
    assert w.value.dtype == np.float32
    np.testing.assert_allclose(w.value, 1 - 1e-3, rtol=1e-5)  # the first Adam step is lr * sign(g)


def _params_with_grads():
    rng = np.random.default_rng(0)
    ps = [course.Tensor(np.zeros(s), requires_grad=True) for s in [(3, 4), (4,)]]
    for p in ps:
        p.grad = rng.standard_normal(p.shape) * 10
    return ps


def test_clip_grad_norm_bounds_norm_and_keeps_direction():
    ps = _params_with_grads()
    before = [p.grad.copy() for p in ps]
    norm = clip_grad_norm(ps, 1.0)
    assert norm == pytest.approx(np.sqrt(sum(np.sum(g ** 2) for g in before)))
    assert grad_norm(ps) == pytest.approx(1.0)
    for p, g in zip(ps, before):
        np.testing.assert_allclose(p.grad, g / norm)
    # Below the bound nothing changes.
    clip_grad_norm(ps, 5.0)
    assert grad_norm(ps) == pytest.approx(1.0)


def test_clip_grad_value():
    ps = _params_with_grads()
    clip_grad_value(ps, 0.5)
    assert all(np.max(np.abs(p.grad)) <= 0.5 for p in ps)
    assert any(np.any(np.abs(p.grad) == 0.5) for p in ps)
    with pytest.raises(ValueError):
        clip_grad_value(ps, 0)


def test_early_stopping_patience_and_restore():
    w = course.Tensor(np.zeros(2), requires_grad=True)
    stopper = EarlyStopping(patience=2)
    decisions = []
    for epoch, acc in enumerate([0.5, 0.7, 0.69, 0.71, 0.70, 0.70]):
        w.value[...] = epoch
        decisions.append(stopper.update(acc, [w]))
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best == 0.71 and stopper.best_epoch == 3
    stopper.restore([w])
    np.testing.assert_array_equal(w.value, [3.0, 3.0])
    loss_stopper = EarlyStopping(patience=1, monitor="val_loss")
    assert loss_stopper.mode == "min"
    assert not loss_stopper.update(1.0) and not loss_stopper.update(0.5) and loss_stopper.update(0.6)


def test_optimizer_errors():
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"\.value and \.grad"):
        SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        Adam([course.Tensor(np.zeros(1), requires_grad=True)], lr=-1)


def test_cosine_schedule():
    opt = SGD([course.Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
    update = cosine_schedule(opt, epochs=4, lr_min=0.1)
    lrs = []
    for epoch in range(4):
        update(epoch)
        lrs.append(opt.lr)
    np.testing.assert_allclose(lrs, [0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * k / 4)) for k in (1, 2, 3, 4)])
    assert lrs[-1] == pytest.approx(0.1)
