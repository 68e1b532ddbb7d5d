"""Reference package of the automatic-differentiation course.

The engine (``Tensor``, ``grad``, ``jvp``, ``trace``, ``draw`` ...) is re-exported here so that
notebooks can write ``import course`` and ``course.grad(loss)(params)``.
"""

from . import gradcheck
from .autodiff import (Dual, Tensor, draw, enable_grad, grad, hvp, is_grad_enabled, jacobian,
                       jvp, logsumexp, no_grad, relu, sigmoid, softmax_cross_entropy, trace,
                       value_and_grad)

__version__ = "0.1.0"

__all__ = ["Tensor", "Dual", "grad", "value_and_grad", "jacobian", "jvp", "hvp", "no_grad",
           "enable_grad", "is_grad_enabled", "relu", "sigmoid", "softmax_cross_entropy",
           "logsumexp", "trace", "draw", "gradcheck"]
