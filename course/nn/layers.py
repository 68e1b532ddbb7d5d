"""Layers with hand-written backpropagation (the CS231n / "NN from scratch" style).

The contract, the same for every layer::

    out, cache = layer.forward(x)     # cache: whatever backward needs, nothing else
    dx = layer.backward(dout, cache)  # dout = dL/dout (shape of out), dx = dL/dx (shape of x)

``backward`` also *overwrites* ``p.grad`` for each of the layer's parameters ``p`` (objects with
``.value`` and ``.grad`` arrays, the same interface as ``course.Tensor``, so the optimizers in
``course.nn.optim`` update either kind).  Shapes: ``x`` is (m, n_in) with one example per row.
Because the cache is returned rather than stored, one layer object can be used on several
batches before any backward pass.

``training`` switches Dropout and BatchNorm between their training and evaluation behaviour
(``layer.train()`` / ``layer.eval()``).
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from .init import Initializer, weight


class Parameter:
    """A weight array and its gradient (``grad`` is None until a backward pass fills it)."""

    __slots__ = ("value", "grad", "name")

    def __init__(self, value: np.ndarray, name: str = "") -> None:
        self.value = value
        self.grad: np.ndarray | None = None
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}, shape={self.value.shape})"


class Layer:
    """Base class: no parameters, training mode on."""

    training = True

    def parameters(self) -> list[Parameter]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> "Layer":
        self.training = mode
        return self

    def eval(self) -> "Layer":
        return self.train(False)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout: np.ndarray, cache: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forward only (prediction): ``layer(x)`` is ``layer.forward(x)[0]``."""
        return self.forward(x)[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Affine layer ``out = x @ W + b``; W is (n_in, n_out), b is (n_out,).

    Backward: ``dW = x^T dout``, ``db = 1^T dout`` (sum over the batch, undoing the broadcast
    of b), ``dx = dout W^T``.  ``init`` is ``'xavier'`` (tanh/sigmoid), ``'he'`` (ReLU) or any
    name/function from :mod:`course.nn.init`.
    """

    def __init__(self, n_in: int, n_out: int, init: str | Initializer = "xavier",
                 seed: int | np.random.Generator | None = 0, dtype: type = np.float64) -> None:
        self.W = Parameter(weight(n_in, n_out, init, seed, dtype), "W")
        self.b = Parameter(np.zeros(n_out, dtype=dtype), "b")

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if x.ndim != 2 or x.shape[1] != self.W.value.shape[0]:
            raise ValueError(f"Dense: input must have shape (m, {self.W.value.shape[0]}), got "
                             f"{x.shape}.")
        return x @ self.W.value + self.b.value, x

    def backward(self, dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
        x = cache
        self.W.grad = x.T @ dout
        self.b.grad = dout.sum(axis=0)
        return dout @ self.W.value.T

    def __repr__(self) -> str:
        return f"Dense({self.W.value.shape[0]}, {self.W.value.shape[1]})"


class ReLU(Layer):
    """``max(0, x)``; backward passes ``dout`` where the *input* was positive (cache: the mask)."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mask = x > 0
        return x * mask, mask

    def backward(self, dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
        return dout * cache


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic sigmoid 1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so that no
    exponential overflows for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Sigmoid(Layer):
    """Logistic sigmoid ``s = 1 / (1 + e^-x)``; backward ``dx = dout * s (1 - s)`` (cache: s)."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = logistic(x)
        return s, s

    def backward(self, dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
        return dout * cache * (1.0 - cache)


class Tanh(Layer):
    """``t = tanh(x)``; backward ``dx = dout * (1 - t^2)`` (cache: t)."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.tanh(x)
        return t, t

    def backward(self, dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
        return dout * (1.0 - cache * cache)


class DropoutState:
    """What both Dropout classes share: the drop probability, the generator and the mask."""

    def __init__(self, p: float = 0.5, seed: int | np.random.Generator | None = 0) -> None:
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping a unit and must be in "
                             f"[0, 1), got {p}.")
        self.p = p
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def active(self) -> bool:
        return bool(getattr(self, "training", True)) and self.p > 0.0

    def mask(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """Zeros with probability p, 1/(1-p) elsewhere (inverted dropout)."""
        dtype = np.dtype(dtype)
        return (self.rng.random(shape) >= self.p).astype(dtype) / dtype.type(1.0 - self.p)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Dropout(DropoutState, Layer):
    """Inverted dropout: in training each unit is zeroed with probability ``p`` and the
    survivors are scaled by 1/(1-p), so the expected output equals the input and evaluation
    is the identity (no rescaling at test time).  Cache: the scaled mask (None in eval)."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if not self.active():
            return x, None
        mask = self.mask(x.shape, x.dtype)
        return x * mask, mask

    def backward(self, dout: np.ndarray, cache: np.ndarray | None) -> np.ndarray:
        return dout if cache is None else dout * cache


class BatchNorm(Layer):
    """Batch normalisation over the batch axis of (m, n) inputs.

    Training: ``xhat = (x - mean_batch) / sqrt(var_batch + eps)``, ``out = gamma xhat + beta``,
    and the running statistics move towards the batch ones:
    ``running = momentum * running + (1 - momentum) * batch`` (biased batch variance, as in
    CS231n).  Evaluation uses the running statistics, so a single example gets the same output
    whatever batch it comes in.  Backward (training) uses the compact formula
    ``dx = (m dxhat - sum dxhat - xhat sum(dxhat xhat)) / (m sqrt(var + eps))``.
    """

    def __init__(self, n: int, momentum: float = 0.9, eps: float = 1e-5,
                 dtype: type = np.float64) -> None:
        self.gamma = Parameter(np.ones(n, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(n, dtype=dtype), "beta")
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)
        self.momentum = momentum
        self.eps = eps

    def parameters(self) -> list[Parameter]:
        return [self.gamma, self.beta]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        if self.training:
            if len(x) < 2:
                raise ValueError("BatchNorm in training mode needs at least 2 examples per batch "
                                 "(the variance of one example is 0); call .eval() to predict.")
            mean, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (x - mean) * inv_std
        return self.gamma.value * xhat + self.beta.value, (xhat, inv_std, self.training)

    def backward(self, dout: np.ndarray, cache: tuple) -> np.ndarray:
        xhat, inv_std, training = cache
        self.gamma.grad = (dout * xhat).sum(axis=0)
        self.beta.grad = dout.sum(axis=0)
        dxhat = dout * self.gamma.value
        if not training:  # the statistics are constants
            return dxhat * inv_std
        m = len(dout)
        return (m * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) * (inv_std / m)

    def __repr__(self) -> str:
        return f"BatchNorm({self.gamma.value.shape[0]})"


class SoftmaxCrossEntropy:
    """Mean cross-entropy of integer labels under softmax(logits), with its gradient.

    ``loss, cache = forward(logits, y)`` with logits (m, k) and y (m,) integers in 0..k-1;
    ``dlogits = backward(cache, dloss=1.0)`` = (softmax(logits) - onehot(y)) / m * dloss.
    The max shift keeps exp from overflowing, and the gradient never divides by a probability.
    """

    def forward(self, logits: np.ndarray, y: np.ndarray) -> tuple[float, tuple]:
        y = _check_labels(logits, y)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        m = len(y)
        loss = -log_probs[np.arange(m), y].mean()
        return float(loss), (np.exp(log_probs), y)

    def backward(self, cache: tuple, dloss: float = 1.0) -> np.ndarray:
        probs, y = cache
        d = probs.copy()
        d[np.arange(len(y)), y] -= 1.0
        return d * (dloss / len(y))

    def __call__(self, logits: np.ndarray, y: np.ndarray) -> float:
        return self.forward(logits, y)[0]


def _check_labels(logits: np.ndarray, y: Any) -> np.ndarray:
    y = np.asarray(y)
    if logits.ndim != 2 or y.shape != (logits.shape[0],) or y.dtype.kind not in "iu":
        raise ValueError(f"expected logits (m, k) and m integer labels; got logits "
                         f"{np.shape(logits)} and labels {y.shape} of dtype {y.dtype}.")
    if y.size and (y.min() < 0 or y.max() >= logits.shape[1]):
        raise ValueError(f"labels must be in 0..{logits.shape[1] - 1}, got {y.min()}..{y.max()}.")
    return y


class Stack(Layer):
    """Layers applied in order; ``forward`` returns the list of caches, ``backward`` walks it
    in reverse (the chain rule, one layer at a time)."""

    def __init__(self, *layers: Layer) -> None:
        self.layers = list(layers)

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode: bool = True) -> "Stack":
        self.training = mode
        for layer in self.layers:
            layer.train(mode)
        return self

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list]:
        caches = []
        for layer in self.layers:
            x, cache = layer.forward(x)
            caches.append(cache)
        return x, caches

    def backward(self, dout: np.ndarray, cache: Sequence[Any]) -> np.ndarray:
        for layer, c in zip(reversed(self.layers), reversed(cache)):
            dout = layer.backward(dout, c)
        return dout

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __repr__(self) -> str:
        return "Stack(" + ", ".join(map(repr, self.layers)) + ")"
