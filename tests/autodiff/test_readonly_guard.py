"""grad's read-only guard (the arrays a graph reads cannot be written while grad runs f) belongs
to the thread inside grad, and what the guard and the mask mark must not change: a scalar
loss's .numpy() and a detached mask. Found by attacking the guard with ordinary code."""

import threading

import numpy as np
import pytest

import course
from course.autodiff import Tensor


def _in_grad_in_another_thread(body):
    """Run ``body()`` in this thread while another thread is inside ``course.grad``."""
    inside, release = threading.Event(), threading.Event()

    def f(w):
        inside.set()
        release.wait(10)
        return np.sum(w * w)
    result = {}
    other = threading.Thread(target=lambda: result.setdefault("g", course.grad(f)(np.ones(3))))
    other.start()
    try:
        assert inside.wait(10)
        return body()
    finally:
        release.set()
        other.join(10)
        np.testing.assert_allclose(result["g"], [2.0, 2.0, 2.0])


def test_an_optimizer_step_in_a_thread_that_is_not_inside_grad_is_not_refused():
    """A training step (backward, then p.value -= lr * p.grad) next to a grad running in a
    background thread: the read-only guard belongs to the grad's own thread (it refused with
    'output array is read-only')."""
    W = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    data = np.array([1.0, 1.0, 2.0])

    def step():
        loss = np.sum(W * Tensor(data))
        loss.backward()
        W.value -= 0.5 * W.grad  # writes through .value, as course.nn.optim does
        data[0] = 4.0  # and a constant Tensor's array the other thread never saw
        return W.value.copy()
    np.testing.assert_allclose(_in_grad_in_another_thread(step), [0.5, 1.5, 2.0])
    assert W.value.flags.writeable and data.flags.writeable


def test_a_grad_in_a_second_thread_freezes_and_thaws_its_own_arrays():
    """Two grads at once in two threads: each still refuses writes into the arrays its own
    graph reads, and each caller's arrays are writeable when its grad returns."""
    buf = np.ones(2)

    def f(w):
        y = np.sum(w * buf)
        buf[0] = 5.0  # the backward pass reads buf: refused
        return y

    def body():
        with pytest.raises(ValueError, match="read-only"):
            course.grad(f)(np.ones(2))
        assert buf.flags.writeable  # before the other thread's grad ends
        x = np.array([1.0, 2.0])
        g = course.grad(lambda w: np.sum(np.exp(w) * Tensor(x)))(np.zeros(2))
        assert x.flags.writeable
        return g
    np.testing.assert_allclose(_in_grad_in_another_thread(body), [1.0, 2.0])


def test_numpy_of_a_scalar_result_is_still_a_float():
    """loss.numpy() of a 0-d result was the numpy float64 the engine keeps; routing it through
    .value turned it into a 0-d array (json.dumps(loss.numpy()) raised, isinstance(.., float)
    became False)."""
    import json
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = np.mean(w * w)
    assert isinstance(loss.numpy(), float) and loss.numpy() == 2.5
    assert json.dumps({"loss": loss.numpy()}) == '{"loss": 2.5}'

    def f(v):
        y = np.exp(v)
        total = np.sum(y)
        assert isinstance(total.numpy(), float)  # inside grad too
        with pytest.raises(ValueError, match="read-only"):
            y.numpy()[0] = 0.0  # an array result stays protected
        return total
    np.testing.assert_allclose(course.grad(f)(np.zeros(2)), [1.0, 1.0])


def test_a_detached_mask_still_indexes_as_the_mask():
    mask = np.array([True, False, True])
    x = Tensor(np.arange(3.0))
    np.testing.assert_array_equal(x[Tensor(mask).detach()].value, [0.0, 2.0])
