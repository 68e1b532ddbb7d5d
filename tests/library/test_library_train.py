"""The training loop: learns, is deterministic, stops early, restores the best weights."""

from __future__ import annotations

import numpy as np
import pytest

from course.data import make_blobs, make_spiral
from course.nn import (SGD, Adam, EarlyStopping, Linear, Sequential, binary_logistic, hinge, mlp,
                       softmax_cross_entropy)
from course.train import History, accuracy, fit, predict, predict_logits


@pytest.fixture(scope="module")
def spiral():
    X, y = make_spiral(seed=0)
    Xv, yv = make_spiral(seed=1)
    return X, y, Xv, yv


def _train(spiral, epochs=40, **kwargs):
    X, y, Xv, yv = spiral
    model = mlp([2, 64, 3], seed=0)
    opt = Adam(model.parameters(), lr=0.02)
    history = fit(model, softmax_cross_entropy, opt, X, y, Xv, yv, epochs=epochs, batch_size=32,
                  progress=False, **kwargs)
    return model, history


def test_fit_learns_the_spiral(spiral):
    model, history = _train(spiral)
    assert isinstance(history, History) and history.epochs == 40
    assert len(history.train_acc) == len(history.val_acc) == len(history.val_loss) == 40
    assert history.loss[-1] < 0.3 * history.loss[0]
    assert accuracy(model, spiral[0], spiral[1]) > 0.95
    assert history.val_acc[-1] > 0.9
    assert model.training  # evaluation inside fit restored training mode


def test_fit_is_deterministic(spiral):
    _, h1 = _train(spiral, epochs=5)
    _, h2 = _train(spiral, epochs=5)
    assert h1.loss == h2.loss and h1.val_acc == h2.val_acc
    _, h3 = _train(spiral, epochs=5, seed=1)
    assert h3.loss != h1.loss


def test_early_stopping_restores_best(spiral):
    X, y, Xv, yv = spiral
    model = mlp([2, 64, 3], seed=0)
    # A learning rate far too high makes validation accuracy stall or drop.
    stopper = EarlyStopping(patience=3, monitor="val_loss")
    history = fit(model, softmax_cross_entropy, SGD(model.parameters(), lr=5.0), X, y, Xv, yv,
                  epochs=100, batch_size=300, early_stopping=stopper, progress=False)
    assert history.stopped_early and history.epochs < 100
    assert history.best_epoch == int(np.nanargmin(history.val_loss))
    restored = softmax_cross_entropy(np.asarray(predict_logits(model, Xv)), yv)
    assert float(restored) == pytest.approx(min(history.val_loss), rel=1e-6)


def test_callbacks_can_stop_and_progress_bars_run(spiral):
    X, y, _, _ = spiral
    model = mlp([2, 8, 3], seed=0)
    seen = []
    history = fit(model, softmax_cross_entropy, Adam(model.parameters()), X, y, epochs=10,
                  callbacks=[lambda epoch, h: seen.append(epoch) or epoch == 2], progress=True)
    assert seen == [0, 1, 2] and history.epochs == 3
    assert np.isnan(history.val_acc[-1])
    assert predict(model, X).shape == (300,)


def test_fit_errors(spiral):
    X, y, Xv, yv = spiral
    model = mlp([2, 8, 3], seed=0)
    opt = Adam(model.parameters())
    with pytest.raises(ValueError, match="rows"):
        fit(model, softmax_cross_entropy, opt, X, y[:10], progress=False)
    with pytest.raises(ValueError, match="both"):
        fit(model, softmax_cross_entropy, opt, X, y, Xv, None, progress=False)
    with pytest.raises(ValueError, match="validation data"):
        fit(model, softmax_cross_entropy, opt, X, y, epochs=2, early_stopping=EarlyStopping(),
            progress=False)


@pytest.mark.parametrize("loss", [binary_logistic, hinge], ids=["logistic", "hinge"])
def test_fit_binary_classifier_with_one_output_column(loss):
    X, y = make_blobs(seed=0)
    model = Sequential(Linear(2, 1, init="xavier", seed=0))
    history = fit(model, loss, SGD(model.parameters(), lr=0.1), X, y, epochs=20, batch_size=16,
                  progress=False)
    assert history.loss[-1] < 0.2 * history.loss[0]
    assert accuracy(model, X, y) >= 0.98  # one score column: class 1 where it is positive
    assert "val acc" not in repr(history)
