"""Reverse mode: ``Tensor`` records the primitives applied to it; ``backward`` walks them back.

Design choices, each for a measured reason:

* A graph node is the Tensor it computed, holding its inputs and nothing that refers back to
  it, so no node is part of a reference cycle and memory is freed by reference counting alone
  (micrograd's closures that capture their own output make the garbage collector dominate the
  run time); ``grad`` even pauses the cyclic collector while it runs.
* ``backward`` is an iterative topological sort, so a 100,000-node chain needs no recursion,
  and gradients arriving at a node from several uses (fan-out) are summed before that node
  propagates them.
* The graph is freed after ``backward`` unless ``retain_graph=True``; ``no_grad()`` records
  nothing at all.
* Assigning to ``.value`` (an optimizer step) stamps the tensor with the current creation
  number; ``backward`` refuses nodes created before such a change instead of silently using
  the new values (PyTorch's version counter).
* A softmax written out with numpy (``e / e.sum(axis, keepdims=True)`` with
  ``e = np.exp(z - z.max(axis, keepdims=True))``), the notebooks' own loss, takes one rule in
  a first-order backward pass instead of seven (``_softmax_input``); its nodes stay as recorded,
  so traces and pictures show what the student wrote.
* The first-order backward pass runs the derivative rules on plain numpy arrays; only when a
  derivative must itself be differentiated (``create_graph=True``, used by ``grad(grad(f))``)
  do the rules run on Tensors and record a new graph.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import threading
import weakref
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from . import escapes
from . import rules as R
from .dispatch import ArrayLike, _plain_index
from .rules import Traced


class _GradMode:
    enabled = True


def is_grad_enabled() -> bool:
    return _GradMode.enabled


class _SetGrad(contextlib.ContextDecorator):
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> None:
        self.previous = _GradMode.enabled
        _GradMode.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        _GradMode.enabled = self.previous


def no_grad() -> _SetGrad:
    """Context manager (and decorator) in which operations record no graph: use it for
    evaluation and for parameter updates."""
    return _SetGrad(False)


def enable_grad() -> _SetGrad:
    return _SetGrad(True)


def as_float_array(value: Any) -> np.ndarray:
    """Floating inputs keep their precision; integers and booleans become float64, because a
    derivative of an integer-valued array would silently be truncated."""
    if isinstance(value, ArrayLike):
        value = value.value
    array = value if type(value) is np.ndarray else np.asarray(value)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(f"Tensor values must be real numbers; got an array of dtype {array.dtype}. "
                    f"Convert with np.asarray(x, dtype=float) first.")


_SEQUENCE = itertools.count()
_NO_KWARGS: dict = {}
_new = object.__new__
_POSITIONS: dict[int, tuple[int, ...]] = {}


def _positions(mask: int) -> tuple[int, ...]:
    """The argument positions whose bits are set in ``mask`` (cached: few masks occur)."""
    positions = _POSITIONS.get(mask)
    if positions is None:
        positions = _POSITIONS[mask] = tuple(i for i in range(mask.bit_length()) if mask >> i & 1)
    return positions


class Tensor(ArrayLike):
    """A numpy array that remembers how it was computed, for reverse-mode differentiation.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4.])

    ``.grad`` of a leaf *accumulates* over calls of ``backward`` (as in PyTorch), which is what
    minibatch gradient accumulation needs; call ``zero_grad()`` (or set ``.grad = None``) before
    a new step.  Non-leaf tensors do not keep gradients.

    A non-leaf tensor is its own graph node (as in micrograd): it keeps the primitive that made
    it, its arguments and which of them get a gradient.  ``seq`` increases with creation time; a
    tensor is always created after its inputs, so decreasing ``seq`` is a topological order.
    Two objects per node (the tensor and its argument tuple) keep the garbage collector's work
    small on deep graphs.
    """

    __slots__ = ("_value", "grad", "requires_grad", "_version", "_prim", "_args", "_values",
                 "_kwargs", "_inputs", "_seq", "_history", "_assigned", "_input", "_views",
                 "_view_of", "_shares", "_mask",
                 "__weakref__")

    def __init__(self, value: Any, requires_grad: bool = False) -> None:
        if isinstance(value, Tensor) and value.requires_grad and _GradMode.enabled:
            escapes.tensor_copy_escape(live=value._prim is not None and value._args is not None)
        source = value.value if isinstance(value, ArrayLike) else value
        source = source if type(source) is np.ndarray else np.asarray(source)
        array = as_float_array(source)
        if source.dtype == bool or (isinstance(value, Tensor) and getattr(value, "_mask", False)):
            # Tensor(mask) holds 0.0/1.0, but as an index it must still pick what mask picks
            # (as np.asarray(mask) would), not positions 0 and 1: see _plain_index.
            self._mask = True
        # A Tensor that requires grad owns its memory, as torch.tensor's: the caller's array
        # changing later (a *= 10 before backward) must not change recorded values, and an
        # update of the parameter must not change the caller's array. So does a view of
        # someone's array (np.random.randn(3).reshape(3, 1), data[:, :3]). A constant made from
        # a whole array shares it (a data set is not copied), like torch.from_numpy.
        if array.base is not None or (requires_grad and (array is value or
                                                          isinstance(value, ArrayLike))):
            array = array.copy()
        self._value = array
        self.grad: Any = None
        self.requires_grad = bool(requires_grad)
        self._version = 0
        self._prim: R.Primitive | None = None

    @property
    def value(self) -> np.ndarray:
        """The numpy array. Assigning to it (``t.value -= lr * t.grad`` included) counts as a
        change: a graph recorded before the change refuses to backpropagate through it."""
        value = self._value
        if type(value) is not np.ndarray:
            # The engine keeps a 0-d result as a numpy scalar (cheaper to compute with); the
            # public value is always an array, the same one at every access.
            value = self._value = np.asarray(value)
        if _FROZEN is not None and self.requires_grad:
            # While grad runs f, this array is one the backward pass reads (a rule's input or
            # its own result, as exp's): a write into it (y.value[0] = 0) must not silently
            # change the gradient. Reading stays free; grad makes it writeable again.
            _freeze(value)
        return value

    @value.setter
    def value(self, new: Any) -> None:
        self._value = new if type(new) is np.ndarray else np.asarray(new)
        # The version is the creation number current at the change: a node created before it
        # (a smaller seq) must not be differentiated any more.
        self._version = self._assigned = _Changes.last = next(_SEQUENCE)

    @classmethod
    def _wrap(cls, value: Any, requires_grad: bool = False) -> "Tensor":
        t = _new(cls)
        t._value = value if type(value) is np.ndarray else np.asarray(value)
        t.grad = None
        t.requires_grad = requires_grad
        t._version = 0
        t._prim = None
        return t

    @classmethod
    def _apply(cls, prim: R.Primitive, args: tuple, kwargs: dict) -> "Tensor":
        values = []
        listed = False
        inputs = 0  # bit i set: argument i requires grad (an int: no object per node)
        bit = 1
        for a in args:
            if isinstance(a, Traced):
                if type(a) is not cls and not isinstance(a, Tensor):
                    raise TypeError(f"{prim.name}: cannot mix a Tensor with a "
                                    f"{type(a).__name__} (forward and reverse mode are separate "
                                    f"here).")
                values.append(a._value)
                if a.requires_grad:
                    inputs |= bit
                elif _FROZEN is not None and type(a._value) is np.ndarray:
                    # A constant Tensor may share the caller's array (Tensor(data) does not
                    # copy): the backward pass reads it as it reads a plain array operand.
                    _freeze(a._value)
            else:
                if type(a) is list:  # the backward pass must not see later changes to it
                    a = _constant_list(a)
                    listed = True
                values.append(a)
                if _FROZEN is not None:
                    if type(a) is np.ndarray:
                        _freeze(a)
                    elif type(a) is tuple:  # an index: (rows, labels)
                        for part in a:
                            if type(part) is np.ndarray:
                                _freeze(part)
            bit <<= 1
        if listed:
            args = tuple(v if type(a) is list else a for a, v in zip(args, values))
        try:
            out = prim.forward(*values, **kwargs) if kwargs else prim.forward(*values)
        except (ValueError, IndexError) as error:
            raise _shape_error(prim, values, error) from None
        if type(out) is not np.ndarray and not isinstance(out, np.generic):
            out = np.asarray(out)  # numpy scalars (from 0-d operations) are kept: cheaper
        if out.dtype.kind == "c":
            raise TypeError(_complex_message(prim, values))
        t = _new(cls)
        t._value = out
        t.grad = None
        t._version = 0
        inputs &= prim.grad_mask  # only the arguments that have a derivative rule
        if not inputs or not _GradMode.enabled:
            t.requires_grad = False
            t._prim = None
            if prim.name in _MASK_KEEPING and isinstance(args[0], Tensor) and \
                    getattr(args[0], "_mask", False):
                t._mask = True  # m[1:], m.reshape(...) of a mask: still a mask as an index
            if prim.name in _MAY_VIEW and isinstance(args[0], Tensor) and \
                    isinstance(out, np.ndarray) and out.base is not None and \
                    np.may_share_memory(out, values[0]):
                # A view the engine does not record: how to take it again, if its base changes
                t._view_of = (prim, args[1:], kwargs, _GradMode.enabled)
                _add_view(args[0], t)
            return t
        t.requires_grad = True
        t._prim = prim
        t._args = args
        # The argument values, kept for the backward pass: one list per node is cheaper than
        # unwrapping the arguments again there.
        t._values = values
        t._kwargs = kwargs
        t._inputs = inputs
        t._seq = next(_SEQUENCE)
        # Whether numpy's result is a view of the first argument, asked while the arrays are
        # at hand (the graph may be freed before an in-place operator asks it).
        t._shares = prim.name in _MAY_VIEW and _is_view(t)
        if t._shares and isinstance(args[0], Tensor):
            _add_view(args[0], t)
        if _RECORDERS:
            for hook in _RECORDERS:
                hook(t)
        return t

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[mask] = 0`` on a constant, or under no_grad (evaluation, a prediction's
        post-processing): numpy's assignment, counted as a change like ``.value`` (while a
        gradient is recorded it cannot be followed, and refuses with advice)."""
        if _GradMode.enabled and (self.requires_grad or
                                  (isinstance(value, Tensor) and value.requires_grad)):
            ArrayLike.__setitem__(self, index, value)
        if getattr(self._value, "base", None) is not None:
            raise RuntimeError(
                "x[...] = ... would write into an array that is a view of another Tensor's or "
                "array's memory, behind the engine's back: gradients recorded from that memory "
                "would silently change. Build a new array (np.where(mask, new, x)).")
        if type(self._value) is not np.ndarray or not self._value.flags.writeable:
            self._value = np.array(self._value)
        self._value[_plain_index(index)] = value._value if isinstance(value, Tensor) else value
        self.value = self._value  # counts as a change (the version)

    def _in_place(self, prim: R.Primitive, other: Any, op: str) -> "Tensor":
        """numpy's in-place semantics: this very Tensor takes the new value, so every name for
        it sees the change.

        Recorded (grad mode on and a gradient involved), the Tensor becomes the node of the
        operation, computed from a copy of its old node, which it keeps: nodes recorded earlier
        from the old value get their gradients sent there (``_as_of``). A leaf that requires
        grad, a grad's input or a view of another Tensor refuses at once, as in PyTorch.
        Otherwise (``no_grad``, constants) the value changes in place, numpy's way.
        """
        other_grad = isinstance(other, Tensor) and other.requires_grad
        shape = np.shape(self._value)
        if not (_GradMode.enabled and (self.requires_grad or other_grad)):
            if getattr(self._value, "base", None) is not None:
                raise RuntimeError(
                    f"x {op} ... under no_grad (or on constants) would write into an array that "
                    f"is a view of another Tensor's or array's memory, behind the engine's back: "
                    f"gradients recorded from that memory would silently change. Write "
                    f"x = x {op[:-1]} ... for a new value.")
            new = prim.forward(self._value, other._value if isinstance(other, Tensor) else other)
            _same_shape(op, shape, np.shape(new))
            if (type(self._value) is np.ndarray and self._value.flags.writeable
                    and np.can_cast(np.result_type(new), self._value.dtype, "same_kind")):
                self._value[...] = new  # the same array: views and other holders see it too
                self.value = self._value  # counts as a change (the version)
            else:
                self.value = np.asarray(new, dtype=self._value.dtype)
            return self
        if (self._prim is None and self.requires_grad) or getattr(self, "_input", False):
            raise RuntimeError(
                f"x {op} ... would change in place a Tensor that is a leaf requiring grad (a "
                f"parameter, or the input grad differentiates with respect to): its gradient "
                f"would be lost. Write x = x {op[:-1]} ... for a new value; update parameters "
                f"with x.value {op} ... (under course.no_grad() if you use Tensors on the right).")
        if self._prim is not None and getattr(self, "_shares", False):
            raise RuntimeError(
                f"{op} on a slice or view of a Tensor ({self._prim.name}): numpy would change the "
                f"array it came from too, which the engine cannot record. Build the new array "
                f"instead, e.g. with np.concatenate, np.stack or np.where, or compute a new "
                f"Tensor (y = y {op[:-1]} ...) and use it.")
        if self._prim is None and getattr(self, "_view_of", None) is not None:
            raise RuntimeError(
                f"{op} on a slice or view of a Tensor: numpy would change the array it came from "
                f"too, which the engine cannot record. Build the new array instead, e.g. with "
                f"np.concatenate, np.stack or np.where, or compute a new Tensor "
                f"(y = y {op[:-1]} ...) and use it.")
        old = _copy_node(self, _new(Tensor))
        other = _seen_from(other, self, old)  # y *= y, Y -= Y[0]: the value before the change
        stamp = _Changes.last = next(_SEQUENCE)
        out = prim(old, other)
        _same_shape(op, shape, out.shape)
        if out.dtype != old.dtype:  # numpy keeps the array's type (x32 += x64 stays float32)
            out = R.cast(out, dtype=old.dtype)
        if type(out._value) is np.ndarray and type(old._value) is np.ndarray and \
                out._value.strides != old._value.strides:
            # numpy writes into the array's own memory, so its layout stays (an F-ordered h
            # after h -= c): later reshapes are views or copies as numpy's are
            laid_out = np.empty_like(old._value)
            laid_out[...] = out._value
            out._value = laid_out
        _copy_node(out, self)
        # Nodes recorded from the old value (before the stamp) still hold this object; the
        # backward pass sends their gradients to the old node kept here (see _as_of).
        _keep_old(self, stamp, old)
        _rebase_views(self, stamp)
        return self

    def _parents(self) -> list[tuple[int, "Tensor"]]:
        """(argument position, Tensor) of each input that gets a gradient; [] for a leaf."""
        if self._prim is None or self._args is None:
            return []
        return [(i, self._args[i]) for i in _positions(self._inputs)]

    def _escape_number(self, how: str) -> np.ndarray:
        if self.requires_grad and _GradMode.enabled:
            escapes.number_escape(how, live=self._prim is not None and self._args is not None)
        return self._value

    def _escape_array(self, how: str) -> np.ndarray:
        if self.requires_grad and _GradMode.enabled:
            escapes.array_escape(how, live=self._prim is not None and self._args is not None)
        return self._value

    # ------------------------------------------------------------------ graph API
    @property
    def is_leaf(self) -> bool:
        return self._prim is None

    def detach(self) -> "Tensor":
        """The same value, cut from the graph (a constant). It shares the memory (no copy), so
        it is read-only: writing into it would change values the graph recorded."""
        value = self._value
        if type(value) is np.ndarray:
            value = value.view()
            value.flags.writeable = False
        detached = Tensor._wrap(value)
        if getattr(self, "_mask", False):
            detached._mask = True  # Tensor(mask).detach() still indexes as the mask
        return detached

    def numpy(self) -> np.ndarray:
        """The value as a numpy array: an explicit constant (like ``.value``, and read-only
        like it while grad runs the function)."""
        value = self._value
        if type(value) is not np.ndarray:
            # A 0-d result kept as a numpy scalar (a loss) is given as that scalar, as always:
            # it is a float (json.dumps(loss.numpy()) works), and immutable, so there is
            # nothing to protect.
            return value
        return self.value

    def zero_grad(self) -> None:
        self.grad = None

    def backward(self, grad: Any = None, *, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``grad`` is the upstream gradient (same shape as ``self``); it may be omitted only for
        a single-element tensor such as a loss.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this Tensor does not depend on any Tensor created "
                               "with requires_grad=True, so there is nothing to differentiate.")
        seed = _seed(self, grad)
        with collector_paused():
            grads = backprop(self, seed, create_graph=create_graph,
                             retain_graph=retain_graph or create_graph)
        for leaf, g in grads:
            if leaf.requires_grad:
                leaf.grad = g if leaf.grad is None else leaf.grad + g

    def __repr__(self) -> str:
        body = np.array2string(self._value, separator=", ", prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{extra})"

    def _repr_html_(self) -> str:  # small and readable in a notebook
        return f"<pre>{self!r}</pre>"


