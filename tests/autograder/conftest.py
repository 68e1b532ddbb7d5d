"""One class, graded once by the real pipeline, that every autograder test looks at.

The class holds honest submissions (complete, partial, untouched, an LMS zip, a wrongly named
file) and every hostile submission of :mod:`attacks`, spread over four notebooks. It is released,
collected and graded by ``course-grader``'s own code (real nbgrader, real sandboxed kernels) with
two workers, short cell and wall-clock limits, while the host watches: a TCP listener and an
abstract unix socket on loopback count connection attempts, the worker processes' peak memory is
recorded, and afterwards the host is searched for processes and files the run left behind.
Grading everything in one run keeps the suite to a few minutes; each test checks one thing.
"""
from __future__ import annotations

import copy
import os
import resource
import secrets
import socket
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # attacks.py, whatever pytest's import mode

from attacks import ATTACKS, Attack, notebook_json  # noqa: E402

from autograder.cli import feedback  # noqa: E402
from autograder.collect import Collected, collect  # noqa: E402
from autograder.course import DEFAULT_NOTEBOOKS, REPO, Course  # noqa: E402
from autograder.examples import (complete, duplicate_cells, garbage_answers,  # noqa: E402
                                 partial, stderr_in_solution)
from autograder.grading import Grader, Result, find_jobs  # noqa: E402
from autograder.release import release  # noqa: E402
from autograder.report import Row, gradebook_rows, report  # noqa: E402

TIMEOUT = 6  # seconds per cell: what a hanging cell costs (honest cells take < 1 s)
MEMORY = 1 << 30  # bytes of address space of the student's process
WALL_LIMIT = 120  # seconds per notebook
NOTEBOOKS = sorted({a.notebook for a in ATTACKS} | {"02-forward-mode"})
LEFTOVER_PATTERNS = ("student_kernel.py", "autograder.trusted_kernel", "autograder.worker")
# Run again by an ordinary user (test_as_user.py) with the system's Python, whose `re` (Debian's
# 3.11.2) breaks soupsieve and with it nbconvert's HTML export: that run skips the feedback
# step, which the run as root covers.
NESTED = bool(os.environ.get("AUTOGRADER_NESTED"))


class Listener:
    """Counts connections to a TCP port and an abstract unix socket of the host."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"course-grader-test-{secrets.token_hex(6)}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen()
        for sock, name in ((self.tcp, "tcp"), (self.unix, "abstract")):
            threading.Thread(target=self._accept, args=(sock, name), daemon=True).start()

    def _accept(self, sock: socket.socket, name: str) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            self.hits.append(name)
            conn.close()

    def close(self) -> None:
        self.tcp.close()
        self.unix.close()


@dataclass
class GradedClass:
    course: Course
    marker: str
    collected: list[Collected]
    results: dict[str, Result]  # by "student/assignment"
    rows: dict[str, Row]  # by "student/assignment"
    reports: dict[str, Path]
    full: dict[str, float]  # points of each notebook
    partial: dict[str, float]  # what the honest partial submission scored
    attacks: dict[str, Attack]
    listener_hits: list[str]
    worker_peak_mib: list[float]
    grader_rss_growth_mib: float
    seconds: float
    leftovers: dict[str, list[str]] = field(default_factory=dict)

    def row(self, student: str, notebook: str = "01-derivatives") -> Row:
        return self.rows[f"{student}/{notebook}"]

    def autograded(self, student: str, notebook: str = "01-derivatives") -> nbformat.NotebookNode:
        path = self.course.root / "autograded" / student / notebook / f"{notebook}.ipynb"
        return nbformat.read(path, as_version=4)

    def ceiling(self, attack: Attack) -> float:
        c = attack.ceiling
        if isinstance(c, tuple):
            return self.full[attack.notebook] + c[1]
        if c == "complete":
            return self.full[attack.notebook]
        if c == "partial":
            return self.partial[attack.notebook]
        return float(c)


def fill(code: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        code = code.replace("{" + key + "}", value)
    return code


def build_attack(attack: Attack, source: dict, release_nb: dict, others: dict,
                 values: dict[str, str]) -> dict:
    """The submission of ``attack`` as notebook JSON."""
    base = {"complete": complete(source, release_nb), "untouched": copy.deepcopy(release_nb),
            "garbage": garbage_answers(complete(source, release_nb))}[attack.base]
    nb = notebook_json(base)
    if attack.code:
        code = fill(attack.code, values)
        answers = [c for c in nb["cells"]
                   if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        target = next(c for c in answers if attack.cell is None or
                      c["metadata"]["nbgrader"]["grade_id"] == attack.cell)
        target["source"] = {"before": code + "\n" + target["source"],
                            "after": target["source"] + "\n" + code,
                            "replace": code}[attack.place]
    if attack.edit is not None:
        attack.edit(nb, others)
    return nb


def processes_matching(patterns: tuple[str, ...]) -> list[str]:
    """Command lines of live processes that contain one of ``patterns``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        if any(p in cmd for p in patterns):
            found.append(f"{entry}: {cmd[:200]}")
    return found


