"""Neural-network building blocks, in two styles.

* :mod:`course.nn.layers`: hand-written forward/backward layers (``out, cache = forward(x)``,
  ``dx = backward(dout, cache)``), as in CS231n;
* :mod:`course.nn.modules`: engine-based modules whose backward pass is ``loss.backward()``;
* :mod:`course.nn.losses`, :mod:`course.nn.init`, :mod:`course.nn.optim`.
"""

from . import init, layers, losses, modules, optim
from .losses import binary_logistic, hinge, l2_penalty, mse, softmax_cross_entropy
from .modules import (BatchNorm, Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Tanh, mlp)
from .optim import (SGD, Adam, EarlyStopping, Momentum, clip_grad_norm, clip_grad_value,
                    cosine_schedule, grad_norm)

__all__ = ["init", "layers", "losses", "modules", "optim", "Module", "Linear", "ReLU", "Sigmoid",
           "Tanh", "Dropout", "BatchNorm", "Sequential", "mlp", "softmax_cross_entropy",
           "binary_logistic", "hinge", "mse", "l2_penalty", "SGD", "Momentum", "Adam",
           "EarlyStopping", "cosine_schedule", "clip_grad_value", "clip_grad_norm", "grad_norm"]
