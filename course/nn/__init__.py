"""Neural-network building blocks, in two styles.

* :mod:`course.nn.layers`: hand-written forward/backward layers (``out, cache = forward(x)``,
  ``dx = backward(dout, cache)``), as in CS231n;
* :mod:`course.nn.modules`: engine-based modules whose backward pass is ``loss.backward()``;
* :mod:`course.nn.losses`, :mod:`course.nn.init`, :mod:`course.nn.optim`.

Names are imported on first use (:mod:`course._lazy`), so each submodule works on its own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy

_FROM = {
    "losses": ["softmax_cross_entropy", "binary_logistic", "hinge", "mse", "l2_penalty"],
    "modules": ["Module", "Linear", "ReLU", "Sigmoid", "Tanh", "Dropout", "BatchNorm",
                "Sequential", "mlp"],
    "optim": ["SGD", "Momentum", "Adam", "EarlyStopping", "cosine_schedule", "clip_grad_value",
              "clip_grad_norm", "grad_norm"],
}
_SUBMODULES = ["init", "layers", "losses", "modules", "optim"]
__all__ = [*_SUBMODULES, *(name for names in _FROM.values() for name in names)]
__getattr__, __dir__ = lazy(__name__, globals(),
                            {name: mod for mod, names in _FROM.items() for name in names},
                            _SUBMODULES)

if TYPE_CHECKING:
    from . import init, layers, losses, modules, optim
    from .losses import binary_logistic, hinge, l2_penalty, mse, softmax_cross_entropy
    from .modules import (BatchNorm, Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Tanh,
                          mlp)
    from .optim import (SGD, Adam, EarlyStopping, Momentum, clip_grad_norm, clip_grad_value,
                        cosine_schedule, grad_norm)
