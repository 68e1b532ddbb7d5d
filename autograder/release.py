"""``course-grader release``: the student versions of the notebooks, made by nbgrader."""
from __future__ import annotations

import os
import shutil

from .course import Course


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
