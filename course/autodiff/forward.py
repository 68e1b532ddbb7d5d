"""Forward mode: dual numbers carry a tangent alongside each value.

``Dual(value, tangent)`` pushes the tangent through every primitive with that primitive's JVP
rule from the same table the reverse mode uses, so one sweep gives a Jacobian-vector product
``J v`` (a directional derivative) at the cost of about one extra evaluation.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import rules as R
from .dispatch import ArrayLike
from .escapes import differentiating
from .tensor import as_float_array


class Dual(ArrayLike):
    """A value with a tangent of the same shape: ``x + ε·t`` with ``ε² = 0``."""

    __slots__ = ("value", "tangent")

    def __init__(self, value: Any, tangent: Any = None) -> None:
        self.value = as_float_array(value)
        t = np.zeros_like(self.value) if tangent is None else as_float_array(tangent)
        if t.shape != self.value.shape:
            raise ValueError(f"Dual: tangent shape {t.shape} differs from value shape "
                             f"{self.value.shape}.")
        self.tangent = t

    @classmethod
    def _apply(cls, prim: R.Primitive, args: tuple, kwargs: dict) -> Any:
        values = [a.value if isinstance(a, ArrayLike) else a for a in args]
        for a in args:
            if isinstance(a, ArrayLike) and not isinstance(a, Dual):
                raise TypeError(f"{prim.name}: cannot mix a Dual with a {type(a).__name__}.")
        ans = np.asarray(prim.forward(*values, **kwargs))
        if ans.dtype.kind == "c":
            raise TypeError(f"{prim.name} gave a complex result; the engine differentiates "
                            f"real-valued functions only (the imaginary part would be lost).")
        tangent = None
        for i, a in enumerate(args):
            rule = prim.jvp(i) if isinstance(a, Dual) else None
            if rule is not None:
                part = rule(a.tangent, ans, *values, **kwargs)
                tangent = part if tangent is None else tangent + part
        if tangent is None:
            return ans
        tangent = np.asarray(tangent)
        if tangent.shape != ans.shape:
            tangent = np.broadcast_to(tangent, ans.shape)
        return cls(ans, np.asarray(tangent, dtype=ans.dtype))

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"


def jvp(f: Callable[..., Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), J_f(x) v)`` by one forward sweep with dual numbers.

    ``x`` and ``v`` are arrays (or floats) of the same shape; a tuple of arrays with a tuple of
    tangents differentiates a function of several arguments.
    """
    if isinstance(x, tuple):
        if not isinstance(v, tuple) or len(v) != len(x):
            raise ValueError("jvp: with a tuple of inputs, pass a tuple of tangents of the same length.")
        duals = [Dual(xi, vi) for xi, vi in zip(x, v)]
    else:
        duals = [Dual(x, v)]
    with differentiating():
        out = f(*duals)
    if isinstance(out, Dual):
        return _plain(out.value), _plain(out.tangent)
    out = np.asarray(out)  # f's result does not depend on x: its derivative is 0
    return _plain(out), _plain(np.zeros_like(out, dtype=float))


def _plain(a: np.ndarray) -> Any:
    return a.item() if a.ndim == 0 else a
