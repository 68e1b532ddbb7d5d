"""Errors people understand."""

from __future__ import annotations

import numpy as np
import pytest

import course
from course import Tensor


def test_shape_mismatch_names_operation_and_shapes():
    a = Tensor(np.ones((64, 784)), requires_grad=True)
    with pytest.raises(ValueError, match=r"matmul.*\(64, 784\).*\(100, 200\)"):
        a @ np.ones((100, 200))
    with pytest.raises(ValueError, match=r"add.*\(64, 784\).*\(3,\)"):
        a + np.ones(3)


def test_unsupported_numpy_function_is_named():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="numpy.arctan is not supported"):
        np.arctan(x)
    with pytest.raises(TypeError, match="numpy.cumprod is not supported"):
        np.cumprod(x)
    with pytest.raises(TypeError, match="numpy.linalg.eigh is not supported"):
        np.linalg.eigh(x.reshape(3, 1) * x)
    with pytest.raises(TypeError, match="out="):
        np.exp(x, out=np.empty(3))


def test_backward_on_non_scalar_says_what_to_do():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*y.sum\(\)"):
        y.backward()
    y.backward(np.ones(3))  # an explicit upstream gradient is fine


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (Tensor(2.0) * 3).backward()


def test_grad_of_vector_function_points_to_jacobian():
    with pytest.raises(TypeError, match="jacobian"):
        course.grad(lambda x: x * 2)(np.ones(3))


def test_grad_of_string_argument():
    with pytest.raises(TypeError, match="cannot differentiate"):
        course.grad(lambda s: 1.0)("abc")


def test_complex_values_rejected():
    with pytest.raises(TypeError, match="real numbers"):
        Tensor(np.ones(2, dtype=complex))


def test_non_differentiable_ufuncs_return_plain_arrays():
    x = Tensor(np.array([-1.5, 2.5]), requires_grad=True)
    assert isinstance(np.sign(x), np.ndarray)
    assert isinstance(np.floor(x), np.ndarray)
    assert np.argmax(x) == 1 and np.shape(x) == (2,)


def test_missing_methods_say_what_to_write_instead():
    x = Tensor(np.array([1.0, 3.0, 2.0]), requires_grad=True)
    with pytest.raises(AttributeError, match=r"np\.round\(x\)"):
        x.round()
    with pytest.raises(AttributeError, match=r"x\.value"):
        x.tolist()
    assert x.argmax() == 1 and x.argmin() == 0
    g = course.grad(lambda x: np.sum(x.copy() * x))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [2.0, 4.0])  # copy keeps the gradient


def test_grad_of_a_function_returning_a_tuple_says_so():
    # it once warned that the output did not depend on the inputs
    with pytest.raises(TypeError, match="returned a tuple of 2 values"):
        course.grad(lambda x: (np.sum(x), x))(np.ones(2))


def test_where_with_one_branch_is_a_clear_error():
    with pytest.raises(ValueError, match="give both x and y"):
        course.grad(lambda x: np.sum(np.where(x > 0, x)))(np.ones(2))


def test_euclidean_norm_with_ord_2_has_the_subgradient_0_at_0():
    for ord_ in (None, 2):
        np.testing.assert_array_equal(
            course.grad(lambda x: np.linalg.norm(x, ord=ord_))(np.zeros(3)), np.zeros(3))
