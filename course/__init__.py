"""Reference package of the automatic-differentiation course.

The engine (``Tensor``, ``grad``, ``jvp``, ``trace``, ``draw`` ...) is re-exported here so that
notebooks can write ``import course`` and ``course.grad(loss)(params)``. Names are imported on
first use (:mod:`course._lazy`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy

__version__ = "0.1.0"

_ENGINE = ["Tensor", "Dual", "grad", "value_and_grad", "jacobian", "jvp", "hvp", "no_grad",
           "enable_grad", "is_grad_enabled", "relu", "sigmoid", "softmax_cross_entropy",
           "logsumexp", "trace", "draw", "GraphEscapeError", "ConstantOutputWarning",
           "teaching_mode", "primitive"]
__all__ = [*_ENGINE, "gradcheck"]
__getattr__, __dir__ = lazy(__name__, globals(), dict.fromkeys(_ENGINE, "autodiff"),
                            ["autodiff", "checks", "data", "gradcheck", "nn", "plot", "train",
                             "widgets"])

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from . import gradcheck
    from .autodiff import (ConstantOutputWarning, Dual, GraphEscapeError, Tensor, draw,
                           enable_grad, grad, hvp, is_grad_enabled, jacobian, jvp, logsumexp,
                           no_grad, primitive, relu, sigmoid, softmax_cross_entropy, teaching_mode,
                           trace, value_and_grad)