def files_with(marker: str, roots: list[Path]) -> list[str]:
    """Paths under ``roots`` (not following links, not into /proc) whose name has ``marker``."""
    found = []
    for root in roots:
        if not root.exists():
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
            found += [str(Path(folder) / n) for n in files + dirs if marker in n]
            if folder.count(os.sep) - str(root).count(os.sep) >= 3:
                dirs[:] = []
    return found


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    root = tmp_path_factory.mktemp("course") / "course"
    course = Course(root=root, timeout=TIMEOUT, memory_limit=MEMORY)
    release(course, NOTEBOOKS)
    marker = f"AGMARK{secrets.token_hex(6)}"
    listener = Listener()
    values = {"marker": marker, "port": str(listener.port), "abstract": listener.abstract,
              "repo": str(REPO), "course": str(root), "home": str(Path.home())}
    downloads = tmp_path_factory.mktemp("downloads")
    sources = {nb: nbformat.read(root / "source" / nb / f"{nb}.ipynb", as_version=4)
               for nb in NOTEBOOKS}
    releases = {nb: nbformat.read(root / "release" / nb / f"{nb}.ipynb", as_version=4)
                for nb in NOTEBOOKS}
    others = {nb: notebook_json(n) for nb, n in releases.items()}
    for nb in NOTEBOOKS:
        # Names that sort before, between and after the attackers', so that honest jobs run in
        # between them on both workers.
        names = ["a-honest", "honest-0", "m-honest", "z-honest"] if nb == NOTEBOOKS[0] else ["honest-0"]
        for name in names:
            nbformat.write(complete(sources[nb], releases[nb]), downloads / f"{name}_{nb}.ipynb")
        if nb == NOTEBOOKS[0]:
            nbformat.write(partial(sources[nb], releases[nb]), downloads / f"partial_{nb}.ipynb")
            nbformat.write(releases[nb], downloads / f"untouched_{nb}.ipynb")
    for attack in ATTACKS:
        path = downloads / attack.name / f"{attack.notebook}.ipynb"
        path.parent.mkdir()
        if attack.raw is not None:
            path.write_bytes(attack.raw)
        else:
            nb = build_attack(attack, sources[attack.notebook], releases[attack.notebook],
                              others, values)
            nbformat.write(nbformat.from_dict(nb), path)
    first = NOTEBOOKS[0]
    # One honest submission arrives as an LMS zip (unpacked by collect), one with a bad name.
    with zipfile.ZipFile(downloads / f"lms-{first}.zip", "w") as zf:
        zf.write(downloads / f"honest-0_{first}.ipynb", f"zipped_{first}.ipynb")
    nbformat.write(complete(sources[first], releases[first]), downloads / "wrong-name_Untitled (1).ipynb")
    full_first = complete(sources[first], releases[first])
    nbformat.write(stderr_in_solution(full_first), downloads / f"stderr_{first}.ipynb")
    nbformat.write(duplicate_cells(full_first), downloads / f"duplicated_{first}.ipynb")
    (downloads / "notes.ipynb").write_text("{}")

    collected = collect(course, downloads)
    for attack in ATTACKS:  # files handed in next to a notebook (nbgrader's exchange keeps them)
        for name, text in attack.files.items():
            (root / "submitted" / attack.name / attack.notebook / name).write_text(text)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    grader = Grader(course, 2, wall_limit=WALL_LIMIT, progress=False)
    start = time.perf_counter()
    results = {r.job.key: r for r in grader.grade(find_jobs(course))}
    seconds = time.perf_counter() - start
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    listener.close()
    if not NESTED:  # what students get back, for the submissions the tests look at
        feedback(course, ["honest-0", "partial", "read-hidden", "callback-introspection",
                          "forged-frames", "hang-in-call", "stdio-forgery", "raw-requests"])
    reports = report(course)
    rows = {f"{r.student}/{r.assignment}": r for r in gradebook_rows(course)}
    full = {nb: rows[f"honest-0/{nb}"].max_score for nb in NOTEBOOKS}
    part = {nb: rows[f"partial/{nb}"].score for nb in NOTEBOOKS if f"partial/{nb}" in rows}
    graded = GradedClass(course, marker, collected, results, rows, reports, full, part,
                         {a.name: a for a in ATTACKS}, list(listener.hits),
                         [w.peak_rss_kib / 1024 for w in grader.pool.workers], growth, seconds)
    time.sleep(1)  # anything a job left would still be alive now
    graded.leftovers = {
        "processes": processes_matching((marker, *LEFTOVER_PATTERNS)),
        "files": files_with(marker, [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"),
                                     Path("/run/lock"), Path("/run"), Path.home(), REPO,
                                     root, Path("/etc"), Path("/root")]),
        "job dirs": [str(p) for p in Path("/tmp").glob("autograder-job-*")
                     if p.stat().st_uid == os.geteuid() and p.stat().st_mtime >= time.time()
                     - seconds - 60],
    }
    slowest = sorted(results.values(), key=lambda r: -r.seconds)[:12]
    print(f"graded {len(results)} notebooks in {seconds:.0f} s; slowest: " +
          ", ".join(f"{r.job.key} {r.seconds:.1f}" for r in slowest))
    return graded
