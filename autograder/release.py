"""``course-grader release``: the student versions of the notebooks, made by nbgrader."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat

from .course import Course, tool_env


def release(course: Course, assignments: list[str] | None = None) -> list[str]:
    """Copy the sources into ``source/`` and run ``nbgrader generate_assignment``.

    Returns the released assignment ids; the student notebooks are in ``release/<id>/<id>.ipynb``.
    """
    course.write_config()
    if os.geteuid() == 0:
        os.chmod(course.root, 0o700)  # sources, gradebook and submissions stay with the instructor
    wanted = set(assignments or course.assignments())
    done = []
    for notebook in course.source_notebooks():
        if notebook.stem not in wanted:
            continue
        target = course.root / "source" / notebook.stem / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        done.append(notebook.stem)
    for assignment in done:
        course.run_api("generate_assignment", assignment, force=True, create=True)
    return done


def release_solutions(course: Course, out: Path, assignments: list[str] | None = None,
                      execute: bool = False) -> list[Path]:
    """The solution notebooks, for after the deadline: ``OUT/<id>.ipynb`` for every released
    assignment (or ``assignments``).

    nbgrader's ``generate_solution`` writes them with the answers in place; the hidden tests are
    removed too (nbgrader's own ``ClearHiddenTests``: they stay reusable for the next term), the
    solution markers are dropped, and ``execute=True`` runs each notebook so that it shows its
    outputs. Refuses to write a file that still holds a hidden test's line.
    """
    from nbgrader.converters import GenerateSolution
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (ClearHiddenTests, ClearMarkScheme, ClearOutput, Execute,
                                        IncludeHeaderFooter, LockCells)
    from traitlets.config.loader import PyFileConfigLoader

    from .course import GraderError
    from .publish import HIDDEN, MARKERS, hidden_lines

    released = course.released()
    wanted = assignments or released
    unknown = sorted(set(wanted) - set(released))
    if unknown:
        raise GraderError(f"not released, so no solutions: {unknown} (released: {released})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tool_env()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    config.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput,
                                             ClearMarkScheme, ClearHiddenTests] + ([Execute] if execute else [])
    config.GenerateSolution.force = True
    sources = [course.root / "source" / a / f"{a}.ipynb" for a in wanted]
    secret = hidden_lines(sources)
    written = []
    for assignment in wanted:
        app = GenerateSolution(coursedir=CourseDirectory(config=config, root=str(course.root)),
                               config=config)
        app.coursedir.assignment_id = assignment
        app.start()
        solved = course.root / "solution" / assignment / f"{assignment}.ipynb"
        nb = nbformat.read(solved, as_version=4)
        for cell in nb.cells:
            cell.source = "\n".join(line for line in HIDDEN.sub("", cell.source).splitlines()
                                    if not any(m in line for m in MARKERS)).rstrip()
        text = "\n".join(c.source for c in nb.cells)
        left = sorted(secret & {line.strip() for line in text.splitlines()})
        if left:
            raise GraderError(f"{assignment}: the solution notebook still holds a hidden test's "
                              f"line ({left[0][:80]!r}); nothing written for it")
        target = out / f"{assignment}.ipynb"
        nbformat.write(nb, target)
        written.append(target)
    return written