# While grad evaluates f, the numpy arrays that f's operations used as constants are made
# read-only: the backward pass reads them, and f writing into one afterwards (a buffer reused in a
# loop, ``a += 10`` after ``w * a``) would silently change the gradient. numpy then refuses the
# write ("assignment destination is read-only"); grad makes them writeable again when it returns.
#
# The arrays frozen are listed per thread: another thread that is not inside grad (a training
# loop next to a grad run in the background) must keep writing into its own arrays
# (``p.value -= lr * p.grad``), and only the grad that froze an array makes it writeable again.
# _FROZEN is the cheap test the operations make: the threads inside grad (one entry per
# outermost grad), None while there are none.
_FROZEN: list[int] | None = None
_FROZEN_HERE = threading.local()  # .frozen: this thread's list, while it is inside grad
_FROZEN_LOCK = threading.Lock()


def _freeze(a: np.ndarray) -> None:
    frozen = getattr(_FROZEN_HERE, "frozen", None)
    if frozen is None:  # this thread is not inside grad (another one is)
        return
    while isinstance(a, np.ndarray):  # the array and what it views (past read-only views)
        if a.flags.writeable:
            if a.base is not None and not _bases_writeable(a):
                # A writeable view of an array made read-only since: numpy could never make
                # it writeable again, so it is left alone.
                return
            a.setflags(write=False)  # half the cost of a.flags.writeable = False
            frozen.append(a)
        a = a.base


