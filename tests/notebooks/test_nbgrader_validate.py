"""nbgrader validate: every source passes all its tests; every student version passes none.

Both run the notebook with NBGRADER_EXECUTION=validate (set by nbgrader), i.e. in grading mode.
"""

from __future__ import annotations

import time

import pytest

from nbhelpers import NOTEBOOKS, ids

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
def test_student_version_passes_no_test(notebook, nbgrader_course, record_property):
    release = nbgrader_course.release(notebook.stem)
    text = release.read_text()
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
    results, seconds = _validate(nbgrader_course, release, invert=True)
    record_property("invert_seconds", round(seconds, 2))
    print(f"{notebook.stem}: nbgrader validate --invert {seconds:.1f} s")
    assert not results.get("changed"), "checksums of locked cells changed in the release"
    passed = results.get("passed", [])
    assert not passed, f"{len(passed)} graded test(s) pass on the unsolved notebook:\n" + \
        "\n\n".join(p["source"][:300] for p in passed)
