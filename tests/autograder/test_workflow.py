"""The instructor's workflow on the graded class: collect, reports, nbgrader, the command line."""
from __future__ import annotations

import csv
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from autograder.course import Course
from autograder.execute import is_test_cell
from autograder.grading import Grader, Job
from autograder.report import gradebook_rows

pytestmark = pytest.mark.slow
FIRST = "01-derivatives"


def test_complete_partial_untouched(graded_class):
    full = graded_class.full[FIRST]
    assert graded_class.row("honest-0").score == full
    assert 0 < graded_class.row("partial").score < full
    assert graded_class.row("untouched").score == 0
    assert graded_class.row("zipped").score == full  # an LMS zip, unpacked by collect


def test_every_collected_submission_is_in_the_gradebook(graded_class):
    for c in graded_class.collected:
        if c.assignment != "?":
            assert f"{c.student}/{c.assignment}" in graded_class.rows, c


def test_graded_notebook_is_the_release_with_the_students_answers(graded_class):
    source = {c.metadata.nbgrader.grade_id: c.source
              for c in nbformat.read(graded_class.course.root / "source" / FIRST / f"{FIRST}.ipynb",
                                     as_version=4).cells if is_test_cell(c)}
    for student in ("honest-0", "no-tests", "swapped-ids", "tests-as-answers", "skip-tags"):
        graded = {c.metadata.nbgrader.grade_id: c for c in graded_class.autograded(student).cells
                  if is_test_cell(c)}
        assert set(graded) == set(source), student
        for grade_id, text in source.items():
            assert graded[grade_id].source == text, (student, grade_id)  # with hidden tests
            assert "tags" not in graded[grade_id].metadata, student


def test_stderr_of_answers_does_not_zero_a_correct_answer(graded_class):
    assert graded_class.row("stderr").score == graded_class.full[FIRST]
    texts = [o.get("text", "") for c in graded_class.autograded("stderr").cells
             for o in c.get("outputs", [])]
    assert any("[stderr] debug:" in t for t in texts)


@pytest.mark.parametrize("student, reason", [
    ("duplicated", "duplicated answer cells"),
    ("wrong-name", "matched to"),
    ("untouched", "unanswered exercise"),
])
def test_reason_is_recorded(graded_class, student, reason):
    assert reason in graded_class.row(student).reasons


def test_unusable_file_is_reported(graded_class):
    notes = [r for r in gradebook_rows(graded_class.course) if r.assignment == "notes.ipynb"]
    assert notes and "cannot read a student id" in notes[0].reasons


def test_report_files(graded_class):
    reports = graded_class.reports
    with reports["gradebook"].open() as fh:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}
    assert float(rows[("honest-0", FIRST)]["score"]) == graded_class.full[FIRST]
    with reports["exercises"].open() as fh:
        exercises = list(csv.DictReader(fh))
    assert exercises and all(int(e["full_marks"]) >= 1 for e in exercises)
    assert reports["histogram"].read_bytes()[:4] == b"\x89PNG"
    assert "honest-0" in reports["nbgrader"].read_text()  # nbgrader export on the same course


def test_nbgrader_cli_still_works(graded_class):
    out = graded_class.course.nbgrader("db", "student", "list").stdout
    assert "honest-0" in out and "fork-bomb" in out


def test_command_line_report(graded_class):
    out = subprocess.run([sys.executable, "-m", "autograder", "report", "--course-dir",
                          str(graded_class.course.root)], capture_output=True, text=True,
                         check=True).stdout
    assert "honest-0" in out and "histogram:" in out


@pytest.fixture
def course_copy(graded_class, tmp_path):
    """A copy of the graded course with one submission left, to grade again."""
    root = tmp_path / "copy"
    shutil.copytree(graded_class.course.root, root, symlinks=True)
    return Course(root=root, timeout=graded_class.course.timeout)


