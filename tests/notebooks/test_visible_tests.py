"""A student who writes the reference solution passes every visible test.

The student version has no hidden tests, so a visible test that relied on a name defined in a
hidden block (of its own or an earlier cell) would fail for a correct student. Run the source
with the hidden blocks removed (what the student sees, with the solutions filled in).
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest

from nbhelpers import CELL_TIMEOUT, NOTEBOOK_DIR, NOTEBOOKS, ids, nbgrader_meta, read

pytestmark = pytest.mark.slow
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
                    re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_visible_tests_pass_without_hidden_blocks(notebook, monkeypatch):
    from nbclient import NotebookClient

    nb = read(notebook)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
            cell.source = HIDDEN.sub("", cell.source)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    failed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        bad = [o for o in cell.outputs if o.output_type == "error"
               or (o.output_type == "stream" and o.name == "stderr" and nbgrader_meta(cell).get("grade"))]
        label = cell.source.split("\n", 1)[0].removeprefix("# Tests for ")
        passed = f"{label}: all visible checks passed; hidden tests run at grading."
        if nbgrader_meta(cell).get("grade") and not bad and not any(
                o.output_type == "stream" and passed in o.text for o in cell.outputs):
            failed.append(f"[{nbgrader_meta(cell)['grade_id']}] does not say {passed!r}")
        if bad:
            failed.append(f"[{nbgrader_meta(cell).get('grade_id', '?')}] " + "\n".join(
                f"{o.ename}: {o.evalue}" if o.output_type == "error" else o.text for o in bad))
    assert not failed, "\n\n".join(failed)
