"""Every course notebook runs within mybinder.org's memory (1 GB for the kernel, at most).

Uses the benchmark's measurement (benchmarks/notebook_memory.py): the notebook is executed top to
bottom in a fresh python3 kernel, as a student runs it, and the kernel's peak RSS is read from
/proc. Slow: notebooks 07-09 train networks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


sys.path.insert(0, str(ROOT / "tests" / "notebooks"))  # nbhelpers: the run shared with nbval
from nbhelpers import full_run, notebook_memory_module  # noqa: E402

notebook_memory = notebook_memory_module()
NOTEBOOKS = notebook_memory.course_notebooks(ROOT)


def test_there_are_notebooks_to_measure() -> None:
    assert NOTEBOOKS, f"no notebooks matching notebooks/{notebook_memory.NOTEBOOK_GLOB}"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS is read from Linux /proc")
def test_peak_rss_reads_this_process() -> None:
    ballast = bytearray(64 * 2**20)  # touch 64 MiB so the high-water mark must include it
    ballast[::4096] = b"x" * len(ballast[::4096])
    assert notebook_memory.peak_rss_bytes(os.getpid()) >= 64 * 2**20
    del ballast


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_peak_memory_fits_binder(path: Path) -> None:
    result = full_run(path)
    assert result.peak_rss_bytes < notebook_memory.BUDGET_BYTES, (
        f"{path.name} peaked at {result.peak_rss_mib:.0f} MiB in its kernel; mybinder.org may give "
        f"only 1 GB in total. Free large arrays (del) or use float32 / smaller batches."
    )
    # A kernel that imported numpy and matplotlib is far above 50 MiB: a smaller number means
    # the measurement read the wrong process.
    assert result.peak_rss_bytes > 50 * 2**20
