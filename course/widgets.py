"""An interactive playground in the spirit of TensorFlow Playground.

``playground()`` returns a widget: choose the data set, hidden-layer size, activation, learning
rate and number of epochs; a two-layer network (``course.nn`` on the engine) is trained
full-batch and the decision boundary and loss curve are redrawn.  The picture is a PNG in an
``ipywidgets.Image``, so it renders the same in JupyterLab, in Binder and in a headless test.
"""

from __future__ import annotations

import io
from typing import Any, Callable

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .data import make_blobs, make_moons, make_spiral
from .plot import plot_decision_boundary, train_two_layer

DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "spiral": lambda: make_spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0),
    "moons": lambda: make_moons(n_samples=200, noise=0.2, seed=0),
    "blobs": lambda: make_blobs(seed=0),
}


class Playground(W.VBox):
    """The playground widget.  Changing a control retrains and redraws; ``update()`` does the
    same programmatically.  After each update ``history`` holds the losses, ``accuracy`` the
    training accuracy and ``n_updates`` counts redraws."""

    def __init__(self, dataset: str = "spiral", hidden: int = 20, activation: str = "relu",
                 lr: float = 0.05, epochs: int = 200, seed: int = 0, auto_update: bool = True) -> None:
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}.")
        self.seed = seed
        self.dataset = W.Dropdown(options=sorted(DATASETS), value=dataset, description="data")
        self.hidden = W.IntSlider(value=hidden, min=1, max=100, description="hidden",
                                  continuous_update=False)
        self.activation = W.Dropdown(options=["relu", "tanh", "sigmoid"], value=activation,
                                     description="activation")
        self.lr = W.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1,
                                   description="learning rate", continuous_update=False,
                                   style={"description_width": "initial"})
        self.epochs = W.IntSlider(value=epochs, min=10, max=1000, step=10, description="epochs",
                                  continuous_update=False)
        self.button = W.Button(description="Train", button_style="primary")
        self.status = W.Label(value="")
        self.image = W.Image(format="png", layout=W.Layout(max_width="900px"))
        self.history: list[float] = []
        self.accuracy = float("nan")
        self.n_updates = 0
        self.button.on_click(lambda _: self.update())
        controls = [self.dataset, self.hidden, self.activation, self.lr, self.epochs]
        super().__init__([W.HBox(controls[:3]), W.HBox(controls[3:] + [self.button]),
                          self.status, self.image])
        if auto_update:
            for c in controls:
                c.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        """Retrain with the current settings and redraw the picture."""
        self.status.value = "training..."
        X, y = DATASETS[self.dataset.value]()
        model = train_two_layer(X, y, self.hidden.value, activation=self.activation.value,
                                epochs=self.epochs.value, lr=self.lr.value, reg=1e-3, seed=self.seed)
        from .train import accuracy
        self.history = model.losses
        self.accuracy = accuracy(model, X, y)
        self.image.value = self._render(model, X, y)
        self.n_updates += 1
        self.status.value = (f"{self.dataset.value}: {self.hidden.value} {self.activation.value} "
                             f"units, lr {self.lr.value:.3g}, {self.epochs.value} epochs -> "
                             f"final loss {self.history[-1]:.4f}, training accuracy "
                             f"{self.accuracy:.1%}")

    def _render(self, model: Any, X: np.ndarray, y: np.ndarray) -> bytes:
        # A bare Figure with the Agg canvas: independent of the notebook's pyplot backend, and
        # no figure is left open in pyplot's registry after each redraw.
        fig = Figure(figsize=(9, 3.8))
        FigureCanvasAgg(fig)
        ax_b, ax_l = fig.subplots(1, 2)
        plot_decision_boundary(model, X, y, ax=ax_b, resolution=120,
                               title=f"training accuracy {self.accuracy:.1%}")
        ax_l.plot(self.history)
        ax_l.set_xlabel("epoch (full batch)")
        ax_l.set_ylabel("loss")
        ax_l.set_yscale("log")
        ax_l.set_title("loss")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


def playground(**settings: Any) -> Playground:
    """Build the playground (see :class:`Playground` for the settings) and draw it once."""
    return Playground(**settings)
