"""Graph mechanics: deep chains, fan-out, weight sharing, accumulation, freeing, no_grad."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

import course
from course import Tensor


def test_ten_thousand_node_chain_needs_no_recursion():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    assert sys.getrecursionlimit() < 20_000 * 2  # the chain is deeper than Python's limit allows
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 10_000, rel=1e-9)


def test_fan_out_gradients_are_summed():
    x = Tensor(3.0, requires_grad=True)
    a = x * x       # used twice below
    y = a + a * x + np.sin(a)
    y.backward()
    expected = 2 * 3.0 + 3 * 3.0 ** 2 + np.cos(9.0) * 2 * 3.0
    assert x.grad == pytest.approx(expected)


def test_weight_sharing_in_a_loop():
    """The same weight used at every step of an unrolled recurrence (the Scala seed's bug)."""
    rng = np.random.default_rng(0)
    W0 = rng.standard_normal((3, 3)) * 0.5
    h0 = rng.standard_normal(3)

    def unrolled(W):
        h = h0
        for _ in range(5):
            h = np.tanh(W @ h)
        return np.sum(h)

    g = course.grad(unrolled)(W0)
    assert course.gradcheck.check_grad(unrolled, W0, g).passed


def test_leaf_gradients_accumulate_until_zeroed():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    (w * 3.0).sum().backward()
    np.testing.assert_allclose(w.grad, [2 + 3, 4 + 3])
    w.zero_grad()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [2, 4])


def test_gradients_are_not_aliased_between_leaves():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10
    np.testing.assert_allclose(b.grad, 1.0)


def test_graph_is_freed_after_backward_unless_retained():
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(8.0)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_nodes_form_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Tensor(np.ones(4), requires_grad=True)
        y = np.tanh(x * 2.0).sum()
        ref = weakref.ref(y)
        del y
        assert ref() is None  # freed by reference counting alone, without the cycle collector
    finally:
        gc.enable()


def test_no_grad_records_nothing():
    x = Tensor(np.ones(3), requires_grad=True)
    with course.no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf
    assert course.is_grad_enabled()

    @course.no_grad()
    def update(t):
        return t * 2
    assert not update(x).requires_grad


def test_constants_get_no_gradient_and_integer_inputs_become_float():
    x = Tensor(np.arange(3), requires_grad=True)
    assert x.dtype == np.float64
    (x * np.arange(3)).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 1.0, 2.0])
    assert course.grad(lambda n: n ** 2)(3) == pytest.approx(6.0)
    assert isinstance(course.grad(lambda n: n ** 2)(3), float)
    assert course.grad(lambda v: np.sum(v * v))(np.array([1, 2])).dtype == np.float64


def test_comparisons_give_masks_not_gradients():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    mask = x > 0
    assert isinstance(mask, np.ndarray) and mask.dtype == bool
    y = (x * mask).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, [0.0, 1.0])


def test_output_independent_of_input_has_zero_gradient_and_a_warning():
    with pytest.warns(course.autodiff.ConstantOutputWarning, match="does not depend on its inputs"):
        assert course.grad(lambda x: 3.0)(np.ones(2)).tolist() == [0.0, 0.0]


def test_float32_stays_float32():
    W = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    x = np.ones((4, 3), dtype=np.float32)
    loss = course.softmax_cross_entropy(course.relu(x @ W), np.array([0, 1, 0, 1]))
    assert loss.dtype == np.float32
    loss.backward()
    assert W.grad.dtype == np.float32


def test_grad_pauses_the_cycle_collector_only_while_it_runs():
    """The graph holds no cycles, so grad may pause the collector; it must restore its state,
    also when f raises."""
    seen = []

    def f(x):
        seen.append(gc.isenabled())
        return (x * x).sum()
    assert gc.isenabled()
    course.grad(f)(np.ones(2))
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        course.grad(lambda x: 1 / 0)(np.ones(2))
    assert gc.isenabled()
    gc.disable()
    try:
        course.grad(f)(np.ones(2))
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_deep_graphs_are_freed_by_reference_counting():
    gc.collect()
    gc.disable()
    try:
        x = Tensor(0.5, requires_grad=True)
        y = x
        for _ in range(1000):
            y = np.sin(y) * 1.0001
        ref = weakref.ref(y)
        del y
        assert ref() is None  # no node of the chain is part of a reference cycle
    finally:
        gc.enable()


def test_value_is_always_a_numpy_array():
    x = Tensor(2.0, requires_grad=True)
    loss = (x * 3.0).sum()
    assert isinstance(loss.value, np.ndarray) and loss.value is loss.value
    loss.backward()
    assert x.grad == 3.0


def test_views_of_a_long_lived_tensor_are_not_kept_forever():
    """A data set or a parameter sliced at every step: the list of its live views (kept so that
    an in-place change can update them) must not grow with every slice ever taken."""
    X = Tensor(np.ones((100, 3)))
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    for step in range(5000):
        batch = X[step % 90:step % 90 + 10]
        loss = (batch @ W[:, 0]).sum()
        loss.backward()
    assert len(X._views) < 64 and len(W._views) < 64
    kept = [X[i] for i in range(100)]  # views still alive are all kept
    assert sum(ref() is not None for ref in X._views) >= len(kept)
