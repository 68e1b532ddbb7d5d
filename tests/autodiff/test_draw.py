"""Graph pictures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import course
from course import Tensor


def test_draw_is_valid_svg_with_values_and_grads_on_hover():
    W = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    x = np.array([1.0, 2.0])
    y = np.tanh(W @ x).sum()
    y.backward(retain_graph=True)
    svg = course.draw(y, names={"W": W}).svg
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert len(titles) == 4  # W, matmul, tanh, sum
    w_tip = next(t for t in titles if t.startswith("W"))
    assert "value" in w_tip and "grad" in w_tip
    assert any(t.startswith("tanh") for t in titles)
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 3


def test_draw_after_freeing_explains():
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(ValueError, match="retain_graph"):
        course.draw(y)


def _boxes_and_edges(svg: str):
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    boxes = [(float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
             for r in root.iter(ns + "rect")]
    edges = [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
             for line in root.iter(ns + "polyline")]
    return boxes, edges


def _crosses(p, q, box, margin=0.5):
    """Whether the segment p-q passes through the inside of the box (sampled finely)."""
    x, y, w, h = box
    for k in range(1, 400):
        t = k / 400
        px, py = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
        if x + margin < px < x + w - margin and y + margin < py < y + h - margin:
            return True
    return False


def test_no_edge_crosses_a_box_in_the_lecture_graph():
    # ln(x1) + x1 x2 - sin(x2): the edge from sin (column 1) to the subtraction (column 3)
    # once ran straight through the box of the addition (column 2).
    x1, x2 = Tensor(2.0, requires_grad=True), Tensor(5.0, requires_grad=True)
    y = np.log(x1) + x1 * x2 - np.sin(x2)
    boxes, edges = _boxes_and_edges(course.draw(y, names={"x1": x1, "x2": x2}).svg)
    assert len(edges) == 8  # log, 2 for the product, 2 for +, sin, 2 for -
    for points in edges:
        inner = [b for b in boxes if not any(_on_border(pt, b) for pt in (points[0], points[-1]))]
        for p, q in zip(points, points[1:]):
            assert not any(_crosses(p, q, b) for b in inner), (points, boxes)


def _on_border(point, box):
    x, y, w, h = box
    return x - 0.01 <= point[0] <= x + w + 0.01 and y - 0.01 <= point[1] <= y + h + 0.01


def test_hover_shows_every_nodes_adjoint():
    x1, x2 = Tensor(2.0, requires_grad=True), Tensor(5.0, requires_grad=True)
    y = np.log(x1) + x1 * x2 - np.sin(x2)
    root = ET.fromstring(course.draw(y, names={"x1": x1, "x2": x2}).svg)
    tips = {t.text.split("\n")[0]: t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    adjoint = {name: float(tip.split("adjoint (d output / d this): ")[1].split("\n")[0])
               for name, tip in tips.items()}
    # The lecture's (5.5, 1.716), shown to 4 significant digits.
    assert adjoint["x1"] == pytest.approx(1 / 2 + 5, rel=1e-4)
    assert adjoint["x2"] == pytest.approx(2 - np.cos(5.0), rel=1e-4)
    assert adjoint["sin"] == pytest.approx(-1.0) and adjoint["log"] == pytest.approx(1.0)
    assert adjoint["subtract"] == pytest.approx(1.0)
    assert all("adjoint" in tip for tip in tips.values())
    assert x1.grad is None  # drawing does not run backward() on the user's tensors
