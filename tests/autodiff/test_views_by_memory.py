"""numpy decides by memory layout whether a result is a view; the engine follows it.

A view follows an in-place change of its base (numpy's semantics), a copy keeps its values. The
engine used to decide by the function (every reshape a view), so a reshape that numpy copies
(of a transposed array) changed with its base, and an in-place change of such a copy was refused
as "a view". Each case compares value and gradient with numpy and central differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import course
from course import Tensor
from course.gradcheck import numeric_grad

C = np.arange(12.0)
X = np.arange(12.0).reshape(3, 4) / 7.0 + 0.3


def transposed_reshape_is_a_copy(x):
    h = x * 1.0
    t = h.T.reshape(-1)  # numpy copies: h.T is not contiguous
    h *= 2.0
    return np.sum(t * C)


def fortran_ravel_is_a_copy(x):
    h = x * 1.0
    t = np.ravel(h, order="F")
    h += 1.0
    return np.sum(t * C)


def contiguous_reshape_is_a_view(x):
    h = x * 1.0
    t = h.reshape(-1)  # a view: follows the change of h
    h *= 3.0
    return np.sum(t * C)


def boolean_scalar_index_is_a_copy(x):
    h = x * 1.0
    t = h[True]
    h += 10.0
    return np.sum(t * t)


def copy_method_is_c_ordered(x):
    z = x.T.copy()  # C-ordered, as ndarray.copy: z.T.reshape(-1) is then a copy
    y = z.T.reshape(-1)
    y *= 2.0
    return np.sum(z * z)


def in_place_on_a_reshaped_copy(x):
    t = (x * 1.0).T.reshape(-1)
    t *= 2.0  # a copy: allowed, as in numpy
    return np.sum(t * C)


CASES = [transposed_reshape_is_a_copy, fortran_ravel_is_a_copy, contiguous_reshape_is_a_view,
         boolean_scalar_index_is_a_copy, copy_method_is_c_ordered, in_place_on_a_reshaped_copy]


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_value_and_gradient_follow_numpys_memory_layout(f):
    value, g = course.value_and_grad(f)(X)
    assert value == pytest.approx(f(X.copy()), rel=1e-12)
    np.testing.assert_allclose(g, numeric_grad(f, X.copy()), rtol=1e-6, atol=1e-8)


def test_a_parameter_owns_its_memory():
    a = np.array([1.0, 2.0, 3.0])
    w = Tensor(a, requires_grad=True)
    y = (w * w).sum()
    a *= 10  # the caller's array changes: the recorded values must not
    y.backward()
    np.testing.assert_allclose(w.grad, [2.0, 4.0, 6.0])
    with course.no_grad():
        w.value -= 1.0  # an update of the parameter leaves the caller's array alone
    np.testing.assert_allclose(a, [10.0, 20.0, 30.0])


def test_a_constant_shares_a_whole_array():
    data = np.ones((1000, 10))
    assert np.shares_memory(Tensor(data).value, data)  # a data set is not copied


A = np.arange(6.0).reshape(2, 3)


def doubled_through_a_reshape_view(x):
    y = x.reshape(-1)
    y *= 2.0  # a view of x: numpy doubles x
    return np.sum(x * x)


def doubled_through_a_view_of_a_copy(x):
    z = np.copy(x.T)
    y = z.T.reshape(-1)
    y *= 2.0
    return np.sum(z * z)


@pytest.mark.parametrize("f", [doubled_through_a_reshape_view, doubled_through_a_view_of_a_copy])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_forward_mode_tangents_follow_the_values_layout(f, layout):
    x = A if f is doubled_through_a_reshape_view else A.T.copy()
    v = np.asarray(np.arange(1.0, 1.0 + x.size).reshape(x.shape), order=layout)
    value, tangent = course.jvp(f, x.copy(), v)
    assert value == pytest.approx(f(x.copy()))
    # f changes its argument in place: the differences each get a fresh copy
    expected = np.sum(numeric_grad(lambda w: f(w.copy()), x.copy()) * v)
    assert tangent == pytest.approx(expected, rel=1e-6)


def in_place_keeps_a_fortran_layout(x):
    h = x.T * 1.0  # F-ordered, as numpy keeps x.T's layout
    h -= np.ones((4, 3))  # in place: numpy keeps h's memory and layout
    v = h.T.reshape(-1)  # h.T is C-contiguous: a view
    h *= 2.0  # v doubles too
    return np.sum(v * C)


def copy_order_a_of_a_strided_array(x):
    h = (x * 1.0)[:, ::2].T.copy(order="A")  # neither C nor F contiguous: numpy copies in C
    v = h.reshape(-1)  # a view
    h *= 2.0
    return np.sum(v * np.arange(6.0))


@pytest.mark.parametrize("f", [in_place_keeps_a_fortran_layout, copy_order_a_of_a_strided_array])
def test_layouts_after_in_place_changes_and_copies(f):
    value, g = course.value_and_grad(f)(X)
    assert value == pytest.approx(f(X.copy()), rel=1e-12)
    np.testing.assert_allclose(g, numeric_grad(f, X.copy()), rtol=1e-6, atol=1e-8)


def test_a_view_of_a_relaid_base_stays_a_view():
    def f(x):
        h = x.T * 1.0
        w = h.T.reshape(-1)  # a view of h
        h += np.ones((4, 3))
        w *= 2.0  # numpy would change h too: refused, as for every view
        return np.sum(h * h)
    with pytest.raises(RuntimeError, match="view"):
        course.grad(f)(X)


def test_a_copy_after_backward_may_change_in_place():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x[:, [0, 2]]  # fancy indexing copies
    y.sum().backward()
    y *= 2
    np.testing.assert_allclose(y.value, [[0.0, 4.0], [6.0, 10.0]])


def test_a_parameter_from_a_memmap_owns_its_memory(tmp_path):
    m = np.memmap(tmp_path / "w.dat", dtype=float, mode="w+", shape=(3,))
    m[:] = [1.0, 2.0, 3.0]
    w = Tensor(m, requires_grad=True)
    y = (w * w).sum()
    m *= 10
    y.backward()
    np.testing.assert_allclose(w.grad, [2.0, 4.0, 6.0])


def test_forward_mode_with_a_float32_tangent_follows_views():
    v = np.cos(np.arange(12.0)).reshape(3, 4)

    def f(x):
        r = x[0]
        r *= 2.0
        return np.sum(x * x)
    value, tangent = course.jvp(f, X.copy(), v.astype(np.float32))
    expected = np.sum(numeric_grad(lambda w: f(w.copy()), X.copy()) * v)
    assert tangent == pytest.approx(expected, rel=1e-5)


def test_a_writeable_view_of_a_read_only_array_survives_grad():
    b = np.arange(3.0)
    view = b[:2]
    b.flags.writeable = False
    other = np.ones(2)
    course.grad(lambda x: np.sum(x * view * other))(np.ones(2))
    assert view.flags.writeable and other.flags.writeable and not b.flags.writeable
