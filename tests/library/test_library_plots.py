"""Plots render under Agg; the playground builds and redraws after an interaction."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course import plot  # noqa: E402
from course.data import make_moons, make_spiral  # noqa: E402
from course.nn import mlp  # noqa: E402
from course.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _region_colours(ax) -> int:
    ax.figure.canvas.draw()
    image = np.asarray(ax.figure.canvas.buffer_rgba())
    return len(np.unique(image.reshape(-1, 4), axis=0))


def test_decision_boundary_from_function_and_module():
    X, y = make_spiral(seed=0)
    ax = plot.plot_decision_boundary(lambda Z: (Z[:, 0] > 0).astype(int) + (Z[:, 1] > 0),
                                     X, y, title="quadrants")
    assert ax.get_title() == "quadrants" and len(ax.collections) >= 2
    # Scores (n, k) from a module are turned into labels by argmax.
    ax2 = plot.plot_decision_boundary(mlp([2, 5, 3], seed=0), X, y, resolution=50)
    assert _region_colours(ax2) > 3
    # Booleans and single score columns are classes too.
    plot.plot_decision_boundary(lambda Z: Z[:, 0] > 0, X, y)
    plot.plot_decision_boundary(lambda Z: Z[:, :1] - 0.1, X, y)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plot.plot_decision_boundary(lambda Z: Z, np.zeros((4, 3)), np.zeros(4, int))


def test_hidden_size_sweep_grid():
    X, y = make_moons(n_samples=100, seed=0)
    axes = plot.hidden_size_sweep(X, y, sizes=(1, 3, 8, 20), epochs=60, ncols=3)
    assert axes.shape == (2, 3)
    titles = [ax.get_title() for ax in axes.ravel()]
    assert titles[0].startswith("hidden size 1:") and titles[3].startswith("hidden size 20:")
    assert not axes.ravel()[-1].axison  # unused panel hidden


def test_training_curves_and_weight_images():
    h = History(loss=[1.0, 0.5, 0.3], train_acc=[0.5, 0.7, 0.8], val_loss=[1.1, 0.6, 0.5],
                val_acc=[0.45, 0.65, 0.7])
    ax_loss, ax_acc = plot.plot_training_curves(h, title="curves")
    assert len(ax_loss.lines) == 2 and len(ax_acc.lines) == 2
    np.testing.assert_array_equal(ax_acc.lines[1].get_ydata(), h.val_acc)
    model = mlp([784, 30, 10], seed=0)
    axes = plot.plot_first_layer_weights(model[0], n=12, ncols=4)
    assert axes.shape == (3, 4) and sum(len(ax.images) for ax in axes.ravel()) == 12
    with pytest.raises(ValueError, match="784"):
        plot.plot_first_layer_weights(np.zeros((10, 3)))


def test_playground_builds_and_redraws():
    from course.widgets import Playground, playground

    pg = playground(dataset="moons", hidden=3, epochs=30)
    assert isinstance(pg, Playground) and pg.n_updates == 1
    first_image, first_status = pg.image.value, pg.status.value
    assert first_image[:8] == b"\x89PNG\r\n\x1a\n" and "3 relu units" in first_status
    assert len(pg.history) == 30
    pg.hidden.value = 12  # an interaction: the observer retrains and redraws
    assert pg.n_updates == 2 and "12 relu units" in pg.status.value
    assert pg.image.value != first_image
    pg.activation.value = "tanh"
    assert pg.n_updates == 3 and "tanh" in pg.status.value
    pg.button.click()
    assert pg.n_updates == 4
    assert not plt.get_fignums()  # redraws leave no pyplot figures behind
