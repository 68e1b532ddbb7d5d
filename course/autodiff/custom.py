"""Functions with a derivative rule of your own (a custom VJP), as ``jax.custom_vjp`` and
``torch.autograd.Function`` offer: for numerical stability (log-sum-exp), for speed (a fused
rule), or to trade memory for time (checkpointing recomputes in the backward pass)."""

from __future__ import annotations

from typing import Any, Callable

from . import rules as R


def primitive(forward: Callable[..., Any], *vjps: Callable[..., Any] | None,
              name: str | None = None) -> R.Primitive:
    """A differentiable function from ``forward`` and one VJP rule per argument.

    ``forward(*args)`` computes the value from plain numpy arrays (and any other arguments).
    ``vjps[i](g, ans, *args)`` returns the gradient with respect to argument ``i``, with that
    argument's shape, given the upstream gradient ``g`` (the shape of ``ans = forward(*args)``);
    ``None`` marks an argument without a gradient (labels, sizes).

    The result is called like ``forward``: on arrays it just computes; on Tensors it records one
    graph node whose backward pass calls your rules with the arguments' arrays. ``grad(grad(f))``
    through it works when the rules are written with numpy functions (they then receive Tensors
    and are differentiated in turn). Forward mode (``jvp``) needs a JVP rule, which this does not
    take: it raises rather than silently dropping the tangent.

    >>> import numpy as np, course
    >>> cube = course.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3 * x ** 2)
    >>> float(course.grad(lambda x: cube(x).sum())(np.array(2.0)))
    12.0
    """
    if not callable(forward):
        raise TypeError(f"primitive: forward must be a function, got {type(forward).__name__}.")
    if not vjps:
        raise TypeError("primitive: give one VJP rule per argument of forward (None for an "
                        "argument without a gradient), e.g. primitive(f, lambda g, ans, x: ...).")
    for i, rule in enumerate(vjps):
        if rule is not None and not callable(rule):
            raise TypeError(f"primitive: VJP rule {i} must be a function or None, got "
                            f"{type(rule).__name__}.")
    label = name or getattr(forward, "__name__", "custom")

    def no_jvp(*_: Any, **__: Any) -> Any:
        raise NotImplementedError(f"{label}: a custom primitive has VJP rules only, so forward "
                                  f"mode (jvp, Dual numbers) cannot go through it; use grad.")
    return R.Primitive(label, forward, tuple(vjps), tuple(no_jvp if v is not None else None
                                                          for v in vjps))
