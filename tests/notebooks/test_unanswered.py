"""A student who has not answered an exercise yet is told so, in every test cell that needs it.

The student version runs as on Binder (interactive, ``NBGRADER_EXECUTION`` unset) with every
answer cell left as released. Each test cell must fail, and its message must say which exercise
is not answered yet (its own, or an earlier one it builds on) -- not a bare ``NameError`` or
a traceback from deep inside a later exercise.
"""

from __future__ import annotations

import os

import nbformat
import pytest

from nbhelpers import CELL_TIMEOUT, NOTEBOOKS, ids, nbgrader_meta

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_unanswered_exercises_are_named(notebook, nbgrader_course, monkeypatch):
    from nbclient import NotebookClient

    release = nbgrader_course.release(notebook.stem)
    nb = nbformat.read(release, as_version=4)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(release.parent)}}).execute()
    problems = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "\n".join("\n".join(o.traceback) for o in errors)
        if not errors:
            problems.append(f"[{meta['grade_id']}] passed with nothing answered")
        elif "not answered yet" not in text:
            problems.append(f"[{meta['grade_id']}] {errors[0].ename}: {errors[0].evalue}\n"
                            + "\n".join(line for line in text.splitlines()[-4:]))
        if any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
            problems.append(f"[{meta['grade_id']}] wrote to stderr")
    assert not problems, "\n\n".join(problems)
