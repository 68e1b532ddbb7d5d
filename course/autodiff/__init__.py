"""The automatic-differentiation engine: reverse mode on numpy arrays, forward mode with dual
numbers, higher derivatives, evaluation traces and pictures of the computational graph."""

from . import rules
from .custom import primitive
from .escapes import ConstantOutputWarning, GraphEscapeError, GraphEscapeWarning, teaching_mode
from .forward import Dual, jvp
from .functional import flatten, grad, hvp, jacobian, value_and_grad
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad, toposort
from .trace import Trace, trace
from .draw import draw


relu = rules.relu
sigmoid = rules.sigmoid
softmax_cross_entropy = rules.softmax_cross_entropy
logsumexp = rules.logsumexp

__all__ = ["Tensor", "Dual", "grad", "value_and_grad", "jacobian", "jvp", "hvp", "no_grad",
           "enable_grad", "is_grad_enabled", "toposort", "flatten", "relu", "sigmoid",
           "softmax_cross_entropy", "logsumexp", "rules", "trace", "Trace", "draw",
           "GraphEscapeError", "GraphEscapeWarning", "ConstantOutputWarning", "teaching_mode",
           "primitive"]
