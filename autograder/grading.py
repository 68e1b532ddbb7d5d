"""``course-grader grade``: autograde every submission, in parallel, each in isolation.

nbgrader autogrades one submission after the other (jupyter/nbgrader#174). Here every
(student, assignment) pair is a job (:func:`run_job`): a private course directory holding only
the assignments' gradebook, that assignment's source and release files and that one submission
(mode 0700), graded by nbgrader's autograde in a long-lived worker process with a wall-clock
limit. The worker runs the trusted kernel, which runs the student's cells in a sandbox
(:mod:`autograder.execute`, :mod:`autograder.trusted_kernel`, :mod:`autograder.sandbox`).

A job travels as bytes (the assignment's files, shared by its jobs, and the submission's) and
comes back as bytes (the scores read from its gradebook, the autograded folder), so the same
function runs in a thread here or on a ``dask.distributed`` cluster (``--cluster``). Only the
parent writes the course: it merges finished jobs in batches into the main gradebook (one
writer, one open session, one commit per batch), writes the autograded notebooks, and records
the reasons (timeouts, a dead process, notes about the submission, invalid files ...) in
``autograder_status.json``.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
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
    """What a job produced."""

    job: Job
    ok: bool
    reasons: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    scores: dict | None = None  # see read_scores()
    autograded: dict[str, bytes] | None = None  # the autograded folder, until merged
    seconds: float = 0.0


def assignment_digest(course: Course, assignment: str) -> bytes:
    """What every grade of ``assignment`` depends on: its source and release notebooks, the
    code that grades (:func:`code_digest`) and how it grades (limits, sandbox, due dates and
    late policy)."""
    from .late import load_policy

    digest = hashlib.sha256(repr((course.timeout, course.memory_limit, course.unsafe_no_sandbox,
                                  json.dumps(load_policy(course.root), sort_keys=True))).encode())
    _hash_files(digest, [course.root / "source" / assignment, course.root / "release" / assignment])
    digest.update(code_digest().encode())
    return digest.digest()


def fingerprint(course: Course, student: str, assignment: str, base: bytes | None = None) -> str:
    """What a grade depends on: the submitted files and :func:`assignment_digest` (``base``,
    when the caller computed it once for many students)."""
    digest = hashlib.sha256(base if base is not None else assignment_digest(course, assignment))
    _hash_files(digest, [course.root / "submitted" / student / assignment])
    return digest.hexdigest()


def _hash_files(digest, folders: list[Path]) -> None:
    for folder in folders:  # exactly the files a job gets (pack)
        for rel, data in pack(folder).items():
            digest.update(rel.encode() + b"\0" + data + b"\0")


_REPO = Path(__file__).resolve().parents[1]
# The grader's modules (not its data folders: a course may live there) and the course package,
# which the hidden tests import: a change to either can change a grade.
_CODE_FILES = sorted(Path(__file__).resolve().parent.glob("*.py")) + \
    sorted((_REPO / "course").rglob("*.py"))


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 of the code that grades (:data:`_CODE_FILES`, by path relative to the repository):
    part of every fingerprint, and compared by each job with its worker's own, so a cluster
    worker with other code refuses instead of grading differently."""
    digest = hashlib.sha256()
    for path in _CODE_FILES:
        digest.update(path.relative_to(_REPO).as_posix().encode() + b"\0" + path.read_bytes()
                      + b"\0")
    return digest.hexdigest()


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


Files = dict[str, bytes]  # relative path -> contents: how job inputs and outputs travel


