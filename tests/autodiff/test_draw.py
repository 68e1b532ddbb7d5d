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
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) == 3


def test_draw_after_freeing_explains():
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(ValueError, match="retain_graph"):
        course.draw(y)
