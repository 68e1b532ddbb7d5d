"""``course-grader grade``: autograde every submission, in parallel, each in isolation.

nbgrader autogrades one submission after the other (jupyter/nbgrader#174). Here every
(student, assignment) pair is a job: a private copy of the course directory holding only the
gradebook, that assignment's source and release files and that one submission (mode 0700),
graded by nbgrader's autograde in a long-lived worker process with a wall-clock limit. The
worker runs the trusted kernel, which runs the student's cells in a sandbox
(:mod:`autograder.execute`, :mod:`autograder.trusted_kernel`, :mod:`autograder.sandbox`). The
parent merges each job's scores into the main gradebook (one writer, so no SQLite locking),
copies the autograded notebook back, and records the reasons (timeouts, a dead process, notes
about the submission, invalid files ...) in ``autograder_status.json``.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from tqdm.auto import tqdm

from . import sandbox
from .course import Course, GraderError, tool_env
from .wire import Channel, ChannelError, socketpair
from .worker import LIMITS

WALL_LIMIT = 900.0  # seconds for one notebook, all cells together


@dataclass
class Job:
    """One submission to grade."""

    student: str
    assignment: str
    fingerprint: str = ""  # of what is graded (see fingerprint()); computed when empty

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"


@dataclass
class Result:
    """What a job produced (``workdir`` is removed after merging)."""

    job: Job
    ok: bool
    reasons: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    workdir: Path | None = None
    seconds: float = 0.0


def assignment_digest(course: Course, assignment: str) -> bytes:
    """What every grade of ``assignment`` depends on: its source and release notebooks, the
    grader's own modules and how it grades (limits, sandbox, due dates and late policy)."""
    from .late import load_policy

    digest = hashlib.sha256(repr((course.timeout, course.memory_limit, course.unsafe_no_sandbox,
                                  json.dumps(load_policy(course.root), sort_keys=True))).encode())
    _hash_files(digest, [course.root / "source" / assignment, course.root / "release" / assignment])
    for path in _GRADER_FILES:  # its modules, not its data folders: a course may live there
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def fingerprint(course: Course, student: str, assignment: str, base: bytes | None = None) -> str:
    """What a grade depends on: the submitted files and :func:`assignment_digest` (``base``,
    when the caller computed it once for many students)."""
    digest = hashlib.sha256(base if base is not None else assignment_digest(course, assignment))
    _hash_files(digest, [course.root / "submitted" / student / assignment])
    return digest.hexdigest()


def _hash_files(digest, folders: list[Path]) -> None:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes()
                              + b"\0")


_GRADER_FILES = sorted(Path(__file__).resolve().parent.glob("*.py"))


def submissions(course: Course, students: list[str] | None = None,
                assignments: list[str] | None = None) -> list[tuple[str, str]]:
    """(student, assignment) of every ``submitted/<student>/<assignment>`` of a released
    assignment (optionally only some students/assignments)."""
    released = set(course.released())
    return [(folder.parent.name, folder.name)
            for folder in sorted((course.root / "submitted").glob("*/*"))
            if folder.is_dir() and folder.name in released
            and (not students or folder.parent.name in students)
            and (not assignments or folder.name in assignments)]


def find_jobs(course: Course, students: list[str] | None = None,
              assignments: list[str] | None = None, force: bool = True) -> list[Job]:
    """A job for every submission (see :func:`submissions`), with its fingerprint.

    With ``force=False`` a submission graded before is left out when nothing it depends on
    changed since (see :func:`fingerprint`); one that could not be graded is always tried again.
    """
    status = {} if force else course.load_status()
    bases: dict[str, bytes] = {}
    jobs = []
    for student, assignment in submissions(course, students, assignments):
        if assignment not in bases:
            bases[assignment] = assignment_digest(course, assignment)
        job = Job(student, assignment, fingerprint(course, student, assignment, bases[assignment]))
        entry = status.get(job.key, {})
        if entry.get("state", "").startswith("graded") and entry.get("fingerprint") == job.fingerprint:
            continue
        jobs.append(job)
    # Later notebooks train networks and take longest: starting them first keeps the workers
    # from idling at the end of a run (longest-processing-time-first scheduling).
    return sorted(jobs, key=lambda j: (j.assignment, j.student), reverse=True)


def precheck(path: Path) -> list[str]:
    """Reasons why ``path`` cannot be graded (empty if it can)."""
    if not path.exists():
        return [f"no {path.name} in the submission"]
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several types (and RecursionError) for broken files
        return [f"{path.name} is not a valid notebook ({type(exc).__name__}: "
                f"{(str(exc).splitlines() or [''])[0][:200]})"]
    return []


def snapshot_db(course: Course, dest: Path) -> None:
    """The gradebook a job starts from: the assignments' definitions (notebooks, cells, due
    dates) without any student or submission, so that its size, and what every job copies, does
    not grow with the class (sqlite backup API, then the class's rows deleted)."""
    with sqlite3.connect(course.root / "gradebook.db") as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    db = sqlite3.connect(dest)
    try:
        for table in ("comment", "grade", "submitted_notebook", "submitted_assignment", "student"):
            db.execute(f"DELETE FROM {table}")
        db.commit()
        db.execute("VACUUM")  # outside the transaction: the file shrinks to the definitions
    finally:
        db.close()


