"""The spare student process: started when a notebook ends, used by the next one only if safe.

A worker's trusted kernel starts the student process for the next notebook as soon as one ends,
so that its start-up (about a second) overlaps nbgrader's bookkeeping. These tests grade small
notebooks one after another in one warm kernel, as a worker does, and look from inside the
student's process at when it started and what it can see.
"""
from __future__ import annotations

import os
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import sandbox

pytestmark = pytest.mark.skipif(sandbox.problem() is not None, reason=str(sandbox.problem()))

ANSWER = r"""
import os, resource
# When did this process start (seconds since boot, from /proc, 10 ms resolution)? Since boot,
# not since the epoch: /proc/stat's boot time is whole seconds, an error of up to 1 s.
with open("/proc/self/stat") as f:
    TICKS = int(f.read().rsplit(")", 1)[1].split()[19])
STARTED = TICKS / os.sysconf("SC_CLK_TCK")
LIMIT = resource.getrlimit(resource.RLIMIT_AS)[0]
SEEN = sorted(os.listdir("/tmp"))
with open("/tmp/left-by-the-previous-notebook", "w") as f:
    f.write("x")
"""
TEST = "print(repr((STARTED, LIMIT, SEEN)))\n"


def _notebook() -> nbformat.NotebookNode:
    answer = new_code_cell(ANSWER, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": "answer",
        "schema_version": 3}})
    test = new_code_cell(TEST, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "test", "points": 1,
        "schema_version": 3}})
    return new_notebook(cells=[answer, test], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "autograder": {"course_modules": []}})


@pytest.fixture
def grade(tmp_path, monkeypatch):
    from traitlets.config import Config

    from autograder.execute import TrustedExecute
    from autograder.nbgrader_config import configure

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def run(memory_limit: int = 1 << 31) -> tuple[float, float, int, list[str]]:
        config = Config()
        configure(config, str(tmp_path), memory_limit=memory_limit)
        before = time.clock_gettime(time.CLOCK_BOOTTIME)  # the clock of STARTED
        nb, _ = TrustedExecute(config=config).preprocess(
            _notebook(), {"nbgrader": {"assignment": "spare-test", "notebook": "spare-test"}})
        out = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
        errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
        assert not errors, errors
        started, limit, seen = eval(out)  # noqa: S307 - our own test's repr of numbers and names
        return before, started, limit, seen

    return run


def test_the_next_notebook_gets_a_spare_only_for_the_same_sandbox(grade):
    grade()  # starts the warm kernel; its end starts a spare
    # The spare's Python process is created once bubblewrap has built its sandbox, which on a
    # loaded machine took longer than the step to the next notebook: give it time to exist.
    time.sleep(1.0)
    before, started, limit, seen = grade()
    assert started < before, "the second notebook did not get the spare started before it"
    assert limit == 1 << 31
    # the previous notebook's file is gone: the spare has its own /tmp, started after it ended
    assert "left-by-the-previous-notebook" not in seen
    # a different sandbox (here: another memory limit) gets a process started for it
    before, started, limit, seen = grade(memory_limit=1 << 30)
    assert started >= before - 0.05 and limit == 1 << 30
    assert "left-by-the-previous-notebook" not in seen


def test_no_spare_outlives_the_kernel(grade):
    from autograder.execute import _WARM

    grade()
    kernel_pid = _WARM.km.provisioner.pid if _WARM.km is not None else None
    assert kernel_pid
    children = [p for p in os.listdir("/proc") if p.isdigit() and _parent(p) == kernel_pid]
    assert children, "no spare student process was started"
    _WARM.shutdown()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") and
                                              _parent(p) is not None for p in children):
        time.sleep(0.1)
    assert not [p for p in children if os.path.exists(f"/proc/{p}") and _parent(p) is not None]


def _parent(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[1])