def pack(folder: Path, skip=lambda rel: False) -> Files:
    """The regular files under ``folder`` (not ``.ipynb_checkpoints``, not symbolic links)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not path.is_symlink() and ".ipynb_checkpoints" not in rel.parts \
                and not skip(rel):
            files[rel.as_posix()] = path.read_bytes()
    return files


def unpack(files: Files, root: Path) -> None:
    """Write ``files`` under ``root``; a path that would leave ``root`` is refused."""
    for rel, data in files.items():
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or not parts:
            raise ValueError(f"refusing to write {rel!r} outside {root}")
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@dataclass(frozen=True)
class Settings:
    """How a course grades (copied into every job's ``nbgrader_config.py``)."""

    timeout: int
    memory_limit: int
    unsafe_no_sandbox: bool
    code: str  # code_digest() of the process that made the jobs

    @classmethod
    def of(cls, course: Course) -> Settings:
        return cls(course.timeout, course.memory_limit, course.unsafe_no_sandbox, code_digest())


def assignment_bundle(course: Course, assignment: str, template: Path) -> Files:
    """What every job of ``assignment`` needs besides the submission: its source folder without
    the instructor's solutions, its release folder, the gradebook of the assignments only
    (``template``, see :func:`snapshot_db`) and the late policy. Made once per assignment."""
    def solution(rel: Path) -> bool:
        return len(rel.parts) == 1 and rel.suffix == ".ipynb"

    files = {f"source/{assignment}/{k}": v
             for k, v in pack(course.root / "source" / assignment, solution).items()}
    files.update({f"release/{assignment}/{k}": v
                  for k, v in pack(course.root / "release" / assignment).items()})
    files["gradebook.db"] = template.read_bytes()
    from .late import POLICY_FILE

    if (course.root / POLICY_FILE).exists():
        files[POLICY_FILE] = (course.root / POLICY_FILE).read_bytes()
    return files


class WorkerPool:
    """One :class:`Worker` per thread that grades, started on first use, closed together.

    The local grader's threads and each thread of a dask worker process get their own."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.workers: list[Worker] = []

    def get(self) -> Worker:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = Worker()
            with self._lock:
                self.workers.append(worker)
        return worker

    def close(self) -> None:
        with self._lock:
            for worker in self.workers:
                worker.close()


_PROCESS_POOL = WorkerPool()  # the workers of a dask worker process (they exit with it)


def run_job(job: Job, settings: Settings, bundle: Files, submission: Files, wall_limit: float,
            pool: WorkerPool | None = None) -> Result:
    """Grade one submission: on this machine or on a dask worker, from bytes only.

    The job's private course directory (mode 0700) is built from ``bundle`` and ``submission``;
    nbgrader's autograde runs in a long-lived :class:`Worker` of this thread; what comes back is
    the scores read from the job's gradebook and the autograded files, for the one process that
    writes the course's gradebook (:meth:`Grader._merge`).
    """
    start = time.perf_counter()
    if settings.code != code_digest():
        return Result(job, False, [f"the grading worker on {socket.gethostname()} runs other "
                                   f"code (autograder and course package {code_digest()[:12]}) "
                                   f"than `grade` ({settings.code[:12]}): install the same "
                                   "commit of the course repository on every worker"])
    if not settings.unsafe_no_sandbox and sandbox.problem():
        return Result(job, False, [f"cannot sandbox the students' code on {socket.gethostname()}:"
                                   f" {sandbox.problem()}; to fix: {sandbox.NO_SANDBOX_HELP}"],
                      seconds=time.perf_counter() - start)
    work = Path(tempfile.mkdtemp(prefix="autograder-job-"))
    try:
        root = work / "course"
        unpack(bundle, root)
        unpack(submission, root / "submitted" / job.student / job.assignment)
        Course(root=root, timeout=settings.timeout, memory_limit=settings.memory_limit,
               unsafe_no_sandbox=settings.unsafe_no_sandbox).write_config()
        report = work / "report.json"
        answer = (pool or _PROCESS_POOL).get().run(
            {"id": job.key, "root": str(root), "assignment": job.assignment,
             "student": job.student, "report": str(report), "work": str(work)}, wall_limit)
        notes = []
        if answer is None:
            notes.append(f"grading stopped after {wall_limit:.0f} s (wall-clock limit)")
            answer = {"success": False, "log": ""}
        data = _read_report(report)
        autograded = root / "autograded" / job.student / job.assignment
        ok = answer["success"] and autograded.exists()
        if not ok and answer["log"]:
            notes.append("nbgrader autograde failed: " + failure_summary(answer["log"]))
        result = Result(job, ok, notes + reasons_from(data), data)
        if ok:
            result.scores = read_scores(root, job)
            result.autograded = pack(autograded)
        result.seconds = time.perf_counter() - start
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_jobs(run: list[tuple[Job, Files]], settings: Settings, bundle: Files,
             wall_limit: float, pool: WorkerPool | None = None) -> list[Result]:
    """:func:`run_job` for each (job, submission files) of ``run``, one after the other, in
    one worker: the unit that goes to a thread or a dask worker (see :func:`runs`)."""
    return [run_job(job, settings, bundle, files, wall_limit, pool) for job, files in run]


RUN_MAX = 8  # jobs per run: small enough to balance the workers and keep results flowing


def runs(jobs: list[Job], slots: int) -> list[list[Job]]:
    """``jobs`` (in order) cut into runs of consecutive jobs of one assignment: as long as
    possible (at most :data:`RUN_MAX`) while every one of ``slots`` workers still gets two runs.

    A worker keeps its trusted kernel and its spare student process only for the next notebook
    of the same assignment. Handing out single jobs from a shared queue made every worker grade
    every assignment, and each change costs a kernel start: the CPU per notebook grew with the
    number of workers (benchmarks/grading_cluster.py)."""
    size_cap = max(1, min(RUN_MAX, -(-len(jobs) // (2 * max(1, slots)))))
    out: list[list[Job]] = []
    for assignment in dict.fromkeys(job.assignment for job in jobs):
        mine = [job for job in jobs if job.assignment == assignment]
        out.extend(mine[k:k + size_cap] for k in range(0, len(mine), size_cap))
    return out


def read_scores(root: Path, job: Job) -> dict:
    """The job's submission as autograde left it in the job's gradebook, as plain data."""
    from .nbgrader_config import COURSE_ID

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy session warnings
        sub = gb.find_submission(job.assignment, job.student)
        return {"timestamp": sub.timestamp, "notebooks": {
            nb.name: {"penalty": nb.late_submission_penalty,
                      "grades": {g.name: (g.auto_score, bool(g.needs_manual_grade))
                                 for g in nb.grades},
                      "comments": {c.name: c.auto_comment for c in nb.comments}}
            for nb in sub.notebooks}}


class _Local:
    """Jobs in threads of this process, each thread with its own grading worker."""

    def __init__(self, workers: int, pool: WorkerPool) -> None:
        self.slots = workers
        self.pool = pool
        self.executor = ThreadPoolExecutor(workers)

    def share(self, bundle: Files) -> Files:
        return bundle

    def submit(self, run: list, *args: object, priority: int = 0) -> Future:
        return self.executor.submit(run_jobs, run, *args, pool=self.pool)

    def wait(self, pending: set) -> set:
        return futures_wait(pending, return_when=FIRST_COMPLETED).done

    def results(self, future: Future, jobs: list[Job]) -> list[Result]:
        return future.result()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.pool.close()


# dask's periodic work, which a grading job does not need: the worker's statistical profiler
# samples the running thread's stack every 10 ms, the event loops wake every 20 ms to check that
# they are not blocked, and the system monitor reads psutil twice a second. An idle LocalCluster
# of one worker took 8% of a core, 1% with these settings; while grading, the CPU per notebook of
# the dask worker and the grading process fell from 0.40 s to 0.24 s (benchmarks/README.md): CPU
# that the grading jobs of the other workers lose. The same settings for `dask worker` elsewhere
# are in autograder/README.md.
QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
}


class _Dask:
    """Jobs on a ``dask.distributed`` cluster: ``local`` starts a LocalCluster of ``workers``
    processes here; anything else is a scheduler address (``tcp://host:8786``)."""

    def __init__(self, address: str, workers: int) -> None:
        import logging

        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise GraderError("--cluster needs dask.distributed, which is not installed here: "
                              "COURSE_EXTRAS=instructor,cluster bin/setup (or pip install -e "
                              "'.[instructor,cluster]'), on this machine and every worker") from None

        self.cluster = None
        if address == "local":
            # One thread per worker process: a grading job keeps a core busy; no memory
            # limit from dask, the sandbox limits each student's process.
            with dask.config.set(QUIET):
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, memory_limit=0,
                                            dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address)  # waits distributed.comm.timeouts.connect
            except OSError as exc:
                raise GraderError(f"cannot reach the dask scheduler at {address} ({exc}); start "
                                  "one with `dask scheduler` and workers with `dask worker "
                                  f"{address}` (autograder/README.md), or grade without "
                                  "--cluster") from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def share(self, bundle: Files):
        # Sent to the cluster once, not with every job (a list: a dict would be split by key).
        return self.client.scatter([bundle], hash=False)[0]

    def submit(self, run: list, *args: object, priority: int = 0):
        job = run[0][0]
        return self.client.submit(run_jobs, run, *args, key=f"grade-{job.assignment}-"
                                  f"{job.student}-{len(run)}-{secrets.token_hex(4)}",
                                  pure=False, priority=priority)

    def wait(self, pending: set) -> set:
        from distributed import wait

        wait(list(pending), return_when="FIRST_COMPLETED")
        return {f for f in pending if f.done()}

    def results(self, future, jobs: list[Job]) -> list[Result]:
        try:
            return future.result()
        except Exception as exc:  # a worker that died (KilledWorker) or a task that raised
            return [Result(job, False, [f"the dask task failed: {type(exc).__name__}: "
                                        f"{str(exc)[:300]}"]) for job in jobs]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


STATUS_EVERY = 5.0  # seconds between writes of the status file while merging


@contextlib.contextmanager
def one_transaction(gb: Gradebook):
    """nbgrader's :class:`Gradebook` commits after every student and submission it creates, and
    its session expires every object on commit, so each grade read afterwards is a query: 0.04 s
    per notebook, growing with the class. Inside this block its commits only flush, objects stay
    loaded, and the block ends with one commit (or a rollback of the whole batch)."""
    session = gb.db()  # the scoped session's Session; the override is on this instance only
    session.expire_on_commit = False
    session.commit = session.flush
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()


class Grader:
    """Runs the jobs with ``jobs`` workers (threads here, or a dask cluster with ``cluster``) and
    merges the results into the course gradebook, in this process only."""

    def __init__(self, course: Course, jobs: int = 1, wall_limit: float | None = None,
                 progress: bool = True, cluster: str | None = None) -> None:
        self.course = course
        self.workers = max(1, jobs)
        # A notebook whose kernel ignores interrupts can only be stopped by the wall clock.
        self.wall_limit = wall_limit or WALL_LIMIT
        self.progress = progress
        self.cluster = cluster
        self.pool = WorkerPool()
        self.merge_seconds = 0.0  # time spent writing results into the gradebook
        self.batches: list[int] = []  # results per merge
        self._status_saved = time.monotonic()

    # -- merging (this process only) ------------------------------------------------------------
    def _merge(self, gb: Gradebook, results: list[Result], status: dict) -> None:
        """Write ``results`` into the gradebook ``gb`` (one transaction) and ``autograded/``;
        the status file is written when :data:`STATUS_EVERY` seconds passed since it last was
        (and by :meth:`grade` at the end)."""
        with one_transaction(gb):
            entries = self._merge_rows(gb, results, status)
        status.update(entries)  # only what was committed: the status never claims more
        if time.monotonic() - self._status_saved > STATUS_EVERY:
            self._save_status(status)

    def _save_status(self, status: dict) -> None:
        self.course.save_status(status)
        self._status_saved = time.monotonic()

    def _merge_rows(self, gb: Gradebook, results: list[Result], status: dict) -> dict:
        """The gradebook rows of ``results`` (not committed) and their new status entries."""
        entries = {}
        for result in results:
            job = result.job
            flagged = bool(result.report.get("unsandboxed"))
            gb.update_or_create_student(job.student)
            target = self.course.root / "autograded" / job.student / job.assignment
            shutil.rmtree(target, ignore_errors=True)
            if result.ok and result.scores is not None:
                got = result.scores["notebooks"]
                sub = gb.update_or_create_submission(job.assignment, job.student,
                                                     timestamp=result.scores["timestamp"])
                for snb in sub.notebooks:
                    mine = got.get(snb.name, {"penalty": None, "grades": {}, "comments": {}})
                    snb.flagged = flagged
                    snb.late_submission_penalty = mine["penalty"]
                    for grade in snb.grades:
                        if grade.name in mine["grades"]:
                            grade.auto_score, grade.needs_manual_grade = mine["grades"][grade.name]
                    for comment in snb.comments:
                        if comment.name in mine["comments"]:
                            comment.auto_comment = mine["comments"][comment.name]
                unpack(result.autograded or {}, target)
            else:  # not gradable: the submission is in the gradebook with 0 points
                sub = gb.update_or_create_submission(job.assignment, job.student)
                for snb in sub.notebooks:
                    snb.flagged = True
                    for grade in snb.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
            entry = entries[job.key] = dict(status.get(job.key, {"collect": [], "grade": []}))
            entry["grade"] = result.reasons
            entry["fingerprint"] = job.fingerprint
            entry["state"] = ("graded without sandbox" if flagged else "graded") if result.ok \
                else "not graded"
            result.autograded = None  # written; the caller keeps scores and reasons only
        return entries

    @property
    def course_id(self) -> str:
        from .nbgrader_config import COURSE_ID

        return COURSE_ID

    def grade(self, jobs: list[Job]) -> list[Result]:
        """Grade ``jobs`` (in their order: the first start first); results are merged in
        batches of whatever finished since the last merge, so a merge never waits for grading
        and grading never waits for more than one merge."""
        if not jobs:
            return []
        self.course.write_config()
        status = self.course.load_status()
        settings = Settings.of(self.course)
        results: list[Result] = []
        with tempfile.TemporaryDirectory(prefix="autograder-db-") as tmp, \
                contextlib.ExitStack() as stack:
            template = Path(tmp) / "gradebook.db"
            snapshot_db(self.course, template)
            backend = _Dask(self.cluster, self.workers) if self.cluster \
                else _Local(self.workers, self.pool)
            stack.callback(backend.close)
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy session warnings
            gb = stack.enter_context(Gradebook(self.course.db_url, self.course_id))
            bundles: dict[str, object] = {}
            todo = iter(enumerate(runs(jobs, backend.slots)))
            pending: dict[object, list[Job]] = {}
            bar = stack.enter_context(tqdm(total=len(jobs), desc="grading", unit="notebook",
                                           disable=not self.progress))

            def fill() -> None:
                # At most two runs per slot are out at a time: payloads stay few in memory.
                for index, run in todo:
                    prepared = [(job, self._prepare(job)) for job in run]
                    refused = [r for _, r in prepared if isinstance(r, Result)]
                    if refused:  # cannot be graded: merged at once, never sent
                        self._finish(gb, refused, status, results, bar)
                    run = [(job, files) for job, files in prepared if not isinstance(files, Result)]
                    if not run:
                        continue
                    assignment = run[0][0].assignment
                    if assignment not in bundles:
                        bundles[assignment] = backend.share(
                            assignment_bundle(self.course, assignment, template))
                    future = backend.submit(run, settings, bundles[assignment], self.wall_limit,
                                            priority=-index)
                    pending[future] = [job for job, _ in run]
                    if len(pending) >= 2 * backend.slots:
                        return

            try:
                fill()
                while pending:
                    done = backend.wait(set(pending))
                    batch = [r for f in done for r in backend.results(f, pending.pop(f))]
                    fill()  # the workers go on while this process merges
                    self._finish(gb, batch, status, results, bar)
            finally:  # what was merged, also when interrupted
                self._save_status(status)
        return results

    def _prepare(self, job: Job) -> Files | Result:
        """The submission's files, or the Result of a submission that cannot be graded."""
        submitted = self.course.root / "submitted" / job.student / job.assignment
        if not job.fingerprint:  # a job made by hand: the submission as it is now
            job.fingerprint = fingerprint(self.course, job.student, job.assignment)
        notes = precheck(submitted / f"{job.assignment}.ipynb")
        return Result(job, False, notes) if notes else pack(submitted)

    def _finish(self, gb: Gradebook, batch: list[Result], status: dict, results: list[Result],
                bar) -> None:
        start = time.perf_counter()
        self._merge(gb, batch, status)
        self.merge_seconds += time.perf_counter() - start
        self.batches.append(len(batch))
        results.extend(batch)
        bar.update(len(batch))


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
          wall_limit: float | None = None, force: bool = False,
          cluster: str | None = None) -> list[Result]:
    """Grade every collected submission (optionally only some students/assignments) that is new
    or changed since it was graded; ``force`` grades them all again. ``cluster``: run the jobs
    on a dask cluster (a scheduler's address, or ``local`` for a LocalCluster of ``jobs``
    worker processes); the gradebook is written by this process either way."""
    found = find_jobs(course, students, assignments, force=force)
    here = cluster in (None, "local")  # a remote worker checks its own sandbox
    if found and here and not course.unsafe_no_sandbox and sandbox.problem():
        # Every job would fail the same way: say so once, before anything is touched.
        raise GraderError(f"cannot sandbox the students' code: {sandbox.problem()}. To fix: "
                          f"{sandbox.NO_SANDBOX_HELP}. Nothing was graded.")
    grader = Grader(course, jobs, wall_limit=wall_limit, progress=progress, cluster=cluster)
    return grader.grade(found)


__all__ = ["Grader", "Job", "Result", "find_jobs", "grade", "precheck", "run_job", "run_jobs"]