def test_wall_clock_limit_stops_a_slow_notebook(graded_class, course_copy):
    nb = graded_class.autograded("honest-0")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "import time\ntime.sleep(4)\n" + cell.source
    folder = course_copy.root / "submitted" / "slowpoke" / FIRST
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{FIRST}.ipynb")
    start = time.perf_counter()
    # Each answer cell sleeps less than the per-cell timeout, all of them more than the limit.
    [result] = Grader(course_copy, 1, wall_limit=10, progress=False).grade([Job("slowpoke", FIRST)])
    assert time.perf_counter() - start < 50
    assert not result.ok and "wall-clock limit" in " ".join(result.reasons)
    row = {r.student: r for r in gradebook_rows(course_copy) if r.assignment == FIRST}["slowpoke"]
    assert (row.score, row.state) == (0, "not graded")
    time.sleep(1)
    left = [p for p in os.listdir("/proc") if p.isdigit() and b"student_kernel" in
            _cmdline(p)]
    assert left == []


def _cmdline(pid: str) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _grade_cli(course: Course, *extra: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "autograder", "grade", "--course-dir",
                           str(course.root), "--quiet", "--timeout", "20", *extra],
                          capture_output=True, text=True, timeout=600, env=env)


def test_grading_refuses_without_a_sandbox(course_copy):
    db = course_copy.root / "gradebook.db"
    before = db.stat().st_mtime_ns
    out = _grade_cli(course_copy, path=os.path.dirname(sys.executable))  # no bwrap on PATH
    assert out.returncode == 2, out.stdout + out.stderr
    assert "bubblewrap (bwrap) is not installed" in out.stderr
    assert "--unsafe-no-sandbox" in out.stderr and "Nothing was graded" in out.stderr
    assert db.stat().st_mtime_ns == before


def test_unsafe_no_sandbox_still_grades_from_the_trusted_side(course_copy):
    out = _grade_cli(course_copy, "--unsafe-no-sandbox", "--students", "a-honest", "patch-numpy",
                     "--assignments", FIRST, path=os.path.dirname(sys.executable))
    assert out.returncode == 0, out.stdout + out.stderr
    rows = {r.student: r for r in gradebook_rows(course_copy) if r.assignment == FIRST}
    assert rows["a-honest"].score == rows["honest-0"].score  # full marks
    assert rows["patch-numpy"].score == 0  # the verdict still comes from the trusted kernel
    assert rows["a-honest"].state == "graded without sandbox"
    assert "WITHOUT the sandbox" in rows["a-honest"].reasons


def test_collect_reports_every_file_and_never_stops(graded_class, course_copy, tmp_path):
    from autograder.collect import collect

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    good = graded_class.autograded("honest-0")
    nbformat.write(good, downloads / f"aaa_{FIRST}.ipynb")  # sorted first ...
    (downloads / f"deep_{FIRST}.ipynb").write_bytes(b"[" * 300_000 + b"]" * 300_000)
    (downloads / f"bytes_{FIRST}.ipynb").write_bytes(bytes(range(256)) * 10)
    (downloads / f"link_{FIRST}.ipynb").symlink_to("/etc/passwd")
    (downloads / "readme.txt").write_text("hello")
    (downloads / f"folder_{FIRST}.ipynb").mkdir()
    (downloads / f"lms-{FIRST}.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (downloads / ".ipynb_checkpoints").mkdir()
    nbformat.write(good, downloads / ".ipynb_checkpoints" / f"ckpt_{FIRST}-checkpoint.ipynb")
    nbformat.write(good, downloads / f"zzz_{FIRST}.ipynb")  # ... and last: both collected
    rows = {Path(r.path).name: r for r in collect(course_copy, downloads)}
    files = {p.name for p in downloads.rglob("*") if p.is_file() or p.is_symlink()}
    assert files <= set(rows), files - set(rows)
    assert rows[f"aaa_{FIRST}.ipynb"].assignment == FIRST == rows[f"zzz_{FIRST}.ipynb"].assignment
    assert "not a valid notebook" in rows[f"deep_{FIRST}.ipynb"].reason
    assert "not a valid notebook" in rows[f"bytes_{FIRST}.ipynb"].reason
    assert "symbolic link" in rows[f"link_{FIRST}.ipynb"].reason
    assert "not a notebook" in rows["readme.txt"].reason
    assert "checkpoint" in rows[f"ckpt_{FIRST}-checkpoint.ipynb"].reason
    assert "could not be" in rows[f"lms-{FIRST}.zip"].reason
    submitted = course_copy.root / "submitted"
    assert not (submitted / "link").exists()
    assert (submitted / "zzz" / FIRST / f"{FIRST}.ipynb").exists()
