"""Hand-written layers: every backward against central differences, train/eval semantics."""

from __future__ import annotations

import numpy as np
import pytest

from course.gradcheck import check_grad
from course.nn import layers as L


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def check_layer(layer: L.Layer, x: np.ndarray, seed: int = 1) -> None:
    """Check dx and every parameter gradient of ``layer`` on the scalar sum(out * dout)."""
    out, cache = layer.forward(x)
    dout = _rng(seed).standard_normal(out.shape)
    dx = layer.backward(dout, cache)

    def through_input(xv: np.ndarray) -> float:
        return float(np.sum(layer.forward(xv)[0] * dout))

    report = check_grad(through_input, x, dx, tol=1e-6, name=f"{layer!r} dx")
    assert report, report.message
    for p in layer.parameters():
        analytic = p.grad.copy()
        original = p.value

        def through_param(v: np.ndarray) -> float:
            p.value = v
            try:
                return float(np.sum(layer.forward(x)[0] * dout))
            finally:
                p.value = original

        report = check_grad(through_param, original.copy(), analytic, tol=1e-6,
                            name=f"{layer!r} d{p.name}")
        assert report, report.message


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_dense_gradients(init):
    check_layer(L.Dense(5, 4, init=init, seed=3), _rng().standard_normal((6, 5)))


def test_dense_initialisation_scale():
    # 400 x 300 weights: sample std within 2% of the formula.
    xav = L.Dense(400, 300, init="xavier", seed=0).W.value
    he = L.Dense(400, 300, init="he", seed=0).W.value
    assert abs(xav.std() / np.sqrt(2 / 700) - 1) < 0.02
    assert abs(he.std() / np.sqrt(2 / 400) - 1) < 0.02
    assert np.all(L.Dense(4, 3).b.value == 0)


@pytest.mark.parametrize("layer", [L.ReLU(), L.Sigmoid(), L.Tanh()], ids=repr)
def test_activation_gradients(layer):
    x = _rng().standard_normal((7, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the ReLU kink, where differences are meaningless
    check_layer(layer, x)


def test_sigmoid_is_logistic_not_tanh():
    x = np.array([-800.0, -2.0, 0.0, 3.0, 800.0])
    s = L.Sigmoid()(x)
    expected = np.array([0.0, 1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-3.0)), 1.0])
    np.testing.assert_allclose(s, expected, rtol=1e-12, atol=1e-300)
    assert not np.allclose(s, np.tanh(x))


def test_batchnorm_gradients_train_and_eval():
    x = _rng().standard_normal((8, 3)) * 3 + 1
    bn = L.BatchNorm(3)
    bn.gamma.value = np.array([0.5, 2.0, -1.0])
    bn.beta.value = np.array([0.1, 0.0, -0.3])
    check_layer(bn, x)
    bn.eval()
    check_layer(bn, x)


def test_batchnorm_train_normalises_and_eval_uses_running_stats():
    x = _rng().standard_normal((64, 3)) * np.array([1.0, 5.0, 0.1]) + np.array([2.0, -3.0, 0.0])
    bn = L.BatchNorm(3, momentum=0.0)  # running stats = last batch, so eval can be predicted
    out = bn(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + bn.eps))
    bn.eval()
    single = bn(x[:1])  # one example: only possible with running statistics
    np.testing.assert_allclose(single, out[:1], atol=1e-12)
    bn.train()
    with pytest.raises(ValueError, match="at least 2"):
        bn(x[:1])


def test_batchnorm_running_average():
    bn = L.BatchNorm(2, momentum=0.9)
    x = _rng().standard_normal((10, 2)) + 4
    bn(x)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=0))


def test_dropout_train_eval():
    x = np.ones((200, 50))
    drop = L.Dropout(p=0.3, seed=0)
    out, mask = drop.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.7)  # inverted dropout rescales the survivors
    assert abs(out.mean() - 1.0) < 0.03
    dout = _rng().standard_normal(x.shape)
    np.testing.assert_array_equal(drop.backward(dout, mask) == 0, ~kept)
    np.testing.assert_allclose(drop.backward(dout, mask), dout * mask)
    drop.eval()
    out_eval, cache = drop.forward(x)
    assert out_eval is x and cache is None
    with pytest.raises(ValueError, match="probability"):
        L.Dropout(p=1.0)


def test_softmax_cross_entropy_layer():
    rng = _rng()
    logits = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6)
    sce = L.SoftmaxCrossEntropy()
    loss, cache = sce.forward(logits, y)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), y])), rel=1e-12)
    report = check_grad(lambda z: sce(z, y), logits, sce.backward(cache))
    assert report, report.message
    # Stable for huge logits: no overflow, finite loss and gradient.
    big = logits * 1e4
    loss, cache = sce.forward(big, y)
    assert np.isfinite(loss) and np.all(np.isfinite(sce.backward(cache)))
    with pytest.raises(ValueError, match="labels"):
        sce(logits, np.array([0, 1, 2, 3, 4, 0]))


def test_stack_backprop_whole_network():
    rng = _rng(2)
    net = L.Stack(L.Dense(3, 6, init="he", seed=0), L.Tanh(), L.Dense(6, 5, seed=1), L.Sigmoid(),
                  L.Dense(5, 3, seed=2))
    x = rng.standard_normal((4, 3))
    check_layer(net, x)
    assert len(net.parameters()) == 6