class Worker:
    """One long-lived ``python -m autograder.worker`` process (see :mod:`autograder.worker`).

    Jobs go out and results come back over a private socket pair, never over the worker's
    stdio; every result must carry the secret token of its job.
    """

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.channel: Channel | None = None
        self.peak_rss_kib = 0  # the largest resident set a worker of this slot reached

    def _record_peak(self) -> None:
        if self.proc is not None:
            try:
                status = Path(f"/proc/{self.proc.pid}/status").read_text()
            except OSError:
                return
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_kib = max(self.peak_rss_kib, int(line.split()[1]))

    def _start(self) -> None:
        mine, theirs = socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", str(theirs.fileno())], env=tool_env(),
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.channel = Channel(mine, LIMITS)

    def run(self, job: dict, timeout: float) -> dict | None:
        """Send ``job``; its answer, or None if it took longer than ``timeout`` (worker killed)."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.channel is not None
        job = {**job, "token": secrets.token_hex(16)}
        deadline = time.monotonic() + timeout
        try:
            self.channel.send(job)
            while (remaining := deadline - time.monotonic()) > 0:
                if not self.channel.wait(remaining):
                    continue
                answer, _ = self.channel.recv()
                if answer.get("token") == job["token"] and answer.get("job") == job["id"]:
                    return {"success": answer.get("success") is True,
                            "log": str(answer.get("log", ""))[-8000:]}
        except ChannelError:
            self.kill()
            return {"success": False, "log": "the grading worker died"}
        self.kill()
        return None

    def kill(self) -> None:
        self._record_peak()
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def close(self) -> None:
        self._record_peak()
        if self.channel is not None:
            self.channel.close()  # the worker sees EOF and exits
            self.channel = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


class Grader:
    """Runs the jobs with ``jobs`` workers and merges the results into the course gradebook."""

    def __init__(self, course: Course, jobs: int = 1, wall_limit: float | None = None,
                 progress: bool = True) -> None:
        self.course = course
        self.workers = max(1, jobs)
        # A notebook whose kernel ignores interrupts can only be stopped by the wall clock.
        self.wall_limit = wall_limit or WALL_LIMIT
        self.progress = progress
        self._slots: list[int] = list(range(self.workers))
        self._workers = [Worker() for _ in range(self.workers)]
        self._lock = threading.Lock()

    # -- one job (runs in a worker thread) ------------------------------------------------------
    def _run(self, job: Job, template: Path) -> Result:
        start = time.perf_counter()
        submitted = self.course.root / "submitted" / job.student / job.assignment
        if not job.fingerprint:  # a job made by hand: the submission as it is now
            job.fingerprint = fingerprint(self.course, job.student, job.assignment)
        notes = precheck(submitted / f"{job.assignment}.ipynb")
        if notes:
            return Result(job, False, notes, seconds=time.perf_counter() - start)
        with self._lock:
            slot = self._slots.pop()
        work = Path(tempfile.mkdtemp(prefix="autograder-job-"))
        try:
            root = work / "course"
            for part in ("source", "release"):
                shutil.copytree(self.course.root / part / job.assignment,
                                root / part / job.assignment,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            for extra in (root / "source" / job.assignment).glob("*.ipynb"):
                extra.unlink()  # the instructor's solutions stay out of the job
            shutil.copytree(submitted, root / "submitted" / job.student / job.assignment)
            shutil.copyfile(template, root / "gradebook.db")
            self.course.write_config(root)
            report = work / "report.json"
            answer = self._workers[slot].run(
                {"id": job.key, "root": str(root), "assignment": job.assignment,
                 "student": job.student, "report": str(report), "work": str(work)},
                self.wall_limit)
            if answer is None:
                notes.append(f"grading stopped after {self.wall_limit:.0f} s (wall-clock limit)")
                answer = {"success": False, "log": ""}
            log = answer["log"]
            data = _read_report(report)
            autograded = root / "autograded" / job.student / job.assignment
            ok = answer["success"] and autograded.exists()
            if not ok and log:
                notes.append("nbgrader autograde failed: " + failure_summary(log))
            return Result(job, ok, notes + reasons_from(data), data, work,
                          time.perf_counter() - start)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        finally:
            with self._lock:
                self._slots.append(slot)

    # -- merging (main thread only) -------------------------------------------------------------
    def _merge(self, result: Result, status: dict) -> None:
        job = result.job
        main = self.course.root
        flagged = bool(result.report.get("unsandboxed"))
        with warnings.catch_warnings(), Gradebook(self.course.db_url, self.course_id) as gb:
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy session warnings
            gb.update_or_create_student(job.student)
            if result.ok and result.workdir is not None:
                tmp_url = f"sqlite:///{result.workdir / 'course' / 'gradebook.db'}"
                with Gradebook(tmp_url, self.course_id) as tgb:
                    tsub = tgb.find_submission(job.assignment, job.student)
                    sub = gb.update_or_create_submission(job.assignment, job.student,
                                                         timestamp=tsub.timestamp)
                    for tnb in tsub.notebooks:
                        snb = gb.find_submission_notebook(tnb.name, job.assignment, job.student)
                        snb.flagged = flagged
                        snb.late_submission_penalty = tnb.late_submission_penalty
                        for tg in tnb.grades:
                            grade = gb.find_grade(tg.name, tnb.name, job.assignment, job.student)
                            grade.auto_score = tg.auto_score
                            grade.needs_manual_grade = bool(tg.needs_manual_grade)
                        for tc in tnb.comments:
                            comment = gb.find_comment(tc.name, tnb.name, job.assignment,
                                                      job.student)
                            comment.auto_comment = tc.auto_comment
                    gb.db.commit()
                target = main / "autograded" / job.student / job.assignment
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(result.workdir / "course" / "autograded" / job.student /
                                job.assignment, target)
            else:  # not gradable: the submission is in the gradebook with 0 points
                sub = gb.update_or_create_submission(job.assignment, job.student)
                for snb in sub.notebooks:
                    snb.flagged = True
                    for grade in snb.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                gb.db.commit()
                shutil.rmtree(main / "autograded" / job.student / job.assignment,
                              ignore_errors=True)
        entry = status.setdefault(job.key, {"collect": [], "grade": []})
        entry["grade"] = result.reasons
        entry["fingerprint"] = job.fingerprint
        entry["state"] = ("graded without sandbox" if flagged else "graded") if result.ok \
            else "not graded"
        if result.workdir is not None:
            shutil.rmtree(result.workdir, ignore_errors=True)

    @property
    def course_id(self) -> str:
        from .nbgrader_config import COURSE_ID

        return COURSE_ID

    def grade(self, jobs: list[Job]) -> list[Result]:
        """Grade ``jobs``; results are merged as they finish."""
        if not jobs:
            return []
        self.course.write_config()
        status = self.course.load_status()
        results = []
        with tempfile.TemporaryDirectory(prefix="autograder-db-") as tmp:
            template = Path(tmp) / "gradebook.db"
            snapshot_db(self.course, template)
            with ThreadPoolExecutor(self.workers) as pool, contextlib.ExitStack() as stack:
                for worker in self._workers:
                    stack.callback(worker.close)
                futures = [pool.submit(self._run, job, template) for job in jobs]
                bar = tqdm(as_completed(futures), total=len(futures), desc="grading",
                           unit="notebook", disable=not self.progress)
                for future in bar:
                    result = future.result()
                    self._merge(result, status)
                    self.course.save_status(status)
                    results.append(result)
        return results


def failure_summary(log: str) -> str:
    """The exception that made nbgrader fail (its last ``SomeError: message`` line)."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.match(r"^[\w.]*(Error|Exception): ", ln)
              and "NbGraderException" not in ln]
    return (errors[-1] if errors else " | ".join(lines[-3:]))[-500:]