def _bases_writeable(a: np.ndarray) -> bool:
    a = a.base
    while isinstance(a, np.ndarray):
        if not a.flags.writeable:
            return False
        a = a.base
    return True


class constants_frozen:
    """Arrays used by operations recorded in the block are read-only until it ends, and so are
    the arrays of ``inputs`` (f must not change its own inputs, through a closure).

    A class rather than a generator: it runs on every ``grad`` call.
    """

    __slots__ = ("inputs", "outermost")

    def __init__(self, inputs: Iterable[Tensor] = ()) -> None:
        self.inputs = inputs

    def __enter__(self) -> None:
        global _FROZEN
        # a grad inside a grad (in this thread): the outermost one thaws
        self.outermost = getattr(_FROZEN_HERE, "frozen", None) is None
        if self.outermost:
            _FROZEN_HERE.frozen = []
            with _FROZEN_LOCK:
                _FROZEN = [*(_FROZEN or ()), threading.get_ident()]
            try:
                for t in self.inputs:
                    if type(t._value) is np.ndarray:
                        _freeze(t._value)
            except BaseException:  # (a KeyboardInterrupt) no with-block: thaw and unregister
                self.__exit__(None, None, None)
                raise

    def __exit__(self, kind: Any, error: Any, tb: Any) -> None:
        global _FROZEN
        if not self.outermost:
            return
        frozen, _FROZEN_HERE.frozen = _FROZEN_HERE.frozen, None
        with _FROZEN_LOCK:
            inside = list(_FROZEN or ())
            inside.remove(threading.get_ident())
            _FROZEN = inside or None
        # Bases first: a view is writeable only if its base is. Two views of one array frozen
        # in turn (X, y = data[:, :2], data[:, 2]) list the base between them, so the order of
        # freezing is not enough: sort by how many bases stand behind each array.
        for a in frozen:
            if a.base is not None:
                frozen.sort(key=_bases)
                break
        for a in frozen:
            a.setflags(write=True)
        if kind is not None and issubclass(kind, ValueError) and "read-only" in str(error) \
                and frozen:
            raise ValueError(
                f"{error}: while grad runs the function, a numpy array that one of its operations "
                f"used is read-only, because the derivative reads it later and a write would "
                f"silently change the gradient (a buffer reused in a loop, a += ... after w * a). "
                f"Write into a new array instead (np.zeros(...) each time, or a.copy() before "
                f"using it).") from error


