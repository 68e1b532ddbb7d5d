"""Graph escapes: ways a traced value silently stops being traced, made loud.

A derivative can only follow operations that the engine records. ``math.exp(x)``, ``float(x)``,
``np.asarray(x)``, ``np.array([x[0], x[1]])`` or ``buffer[0] = x`` turn a traced value into a
plain number or array; whatever is computed from that result is a constant to the engine, so
its contribution to the gradient is silently 0. The rules here:

* While ``grad``, ``value_and_grad``, ``jacobian``, ``hvp``, ``jvp`` or ``trace`` is evaluating
  the function, every escape of a value that is being differentiated raises
  :class:`GraphEscapeError`, with what to write instead (as HIPS autograd does).
* Outside those functions (the ``Tensor``/``backward`` API), ``float(t)``, ``int(t)``,
  ``t.item()`` and ``np.asarray(t)`` are documented detaches, like ``.item()`` in PyTorch: they
  give the value as a constant, so ``print(float(loss))`` or plotting ``model(X)`` keep working.
  In teaching mode (:func:`teaching_mode`, or the environment variable
  ``COURSE_TEACHING_MODE=1``) they warn while the Tensor's graph has not been used by
  ``backward`` yet, once per line of code (Python's default warning filter), so a loss printed
  after ``backward`` or after training never warns.
* Inside ``no_grad()`` nothing is recorded, so nothing can escape: every conversion is allowed.
"""

from __future__ import annotations

import gc
import os
import warnings


class GraphEscapeError(RuntimeError):
    """A traced value was converted to a plain number or array while being differentiated."""


class GraphEscapeWarning(UserWarning):
    """Teaching mode: a Tensor whose graph is still live was converted to a Python number."""


class ConstantOutputWarning(UserWarning):
    """grad/jacobian of a function whose output does not depend on its inputs (derivative 0)."""


class _State:
    depth = 0  # how many grad/jacobian/jvp/trace evaluations are running (they nest)
    teaching = os.environ.get("COURSE_TEACHING_MODE", "") == "1"


class differentiating:
    """Marks the evaluation of a function that ``grad`` (or a relative) is differentiating."""

    def __enter__(self) -> None:
        _State.depth += 1

    def __exit__(self, *exc: object) -> None:
        _State.depth -= 1


class evaluating:
    """``differentiating`` with Python's cyclic garbage collector paused, for ``grad``: the
    graph has no reference cycles (see ``tensor.collector_paused``), and one context instead of
    two is part of the fixed cost of every call."""

    __slots__ = ("resume",)

    def __enter__(self) -> None:
        _State.depth += 1
        self.resume = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        _State.depth -= 1
        if self.resume:
            gc.enable()


def teaching_mode(enabled: bool = True) -> None:
    """Turn on (or off) warnings for ``float(t)``/``t.item()`` of a Tensor whose graph has not
    been differentiated yet: legal (a detach, as in PyTorch), but a gradient never flows through
    the number it gives."""
    _State.teaching = bool(enabled)


_NUMBER_ADVICE = ("Use numpy functions, which keep the graph (np.exp(x), not math.exp(x)); "
                  "collect values in a list and np.stack it rather than assigning them into a "
                  "numpy array; where you mean a constant, say so with x.value (the plain numpy "
                  "array).")
_ARRAY_ADVICE = ("Build arrays from Tensors with np.stack or np.concatenate (not "
                 "np.array([...])), collect results in a list and np.stack it instead of "
                 "assigning them into a numpy buffer, and write x.value where you mean a constant "
                 "(or compute inside `with course.no_grad():`).")


def number_escape(how: str, live: bool) -> None:
    """``float(t)``, ``int(t)``, ``t.item()`` of a Tensor that requires grad (grad mode on)."""
    _escape(how, live, "a plain Python number, so every derivative through that number",
            _NUMBER_ADVICE)


def array_escape(how: str, live: bool) -> None:
    """``np.asarray(t)`` and everything that calls it, for a Tensor that requires grad."""
    _escape(how, live, "a plain numpy array (np.array/np.asarray of a Tensor, or assigning a "
            "Tensor into a numpy array), so its gradient", _ARRAY_ADVICE)


def tensor_copy_escape(live: bool) -> None:
    """``Tensor(t)`` of a Tensor that requires grad: a new leaf with t's value, cut from t's
    graph (PyTorch's ``torch.tensor(t)`` warns for the same reason)."""
    advice = ("Use t itself (it is already a Tensor); write t.detach() where you mean a "
              "constant.")
    if _State.depth:
        raise GraphEscapeError("Tensor(t) of a Tensor that is being differentiated makes a new "
                               "leaf, cut from the graph, so every derivative through it would "
                               f"silently be 0. {advice}")
    if live:
        warnings.warn("Tensor(t) of a Tensor computed from others makes a new leaf with the same "
                      "value, cut from the graph: no gradient flows back through it to what t "
                      f"was computed from. {advice}", GraphEscapeWarning, stacklevel=3)


def _escape(how: str, live: bool, result: str, advice: str) -> None:
    if _State.depth:
        raise GraphEscapeError(f"{how} turns a Tensor that is being differentiated into "
                               f"{result} would silently be 0. {advice}")
    if _State.teaching and live:
        warnings.warn(f"{how} of a Tensor whose graph has not been differentiated yet gives a "
                      f"constant: no gradient flows through it. Fine for printing and "
                      f"plotting; for computing, {advice[0].lower()}{advice[1:]}",
                      GraphEscapeWarning, stacklevel=4)


def dual_escape(how: str) -> None:
    """The forward-mode counterpart: a Dual loses its tangent when converted."""
    if _State.depth:
        raise GraphEscapeError(
            f"{how} turns a Dual number that jvp is differentiating into a plain value, so its "
            f"tangent (the derivative) would silently be lost. {_NUMBER_ADVICE}")
