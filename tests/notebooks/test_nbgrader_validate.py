"""nbgrader validate: every source passes all its tests; every student version passes none.

Both run the notebook with NBGRADER_EXECUTION=validate, i.e. in grading mode: the sources with
nbgrader's own Validator, the release with nbclient so that the messages can be read too (the
Validate button in JupyterLab is driven in tests/browser).
"""

from __future__ import annotations

import os
import time

import nbformat
import pytest

from nbhelpers import CELL_TIMEOUT, NOTEBOOKS, ids, nbgrader_meta

pytestmark = pytest.mark.slow


def _validate(course, path, *, invert: bool) -> tuple[dict, float]:
    from nbgrader.validator import Validator

    validator = Validator(config=course.config())
    validator.invert = invert
    start = time.perf_counter()
    results = validator.validate(str(path))
    return results, time.perf_counter() - start


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_source_passes_validate(notebook, nbgrader_course, record_property):
    results, seconds = _validate(nbgrader_course, nbgrader_course.root / "source" / notebook.stem
                                 / notebook.name, invert=False)
    record_property("validate_seconds", round(seconds, 2))
    print(f"{notebook.stem}: nbgrader validate {seconds:.1f} s")
    failed = results.get("failed", []) + results.get("type_changed", []) + results.get("changed", [])
    assert not failed, "\n\n".join(f["source"][:300] + "\n--> " + f.get("raw_error", "")[-1500:]
                                   for f in failed)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_student_version_passes_no_test_and_names_what_is_unanswered(
        notebook, nbgrader_course, monkeypatch, record_property):
    """The release as a student first gets it, run as the Validate button runs it
    (``NBGRADER_EXECUTION=validate``): no graded test passes (what ``nbgrader validate --invert``
    checks), and each says which exercise is not answered yet -- its own, or an earlier one it
    builds on -- instead of a bare ``NameError`` or a traceback from inside a later exercise."""
    from nbclient import NotebookClient

    release = nbgrader_course.release(notebook.stem)
    text = release.read_text()
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
    nb = nbformat.read(release, as_version=4)
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
    start = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(release.parent)}}).execute()
    record_property("release_seconds", round(time.perf_counter() - start, 2))
    problems = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        shown = "\n".join("\n".join(o.traceback) for o in errors)
        if not errors:
            problems.append(f"[{meta['grade_id']}] passes on the unsolved notebook")
        elif "not answered yet" not in shown:
            problems.append(f"[{meta['grade_id']}] {errors[0].ename}: {errors[0].evalue}\n"
                            + "\n".join(shown.splitlines()[-4:]))
        if any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
            problems.append(f"[{meta['grade_id']}] wrote to stderr")
    assert not problems, "\n\n".join(problems)
