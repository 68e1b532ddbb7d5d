"""One graded class shared by the autograder tests (real nbgrader, real sandboxed kernels).

The class is the first course notebook, released by nbgrader, with every example submission from
``autograder.examples`` (complete, partial, untouched, broken and hostile variants), one of them
inside an LMS zip, collected and graded with two workers. Grading everything in one run keeps
the suite to a couple of minutes; each test then checks one robustness case.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder.cli import feedback
from autograder.collect import Collected, collect
from autograder.course import DEFAULT_NOTEBOOKS, Course
from autograder.examples import VARIANTS, build_examples
from autograder.grading import Result, grade
from autograder.release import release
from autograder.report import Row, gradebook_rows, report

TIMEOUT = 10  # seconds per cell: the infinite loop costs this much
WALL_LIMIT = 60  # seconds per notebook: what the loop that ignores interrupts costs


@dataclass
class GradedClass:
    course: Course
    assignment: str
    collected: list[Collected]
    results: dict[str, Result]
    rows: dict[str, Row]
    reports: dict[str, Path]
    ceilings: dict[str, object]

    def row(self, student: str) -> Row:
        return self.rows[student]

    def autograded(self, student: str) -> nbformat.NotebookNode:
        path = (self.course.root / "autograded" / student / self.assignment /
                f"{self.assignment}.ipynb")
        return nbformat.read(path, as_version=4)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    first = sorted(DEFAULT_NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))[0].stem
    course = Course(root=tmp_path_factory.mktemp("course") / "course", timeout=TIMEOUT)
    release(course, [first])
    downloads = tmp_path_factory.mktemp("downloads")
    ceilings = build_examples(course.root / "source", course.root / "release", downloads,
                              variants=[*VARIANTS, "invalid-json", "wrong-name"],
                              paths={"root": str(course.root), "notebooks": str(course.notebooks)})
    # One submission arrives as an LMS zip (nbgrader zip_collect), one with an unusable name.
    with zipfile.ZipFile(downloads / f"lms-{first}.zip", "w") as zf:
        zf.write(downloads / f"complete_{first}.ipynb", f"zipped_{first}.ipynb")
    (downloads / "notes.ipynb").write_text("{}")
    collected = collect(course, downloads)
    results = {r.job.student: r
               for r in grade(course, jobs=2, progress=False, wall_limit=WALL_LIMIT)}
    feedback(course)
    reports = report(course)
    rows = {r.student: r for r in gradebook_rows(course) if r.assignment == first}
    return GradedClass(course, first, collected, results, rows, reports, ceilings)
