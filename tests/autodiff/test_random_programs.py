"""Random numpy programs, differentiated unchanged and refereed by central differences.

Each program draws operations from a vocabulary of everyday numpy: reductions with ``axis``
(negative or positive), ``keepdims``, ``initial``, ``where``; permutations with negative axes;
``clip`` with array bounds; integer and boolean constants mixed in (integer arrays, masks,
``astype(int)``); joins, pads, tiles, einsum, norms, linear solves.  The same code runs on plain
float64 arrays for the central differences, so the referee shares no code with the engine
(HIPS autograd would not do: it has the negative-axes transpose bug, among others).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course
from course.gradcheck import numeric_grad

SHAPES = [(3,), (2, 3), (3, 1), (2, 3, 2), (4,), (1, 3)]
MAX_SIZE = 60  # operations that would make a value larger are skipped


def _axis(v: Any, r: int) -> int:
    """An axis of v, negative half of the time."""
    n = np.ndim(v)
    return r % (2 * n) - n


def _perm(v: Any, r: int) -> tuple[int, ...]:
    """A permutation of v's axes, some written as negative numbers."""
    n = np.ndim(v)
    order = list(np.random.default_rng(r).permutation(n))
    return tuple(int(a) - n if (r >> k) & 1 else int(a) for k, a in enumerate(order))


def _bounded(v: Any) -> Any:
    return np.tanh(v)


def _reduce(name: str) -> Callable[..., Any]:
    def op(a, b, r, s, t):
        if np.ndim(a) == 0:
            return None
        kwargs: dict[str, Any] = {"axis": _axis(a, r), "keepdims": bool(s & 1)}
        if name in ("sum", "max", "min", "prod") and s & 2:
            kwargs["initial"] = 0.25 * (t % 7 - 3)
        if name in ("sum", "mean") and s & 4:
            where = np.random.default_rng(t).random(np.shape(a)) > 0.3
            if not where.any(axis=kwargs["axis"]).all():
                return None  # an empty mean is NaN in numpy too
            kwargs["where"] = where
        if name in ("max", "min") and s & 4 and "initial" in kwargs:
            kwargs["where"] = np.random.default_rng(t).random(np.shape(a)) > 0.3
        x = _bounded(a) if name == "prod" else a
        return getattr(np, name)(x, **kwargs)
    return op


def _plain(v: Any) -> np.ndarray:
    return np.asarray(v.value if isinstance(v, course.Tensor) else v)


def _std(a, b, r, s, t):
    if np.ndim(a) == 0:
        return None
    axis = _axis(a, r)
    if np.shape(a)[axis] < 2 or np.min(np.var(_plain(a), axis=axis)) < 1e-3:
        return None  # sqrt at 0 has no derivative (e.g. after a clip made a row constant)
    keyword = {"correction": 1} if s & 1 else {"ddof": s & 2 and 1}
    return np.std(a, axis=axis, keepdims=bool(s & 4), **keyword)


def _clip(a, b, r, s, t):
    lo = -0.5 + 0.1 * (r % 5)
    if s & 1 and np.shape(b) and _broadcasts(a, b):
        return np.clip(a, b * 0.5 - 1.0, None) if s & 2 else np.clip(a, None, b * 0.5 + 1.0)
    return np.clip(a, min=lo, max=lo + 0.8) if s & 2 else np.clip(a, lo, lo + 0.8)


def _broadcasts(a: Any, b: Any) -> bool:
    try:
        np.broadcast_shapes(np.shape(a), np.shape(b))
        return True
    except ValueError:
        return False


