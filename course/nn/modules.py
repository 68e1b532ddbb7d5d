"""Modules on the engine: the forward pass is all you write; ``loss.backward()`` does the rest.

A ``Module`` owns ``course.Tensor`` parameters (``requires_grad=True``) and sub-modules, found
by walking its attributes in definition order.  ``model(x)`` calls ``forward``; ``x`` may be a
numpy array or a Tensor.  ``train()`` / ``eval()`` switch Dropout and BatchNorm.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .. import autodiff as _ad
from ..autodiff import Tensor
from .init import Initializer, weight
from .layers import DropoutState


class Module:
    """Base class with parameter discovery, ``zero_grad`` and train/eval mode."""

    training: bool = True

    def forward(self, x: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def children(self) -> Iterator["Module"]:
        for value in vars(self).values():
            if isinstance(value, Module):
                yield value
            elif isinstance(value, (list, tuple)):
                yield from (v for v in value if isinstance(v, Module))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(f"{prefix}{name}.")
            elif isinstance(value, (list, tuple)):
                for i, v in enumerate(value):
                    if isinstance(v, Module):
                        yield from v.named_parameters(f"{prefix}{name}.{i}.")

    def parameters(self) -> list[Tensor]:
        """All trainable Tensors, each once, in a fixed order (optimizer state relies on it)."""
        seen: set[int] = set()
        out = []
        for _, p in self.named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                out.append(p)
        return out

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> "Module":
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Module):
    """``x @ W + b`` with W (n_in, n_out) from ``init`` (``'he'`` for ReLU, ``'xavier'`` for
    tanh/sigmoid) and b = 0.  ``dtype=np.float32`` halves time and memory on MNIST."""

    def __init__(self, n_in: int, n_out: int, init: str | Initializer = "he",
                 seed: int | np.random.Generator | None = 0, dtype: type = np.float64) -> None:
        self.W = Tensor(weight(n_in, n_out, init, seed, dtype), requires_grad=True)
        self.b = Tensor(np.zeros(n_out, dtype=dtype), requires_grad=True)

    def forward(self, x: Any) -> Any:
        return x @ self.W + self.b

    def __repr__(self) -> str:
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]})"


class ReLU(Module):
    def forward(self, x: Any) -> Any:
        return _ad.relu(x)


class Sigmoid(Module):
    """The logistic function 1 / (1 + e^-x) (the engine's overflow-free primitive)."""

    def forward(self, x: Any) -> Any:
        return _ad.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Any) -> Any:
        return np.tanh(x)


def _constant(x: Any) -> np.ndarray:
    """The numpy value of a Tensor or array, as a constant (running statistics, mask shapes)."""
    return x.value if isinstance(x, Tensor) else np.asarray(x)


class Dropout(DropoutState, Module):
    """Inverted dropout (drop probability ``p``, survivors scaled by 1/(1-p)); identity in eval.
    The mask is a constant, so the gradient flows only through the kept units."""

    def forward(self, x: Any) -> Any:
        if not self.active():
            return x
        value = _constant(x)
        return x * self.mask(value.shape, value.dtype)


class BatchNorm(Module):
    """Batch normalisation of (m, n) inputs; same statistics and conventions as
    :class:`course.nn.layers.BatchNorm` (biased batch variance, running averages with
    ``momentum``), so the two agree number for number."""

    def __init__(self, n: int, momentum: float = 0.9, eps: float = 1e-5,
                 dtype: type = np.float64) -> None:
        self.gamma = Tensor(np.ones(n, dtype=dtype), requires_grad=True)
        self.beta = Tensor(np.zeros(n, dtype=dtype), requires_grad=True)
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)
        self.momentum = momentum
        self.eps = eps

    def forward(self, x: Any) -> Any:
        if self.training:
            if np.shape(x)[0] < 2:
                raise ValueError("BatchNorm in training mode needs at least 2 examples per batch; "
                                 "call .eval() to predict single examples.")
            mean = x.mean(axis=0)  # a method of both ndarray and Tensor
            centred = x - mean
            var = (centred * centred).mean(axis=0)
            mv, vv = _constant(mean), _constant(var)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mv
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * vv
            xhat = centred / np.sqrt(var + self.eps)
        else:
            xhat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * xhat + self.beta

    def __repr__(self) -> str:
        return f"BatchNorm({self.gamma.shape[0]})"


class Sequential(Module):
    """Modules applied in order: ``Sequential(Linear(2, 100), ReLU(), Linear(100, 3))``."""

    def __init__(self, *modules: Module) -> None:
        for m in modules:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes Modules, got {type(m).__name__}; wrap "
                                f"functions in a Module subclass.")
        self.modules = list(modules)

    def forward(self, x: Any) -> Any:
        for m in self.modules:
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(map(repr, self.modules)) + ")"


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def mlp(sizes: list[int] | tuple[int, ...], activation: str = "relu", dropout: float = 0.0,
        batchnorm: bool = False, seed: int = 0, dtype: type = np.float64) -> Sequential:
    """A multilayer perceptron ``sizes[0] -> ... -> sizes[-1]`` (logits, no final activation).

    Weights use He initialisation for ReLU and Xavier for tanh/sigmoid; layer ``i`` is seeded
    with ``seed + i`` so the network is reproducible.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least an input and an output size, got {sizes}.")
    init = "he" if activation == "relu" else "xavier"
    layers: list[Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, init=init, seed=seed + i, dtype=dtype))
        if i < len(sizes) - 2:
            if batchnorm:
                layers.append(BatchNorm(n_out, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(Dropout(dropout, seed=seed + 1000 + i))
    return Sequential(*layers)