def _bases(a: np.ndarray) -> int:
    n = 0
    while isinstance(a.base, np.ndarray):
        a = a.base
        n += 1
    return n


_NODE_SLOTS = ("_value", "grad", "requires_grad", "_version", "_prim", "_args", "_values",
               "_kwargs", "_inputs", "_seq", "_shares")
# Primitives whose result numpy gives as a view of their first argument (getitem only for basic
# indices: fancy indexing copies).
_VIEWS = frozenset({"reshape", "transpose", "broadcast_to", "flip"})


def _copy_node(source: Tensor, target: Tensor) -> Tensor:
    """Give ``target`` the value and the graph node of ``source`` (the slots that are set)."""
    for slot in _NODE_SLOTS:
        if hasattr(source, slot):
            setattr(target, slot, getattr(source, slot))
    return target


_MAY_VIEW = _VIEWS | {"getitem"}
# Primitives whose result, taken of a Tensor made from a boolean mask, is still that mask's
# elements (rearranged): it keeps indexing as a mask.
_MASK_KEEPING = _MAY_VIEW | {"copy", "identity"}


def _constant_list(a: list) -> Any:
    """A list operand (``x * [1.0, 2.0]``) as an array of its values now: the rules read the
    operand in the backward pass, and the list may have changed by then (``c[i] = ...`` in a
    loop). A list that holds Tensors stays as it is (numpy's own conversion reports it)."""
    if _holds_traced(a):
        return a
    try:
        return np.array(a)
    except ValueError:  # ragged: numpy refuses it in the operation itself, with its message
        return a


