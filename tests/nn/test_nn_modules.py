"""Engine modules: same numbers as the hand-written layers on the same weights."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course.gradcheck import check_grad
from course.nn import layers as L
from course.nn import modules as M
from course.nn.losses import softmax_cross_entropy


def _pair(activation: str, batchnorm: bool):
    """The same 4-6-3 network in both styles, with identical weights."""
    act_layer = {"relu": L.ReLU, "tanh": L.Tanh, "sigmoid": L.Sigmoid}[activation]
    act_module = M.ACTIVATIONS[activation]
    manual = [L.Dense(4, 6, seed=0)] + ([L.BatchNorm(6)] if batchnorm else []) + \
             [act_layer(), L.Dense(6, 3, seed=1)]
    engine = [M.Linear(4, 6, seed=0)] + ([M.BatchNorm(6)] if batchnorm else []) + \
             [act_module(), M.Linear(6, 3, seed=1)]
    stack, seq = L.Stack(*manual), M.Sequential(*engine)
    for p_manual, p_engine in zip(stack.parameters(), seq.parameters()):
        p_engine.value[...] = p_manual.value + 0.1 * np.random.default_rng(7).standard_normal(p_manual.shape)
        p_manual.value = p_engine.value.copy()
    return stack, seq


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("batchnorm", [False, True])
def test_engine_modules_match_manual_layers(activation, batchnorm):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((10, 4)), rng.integers(0, 3, 10)
    stack, seq = _pair(activation, batchnorm)
    sce = L.SoftmaxCrossEntropy()
    logits, caches = stack.forward(X)
    loss_manual, cache = sce.forward(logits, y)
    stack.backward(sce.backward(cache), caches)

    loss = softmax_cross_entropy(seq(X), y)
    loss.backward()
    assert float(loss.value) == pytest.approx(loss_manual, rel=1e-12)
    for p_manual, p_engine in zip(stack.parameters(), seq.parameters()):
        np.testing.assert_allclose(p_engine.grad, p_manual.grad, rtol=1e-9, atol=1e-12)
    if batchnorm:  # eval mode agrees too (running statistics were updated identically)
        stack.eval(); seq.eval()
        np.testing.assert_allclose(np.asarray(seq(X)), stack(X), rtol=1e-12)


def test_module_gradients_against_numeric():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    model = M.mlp([3, 5, 2], activation="tanh", batchnorm=True, seed=0)

    def loss_of(W: np.ndarray) -> float:
        old = model[0].W.value
        model[0].W.value = W
        try:
            with course.no_grad():
                return float(softmax_cross_entropy(model(X), y).value)
        finally:
            model[0].W.value = old

    loss = softmax_cross_entropy(model(X), y)
    loss.backward()
    report = check_grad(loss_of, model[0].W.value.copy(), model[0].W.grad)
    assert report, report.message


def test_parameters_zero_grad_train_eval():
    model = M.mlp([3, 8, 8, 2], dropout=0.5, batchnorm=True, seed=0)
    params = model.parameters()
    assert [tuple(p.shape) for p in params] == [(3, 8), (8,), (8,), (8,), (8, 8), (8,), (8,), (8,), (8, 2), (2,)]
    assert all(isinstance(p, course.Tensor) and p.requires_grad for p in params)
    names = [n for n, _ in model.named_parameters()]
    assert names[:4] == ["modules.0.W", "modules.0.b", "modules.1.gamma", "modules.1.beta"]
    x = np.random.default_rng(0).standard_normal((16, 3))
    softmax_cross_entropy(model(x), np.zeros(16, dtype=int)).backward()
    assert all(p.grad is not None for p in params)
    model.zero_grad()
    assert all(p.grad is None for p in params)
    model.eval()
    assert not any(m.training for m in model)
    a, b = np.asarray(model(x)), np.asarray(model(x))
    np.testing.assert_array_equal(a, b)  # eval: no dropout noise, running statistics
    model.train()
    assert all(m.training for m in model)
    assert not np.array_equal(np.asarray(model(x)), np.asarray(model(x)))


def test_dropout_module_gradient_flows_only_through_kept_units():
    drop = M.Dropout(0.5, seed=3)
    x = course.Tensor(np.ones((20, 10)), requires_grad=True)
    out = drop(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.value)  # d(x * mask)/dx = mask = out / x
    assert set(np.unique(out.value)) == {0.0, 2.0}


def test_float32_modules_stay_float32():
    model = M.mlp([4, 5, 3], dtype=np.float32)
    out = model(np.ones((2, 4), dtype=np.float32))
    assert out.dtype == np.float32
    softmax_cross_entropy(out, np.array([0, 1])).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_bad_construction_errors():
    with pytest.raises(ValueError, match="activation"):
        M.mlp([2, 3], activation="swish")
    with pytest.raises(TypeError, match="Modules"):
        M.Sequential(M.Linear(2, 2), np.tanh)
    with pytest.raises(ValueError, match="initialiser"):
        M.Linear(2, 2, init="zeros!")
