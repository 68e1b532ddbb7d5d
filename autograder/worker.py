"""A long-lived grading worker: ``python -m autograder.worker``.

Importing nbgrader costs seconds of CPU, more than executing a short notebook, so each parallel
slot keeps one worker process that autogrades job after job in-process (nbgrader's own
``Autograde`` converter through ``NbGraderAPI``). Protocol: one JSON job per line on stdin; when
a job is done the worker prints ``AUTOGRADER-DONE <job id> <json>`` on stdout (other output is
ignored). The parent kills and replaces a worker that exceeds a job's wall-clock limit.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

DONE = "AUTOGRADER-DONE"


def autograde(job: dict) -> dict:
    """Run nbgrader's autograde for one job in the course directory ``job['root']``."""
    from .course import Course

    os.chdir(job["root"])
    api = Course(root=Path(job["root"])).api(kernel_uid=job["uid"], report_file=job["report"])
    return api.autograde(job["assignment"], job["student"], force=True, create=True)


def main() -> None:
    import nbgrader.apps  # noqa: F401 - the expensive import, once per worker

    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            result = autograde(job)
        except Exception:  # the parent turns this into a reason for the gradebook
            result = {"success": False, "error": traceback.format_exc()}
        answer = {"success": bool(result.get("success")),
                  "log": (result.get("log") or "")[-4000:] + (result.get("error") or "")[-4000:]}
        sys.stdout.write(f"{DONE} {job['id']} {json.dumps(answer)}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