def _read_report(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def reasons_from(report: dict) -> list[str]:
    """Readable reasons from the execute preprocessor's JSON report."""
    reasons = [str(n) for n in report.get("notes", [])]
    for key in ("kernel_died", "student_died"):
        if report.get(key):
            reasons.append(str(report[key]))
    special = {"KeyboardInterrupt": "cell timeout", "CellTimeoutError": "cell timeout",
               "RemoteTimeout": "cell timeout", "MemoryError": "memory limit reached",
               "SystemExit": "sys.exit() called", "SyntaxError": "syntax error",
               "NotImplementedError": "unanswered exercise",
               "ChannelError": "not run (the notebook's process had stopped)"}
    errors = Counter(special.get(e.split(": ", 1)[1], e.split(": ", 1)[1])
                     for e in report.get("errors", []) if ": " in e)
    for label, count in sorted(errors.items()):
        reasons.append(f"{label} in {count} cell(s)")
    if report.get("unsandboxed"):
        reasons.append("graded WITHOUT the sandbox (--unsafe-no-sandbox)")
    return reasons


def grade(course: Course, jobs: int = 1, students: list[str] | None = None,
          assignments: list[str] | None = None, progress: bool = True,
          wall_limit: float | None = None, force: bool = False) -> list[Result]:
    """Grade every collected submission (optionally only some students/assignments) that is new
    or changed since it was graded; ``force`` grades them all again."""
    found = find_jobs(course, students, assignments, force=force)
    if found and not course.unsafe_no_sandbox and sandbox.problem():
        # Every job would fail the same way: say so once, before anything is touched.
        raise GraderError(f"cannot sandbox the students' code: {sandbox.problem()}. To fix: "
                          f"{sandbox.NO_SANDBOX_HELP}. Nothing was graded.")
    grader = Grader(course, jobs, wall_limit=wall_limit, progress=progress)
    return grader.grade(found)


__all__ = ["Grader", "Job", "Result", "find_jobs", "grade", "precheck"]