def _holds_traced(a: Any) -> bool:
    if isinstance(a, Traced):
        return True
    return isinstance(a, (list, tuple)) and any(_holds_traced(e) for e in a)


def _keep_old(t: Tensor, stamp: int, old: Tensor) -> None:
    """``t`` changed at ``stamp``; nodes recorded before it still hold ``t``, and the backward
    pass sends their gradients to ``old``, the node ``t`` was until then (see _as_of)."""
    t._version = stamp
    history = getattr(t, "_history", None)
    if history is None:
        t._history = [(stamp, old)]
    else:
        history.append((stamp, old))


def _seen_from(other: Any, t: Tensor, old: Tensor) -> Any:
    """``other`` as it was before ``t`` changed to the node of an in-place operation: ``t``
    itself or a chain of views of ``t`` (``Y -= Y[0]``) is taken from ``old``, the node ``t``
    was, so that the new node does not refer to a view that is about to follow it."""
    if other is t:
        return old
    if not isinstance(other, Tensor) or other._prim is None or other._args is None \
            or other._prim.name not in _MAY_VIEW or not isinstance(other._args[0], Tensor):
        return other
    base = _seen_from(other._args[0], t, old)
    if base is other._args[0]:
        return other
    return other._prim(base, *other._args[1:], **other._kwargs)


