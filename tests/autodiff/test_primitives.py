"""Every primitive against central differences (float64) and against HIPS autograd, and forward
mode against reverse mode."""

from __future__ import annotations

import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import course
from course.autodiff.escapes import ConstantOutputWarning
from course.gradcheck import numeric_grad, rel_error

from autodiff_cases import CASES, weighted_scalar

IDS = [c.name for c in CASES]


def _loss(case):
    return lambda *xs: weighted_scalar(case.f(np, *xs))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_against_central_differences(case):
    xs = case.inputs()
    loss = _loss(case)
    for i in range(len(xs)):
        analytic = course.grad(loss, i)(*xs)
        numeric = numeric_grad(lambda xi: float(loss(*xs[:i], xi, *xs[i + 1:])), xs[i].copy())
        assert rel_error(analytic, numeric) < 1e-6, (case.name, i)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_against_autograd(case):
    if not case.autograd_ok:
        pytest.skip("HIPS autograd's own rule is wrong for this case; checked numerically only")
    xs = case.inputs(seed=3)
    ref = case.ref or case.f
    for i in range(len(xs)):
        ours = course.grad(lambda *a: weighted_scalar(case.f(np, *a)), i)(*xs)
        theirs = autograd.grad(lambda *a: weighted_scalar(ref(anp, *a)), i)(*xs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=case.name)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_mode_matches_reverse_mode(case):
    """<w, J v> from one jvp equals sum_i <grad_i (w . f), v_i> from reverse mode."""
    xs = case.inputs(seed=5)
    rng = np.random.default_rng(7)
    vs = tuple(rng.standard_normal(x.shape) for x in xs)
    value, tangent = course.jvp(lambda *a: case.f(np, *a), tuple(xs), vs)
    np.testing.assert_allclose(value, case.f(np, *xs).value if hasattr(case.f(np, *xs), "value")
                               else case.f(np, *xs))
    w = np.random.default_rng(1).standard_normal(np.shape(tangent))
    forward = float(np.sum(np.asarray(tangent) * w))
    grads = course.grad(lambda *a: weighted_scalar(case.f(np, *a)), tuple(range(len(xs))))(*xs)
    reverse = sum(float(np.sum(g * v)) for g, v in zip(grads, vs))
    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-12), case.name


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_second_order_matches_differences_of_the_gradient(case):
    """grad(grad) through every rule: a rule that reads the output ``ans`` must see it as a
    function of the inputs, not as a constant (logsumexp once got diag(p) for its Hessian)."""
    xs = case.inputs(seed=13)
    loss = _loss(case)
    rng = np.random.default_rng(17)
    for i in range(len(xs)):
        v = rng.standard_normal(xs[i].shape)
        with warnings.catch_warnings():  # linear in x: the gradient is constant, hv is 0
            warnings.simplefilter("ignore", ConstantOutputWarning)
            hv = course.hvp(loss, i)(*xs, v)
        g = course.grad(loss, i)
        at = lambda t: g(*xs[:i], xs[i] + t * v, *xs[i + 1:])
        fd = (at(1e-5) - at(-1e-5)) / 2e-5
        assert rel_error(hv, fd) < 1e-5, (case.name, i)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float32_gradients_keep_their_dtype(case):
    xs = case.inputs(seed=11, dtype=np.float32)
    grads = course.grad(lambda *a: weighted_scalar(case.f(np, *a)), tuple(range(len(xs))))(*xs)
    exact = course.grad(lambda *a: weighted_scalar(case.f(np, *a)), tuple(range(len(xs))))(
        *[x.astype(np.float64) for x in xs])
    for g, e in zip(grads, exact):
        assert g.dtype == np.float32, case.name
        np.testing.assert_allclose(g, e, rtol=2e-3, atol=2e-4, err_msg=case.name)


def test_every_table_entry_is_tested():
    """A new primitive in the table must come with a case here."""
    from course.autodiff.rules import PRIMITIVES
    covered = {"add", "subtract", "multiply", "divide", "power", "negative", "exp", "log", "sin",
               "cos", "tan", "tanh", "sqrt", "absolute", "square", "log1p", "expm1", "maximum",
               "minimum", "matmul", "sum", "mean", "max", "min", "reshape", "transpose",
               "getitem", "concatenate", "stack", "where", "clip", "broadcast_to",
               "softmax_cross_entropy", "logsumexp", "relu", "sigmoid", "flip", "tile", "pad",
               "einsum", "inv", "det", "solve", "cumsum", "prod", "norm", "float_power",
               "copy"}
    # identity, cast and index_add are exercised by the higher-order and dtype tests
    assert set(PRIMITIVES) - covered == {"identity", "cast", "index_add"}
