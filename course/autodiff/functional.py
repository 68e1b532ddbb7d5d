"""Functional interface in the style of HIPS autograd: ``grad(f)(x)`` returns df/dx.

Arguments may be arrays, floats, or (nested) tuples, lists and dicts of them; the gradient has
the same structure.  Nesting works (``grad(grad(f))``, ``hvp``) because a gradient computed
from inputs that are themselves being traced is built as a differentiable graph.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from . import rules as R
from .escapes import ConstantOutputWarning, differentiating, evaluating
from .tensor import Tensor, backprop, constants_frozen


# ---------------------------------------------------------------- nested containers
def flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """Leaves of a nested tuple/list/dict structure and a function rebuilding it."""
    kind = type(tree)
    if kind is list or kind is tuple:  # the common flat case, e.g. a network's (W1, b1, W2, b2)
        for v in tree:
            if isinstance(v, _CONTAINERS):
                break
        else:
            return list(tree), kind
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [flatten(tree[k]) for k in keys]
        return _join(parts, lambda children: type(tree)(zip(keys, children)))
    if isinstance(tree, (tuple, list)):
        parts = [flatten(v) for v in tree]
        return _join(parts, lambda children: type(tree)(children))
    return [tree], lambda leaves: leaves[0]


_CONTAINERS = (tuple, list, dict)


def _join(parts: list, build: Callable[[list], Any]) -> tuple[list, Callable[[list], Any]]:
    leaves: list[Any] = []
    sizes = []
    for leaf_list, _ in parts:
        leaves.extend(leaf_list)
        sizes.append(len(leaf_list))

    def rebuild(new_leaves: list) -> Any:
        children, start = [], 0
        for (_, rebuild_part), n in zip(parts, sizes):
            children.append(rebuild_part(new_leaves[start:start + n]))
            start += n
        return build(children)
    return leaves, rebuild


def _check_leaf(leaf: Any, where: str) -> None:
    if isinstance(leaf, Tensor):
        return
    kind = np.asarray(leaf).dtype.kind if not isinstance(leaf, str) else "U"
    if kind not in "biuf":
        raise TypeError(f"{where}: cannot differentiate with respect to a value of type "
                        f"{type(leaf).__name__}; use arrays, floats, or tuples/lists/dicts of them.")


def _variable(leaf: Any, where: str) -> Any:
    """The Tensor that stands for one input leaf while ``f`` runs (booleans stay as they are:
    masks are constants, and a mask turned into 0.0/1.0 would index positions 0 and 1)."""
    if type(leaf) is np.ndarray and leaf.dtype.kind == "f":
        return Tensor._wrap(leaf, True)
    if isinstance(leaf, (bool, np.bool_)) or (isinstance(leaf, np.ndarray) and leaf.dtype == bool):
        return leaf
    if isinstance(leaf, Tensor) and leaf.requires_grad:
        # Being traced by an outer grad: a fresh node keeps the two levels apart while the
        # inner gradient stays a differentiable function of the outer variable. It stands for
        # the input, so in-place operators refuse on it as on a leaf.
        variable = R.identity(leaf)
        variable._input = True
        return variable
    _check_leaf(leaf, where)
    return Tensor(leaf, requires_grad=True)


def _result_leaf(g: Any, original: Any) -> Any:
    if isinstance(g, Tensor):
        return g
    if isinstance(original, (float, int, np.floating, np.integer)) and not isinstance(original, bool):
        return float(g)
    return g


# ---------------------------------------------------------------- grad and friends
def value_and_grad(f: Callable[..., Any], argnum: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """``value_and_grad(f)(*args) -> (f(*args), df/d args[argnum])``; ``f`` must return a scalar."""
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return _value_and_grad(f, argnum, args, kwargs)
    return wrapped


def grad(f: Callable[..., Any], argnum: int | Sequence[int] = 0) -> Callable[..., Any]:
    """``grad(f)(*args)``: the gradient of scalar-valued ``f`` with respect to ``args[argnum]``."""
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _value_and_grad(f, argnum, args, kwargs)[1]
    wrapped.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return wrapped


def _value_and_grad(f: Callable[..., Any], argnum: int | Sequence[int], args: tuple,
                    kwargs: dict) -> tuple[Any, Any]:
    argnums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
    if max(argnums) >= len(args):
        raise TypeError(f"grad: argnum {max(argnums)} is out of range for {len(args)} "
                        f"positional argument(s).")
    args = list(args)
    trees = []
    variables: list[Tensor] = []
    for n in argnums:
        leaves, rebuild = flatten(args[n])
        # Float arrays (a network's weights) become graph inputs without a copy: the engine
        # never writes into a value, and copying the weights on every call would cost as much
        # as a small layer.
        tensors = [Tensor._wrap(leaf, True) if type(leaf) is np.ndarray and leaf.dtype.kind == "f"
                   else _variable(leaf, f"grad({_name(f)})") for leaf in leaves]
        args[n] = rebuild(tensors)
        trees.append((leaves, rebuild, len(variables)))
        variables.extend(tensors)
    nested = False  # inputs traced by an outer grad
    for v in variables:
        if type(v) is Tensor and v._prim is not None:
            nested = True
            break
    with evaluating(), constants_frozen(v for v in variables if type(v) is Tensor):
        out = f(*args, **kwargs)
        grads = _gradients(out, variables, nested, f)
    results = []
    for leaves, rebuild, start in trees:
        part = grads[start:start + len(leaves)]
        results.append(rebuild([g if type(g) is np.ndarray and type(leaf) is np.ndarray
                                else _result_leaf(g, leaf) for g, leaf in zip(part, leaves)]))
    value = out if nested or type(out) is not Tensor else _scalar(out._value)
    return value, results[0] if isinstance(argnum, int) else tuple(results)


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value.item() if value.size == 1 else value


def _name(f: Any) -> str:
    return getattr(f, "__name__", "f")


def _independent(out: Any, name: str, what: str, stacklevel: int) -> None:
    warnings.warn(f"{what}({name}): the output of {name} does not depend on its inputs (it "
                  f"returned a {type(out).__name__} that no differentiated value flows into), so "
                  f"the derivative is 0. If {name} should depend on them, look for a conversion "
                  f"to plain numbers or arrays on the way (float(), math.*, np.array([...]), "
                  f"x.value) or a computation under no_grad().", ConstantOutputWarning,
                  stacklevel=stacklevel + 1)


def _gradients(out: Any, variables: list[Tensor], nested: bool, f: Any) -> list[Any]:
    if isinstance(out, (tuple, list)) and any(isinstance(o, Tensor) for o in out):
        name = _name(f)
        raise TypeError(f"grad({name}) needs {name} to return one scalar, but it returned a "
                        f"{type(out).__name__} of {len(out)} values. Return the loss alone (and "
                        f"compute the rest separately), or use course.jacobian for several "
                        f"outputs.")
    if not isinstance(out, Tensor) or not out.requires_grad:
        _independent(out, _name(f), "grad", stacklevel=4)  # _gradients, _value_and_grad, wrapped
        return [_zero_gradient(v) for v in variables]
    value = out._value
    if value.size != 1:
        name = _name(f)
        raise TypeError(f"grad({name}) needs {name} to return a scalar, but it returned shape "
                        f"{out.shape}. Reduce it (np.sum, np.mean) or use course.jacobian({name}) "
                        f"for the derivative of a vector-valued function.")
    seed = np.array(1, value.dtype) if value.ndim == 0 else np.ones(value.shape, value.dtype)
    # Inputs that are leaves stop the backward pass by themselves; the identity nodes standing
    # for inputs traced by an outer grad must be named (Tensors are keyed by identity).
    stop = {id(v) for v in variables} if nested else None
    found = dict(backprop(out, seed, stop=stop, create_graph=nested, retain_graph=nested))
    if out in found and type(found[out]) is np.ndarray:
        found[out] = found[out].copy()  # f returned its input: the seed itself came back
    return [found[v] if isinstance(v, Tensor) and v in found else _zero_gradient(v)
            for v in variables]


def _zero_gradient(v: Any) -> np.ndarray:
    """The gradient of an input nothing flows into (a boolean leaf is a constant: float 0s)."""
    return np.zeros(v.shape, v.dtype) if isinstance(v, Tensor) else np.zeros(np.shape(v))


def jacobian(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``jacobian(f)(*args)`` has shape ``f(x).shape + x.shape`` (one backward pass per output)."""
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        args = list(args)
        x = args[argnum]
        nested = isinstance(x, Tensor) and x.requires_grad
        variable = _variable(x, "jacobian")
        args[argnum] = variable
        x_shape = variable.shape
        with differentiating(), constants_frozen():
            out = f(*args, **kwargs)
            if not isinstance(out, Tensor) or not out.requires_grad:
                _independent(out, getattr(f, "__name__", "f"), "jacobian", stacklevel=2)
                return np.zeros(np.shape(out) + x_shape)
            rows = []
            for k in range(out.value.size):
                seed = np.zeros(out.value.size, dtype=out.value.dtype)
                seed[k] = 1.0
                found = backprop(out, seed.reshape(out.shape), stop={id(variable)},
                                 create_graph=nested, retain_graph=True)
                # Other leaves (a parameter of f's closure that requires grad) get gradients
                # too: take the variable's.
                mine = [g for leaf, g in found if leaf is variable]
                rows.append(mine[0] if mine else np.zeros(x_shape))
        if nested:
            return R.reshape(R.stack(*rows), out.shape + x_shape)
        return np.stack(rows).reshape(out.shape + x_shape)
    return wrapped


def hvp(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``hvp(f)(x, v)``: the Hessian of scalar ``f`` times ``v``, by differentiating ``<grad f, v>``
    (reverse over reverse), without ever forming the Hessian."""
    grad_f = grad(f, argnum)

    def directional(*args: Any) -> Any:
        *xs, v = args
        g_leaves, _ = flatten(grad_f(*xs))
        v_leaves, _ = flatten(v)
        total = 0.0
        for g, vi in zip(g_leaves, v_leaves):
            total = total + (g * vi).sum()
        return total

    def wrapped(*args: Any) -> Any:
        return grad(directional, argnum)(*args)
    return wrapped
