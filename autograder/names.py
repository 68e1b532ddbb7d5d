"""Which names a cell binds and which it takes from elsewhere (static, with ``symtable``).

Grading binds, before each test cell, the names that trusted code takes from the student's
cells; the notebook generator checks that tests take nothing from cells that run only on the
student's side. Both use :func:`cell_names`.
"""
from __future__ import annotations

import builtins
import symtable
from functools import lru_cache

BUILTINS = frozenset(dir(builtins)) | {"__builtins__", "__name__", "__file__", "display",
                                       "get_ipython"}


def to_python(source: str) -> str:
    """Cell source as plain Python (IPython magics become ``get_ipython()`` calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with nbgrader
        return source
    return TransformerManager().transform_cell(source)


@lru_cache(maxsize=4096)
def cell_names(source: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``(bound, used, used_at_top)`` for one cell.

    ``bound``: module-level names the cell binds. ``used``: names it uses without binding them,
    including inside functions and classes (looked up when those run). ``used_at_top``: the part
    of ``used`` needed while the cell itself runs (outside function bodies). Builtins are never
    counted. A cell that does not parse binds and uses nothing.
    """
    try:
        table = symtable.symtable(to_python(source), "<cell>", "exec")
    except SyntaxError:
        return frozenset(), frozenset(), frozenset()
    bound: set[str] = set()
    top: set[str] = set()
    nested: set[str] = set()
    stack = [(table, 0)]
    while stack:
        scope, depth = stack.pop()
        for sym in scope.get_symbols():
            name = sym.get_name()
            if depth == 0:
                if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
                    bound.add(name)
                if sym.is_referenced():
                    top.add(name)
            else:
                # Class bodies run with the cell; function bodies (and what they contain) later.
                runs_now = scope.get_type() == "class" and depth == 1
                if sym.is_global() and sym.is_referenced():
                    (top if runs_now else nested).add(name)
                if sym.is_declared_global() and sym.is_assigned():
                    bound.add(name)
        stack.extend((child, depth + 1) for child in scope.get_children())
    top_free = top - bound - BUILTINS
    return frozenset(bound), frozenset((top | nested) - bound - BUILTINS), frozenset(top_free)


__all__ = ["BUILTINS", "cell_names", "to_python"]
