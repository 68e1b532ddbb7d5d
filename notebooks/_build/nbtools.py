"""Small helpers to write an nbgrader instructor notebook from Python.

The committed ``notebooks/NN-*.ipynb`` are the sources students and graders use; the ``nbNN.py``
scripts next to this file regenerate them (``python notebooks/_build/nb01.py``) so that the
nbgrader metadata (grade ids, points, locks) stays consistent. ``{TOTAL_POINTS}`` in any markdown
cell is replaced by the sum of the points of the graded cells.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


class Notebook:
    """Cells in order; ``md``/``code`` are read-only teaching cells, ``solution``/``tests`` graded."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.cells: list = []
        self._ids: set[str] = set()

    def _id(self, grade_id: str | None) -> str:
        grade_id = grade_id or f"cell-{len(self.cells):03d}"
        if grade_id in self._ids:
            raise ValueError(f"duplicate grade_id {grade_id!r} in {self.slug}")
        self._ids.add(grade_id)
        return grade_id

    def md(self, text: str) -> None:
        self.cells.append(new_markdown_cell(_src(text), metadata=_meta(
            self._id(None), grade=False, solution=False, locked=True)))

    def code(self, text: str) -> None:
        """A teaching cell the student runs but does not edit (worked example, plot)."""
        self.cells.append(new_code_cell(_src(text), metadata=_meta(
            self._id(None), grade=False, solution=False, locked=True)))

    def free(self, text: str) -> None:
        """An unlocked scratch cell for the student's own experiments (not graded)."""
        self.cells.append(new_code_cell(_src(text)))

    def solution(self, grade_id: str, text: str) -> None:
        assert "### BEGIN SOLUTION" in text, f"{grade_id}: solution cell without a solution region"
        self.cells.append(new_code_cell(_src(text), metadata=_meta(
            self._id(grade_id), grade=False, solution=True, locked=False)))

    def tests(self, grade_id: str, points: float, text: str) -> None:
        assert "### BEGIN HIDDEN TESTS" in text, f"{grade_id}: test cell without hidden tests"
        self.cells.append(new_code_cell(_src(text), metadata=_meta(
            self._id(grade_id), grade=True, solution=False, locked=True, points=points)))

    @property
    def total_points(self) -> float:
        return sum(c.metadata["nbgrader"].get("points", 0) for c in self.cells
                   if c.metadata["nbgrader"].get("grade"))

    def build(self) -> nbformat.NotebookNode:
        """The notebook as it is written to disk (total points filled in, stable cell ids)."""
        total_text = f"{self.total_points:g}"
        cells = [nbformat.from_dict(c) for c in self.cells]  # building twice must not mutate
        for cell in cells:
            if cell.cell_type == "markdown":
                cell.source = cell.source.replace("{TOTAL_POINTS}", total_text)
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        })
        for index, cell in enumerate(nb.cells):  # stable ids keep diffs small on re-runs
            cell.id = cell.metadata["nbgrader"]["grade_id"] if "nbgrader" in cell.metadata \
                else f"free-{index:03d}"
        nbformat.validate(nb)
        return nb

    def write(self) -> Path:
        path = NOTEBOOKS / f"{self.slug}.ipynb"
        nbformat.write(self.build(), path)
        return path
