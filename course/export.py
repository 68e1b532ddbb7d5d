"""Save definitions made in a notebook as a module, so that later notebooks can import them.

Notebook 04 builds an engine (a ``Tensor`` class and its backward pass) in several cells; its
last cell saves them with :func:`save_definitions` to ``my_engine.py``, and notebooks 07 and 09
switch to it with one line. The cells are the ones the kernel ran (the live versions of the
definitions), not the notebook file, which may be unsaved.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import linecache
from pathlib import Path
from typing import Any, Iterable

HEADER = ('"""Definitions saved from a notebook by course.export.save_definitions."""\n\n'
          "import math\n\nimport numpy as np\n")


def defined_names(source: str) -> set[str]:
    """Top-level names a cell binds: functions, classes, assignments to names, imports."""
    return _scan(source)[0]


def changed_names(source: str) -> set[str]:
    """Names whose objects a cell changes at top level (``Tensor.backward = ...``)."""
    return _scan(source)[1]


def _scan(source: str) -> tuple[set[str], set[str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    bound: set[str] = set()
    changed: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    base = target.value
                    while isinstance(base, (ast.Attribute, ast.Subscript)):
                        base = base.value
                    if isinstance(base, ast.Name):
                        changed.add(base.id)
                else:
                    bound.update(leaf.id for leaf in ast.walk(target) if isinstance(leaf, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return bound, changed


def save_definitions(names: Iterable[str], path: str | Path, shell: Any = None) -> Path:
    """Write the cells that define ``names`` to the module ``path``, in the order of ``names``.

    A function's or class's cell is found from the object itself (the kernel keeps the source of
    every cell it ran), so it is the version that is live now; cells that add methods to a class
    later (``Tensor.backward = ...``) come after the class's own cell. Other names (constants)
    are looked up in the kernel's input history. Raises ``NameError`` naming what is missing, and
    ``RuntimeError`` outside IPython/Jupyter.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with Jupyter
            get_ipython = lambda: None  # noqa: E731
        shell = get_ipython()
    if shell is None:
        raise RuntimeError("save_definitions reads the cells run in a notebook's kernel: call it "
                           "from Jupyter or IPython.")
    cells: list[str] = []
    missing = []
    for name in dict.fromkeys(names):
        found = _cells_defining(name, shell)
        if not found:
            missing.append(name)
        cells.extend(cell for cell in found if cell not in cells)
    if missing:
        raise NameError(f"save_definitions: no cell run in this kernel defines {missing}. Run the "
                        f"cells that define them first (Run > Run All Cells), then this one.")
    path = Path(path)
    path.write_text(HEADER + "\n\n" + "\n\n".join(cell.strip() + "\n" for cell in cells),
                    encoding="utf-8")
    # Bytecode cached from an earlier save is checked by size and whole-second time only.
    Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
    return path


def _cells_defining(name: str, shell: Any) -> list[str]:
    """The source of the cell that defines ``name`` (first) and of cells that change it."""
    obj = shell.user_ns.get(name)
    functions = [obj] if inspect.isfunction(obj) else []
    if inspect.isclass(obj):
        for member in vars(obj).values():
            member = getattr(member, "fget", member)  # properties
            member = getattr(member, "__func__", member)  # static and class methods
            if inspect.isfunction(member):
                functions.append(member)
    sources = []
    for function in functions:
        text = "".join(linecache.getlines(function.__code__.co_filename))
        if text and text not in sources:
            sources.append(text)
    if sources:
        sources.sort(key=lambda text: name not in defined_names(text))  # the defining cell first
        return sources if name in defined_names(sources[0]) else []
    history = list(shell.user_ns.get("In", []))
    for index in range(len(history) - 1, 0, -1):
        if name in defined_names(history[index]):
            return [history[index]] + [history[later] for later in range(index + 1, len(history))
                                       if name in changed_names(history[later])]
    return []


def engine_parameter(engine: str) -> Any:
    """The function that turns an array into a trainable parameter of the chosen engine.

    ``"course"``: ``course.Tensor(value, requires_grad=True)``; ``"mine"``: the ``Tensor`` class
    of ``my_engine.py`` (saved by the last cell of notebook 04), imported from the working
    directory. Both engines share the operations the notebooks use (``@``, ``+``, ``.relu()``,
    ``.exp()``, ``.sum(axis=...)``, ``.log()``, indexing, ``.mean()``, ``.backward()``, ``.grad``).
    """
    if engine == "course":
        from .autodiff import Tensor
        return lambda value: Tensor(value, requires_grad=True)
    if engine == "mine":
        import importlib
        import sys
        if "" not in sys.path and "." not in sys.path:
            sys.path.insert(0, "")  # the working directory, where notebook 04 saved the module
        try:
            module = importlib.import_module("my_engine")
            module = importlib.reload(module)  # the version notebook 04 saved last
        except ModuleNotFoundError:
            raise FileNotFoundError("ENGINE = 'mine' needs my_engine.py next to this notebook: run "
                                    "the last cell of notebook 04, which saves your engine there.") from None
        return module.Tensor
    raise ValueError(f"ENGINE must be 'course' or 'mine', not {engine!r}.")
