"""Evaluation traces, as in the AD lecture (Baydin et al., "Automatic differentiation in machine
learning: a survey", tables 2 and 3).

``trace(f, 2.0, 5.0)`` runs ``f`` once, naming the inputs ``v_-1, v_0`` and every intermediate
``v_1, v_2, ...``; it then runs the reverse sweep by hand, one adjoint row per variable, so the
two tables of the lecture can be printed for any function.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .escapes import differentiating
from .tensor import Tensor, input_gradient, recording

# How a trace row writes the local partial derivative d v_k / d (argument i), in terms of the
# argument names a, b and the row's own name k.  Unlisted primitives show a generic symbol.
_PARTIALS: dict[str, tuple[str, ...]] = {
    "add": ("1", "1"), "subtract": ("1", "-1"), "multiply": ("{b}", "{a}"),
    "divide": ("1/{b}", "-{a}/{b}²"), "log": ("1/{a}",), "sin": ("cos {a}",),
    "cos": ("-sin {a}",), "exp": ("{k}",), "tanh": ("1 - {k}²",), "sqrt": ("1/(2 {k})",),
    "negative": ("-1",), "square": ("2 {a}",), "power": ("{b} {a}^({b}-1)", "{k} ln {a}"),
    "sigmoid": ("{k} (1 - {k})",), "identity": ("1",),
}
_FORMS: dict[str, str] = {
    "add": "{a} + {b}", "subtract": "{a} - {b}", "multiply": "{a} × {b}", "divide": "{a} / {b}",
    "power": "{a}^{b}", "matmul": "{a} @ {b}", "log": "ln {a}", "negative": "-{a}",
    "square": "{a}²", "identity": "{a}",
}


def _fmt(x: Any) -> str:
    a = np.asarray(x)
    if a.size == 1:
        return f"{a.item():.5g}" if abs(a.item()) < 1e5 else f"{a.item():.4e}"
    return f"array{a.shape}"


@dataclass
class TraceRow:
    name: str
    expression: str
    value: Any


@dataclass
class Trace:
    """Primal (forward) and adjoint (reverse) evaluation traces of one function call."""

    inputs: list[str]
    forward: list[TraceRow] = field(default_factory=list)
    adjoint: list[TraceRow] = field(default_factory=list)
    value: Any = None
    grads: tuple = ()

    def __str__(self) -> str:
        lines = ["Forward primal trace"]
        lines += [f"  {r.name:>5} = {r.expression:<28} = {_fmt(r.value)}" for r in self.forward]
        lines.append("Reverse adjoint trace")
        lines += [f"  {r.name:>5} = {r.expression:<28} = {_fmt(r.value)}" for r in self.adjoint]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def table(title: str, rows: list[TraceRow]) -> str:
            body = "".join(
                f"<tr><td style='text-align:right'>{html.escape(r.name)}</td><td>=</td>"
                f"<td style='text-align:left'>{html.escape(r.expression)}</td><td>=</td>"
                f"<td style='text-align:right'>{html.escape(_fmt(r.value))}</td></tr>"
                for r in rows)
            return (f"<table style='display:inline-block;vertical-align:top;margin-right:2em'>"
                    f"<caption style='font-weight:bold'>{title}</caption>{body}</table>")
        return table("Forward primal trace", self.forward) + table("Reverse adjoint trace", self.adjoint)


def trace(f: Callable[..., Any], *args: Any, names: list[str] | None = None) -> Trace:
    """Evaluate ``f(*args)`` and return its primal and adjoint traces (``f`` must return a scalar).

    >>> t = trace(lambda x1, x2: np.log(x1) + x1 * x2 - np.sin(x2), 2.0, 5.0)
    >>> round(t.value, 3), [round(g, 3) for g in t.grads]
    (11.652, [5.5, 1.716])
    """
    n = len(args)
    input_names = names or [f"x{i + 1}" for i in range(n)]
    inputs = [Tensor(a, requires_grad=True) for a in args]
    label: dict[int, str] = {id(t): f"v_{i - n + 1}" for i, t in enumerate(inputs)}
    nodes: list[Tensor] = []

    def remember(t: Tensor) -> None:
        nodes.append(t)
        label[id(t)] = f"v_{len(nodes)}"

    with recording(remember), differentiating():
        y = f(*inputs)
    if not isinstance(y, Tensor) or y.value.size != 1:
        raise TypeError("trace(f, ...) needs f to return a scalar that depends on its inputs.")

    result = Trace(inputs=input_names)
    for t, nm in zip(inputs, input_names):
        result.forward.append(TraceRow(label[id(t)], nm, t.value))
    for t in nodes:
        result.forward.append(TraceRow(label[id(t)], _expression(t, label), t.value))
    result.forward.append(TraceRow("y", label.get(id(y), "?"), y.value))

    # Reverse sweep, written out: every use of v_j by a later v_k adds  v̄_k ∂v_k/∂v_j  to v̄_j.
    adjoint: dict[int, Any] = {id(y): np.ones_like(y.value)}
    terms: dict[int, list[str]] = {}
    result.adjoint.append(TraceRow(_bar(label[id(y)]), "ȳ", adjoint[id(y)]))
    for t in reversed(nodes):
        if id(t) not in adjoint:
            continue
        if t is not y:
            result.adjoint.append(TraceRow(_bar(label[id(t)]), " + ".join(terms[id(t)]),
                                           adjoint[id(t)]))
        for i, parent in t._parents():
            part = input_gradient(t, i, adjoint[id(t)])
            adjoint[id(parent)] = adjoint.get(id(parent), 0) + part
            terms.setdefault(id(parent), []).append(
                f"{_bar(label[id(t)])} {_partial(t, i, label)}")
    for t, nm in zip(reversed(inputs), reversed(input_names)):
        row = " + ".join(terms.get(id(t), ["0"]))
        result.adjoint.append(TraceRow(_bar(label[id(t)]), row, adjoint.get(id(t), 0.0)))
    result.adjoint += [TraceRow(f"∂y/∂{nm}", _bar(label[id(t)]), adjoint.get(id(t), 0.0))
                       for t, nm in zip(inputs, input_names)]
    result.value = y.value.item()
    result.grads = tuple(float(np.sum(adjoint.get(id(t), 0.0))) if t.value.size == 1
                         else adjoint.get(id(t), np.zeros_like(t.value)) for t in inputs)
    return result


def _bar(name: str) -> str:
    return name.replace("v_", "v̄_") if name.startswith("v_") else name + "̄"


def _arg_names(t: Tensor, label: dict[int, str]) -> list[str]:
    return [label.get(id(a), "?") if isinstance(a, Tensor) else _fmt(a) for a in t._args]


def _expression(t: Tensor, label: dict[int, str]) -> str:
    prim = t._prim
    names = _arg_names(t, label)
    a, b = (names + ["", ""])[:2]
    form = _FORMS.get(prim.name, f"{prim.symbol} {a}" if len(names) == 1 else
                      f"{prim.symbol}({', '.join(names)})")
    return form.format(a=a, b=b)


def _partial(t: Tensor, i: int, label: dict[int, str]) -> str:
    prim = t._prim
    names = _arg_names(t, label)
    a, b = (names + ["", ""])[:2]
    forms = _PARTIALS.get(prim.name)
    if forms is None or i >= len(forms):
        return f"∂{label[id(t)]}/∂{names[i]}"
    partial = forms[i].format(a=a, b=b, k=label[id(t)])
    return f"× {partial}" if partial not in ("1",) else "× 1"