def _add_view(base: Tensor, view: Tensor) -> None:
    views = getattr(base, "_views", None)
    if views is None:
        views = base._views = []
    views.append(weakref.ref(view))
    n = len(views)
    if n >= 32 and n & (n - 1) == 0:
        # A parameter or a data set sliced at every step would otherwise keep a reference
        # per slice ever taken; pruning at each power of two keeps the cost per view constant.
        views[:] = [ref for ref in views if ref() is not None]


def _rebase_views(t: Tensor, stamp: int) -> None:
    """After ``t`` changed in place, its live views (``head = y[:2]`` before ``y += 1``) show
    the new values, as numpy's views do: each is recomputed from the new ``t`` by its own
    primitive, keeping its old node for what was recorded from it before (so do their views)."""
    views = getattr(t, "_views", None)
    if not views:
        return
    t._views = []
    for ref in views:
        v = ref()
        if v is None:
            continue
        if v._prim is not None:
            if v._args is None or v._args[0] is not t:
                continue
            prim, rest, kwargs, mode = v._prim, v._args[1:], v._kwargs, _GradMode.enabled
        else:  # taken under no_grad, or of a constant: taken again in the same mode
            spec = getattr(v, "_view_of", None)
            if spec is None:
                continue
            prim, rest, kwargs, mode = spec
        old = _copy_node(v, _new(Tensor))
        with _SetGrad(mode):
            new = prim(t, *rest, **kwargs)
        _copy_node(new, v)
        t._views.append(ref)
        _keep_old(v, stamp, old)
        _rebase_views(v, stamp)


def _is_view(t: Tensor) -> bool:
    """Whether numpy's result shares the memory of the first argument: a view (a transpose, a
    basic index, a reshape of a contiguous array) rather than a copy (a reshape of a
    transposed array, a fancy or boolean index, ``h[True]``). Asked of the arrays themselves,
    as numpy decides it by memory layout, not by the function."""
    if t._prim.name not in _MAY_VIEW:
        return False
    value = t._value
    if type(value) is not np.ndarray or value.base is None:
        return False
    source = t._values[0]
    return type(source) is np.ndarray and np.may_share_memory(value, source)


def _same_shape(op: str, shape: tuple, result: tuple) -> None:
    if tuple(result) != tuple(shape):
        raise ValueError(f"x {op} y: the result has shape {tuple(result)}, but x has shape "
                         f"{tuple(shape)} and an in-place operation cannot change it (numpy "
                         f"refuses too). Write x = x {op[:-1]} y for a new array.")


_RECORDERS: list[Callable[[Tensor], None]] = []


@contextlib.contextmanager
def recording(hook: Callable[[Tensor], None]) -> Iterator[None]:
    """Call ``hook(t)`` for every graph node created inside the block (used by ``trace``)."""
    _RECORDERS.append(hook)
    try:
        yield
    finally:
        _RECORDERS.remove(hook)


class collector_paused:
    """Pause Python's cyclic garbage collector during a backward pass (and while ``grad``
    evaluates ``f``).

    A graph node holds only its inputs, nothing that refers back to it, so graphs contain no
    reference cycles and are freed by reference counting alone (tests/autodiff/test_graph.py
    checks it); the collector would only walk the graph again and again (40% of the forward
    time on deep graphs). Cycles that user code makes meanwhile are collected when the collector
    resumes.
    """

    def __enter__(self) -> None:
        self.resume = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.resume:
            gc.enable()


def _seed(root: Tensor, grad: Any) -> Any:
    if grad is None:
        if root.value.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a single-element output, but this Tensor "
                f"has shape {root.shape}. Reduce it to a scalar first (e.g. y.sum() or y.mean()), "
                f"pass the upstream gradient (y.backward(np.ones_like(y.value))), or use "
                f"course.jacobian for the full derivative.")
        return np.ones(root.shape, root.dtype)
    g = grad if isinstance(grad, Tensor) else as_float_array(grad)
    if g.shape != root.shape:
        raise ValueError(f"backward(): the gradient has shape {g.shape} but the Tensor has shape "
                         f"{root.shape}; they must be equal.")
    return g