def _binary(f: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def op(a, b, r, s, t):
        return f(a, b) if _broadcasts(a, b) else None
    return op


def _mixed_dtype(a, b, r, s, t):
    """Integer arrays, booleans and integer casts are constants in the derivative."""
    shape = np.shape(a)
    ints = np.random.default_rng(t).integers(-3, 4, shape)
    if s % 3 == 0:
        return a * ints + (a > 0.1)
    if s % 3 == 1:
        return a * (2.5 * a).astype(int) + a.astype(bool) * 1
    return (a * 2 + np.int64(3)) / np.int32(2) + ints.astype(np.float64) ** 2


def _join(a, b, r, s, t):
    if np.ndim(a) == 0 or 2 * np.size(a) > MAX_SIZE:
        return None
    other = np.sin(a)
    axis = _axis(a, r)
    if s % 3 == 0:
        return np.concatenate([a, other], axis=axis)
    if s % 3 == 1:
        return np.stack([a, other], axis=r % (2 * np.ndim(a) + 2) - np.ndim(a) - 1)
    return np.concatenate([a, other], axis=None)


def _grow(a, b, r, s, t):
    if np.ndim(a) == 0 or 4 * np.size(a) > MAX_SIZE:
        return None
    if s % 2:
        return np.tile(a, (2,) * (1 + r % 2))
    return np.pad(a, 1, constant_values=0.5 * (t % 3))


def _shape(a, b, r, s, t):
    n = np.ndim(a)
    if n == 0:
        return None
    choice = s % 5
    if choice == 0:
        return np.transpose(a, _perm(a, r))
    if choice == 1:
        return np.moveaxis(a, _axis(a, r), _axis(a, t))
    if choice == 2:
        return np.swapaxes(a, _axis(a, r), _axis(a, t))
    if choice == 3:
        return np.flip(a, axis=_axis(a, r)) if t & 1 else np.flip(a)
    return np.ravel(a) if t & 1 else a.reshape(-1, 1)


def _linear(a, b, r, s, t):
    rng = np.random.default_rng(t)
    if np.ndim(a) == 0:
        return None
    n = np.shape(a)[-1]
    M = np.eye(n) * 2 + rng.standard_normal((n, n)) * 0.3
    choice = s % 4
    if choice == 0:
        return a @ M
    if choice == 1:
        if np.ndim(a) > 3:  # the subscripts below are written out for up to 3 axes
            return None
        return np.einsum("...j,jk->...k".replace("...", "i" if np.ndim(a) == 2 else "")
                         if np.ndim(a) <= 2 else "ijk,kl->ijl", a, M)
    if choice == 2:
        return np.linalg.norm(a, axis=_axis(a, r), keepdims=bool(t & 1))
    if np.ndim(a) != 1:
        return None
    return np.linalg.solve(M, a) if t & 1 else np.linalg.inv(M + np.outer(_bounded(a), a) * 0.1)


def _cumulative(a, b, r, s, t):
    if np.ndim(a) == 0:
        return None
    return np.cumsum(a, axis=_axis(a, r)) if s & 1 else np.cumsum(a)


def _select(a, b, r, s, t):
    if not _broadcasts(a, b):
        return None
    return np.where(a > 0.1 * (r % 5 - 2), a, b * b)


OPS: dict[str, Callable[..., Any]] = {
    "sum": _reduce("sum"), "mean": _reduce("mean"), "max": _reduce("max"),
    "min": _reduce("min"), "prod": _reduce("prod"), "std": _std, "clip": _clip,
    "add": _binary(lambda a, b: a + b), "mul": _binary(lambda a, b: a * b),
    "div": _binary(lambda a, b: a / (1.0 + b * b)),
    "pow": _binary(lambda a, b: (1.0 + a * a) ** np.tanh(b)),
    "max2": _binary(np.maximum),
    "tanh": lambda a, b, r, s, t: np.tanh(a), "exp": lambda a, b, r, s, t: np.exp(_bounded(a)),
    "log": lambda a, b, r, s, t: np.log1p(a * a), "sqrt": lambda a, b, r, s, t: np.sqrt(1 + a * a),
    "mixed": _mixed_dtype, "join": _join, "grow": _grow, "shape": _shape, "linear": _linear,
    "cumsum": _cumulative, "where": _select,
}


def run(program: tuple, inputs: list) -> Any:
    _, ops, _ = program
    pool = list(inputs)
    for name, i, j, r, s, t in ops:
        value = OPS[name](pool[i % len(pool)], pool[j % len(pool)], r, s, t)
        if value is not None and np.size(value) <= MAX_SIZE:
            pool.append(value)
    total = 0.0
    for k, v in enumerate(pool):
        w = np.random.default_rng(k).standard_normal(np.shape(v))
        total = total + np.sum(v * w)
    return total


operation = st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 50), st.integers(0, 50),
                      st.integers(0, 2 ** 12), st.integers(0, 2 ** 12), st.integers(0, 2 ** 12))
programs = st.tuples(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3),
                     st.lists(operation, min_size=1, max_size=7), st.integers(0, 2 ** 16))


@settings(max_examples=500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs)
def test_random_numpy_programs_match_central_differences(program):
    shapes, _, seed = program
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal(shape) for shape in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", course.autodiff.ConstantOutputWarning)
        grads = course.grad(lambda *xs: run(program, list(xs)), tuple(range(len(inputs))))(*inputs)
    for i, g in enumerate(grads):
        def f(xi, i=i):
            return float(run(program, [*inputs[:i], xi, *inputs[i + 1:]]))
        numeric = numeric_grad(f, inputs[i].copy())
        scale = max(1.0, float(np.max(np.abs(numeric))))
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-6 * scale,
                                   err_msg=f"input {i} of program {program}")


def test_the_vocabulary_runs_on_tensors():
    """Every operation is exercised at least once with a Tensor (guards against a silent
    None from an op that never applies)."""
    x = course.Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    y = course.Tensor(np.random.default_rng(1).standard_normal((3,)), requires_grad=True)
    applied = {name for name, op in OPS.items()
               if any(op(x, y, r, s, 5) is not None for r in range(4) for s in range(8))}
    assert applied == set(OPS)


@pytest.mark.parametrize("name", ["std", "clip", "mixed", "linear"])
def test_vocabulary_entries_are_differentiable_here(name):
    x = np.random.default_rng(2).standard_normal((2, 3))
    program = ((), [(name, 0, 0, 1, 3, 5)], 0)
    g = course.grad(lambda v: run(program, [v]))(x)
    numeric = numeric_grad(lambda v: float(run(program, [v])), x.copy())
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-6)
