"""Every robustness case of the grading pipeline, on one class graded by real nbgrader."""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from autograder.examples import is_test
from autograder.report import gradebook_rows

pytestmark = pytest.mark.slow


def full(graded_class) -> float:
    return graded_class.row("complete").max_score


def test_complete_partial_untouched(graded_class):
    assert graded_class.row("complete").score == full(graded_class)
    assert 0 < graded_class.row("partial").score < full(graded_class)
    assert graded_class.row("untouched").score == 0
    assert graded_class.row("zipped").score == full(graded_class)  # via nbgrader zip_collect


def test_no_submission_gets_unearned_points(graded_class):
    complete = graded_class.row("complete").score
    for name, ceiling in graded_class.ceilings.items():
        student = name.split("_", 1)[0]
        row = graded_class.row(student)
        limit = {"complete": complete, "partial": graded_class.row("partial").score}.get(
            ceiling, ceiling)
        assert row.score <= limit, (student, row)


def test_every_submission_is_in_the_gradebook(graded_class):
    for name in graded_class.ceilings:
        assert name.split("_", 1)[0] in graded_class.rows, name


@pytest.mark.parametrize("student, reason", [
    ("infinite-loop", "cell timeout"),
    ("ignores-interrupt", "stopped responding"),
    ("memory-hog", "memory limit reached"),
    ("sys-exit", "sys.exit() called"),
    ("os-exit", "the kernel died"),
    ("killed-kernel", "the kernel died"),
    ("syntax-error", "syntax error"),
    ("duplicated-cells", "duplicated cells"),
    ("stderr", "stderr output in test cells kept as stdout"),
    ("invalid-json", "not a valid notebook"),
    ("wrong-name", "matched to"),
    ("patch-helpers", "TAMPERING SUSPECTED"),
    ("patch-by-alias", "TAMPERING SUSPECTED"),
    ("swallow-errors", "TAMPERING SUSPECTED"),
])
def test_reason_is_recorded(graded_class, student, reason):
    assert reason in graded_class.row(student).reasons


def test_broken_kernels_do_not_stop_the_class(graded_class):
    # The loop and the memory hog break only the exercise they are in; later exercises score.
    for student in ("infinite-loop", "memory-hog", "syntax-error"):
        assert 0 < graded_class.row(student).score < full(graded_class), student
    assert graded_class.row("sys-exit").score == full(graded_class)  # SystemExit stays in its cell


def test_stderr_does_not_zero_a_correct_answer(graded_class):
    assert graded_class.row("stderr").score == full(graded_class)
    texts = [o.get("text", "") for c in graded_class.autograded("stderr").cells
             for o in c.get("outputs", [])]
    assert any("[stderr] debug:" in t for t in texts)


def test_deleted_and_edited_tests_are_restored(graded_class):
    source = {c.metadata.nbgrader.grade_id: c.source
              for c in graded_class.autograded("complete").cells if is_test(c)}
    for student in ("deleted-tests", "edited-tests"):
        restored = {c.metadata.nbgrader.grade_id: c.source
                    for c in graded_class.autograded(student).cells if is_test(c)}
        assert set(restored) == set(source), student
        for grade_id, text in source.items():
            assert text in restored[grade_id], (student, grade_id)  # may carry nbgrader's note
    assert graded_class.row("deleted-tests").score == full(graded_class)
    assert graded_class.row("edited-tests").score == 0


def test_tampering_is_flagged_for_review(graded_class):
    for student in ("patch-helpers", "patch-by-alias", "swallow-errors"):
        row = graded_class.row(student)
        assert (row.score, row.state) == (0, "flagged"), student
    # The alias trick passes the static scan; the runtime check catches it.
    assert "runtime check" in graded_class.row("patch-by-alias").reasons
    assert "line" not in graded_class.row("patch-by-alias").reasons.split("TAMPERING")[1]
    db = sqlite3.connect(graded_class.course.root / "gradebook.db")
    flagged = dict(db.execute(
        "select student.id, submitted_notebook.flagged from submitted_notebook join "
        "submitted_assignment on submitted_assignment.id = submitted_notebook.assignment_id "
        "join student on student.id = submitted_assignment.student_id"))
    assert flagged["patch-helpers"] and not flagged["complete"]


