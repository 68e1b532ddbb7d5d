"""Pictures of the computational graph as SVG (no graphviz binary needed).

Nodes are placed in columns by their depth from the inputs. An edge between neighbouring
columns is a straight line through the free space between them; an edge that skips columns runs
along the free lane between two rows, so no edge ever crosses a node's box. Hovering over a node
shows its value and its adjoint (the derivative of the drawn output with respect to it),
computed when the picture is drawn; leaves also show ``.grad`` once a backward pass filled it.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np

from .tensor import Tensor, input_gradient, no_grad, toposort

_W, _H, _DX, _DY = 120, 40, 170, 64  # node box size and spacing, in pixels


class SVG:
    """An SVG document that Jupyter displays inline."""

    def __init__(self, text: str) -> None:
        self.svg = text

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.svg)


def _summary(a: Any) -> str:
    a = np.asarray(a)
    if a.size <= 6:
        return np.array2string(a, precision=4, separator=", ")
    return f"shape {a.shape}, mean {a.mean():.4g}, min {a.min():.4g}, max {a.max():.4g}"


def draw(y: Tensor, names: Mapping[str, Tensor] | None = None, max_nodes: int = 300) -> SVG:
    """Draw the graph that computed ``y``; ``names`` labels tensors, e.g. ``{"W1": W1}``.

    Call it before ``backward()`` (which frees the graph) or use ``backward(retain_graph=True)``.
    """
    if not isinstance(y, Tensor):
        raise TypeError(f"draw(y) needs a course.Tensor, got {type(y).__name__}.")
    label = {id(t): n for n, t in (names or {}).items()}
    order = list(reversed(toposort(y)))  # inputs first
    if len(order) > max_nodes:
        raise ValueError(f"draw: the graph has {len(order)} nodes; pictures are readable up to "
                         f"max_nodes={max_nodes}. Draw a smaller example or raise max_nodes.")
    depth: dict[int, int] = {}
    for t in order:
        if not t.is_leaf and t._args is None:
            raise ValueError("draw: this graph was freed by backward(); call "
                             "backward(retain_graph=True) to draw it afterwards.")
        depth[id(t)] = 1 + max((depth[id(p)] for _, p in t._parents()), default=-1)
    columns: dict[int, list[Tensor]] = {}
    for t in order:
        columns.setdefault(depth[id(t)], []).append(t)
    pos = {id(t): (20 + d * _DX, 20 + r * _DY) for d, col in columns.items() for r, t in enumerate(col)}
    width = 40 + (max(columns) + 1) * _DX
    height = 40 + max(len(c) for c in columns.values()) * _DY

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"font-family='sans-serif' font-size='12'>",
             "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
             "markerHeight='6' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker></defs>"]
    for t in order:
        for _, p in t._parents():
            points = _route(pos[id(p)], pos[id(t)])
            path = " ".join(f"{x:g},{yy:g}" for x, yy in points)
            parts.append(f"<polyline points='{path}' fill='none' stroke='#555' "
                         f"marker-end='url(#arrow)'/>")
    adjoint = _adjoints(y, order)
    for t in order:
        x, yy = pos[id(t)]
        if t.is_leaf:
            title, fill = label.get(id(t), "input"), "#dbeafe"
        else:
            title, fill = t._prim.name, "#fef3c7"
            if id(t) in label:
                title = f"{label[id(t)]} = {title}"
        if t is y:
            fill = "#dcfce7"
        tip = f"{title}\nvalue: {_summary(t.value)}"
        if id(t) in adjoint:
            tip += f"\nadjoint (d output / d this): {_summary(adjoint[id(t)])}"
        if t.is_leaf and t.grad is not None:
            tip += f"\ngrad: {_summary(t.grad)}"
        parts.append(
            f"<g><title>{html.escape(tip)}</title>"
            f"<rect x='{x}' y='{yy}' width='{_W}' height='{_H}' rx='6' fill='{fill}' stroke='#333'/>"
            f"<text x='{x + _W / 2}' y='{yy + 16}' text-anchor='middle'>{html.escape(title)}</text>"
            f"<text x='{x + _W / 2}' y='{yy + 32}' text-anchor='middle' fill='#555'>"
            f"{html.escape(str(t.shape) if t.ndim else _summary(t.value))}</text></g>")
    parts.append("</svg>")
    return SVG("\n".join(parts))


def _route(start: tuple[float, float], end: tuple[float, float]) -> list[tuple[float, float]]:
    """Corner points of the edge from the box at ``start`` to the box at ``end`` (top-left
    corners). Columns are ``_DX`` apart with boxes ``_W`` wide, rows ``_DY`` apart with boxes
    ``_H`` high: the strip between two columns and the lane between two rows hold no box."""
    (x1, y1), (x2, y2) = start, end
    a, b = (x1 + _W, y1 + _H / 2), (x2, y2 + _H / 2)
    if x2 - x1 <= _DX:  # neighbouring columns: the straight line stays in the free strip
        return [a, b]
    gap = (_DX - _W) / 2                   # the middle of the free strip after a column
    lane = max(y1, y2) + _H + (_DY - _H) / 2  # the free lane below the lower of the two rows
    return [a, (a[0] + gap, a[1]), (a[0] + gap, lane), (x2 - gap, lane), (x2 - gap, b[1]), b]


def _adjoints(y: Tensor, order: list[Tensor]) -> dict[int, Any]:
    """d y / d t for every node t of the graph (y summed if it is not a scalar)."""
    adjoint: dict[int, Any] = {id(y): np.ones_like(y.value)}
    with no_grad():
        for t in reversed(order):  # the output first
            if t.is_leaf or id(t) not in adjoint:
                continue
            for i, p in t._parents():
                part = input_gradient(t, i, adjoint[id(t)])
                adjoint[id(p)] = part if id(p) not in adjoint else adjoint[id(p)] + part
    return adjoint
