"""Forward mode: dual numbers carry a tangent alongside each value.

``Dual(value, tangent)`` pushes the tangent through every primitive with that primitive's JVP
rule from the same table the reverse mode uses, so one sweep gives a Jacobian-vector product
``J v`` (a directional derivative) at the cost of about one extra evaluation.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import rules as R
from .dispatch import ArrayLike, _plain_index
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
        if t.dtype != self.value.dtype or (t.strides != self.value.strides and t.size > 1):
            # The value's type and memory layout: whether a later reshape is a view (and so
            # what an in-place change reaches) must be the same for both, and a cast of the
            # tangent in an operation would break the view it is of.
            laid_out = np.empty_like(self.value)
            laid_out[...] = t
            t = laid_out
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
        if tangent.shape != ans.shape:  # a copy, not a broadcast view: += writes into it
            tangent = np.array(np.broadcast_to(tangent, ans.shape))
        # In-place operators write into the tangent: it may be a view of an argument's tangent
        # only where the value is a view of that argument's value (a row, a reshape), as numpy
        # would have it; rules that pass a tangent on unchanged (x + c, x.copy()) get a copy.
        duals = [a for a in args if isinstance(a, Dual)]
        if any(np.may_share_memory(tangent, a.tangent) for a in duals) and not any(
                np.may_share_memory(ans, a.value) for a in duals):
            tangent = tangent.copy()
        return cls(ans, np.asarray(tangent, dtype=ans.dtype))

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[i] = v`` writes the value and the tangent (0 for a constant), as numpy writes
        the array; ``M[0] += 1`` (a row changed in place, then assigned back) works too."""
        if isinstance(value, ArrayLike) and not isinstance(value, Dual):
            raise TypeError(f"cannot assign a {type(value).__name__} into a Dual (forward and "
                            f"reverse mode are separate here).")
        index = _plain_index(index)
        self.value[index] = value.value if isinstance(value, Dual) else value
        self.tangent[index] = value.tangent if isinstance(value, Dual) else 0.0

    def _in_place(self, prim: R.Primitive, other: Any, op: str) -> "Dual":
        """numpy's in-place semantics for the value and the tangent alike: both arrays are
        written, so a row of a matrix (a view) changes the matrix, and the shape stays."""
        new = prim(self, other)
        value = new.value if isinstance(new, Dual) else np.asarray(new)
        if value.shape != self.value.shape:
            raise ValueError(f"{op}: the result has shape {value.shape}, which does not fit the "
                             f"left operand's {self.value.shape} (numpy refuses this too); write "
                             f"y = y {op[:-1]} ... for a new array.")
        tangent = new.tangent if isinstance(new, Dual) else 0.0
        self.value[...] = value
        self.tangent[...] = tangent
        return self

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
        duals = [Dual(xi, _own(vi)) for xi, vi in zip(x, v)]
    else:
        duals = [Dual(x, _own(v))]
    with differentiating():
        out = f(*duals)
    if isinstance(out, Dual):
        return _plain(out.value), _plain(out.tangent)
    out = np.asarray(out)  # f's result does not depend on x: its derivative is 0
    return _plain(out), _plain(np.zeros_like(out, dtype=float))


def _own(v: Any) -> np.ndarray:
    """The caller's tangent, copied: f may change its input in place (x += 1), which numpy
    lets it do to x, but the tangent is the caller's, not f's."""
    return np.array(as_float_array(v))


def _plain(a: np.ndarray) -> Any:
    return a.item() if a.ndim == 0 else a
