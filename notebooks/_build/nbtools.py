"""Small helpers to write an nbgrader instructor notebook from Python.

The committed ``notebooks/NN-*.ipynb`` are the sources students and graders use; the ``nbNN.py``
scripts next to this file regenerate them (``python notebooks/_build/nb01.py``) so that the
nbgrader metadata (grade ids, points, locks) stays consistent. ``{TOTAL_POINTS}`` in any markdown
cell is replaced by the sum of the points of the graded cells.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(NOTEBOOKS.parent))  # autograder.names: the grader's own name analysis
from autograder.names import cell_names  # noqa: E402

EXERCISE_HEADING = re.compile(r"^#+ Exercise (\d+)\b", re.MULTILINE)
# Where a locked code cell runs while the notebook is graded (autograder/execute.py).
ROLES = ("student", "both", "trusted", "demo")
# course.<name> -> the module that defines it (course/__init__.py re-exports the engine).
ENGINE_NAMES = {"Tensor", "Dual", "grad", "value_and_grad", "jacobian", "jvp", "hvp", "no_grad",
                "enable_grad", "is_grad_enabled", "relu", "sigmoid", "softmax_cross_entropy",
                "logsumexp", "trace", "draw", "GraphEscapeError", "ConstantOutputWarning",
                "teaching_mode", "primitive"}


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
    """Cells in order; ``md``/``code`` are read-only teaching cells, ``solution``/``tests`` graded.

    ``course_modules`` are the parts of the ``course`` package the student's code may import
    while the notebook is graded (everything else is absent then, so that an exercise cannot be
    answered by calling the reference implementation).
    """

    def __init__(self, slug: str, course_modules: list[str] | None = None) -> None:
        self.slug = slug
        self.course_modules = list(course_modules or [])
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

    def code(self, text: str, role: str = "student") -> None:
        """A teaching cell the student runs but does not edit (worked example, plot).

        ``role`` says where it runs while grading: ``student`` (the student's process only),
        ``both`` (imports and fixtures the tests use as well), ``trusted`` (the tests' helpers
        only) or ``demo`` (not at all: plots and demonstrations nothing later depends on).
        """
        assert role in ROLES, f"unknown role {role!r}"
        meta = _meta(self._id(None), grade=False, solution=False, locked=True)
        if role != "student":
            meta["autograder"] = {"role": role}
        self.cells.append(new_code_cell(_src(text), metadata=meta))

    def free(self, text: str) -> None:
        """An unlocked scratch cell for the student's own experiments (not graded)."""
        self.cells.append(new_code_cell(_src(text)))

    def solution(self, grade_id: str, text: str) -> None:
        assert "### BEGIN SOLUTION" in text, f"{grade_id}: solution cell without a solution region"
        self.cells.append(new_code_cell(_src(text), metadata=_meta(
            self._id(grade_id), grade=False, solution=True, locked=False)))

    def _exercise(self) -> int | None:
        """The number of the exercise whose heading (``### Exercise N``) came last."""
        for cell in reversed(self.cells):
            m = EXERCISE_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
            if m:
                return int(m[1])
        return None

    def tests(self, grade_id: str, points: float, text: str, label: str | None = None) -> None:
        """A graded test cell. Its first line names what it tests (``# Tests for Exercise N``,
        or ``label``); it prints that all visible checks passed before its hidden tests."""
        assert "### BEGIN HIDDEN TESTS" in text, f"{grade_id}: test cell without hidden tests"
        label = label or f"Exercise {self._exercise()}"
        body = _src(text)
        visible, hidden = body.split("### BEGIN HIDDEN TESTS", 1)
        source = (f"# Tests for {label}\n{visible.rstrip()}\n"
                  f"print({label + ': all visible checks passed; hidden tests run at grading.'!r})\n"
                  f"### BEGIN HIDDEN TESTS{hidden}")
        self.cells.append(new_code_cell(source, metadata=_meta(
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
        _install_feedback(cells)
        check_roles(cells, self.course_modules)
        nb = new_notebook(cells=cells, metadata={
            "autograder": {"course_modules": self.course_modules},
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


def answers_by_exercise(cells: list) -> dict[str, int]:
    """The names each answer cell defines, mapped to the number of its exercise."""
    answers, exercise = {}, None
    for cell in cells:
        m = EXERCISE_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if m:
            exercise = int(m[1])
        if role_of(cell) == "solution" and exercise is not None:
            for name in sorted(cell_names(cell.source)[0]):
                answers.setdefault(name, exercise)
    return answers


def _install_feedback(cells: list) -> None:
    """Append ``install(answers=...)`` (course.feedback) to the cell importing the checks."""
    helpers = [c for c in cells if c.cell_type == "code" and "from course.checks import" in c.source]
    if len(helpers) != 1:
        raise ValueError(f"expected one cell that imports course.checks, found {len(helpers)}")
    answers = ", ".join(f"{k!r}: {v}" for k, v in answers_by_exercise(cells).items())
    helpers[0].source += ("\n# Errors in your code get an explanation; tests call your code with "
                          "numeric errors enabled.\nfrom course.feedback import install\n"
                          f"install(answers={{{answers}}})")


def role_of(cell) -> str:
    """test, solution, free, or the role of a locked teaching cell."""
    meta = cell.metadata.get("nbgrader")
    if cell.cell_type != "code":
        return "markdown"
    if not meta:
        return "free"
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("solution"):
        return "solution"
    return cell.metadata.get("autograder", {}).get("role", "student")


def _course_uses(source: str) -> set[str]:
    """Modules of ``course`` a cell imports or reaches as ``course.<name>``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course"):
            for alias in node.names:
                used.add(node.module if node.module != "course" else
                         ("course.autodiff" if alias.name in ENGINE_NAMES else f"course.{alias.name}"))
        elif isinstance(node, ast.Import):
            used.update(a.name for a in node.names if a.name.startswith("course."))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "course":
            used.add("course.autodiff" if node.attr in ENGINE_NAMES else f"course.{node.attr}")
    return used


def check_roles(cells: list, course_modules: list[str]) -> None:
    """The grading contract of a notebook, checked when it is generated.

    * tests and trusted cells take names only from trusted cells, earlier tests, or the
      student's answers (the names they take from answers are what grading rebinds);
    * trusted and shared cells never use the student's answers (the tests' fixtures would
      otherwise be the student's);
    * a name is bound either by answers or by trusted code, never both;
    * cells that run in the student's process use only names bound there before, and only the
      declared ``course_modules``.
    """
    problems, trusted, student_side, answers = [], set(), set(), set()
    allowed = set(course_modules)
    for cell in cells:
        if role_of(cell) == "solution":
            answers |= cell_names(cell.source)[0]
    for index, cell in enumerate(cells):
        role = role_of(cell)
        if role in ("markdown", "free", "demo"):
            continue
        bound, free, at_top = cell_names(cell.source)
        where = f"cell {index} ({role})"
        if role in ("test", "trusted", "both"):
            from_student = free - trusted
            if role in ("trusted", "both") and at_top - trusted:
                problems.append(f"{where} uses {sorted(at_top - trusted)} when it runs, which "
                                "trusted code does not define (shared and trusted cells must not "
                                "depend on answers; functions they define may call answers)")
            elif from_student - answers:
                problems.append(f"{where} uses {sorted(from_student - answers)}, defined neither by "
                                "trusted cells nor by an answer (a teaching cell's value would be "
                                "the student's: define it in a 'both' cell or in the test)")
            clash = bound & answers
            if clash:
                problems.append(f"{where} binds {sorted(clash)}, which an answer cell also binds")
            trusted |= bound
        if role in ("solution", "student", "both"):
            missing = free - student_side
            if missing:
                problems.append(f"{where} uses {sorted(missing)}, which the student's process "
                                "does not have while grading (defined in a trusted or demo cell?)")
            outside = {m for m in _course_uses(cell.source)
                       if not any(m == a or m.startswith(a + ".") for a in allowed)}
            if outside:
                problems.append(f"{where} uses {sorted(outside)}, not in course_modules "
                                f"{sorted(allowed)}")
            student_side |= bound
    if problems:
        raise ValueError("grading contract broken:\n  " + "\n  ".join(problems))
