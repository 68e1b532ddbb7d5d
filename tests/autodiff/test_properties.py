"""Property tests: random expression graphs with broadcasting, checked three ways."""

from __future__ import annotations

import autograd
import pytest
import autograd.numpy as anp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course
from course.gradcheck import numeric_grad

# Every input broadcasts against (2, 3); the last one is a (3, 3) matrix used by matmul.
SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]

UNARY = {
    "sin": lambda m, a: m.sin(a),
    "tanh": lambda m, a: m.tanh(a),
    "square": lambda m, a: a * a,
    "exp_tanh": lambda m, a: m.exp(m.tanh(a)),
    "log_1p_sq": lambda m, a: m.log(1.0 + a * a),
    "neg": lambda m, a: -a,
    "sum_keep": lambda m, a: m.sum(a, axis=-1, keepdims=True) if m.ndim(a) else a,
    "mean_all": lambda m, a: m.mean(a),
}
BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (1.0 + b * b),
    "pow": lambda m, a, b: (1.0 + a * a) ** m.tanh(b),
}
# an op is (kind, name, operand indices into the pool built so far)
op = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 50)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("m"), st.just("matmul"), st.integers(0, 50)),
)


@st.composite
def programs(draw):
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=4))
    ops = draw(st.lists(op, min_size=1, max_size=8))
    seed = draw(st.integers(0, 2 ** 16))
    return shapes, ops, seed


def run(program, m, inputs, matrix):
    shapes, ops, _ = program
    pool = list(inputs)
    for o in ops:
        if o[0] == "u":
            pool.append(UNARY[o[1]](m, pool[o[2] % len(pool)]))
        elif o[0] == "b":
            pool.append(BINARY[o[1]](m, pool[o[2] % len(pool)], pool[o[3] % len(pool)]))
        else:
            a = pool[o[2] % len(pool)]
            if m.ndim(a) >= 1 and m.shape(a)[-1] == 3:
                pool.append(m.tanh(a @ matrix))
    weights = np.random.default_rng(1).standard_normal((2, 3))
    total = 0.0
    for v in pool:
        total = total + m.sum(v * weights)  # every value broadcasts against (2, 3)
    return total


def make_inputs(program):
    shapes, _, seed = program
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes], rng.standard_normal((3, 3)) * 0.5


SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(programs())
def test_random_graphs_match_autograd(program):
    inputs, matrix = make_inputs(program)
    n = len(inputs)
    ours = course.grad(lambda *xs: run(program, np, xs[:-1], xs[-1]), tuple(range(n + 1)))(*inputs, matrix)
    theirs = autograd.grad(lambda *xs: run(program, anp, xs[:-1], xs[-1]), tuple(range(n + 1)))(*inputs, matrix)
    for a, b in zip(ours, theirs):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


@SETTINGS
@given(programs())
def test_random_graphs_match_central_differences(program):
    inputs, matrix = make_inputs(program)
    args = [np.asarray(x, dtype=float) for x in inputs] + [matrix]
    grads = course.grad(lambda *xs: run(program, np, xs[:-1], xs[-1]), tuple(range(len(args))))(*args)
    for i, g in enumerate(grads):
        def f(xi, i=i):
            return float(run(program, np, [*args[:i], xi, *args[i + 1:]][:-1],
                             ([*args[:i], xi, *args[i + 1:]])[-1]))
        numeric = numeric_grad(f, args[i].copy().reshape(np.shape(args[i])))
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(programs(), st.integers(0, 1000))
def test_random_graphs_forward_mode_matches_reverse(program, vseed):
    inputs, matrix = make_inputs(program)
    args = [np.asarray(x, dtype=float) for x in inputs] + [matrix]
    rng = np.random.default_rng(vseed)
    vs = tuple(rng.standard_normal(np.shape(a)) for a in args)
    f = lambda *xs: run(program, np, xs[:-1], xs[-1])  # noqa: E731
    _, tangent = course.jvp(f, tuple(args), vs)
    grads = course.grad(f, tuple(range(len(args))))(*args)
    reverse = sum(float(np.sum(g * v)) for g, v in zip(grads, vs))
    np.testing.assert_allclose(tangent, reverse, rtol=1e-9, atol=1e-10)


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
@pytest.mark.filterwarnings("ignore::course.autodiff.ConstantOutputWarning")  # linear chains
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(sorted(UNARY)), min_size=1, max_size=5), st.floats(-2, 2))
def test_second_derivatives_of_random_scalar_chains_match_autograd(names, x):
    def chain(m, v):
        for name in names:
            v = UNARY[name](m, v)
        return v
    ours = course.grad(course.grad(lambda v: chain(np, v)))(x)
    theirs = autograd.grad(autograd.grad(lambda v: chain(anp, v)))(x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