def test_file_attack_reads_and_writes_nothing(graded_class):
    assert graded_class.row("file-attack").score == full(graded_class)
    outputs = "".join(o.get("text", "") for c in graded_class.autograded("file-attack").cells
                      for o in c.get("outputs", []))
    assert "READ" not in outputs and "WROTE" not in outputs
    root = graded_class.course.root
    for path in [root / "gradebook.db", *root.glob("autograded/*/*/*.ipynb"),
                 *root.glob("feedback/*/*/*.html"), *root.glob("source/*/*.ipynb"),
                 *graded_class.course.notebooks.glob("*.ipynb")]:
        assert b"HACKED" not in path.read_bytes(), path


def test_hidden_tests_stay_hidden(graded_class):
    source = (graded_class.course.root / "source" / graded_class.assignment /
              f"{graded_class.assignment}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in source
    for student in ("file-attack", "complete"):
        outputs = "".join(o.get("text", "") for c in graded_class.autograded(student).cells
                          for o in c.get("outputs", []))
        assert "HIDDEN TESTS" not in outputs
    feedback = graded_class.course.root / "feedback"
    html = list(feedback.glob(f"complete/{graded_class.assignment}/*.html"))
    assert html and "HIDDEN TESTS" not in html[0].read_text()


def test_unusable_file_is_reported(graded_class):
    rows = gradebook_rows(graded_class.course)
    notes = [r for r in rows if r.assignment == "notes.ipynb"]
    assert notes and "cannot read a student id" in notes[0].reasons


def test_report_files(graded_class):
    reports = graded_class.reports
    with reports["gradebook"].open() as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(rows["complete"]["score"]) == full(graded_class)
    assert "TAMPERING" in rows["patch-helpers"]["reasons"]
    with reports["exercises"].open() as fh:
        exercises = list(csv.DictReader(fh))
    assert exercises and all(int(e["full_marks"]) >= 1 for e in exercises)  # complete, at least
    assert reports["histogram"].read_bytes()[:4] == b"\x89PNG"
    assert "complete" in reports["nbgrader"].read_text()  # nbgrader export on the same course


def test_nbgrader_cli_still_works(graded_class):
    out = graded_class.course.nbgrader("db", "student", "list").stdout
    assert "complete" in out and "patch-helpers" in out


def test_command_line_report(graded_class):
    out = subprocess.run([sys.executable, "-m", "autograder", "report", "--course-dir",
                          str(graded_class.course.root)], capture_output=True, text=True,
                         check=True).stdout
    assert "complete" in out and "TAMPERING SUSPECTED" in out and "histogram:" in out


def test_wall_clock_limit_stops_a_slow_notebook(graded_class):
    import nbformat

    from autograder.grading import Grader, Job

    a = graded_class.assignment
    nb = graded_class.autograded("complete")
    nb.cells += [nbformat.v4.new_code_cell("import time\ntime.sleep(8)") for _ in range(4)]
    folder = graded_class.course.root / "submitted" / "slowpoke" / a
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{a}.ipynb")
    start = time.perf_counter()
    [result] = Grader(graded_class.course, 1, wall_limit=20, progress=False).grade(
        [Job("slowpoke", a)])
    assert time.perf_counter() - start < 60
    assert not result.ok and "wall-clock limit" in " ".join(result.reasons)
    row = {r.student: r for r in gradebook_rows(graded_class.course)}["slowpoke"]
    assert (row.score, row.state) == (0, "not graded")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and util-linux's setpriv to drop CAP_SYS_ADMIN")
def test_grading_refuses_at_once_without_mount_namespaces(graded_class):
    """As in a container without --cap-add SYS_ADMIN: one clear error, nothing touched."""
    db = graded_class.course.root / "gradebook.db"
    before = db.stat().st_mtime_ns
    out = subprocess.run(
        ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin",
         sys.executable, "-m", "autograder", "grade", "--course-dir", str(graded_class.course.root),
         "--quiet"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "cannot create a mount namespace" in out.stderr and "SYS_ADMIN" in out.stderr
    assert "Nothing was graded" in out.stderr
    assert db.stat().st_mtime_ns == before
