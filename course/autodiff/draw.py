"""Pictures of the computational graph as SVG (no graphviz binary needed).

Nodes are placed in columns by their depth from the inputs; hovering over a node shows its
value and, after ``backward(retain_graph=True)``, the gradient of the leaves.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np

from .tensor import Tensor, toposort

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
        x2, y2 = pos[id(t)]
        for _, p in t._parents():
            x1, y1 = pos[id(p)]
            parts.append(f"<line x1='{x1 + _W}' y1='{y1 + _H / 2}' x2='{x2}' y2='{y2 + _H / 2}' "
                         f"stroke='#555' marker-end='url(#arrow)'/>")
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
        if t.grad is not None:
            tip += f"\ngrad: {_summary(t.grad)}"
        parts.append(
            f"<g><title>{html.escape(tip)}</title>"
            f"<rect x='{x}' y='{yy}' width='{_W}' height='{_H}' rx='6' fill='{fill}' stroke='#333'/>"
            f"<text x='{x + _W / 2}' y='{yy + 16}' text-anchor='middle'>{html.escape(title)}</text>"
            f"<text x='{x + _W / 2}' y='{yy + 32}' text-anchor='middle' fill='#555'>"
            f"{html.escape(str(t.shape) if t.ndim else _summary(t.value))}</text></g>")
    parts.append("</svg>")
    return SVG("\n".join(parts))
