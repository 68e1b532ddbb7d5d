"""Every source notebook runs top to bottom (full mode, not grading mode).

The first notebook goes through `pytest --nbval-lax` itself, the command a maintainer runs; the
others share one kernel run with the Binder memory test (``nbhelpers.full_run``: the same fresh
kernel and full mode, failing on the first error), which saves running notebooks 07-09's
training twice per suite.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from nbhelpers import CELL_TIMEOUT, NOTEBOOKS, REPO, full_run, ids, tool_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_nbval_lax(notebook, record_property):
    if notebook != NOTEBOOKS[0]:
        result = full_run(notebook)
        record_property("nbval_seconds", round(result.seconds, 2))
        assert result.cells > 0
        return
    env = tool_env()
    env.pop("NBGRADER_EXECUTION", None)  # the full notebook, as a student runs it
    env.pop("PYTEST_ADDOPTS", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "-p", "no:hypothesispytest",  # saves ~1.5 s of startup per notebook
         f"--nbval-cell-timeout={CELL_TIMEOUT}", "--rootdir", str(notebook.parent),
         "-o", "addopts=", str(notebook)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=20 * CELL_TIMEOUT)
    seconds = time.perf_counter() - start
    record_property("nbval_seconds", round(seconds, 2))
    print(f"{notebook.stem}: nbval {seconds:.1f} s")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
