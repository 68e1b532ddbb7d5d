"""A long-lived grading worker: ``python -m autograder.worker FD``.

Importing nbgrader costs seconds of CPU, more than executing a short notebook, so each parallel
slot keeps one worker process that autogrades job after job in-process (nbgrader's own
``Autograde`` converter through ``NbGraderAPI``).

The worker talks to the grader only through the socket it inherits as ``FD`` (frames of
:mod:`autograder.wire`, bounded in size): a job in, ``{"job": id, "token": secret, ...}`` out,
where the token is the one the grader put in that job. Its own stdin, stdout and stderr are
``/dev/null`` before anything is started, so no kernel it launches inherits a descriptor the
grader reads. The grader kills and replaces a worker that exceeds a job's wall-clock limit; the
kernels die with it (they watch their parent).
"""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from .wire import ChannelError, Limits, from_fd

LIMITS = Limits(max_json=1 << 20, max_bytes=0, max_buffers=0)


def autograde(job: dict) -> dict:
    """Run nbgrader's autograde for one job in the course directory ``job['root']``."""
    from .course import Course

    os.chdir(job["root"])
    api = Course(root=Path(job["root"])).api(report_file=job["report"], work_root=job["work"])
    return api.autograde(job["assignment"], job["student"], force=True, create=True)


def _detach_stdio() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    channel = from_fd(int(args[0]), LIMITS)
    _detach_stdio()
    import nbgrader.apps  # noqa: F401 - the expensive import, once per worker

    while True:
        try:
            job, _ = channel.recv()
        except ChannelError:
            return
        try:
            result = autograde(job)
        except Exception:  # the grader turns this into a reason for the gradebook
            result = {"success": False, "error": traceback.format_exc()}
        log = (result.get("log") or "")[-4000:] + (result.get("error") or "")[-4000:]
        try:
            channel.send({"job": job.get("id"), "token": job.get("token"),
                          "success": bool(result.get("success")), "log": log})
        except ChannelError:
            return


if __name__ == "__main__":
    main()