def toposort(root: Tensor, stop: set[int] | None = None) -> list[Tensor]:
    """Tensors reachable from ``root``, each after every tensor computed from it (root first).

    Iterative depth-first search, so graph depth is limited by memory, not by recursion.
    Tensors whose id is in ``stop`` are treated as leaves.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, finished = stack.pop()
        if finished:
            order.append(t)  # every input of t is already in order: post-order
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        if stop is not None and id(t) in stop:
            continue
        for _, p in t._parents():
            if id(p) not in visited:
                stack.append((p, False))
    order.reverse()
    return order


def backprop(root: Tensor, seed: Any, *, stop: set[int] | None = None,
             create_graph: bool = False, retain_graph: bool = False) -> list[tuple[Tensor, Any]]:
    """Propagate ``seed`` from ``root`` to the leaves (or the tensors in ``stop``).

    Nodes are processed by decreasing creation number, from a heap: a node's gradient is
    complete (all fan-out contributions summed) before it is passed on, and no recursion or
    separate sorting pass is needed.  Returns ``(leaf, gradient)`` pairs; gradients are numpy
    arrays owned by the caller, or Tensors with their own graph when ``create_graph`` is set.
    """
    if root._prim is None or (stop is not None and id(root) in stop):
        return [(root, seed)]
    found: dict[Tensor, Any] = {}    # leaf -> gradient (Tensors hash by identity)
    pending: dict[Tensor, Any] = {root: seed}
    heap: list[tuple[int, Tensor]] = [(-root._seq, root)]
    # This loop runs once per node of every backward pass: names are bound locally, and the
    # common case (first order, no stop set, no keyword arguments) takes the shortest path.
    pop, push, take = heapq.heappop, heapq.heappush, pending.pop
    positions = _POSITIONS
    changed_since = _Changes.last
    previous = _GradMode.enabled
    _GradMode.enabled = create_graph
    try:
        while heap:
            t = pop(heap)[1]
            g = take(t)
            args = t._args
            if args is None:
                raise RuntimeError(
                    "backward(): the graph behind this Tensor was already used by a previous "
                    "backward() and freed to save memory. Call backward(retain_graph=True) the "
                    "first time if you need to go through it twice.")
            prim = t._prim
            kwargs = t._kwargs
            if changed_since > t._seq:  # some value was changed after t was computed
                args = _as_of(t)
            if create_graph:
                # The rules must see Tensors, and the output as a function of them, for the
                # derivative of the derivative (a rule that reads ``ans`` would otherwise treat
                # it as a constant): recomputing it is cheaper than keeping it.
                values = args
                ans = prim(*args, **kwargs)
            else:
                # The arguments' values as they were in the forward pass: any assignment since
                # would have failed the check above.
                values = t._values
                ans = t._value
            rules = prim.vjps
            variadic = prim.variadic
            # A softmax written out (e / e.sum(axis, keepdims=True), e = np.exp(z - z.max(...)))
            # takes one rule instead of seven; the parts stay in the graph for other uses.
            fused = _softmax_input(t, args, changed_since, stop) \
                if prim is _DIVIDE and not create_graph else None
            each = _ONCE if fused is not None else (positions.get(t._inputs)
                                                   or _positions(t._inputs))
            for i in each:
                if fused is not None:
                    parent, pg = fused[0], _softmax_vjp(g, ans, fused[1])
                    fused = None
                elif variadic:
                    pg = rules[0](i, g, ans, *values, **kwargs)
                    parent = args[i]
                elif kwargs:
                    pg = rules[i](g, ans, *values, **kwargs)
                    parent = args[i]
                else:
                    pg = rules[i](g, ans, *values)
                    parent = args[i]
                if parent._prim is None or (stop is not None and id(parent) in stop):
                    found[parent] = found[parent] + pg if parent in found else pg
                elif parent in pending:
                    pending[parent] = pending[parent] + pg
                else:
                    pending[parent] = pg
                    push(heap, (-parent._seq, parent))
            if not retain_graph:
                t._args = t._values = None
    finally:
        _GradMode.enabled = previous
    if create_graph:
        return list(found.items())
    handed: set[int] = {id(seed)}
    return [(leaf, _owned(g, leaf._value, handed)) for leaf, g in found.items()]


_DIVIDE, _EXP, _SUM, _SUBTRACT, _MAX = R.divide, R.exp, R.sum_, R.subtract, R.max_
_ONCE = (0,)


def _softmax_input(t: Tensor, args: tuple, changed_since: int,
                   stop: set[int] | None) -> tuple[Tensor, Any] | None:
    """``(x, axes)`` when node ``t`` is a softmax of ``x`` written out with numpy,
    ``e / np.sum(e, axis, keepdims=True)`` with ``e = np.exp(x)``; ``x`` is ``z`` itself when it
    is ``z - np.max(z, axis, keepdims=True)`` over the same axes (the shift changes nothing, so
    its gradient is exactly 0). None for anything else, or when a part of it was changed in
    place since (then the rules of the parts run one by one)."""
    e, s = args
    if type(e) is not Tensor or type(s) is not Tensor or e._prim is not _EXP \
            or s._prim is not _SUM or s._args is None or s._args[0] is not e \
            or e._args is None or not s._kwargs.get("keepdims") or changed_since > e._seq:
        return None
    ndim = np.ndim(e._value)
    axes = _axes(s._kwargs.get("axis"), ndim)
    x = e._args[0]
    if type(x) is Tensor and x._prim is _SUBTRACT and x._args is not None:
        z, m = x._args
        if (type(m) is Tensor and m._prim is _MAX and m._args is not None and m._args[0] is z
                and m._kwargs.get("keepdims") and changed_since < m._seq
                and _axes(m._kwargs.get("axis"), ndim) == axes and type(z) is Tensor
                and (stop is None or not {id(x), id(m)} & stop)):
            x = z
    if stop is not None and {id(e), id(s)} & stop:
        return None
    return x, axes


def _axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    return tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))


def _softmax_vjp(g: Any, p: Any, axes: tuple[int, ...] | None) -> Any:
    """The gradient of a softmax ``p`` with respect to its input: p (g - sum(g p))."""
    gp = g * p
    return gp - p * np.add.reduce(gp, axis=axes, keepdims=True)


def input_gradient(t: Tensor, i: int, g: Any) -> Any:
    """The gradient that node ``t`` passes to its argument ``i`` when its own gradient is ``g``
    (one rule applied; the graph must not have been freed). For traces and pictures."""
    prim, values = t._prim, t._values
    if prim.variadic:
        return prim.vjps[0](i, g, t._value, *values, **t._kwargs)
    return prim.vjps[i](g, t._value, *values, **t._kwargs)


class _Changes:
    last = -1  # creation number current when a Tensor's value was last assigned


def _as_of(t: Tensor) -> tuple:
    """``t``'s arguments as they were when ``t`` was computed.

    A Tensor changed by an in-place operator since then stands for its value of that time (the
    old node the operation kept); a value assigned since (``.value``, an optimizer step, an
    in-place change under no_grad) refuses, as PyTorch's version counter does: the rules would
    silently use the new values.
    """
    routed = None
    for i, a in enumerate(t._args):
        if isinstance(a, Tensor) and a._version > t._seq:
            if getattr(a, "_assigned", -1) <= t._seq:
                old = next((o for stamp, o in getattr(a, "_history", ()) if stamp > t._seq), None)
                if old is not None:
                    routed = routed or list(t._args)
                    routed[i] = old
                    continue
            _check_unchanged(t)
    if getattr(t, "_assigned", -1) > t._seq:
        _check_unchanged(t)
    return t._args if routed is None else tuple(routed)


def _check_unchanged(t: Tensor) -> None:
    """Refuse to differentiate through values that were changed after the forward pass (the
    version counter of PyTorch): the rules would silently use the new values."""
    changed = [a for a in (t, *t._args) if isinstance(a, Tensor) and a._version > t._seq]
    if changed:
        raise RuntimeError(
            f"backward(): a Tensor used by {t._prim.name} (or its result) was modified after "
            f"the forward pass (an assignment to .value, e.g. an optimizer step, or an in-place "
            f"operator such as +=), so the gradient would silently use the new values. Call "
            f"backward() before updating the parameters, recompute the forward pass after the "
            f"update, or write y = y + ... instead of y += ... where y was already used.")


def _owned(g: Any, like: np.ndarray, handed: set[int]) -> np.ndarray:
    """A writable array of the leaf's dtype and shape that nobody else holds.

    Rules may pass one array on to several inputs (``x + y``) or return broadcast views;
    copying only those keeps the common case free of copies.
    """
    if type(g) is not np.ndarray:
        g = np.asarray(g._value if isinstance(g, Tensor) else g)
    # An array that owns its memory (no base) is writeable: rules never freeze one.
    if (g.base is not None or g.dtype != like.dtype or g.shape != like.shape
            or id(g) in handed):
        g = np.array(np.broadcast_to(g, like.shape), dtype=like.dtype, copy=True)
    handed.add(id(g))
    return g


def _complex_message(prim: R.Primitive, values: list) -> str:
    return (f"{prim.name} gave a complex result; the engine differentiates real-valued "
            f"functions only, and a complex intermediate would silently lose its imaginary part "
            f"(numpy's ComplexWarning). Write the computation with real numbers (e.g. "
            f"|x (1 + 1j)|^2 = 2 x^2).")


def _shape_error(prim: R.Primitive, values: list, error: Exception) -> Exception:
    shapes = " and ".join(str(np.shape(v)) for v in values if _is_arrayish(v))
    return ValueError(f"{prim.name}: cannot apply to operands of shapes {shapes}: {error}")


def _is_arrayish(v: Any) -> bool:
    return isinstance(v, (np.ndarray, np.generic, float, int))
