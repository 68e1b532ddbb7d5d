"""A softmax written out with numpy takes one derivative rule in the backward pass.

``e = np.exp(z - np.max(z, axis, keepdims=True)); p = e / np.sum(e, axis, keepdims=True)`` is
seven primitives; ``backprop`` recognises the pattern at the division and sends
``p (g - sum(g p))`` straight to ``z``. These tests check that every form of it is still
differentiated right (central differences, float64), that the parts keep their own uses
(fan-out), that anything that only looks like a softmax is left to the rules of its parts, and
that an in-place change after the forward pass turns the shortcut off.
"""

from __future__ import annotations

import numpy as np
import pytest

import course
import course.autodiff.tensor as engine
from course import Tensor
from course.gradcheck import numeric_grad, rel_error


@pytest.fixture
def fused_calls(monkeypatch):
    """How many times the backward pass took the softmax shortcut."""
    calls = []
    rule = engine._softmax_vjp

    def counted(*args):
        calls.append(args[2])
        return rule(*args)
    monkeypatch.setattr(engine, "_softmax_vjp", counted)
    return calls


def softmax(z, axis=-1, shift=True, keepdims_max=True, max_axis=None):
    if shift:
        z = z - np.max(z, axis=axis if max_axis is None else max_axis, keepdims=keepdims_max)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


RNG = np.random.default_rng(0)
Z = RNG.standard_normal((4, 5))
WEIGHTS = RNG.standard_normal((4, 5))
LABELS = np.array([0, 4, 2, 2])


def check(f, z=Z):
    analytic = course.grad(f)(z)
    np.testing.assert_allclose(analytic, numeric_grad(f, z.copy()), rtol=1e-6, atol=1e-8)
    return analytic


@pytest.mark.parametrize("axis", [0, 1, -1, None, (0, 1)])
@pytest.mark.parametrize("shift", [True, False])
def test_written_out_softmax_is_right_and_fused(fused_calls, axis, shift):
    check(lambda z: np.sum(softmax(z, axis, shift) * WEIGHTS))
    assert len(fused_calls) == 1


def test_the_notebook_cross_entropy_is_fused(fused_calls):
    def loss(z):
        scores = z - np.max(z, axis=1, keepdims=True)
        e = np.exp(scores)
        probs = e / np.sum(e, axis=1, keepdims=True)
        return np.sum(-np.log(probs[range(len(LABELS)), LABELS])) / len(LABELS)
    check(loss)
    assert len(fused_calls) == 1
    assert fused_calls[0] == (1,)


def test_method_forms_and_negative_axes_are_fused(fused_calls):
    def f(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return ((e / e.sum(axis=1, keepdims=True)) * WEIGHTS).sum()
    check(f)
    assert len(fused_calls) == 1


def test_ties_in_the_maximum(fused_calls):
    z = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, -1.0, 0.0]])
    check(lambda z: np.sum(softmax(z, 1) * np.arange(3.0)), z)
    assert len(fused_calls) == 1


@pytest.mark.parametrize("other_use", ["e", "s", "shifted", "max", "p"])
def test_parts_used_elsewhere_keep_their_gradients(fused_calls, other_use):
    def f(z):
        m = np.max(z, axis=1, keepdims=True)
        shifted = z - m
        e = np.exp(shifted)
        s = np.sum(e, axis=1, keepdims=True)
        p = e / s
        extra = {"e": e, "s": s, "shifted": shifted, "max": m, "p": p}[other_use]
        return np.sum(p * WEIGHTS) + np.sum(np.sin(extra))
    check(f)
    assert len(fused_calls) == 1


def test_a_max_over_other_axes_is_not_skipped(fused_calls):
    # z - max over axis 0, softmax over axis 1: the shift varies along the softmax's axis, so
    # it changes the result and its gradient must flow through the max's rule.
    check(lambda z: np.sum(softmax(z, axis=1, max_axis=0) * WEIGHTS))
    assert len(fused_calls) == 1  # the division still fuses, the shift's rules run


@pytest.mark.parametrize("form", ["no keepdims on the sum", "another array's sum",
                                  "a sum over other axes", "not an exponential"])
def test_lookalikes_take_the_rules_of_their_parts(fused_calls, form):
    def f(z):
        e = np.exp(z - np.max(z, axis=1, keepdims=True))
        if form == "no keepdims on the sum":
            p = e / np.sum(e, axis=1)[:, None]
        elif form == "another array's sum":
            p = e / np.sum(np.exp(z), axis=1, keepdims=True)
        elif form == "a sum over other axes":
            p = e / np.sum(e, axis=0, keepdims=True)
        else:
            q = z * z
            p = q / np.sum(q, axis=1, keepdims=True)
        return np.sum(p * WEIGHTS)
    analytic = check(f)
    fused_now = len(fused_calls)
    if form == "a sum over other axes":
        # A softmax over axis 0 of a shifted input: fused, with the shift's own rules
        assert fused_now == 1
    else:
        assert fused_now == 0
    assert np.all(np.isfinite(analytic))


def test_a_change_in_place_after_the_forward_pass_turns_it_off(fused_calls):
    def f(z):
        e = np.exp(z - np.max(z, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        e *= 3.0  # in place: nodes recorded before keep the old e
        return np.sum(p * WEIGHTS) + np.sum(e)
    check(f)
    assert fused_calls == []


def test_tensor_backward_and_second_order():
    z = Tensor(Z, requires_grad=True)
    p = softmax(z, axis=1)
    (p * WEIGHTS).sum().backward()
    expected = numeric_grad(lambda v: np.sum(softmax(v, axis=1) * WEIGHTS), Z.copy())
    assert rel_error(z.grad, expected) < 1e-7
    # Second order runs the rules on Tensors (no shortcut): the Hessian-vector product agrees
    # with differences of the gradient.
    v = RNG.standard_normal(Z.shape)
    f = lambda z: np.sum(softmax(z, axis=1) * WEIGHTS)  # noqa: E731
    hv = course.hvp(f)(Z, v)
    g = course.grad(f)
    h = 1e-5
    assert rel_error(hv, (g(Z + h * v) - g(Z - h * v)) / (2 * h)) < 1e-6


def test_float32_keeps_its_type():
    z32 = Z.astype(np.float32)
    g = course.grad(lambda z: np.sum(softmax(z, axis=1) * WEIGHTS))(z32)
    assert g.dtype == np.float32


def test_an_input_changed_in_place_afterwards_gets_its_gradient_as_it_was(fused_calls):
    def f(z):
        scores = z * 2.0
        p = softmax(scores, axis=1)
        scores += 1.0  # the softmax was computed from the old scores
        return np.sum(p * WEIGHTS) + np.sum(scores * scores)
    check(f)
    assert fused_calls == []
