"""Example submissions, generated from the instructor notebooks so they never go stale.

``build_examples(course, out)`` writes ``out/<student>_<assignment>.ipynb`` files the way an LMS
download looks (``course-grader collect out`` picks them up):

* ``complete``: every solution filled in (the source notebook as a student sees it: solutions kept,
  hidden tests removed because it starts from the release) - full marks;
* ``partial``: every second solution left as the release stub;
* ``untouched``: the release as handed out - 0 points;
* broken and hostile variants of one notebook (see :data:`VARIANTS`), each with the score it
  may at most reach (``"complete"``, ``"partial"`` or ``0``).
"""
from __future__ import annotations

import ast
import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

Notebook = NotebookNode


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(_meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    meta = _meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def strip_markers(source: str) -> str:
    """A solution cell's source with the nbgrader solution markers removed."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in SOLUTION_MARKERS)


def complete(source: Notebook, release: Notebook) -> Notebook:
    """The release with every solution cell filled in from the source."""
    answers = {_meta(c)["grade_id"]: strip_markers(c.source) for c in source.cells if is_solution(c)}
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = answers[_meta(cell)["grade_id"]]
    return nb


def partial(source: Notebook, release: Notebook) -> Notebook:
    """Every second solution (1st, 3rd, ...) filled in; the others left as stubs."""
    nb = complete(source, release)
    stubs = [c for c in release.cells if is_solution(c)]
    for k, cell in enumerate(c for c in nb.cells if is_solution(c)):
        if k % 2 == 1:
            cell.source = stubs[k].source
    return nb


# -- broken variants: each takes the complete notebook and returns a new one ----------------------
def _first_solution(nb: Notebook) -> NotebookNode:
    return next(c for c in nb.cells if is_solution(c))


def _prepend(code: str) -> Callable[[Notebook], Notebook]:
    def variant(nb: Notebook) -> Notebook:
        nb = copy.deepcopy(nb)
        cell = _first_solution(nb)
        cell.source = code + "\n" + cell.source
        return nb
    return variant


def _append_cell(code: str, after_first_solution: bool = True) -> Callable[[Notebook], Notebook]:
    def variant(nb: Notebook) -> Notebook:
        nb = copy.deepcopy(nb)
        index = nb.cells.index(_first_solution(nb)) + 1 if after_first_solution else len(nb.cells)
        nb.cells.insert(index, nbformat.v4.new_code_cell(code))
        return nb
    return variant


def _solution_trees(nb: Notebook) -> Iterator[tuple[NotebookNode, ast.Module]]:
    """The solution cells of ``nb`` that parse, with their syntax trees."""
    for cell in nb.cells:
        if is_solution(cell):
            try:
                yield cell, ast.parse(cell.source)
            except SyntaxError:
                continue


def stderr_in_solution(nb: Notebook) -> Notebook:
    """Every solution function prints to stderr (and warns) when called by the tests."""
    nb = copy.deepcopy(nb)
    for cell, tree in _solution_trees(nb):
        lines = cell.source.splitlines()
        inserts = []
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.body:
                first = node.body[0]
                indent = " " * first.col_offset
                inserts.append((first.lineno - 1, indent + "import sys, warnings; print('debug: "
                                f"{node.name} called', file=sys.stderr); warnings.warn('{node.name}"
                                " is slow')"))
        for lineno, text in sorted(inserts, reverse=True):
            lines.insert(lineno, text)
        cell.source = "\n".join(lines)
    return nb


def delete_tests(nb: Notebook) -> Notebook:
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not is_test(c)]
    return nb


def edit_tests(nb: Notebook) -> Notebook:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = "pass  # tests removed by the student"
    return nb


def duplicate_cells(nb: Notebook) -> Notebook:
    """The first solution cell and the first test cell appear twice (edited copies first)."""
    nb = copy.deepcopy(nb)
    for pick in (is_solution, is_test):
        cell = next(c for c in nb.cells if pick(c))
        twin = copy.deepcopy(cell)
        twin.id = f"{cell.get('id', 'cell')}-copy"  # Jupyter gives a copied cell a new id
        nb.cells.insert(nb.cells.index(cell), twin)
    return nb


def garbage_answers(nb: Notebook) -> Notebook:
    """Every function in a solution cell returns 0.0: wrong, but runs."""
    nb = copy.deepcopy(nb)
    for cell, tree in _solution_trees(nb):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                node.body = [ast.Return(ast.Constant(0.0))]
        cell.source = ast.unparse(tree)
    return nb


def _hostile(code: str) -> Callable[[Notebook], Notebook]:
    """Wrong answers (every function returns 0.0) plus ``code`` in the first answer cell."""
    def variant(nb: Notebook) -> Notebook:
        return _prepend(code)(garbage_answers(nb))
    return variant


PATCH_HELPERS = """\
import numpy as np
import course.checks, course.gradcheck
for _name in ("check", "check_array", "check_scalar", "check_gradient"):
    setattr(course.checks, _name, lambda *a, **k: None)
course.gradcheck.check_grad = lambda *a, **k: True
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
"""
# Patching through an alias (what a static scan misses): the tests run elsewhere anyway.
PATCH_BY_ALIAS = """\
import numpy
import course.checks
helpers, numeric = course.checks, numpy
helpers.check_array = helpers.check_scalar = helpers.check = lambda *a, **k: None
numeric.allclose = lambda *a, **k: True
"""
SWALLOW_ERRORS = """\
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
"""
FILE_ATTACK = """\
import glob, os
found = []
for pattern in ["../../../gradebook.db", "../../../source/*/*.ipynb", "*.ipynb", "../*/*/*.ipynb",
                "{root}/gradebook.db", "{root}/source/*/*.ipynb", "{notebooks}/*.ipynb",
                "{root}/autograded/*/*/*.ipynb", "{root}/feedback/*/*/*.html",
                "{root}/submitted/*/*/*.ipynb", "/tmp/autograder-*/**/*.ipynb",
                "/tmp/autograder-*/**/gradebook.db"]:
    for path in glob.glob(pattern, recursive=True):
        try:
            with open(path, "rb") as fh:
                found.append((path, fh.read()))
        except OSError as exc:
            print("cannot read", path, type(exc).__name__)
for path, data in found:
    print("READ", path, data.decode("utf-8", "replace"))
    try:
        with open(path, "ab") as fh:
            fh.write(("HACK" + "ED").encode())  # the marker never appears literally
        print("WROTE", path)
    except OSError as exc:
        print("cannot write", path, type(exc).__name__)
"""

# name -> (builder, the notebook it starts from, the most it may score). "complete"/"partial" as a
# ceiling mean "no more than that example got"; 0 means no points at all.
VARIANTS: dict[str, tuple[Callable[[Notebook], Notebook], str, str | int]] = {
    "infinite-loop": (_prepend("while True:\n    pass"), "complete", "complete"),
    "memory-hog": (_prepend("hog = []\nwhile True:\n    hog.append(bytearray(64 << 20))"),
                   "complete", "complete"),
    "sys-exit": (_prepend("import sys\nsys.exit(1)"), "complete", "complete"),
    "os-exit": (_prepend("import os\nos._exit(3)"), "complete", "complete"),
    "killed-kernel": (_prepend("import os\nos.abort()  # SIGABRT kills the process"),
                      "complete", "complete"),
    # A cell the student added is kept in the notebook but not run while grading.
    "added-cell": (_append_cell("import os\nos._exit(3)"), "complete", "complete"),
    # A loop that ignores the interrupt sent on cell timeout: the kernel is given up on.
    "ignores-interrupt": (_prepend("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                   "while True:\n    pass"), "complete", 0),
    "syntax-error": (_prepend("def broken(:"), "complete", "complete"),
    # Tests deleted from a complete notebook are re-inserted from the gradebook and still pass.
    "deleted-tests": (delete_tests, "complete", "complete"),
    # Tests replaced by `pass` in the untouched release would pass if nbgrader did not restore them.
    "edited-tests": (edit_tests, "untouched", 0),
    "duplicated-cells": (duplicate_cells, "complete", "complete"),
    "stderr": (stderr_in_solution, "complete", "complete"),
    "patch-helpers": (_hostile(PATCH_HELPERS), "complete", 0),
    "patch-by-alias": (_hostile(PATCH_BY_ALIAS), "complete", 0),
    "swallow-errors": (_hostile(SWALLOW_ERRORS), "complete", 0),
    "file-attack": (_prepend(FILE_ATTACK), "complete", "complete"),  # paths: build_examples
}


# Variants that cost a whole wall-clock limit: only built when asked for by name.
SLOW_VARIANTS = frozenset({"ignores-interrupt"})


def build_examples(source_dir: Path, release_dir: Path, out: Path,
                   broken: list[str] | None = None, variants: list[str] | None = None,
                   paths: dict[str, str] | None = None) -> dict[str, Any]:
    """Write example submissions into ``out``; return ``{file name: expected outcome}``.

    ``source_dir``/``release_dir`` hold ``<id>/<id>.ipynb``. ``broken`` lists the assignments
    that get the broken variants (default: the first one). ``paths`` fills ``{root}`` and
    ``{notebooks}`` in the file attack.
    """
    out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Any] = {}
    assignments = sorted(p.name for p in release_dir.iterdir() if p.is_dir())
    broken = assignments[:1] if broken is None else broken
    for assignment in assignments:
        release = nbformat.read(release_dir / assignment / f"{assignment}.ipynb", as_version=4)
        source = nbformat.read(source_dir / assignment / f"{assignment}.ipynb", as_version=4)
        full = complete(source, release)
        notebooks = {"complete": full, "partial": partial(source, release), "untouched": release}
        if assignment in broken:
            for name, (make, base, ceiling) in VARIANTS.items():
                if (name in variants) if variants is not None else name not in SLOW_VARIANTS:
                    if name == "file-attack":
                        make = _prepend(FILE_ATTACK.format(**{"root": "/", "notebooks": "/",
                                                               **(paths or {})}))
                    notebooks[name] = make(full if base == "complete" else release)
                    expected[f"{name}_{assignment}.ipynb"] = ceiling
        for student, nb in notebooks.items():
            path = out / f"{student}_{assignment}.ipynb"
            nbformat.write(nb, path)
            expected.setdefault(path.name, student if student != "untouched" else 0)
        if assignment in broken and (variants is None or "invalid-json" in variants):
            text = json.dumps(nbformat.writes(full))[: 500]
            (out / f"invalid-json_{assignment}.ipynb").write_text(text)
            expected[f"invalid-json_{assignment}.ipynb"] = 0
        if assignment in broken and (variants is None or "wrong-name" in variants):
            nbformat.write(full, out / "wrong-name_Untitled (1).ipynb")
            expected["wrong-name_Untitled (1).ipynb"] = "complete"
    return expected
