"""Hostile submissions (tests/autograder/attacks.py) against the real grading pipeline.

For every attack: no point beyond its ceiling. For the whole run: every honest classmate keeps
the score it earned, nothing is left on the host, the grader's memory stayed bounded, no
connection reached the host, and no hidden test text reached a graded notebook.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from attacks import ATTACKS  # noqa: E402
from conftest import NESTED  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_no_unearned_points(graded_class, attack):
    row = graded_class.row(attack.name, attack.notebook)
    assert row.score <= graded_class.ceiling(attack), (attack.what, row)


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.raw is None],
                         ids=[a.name for a in ATTACKS if a.raw is None])
def test_hostile_submission_is_graded(graded_class, attack):
    """Graded (in the gradebook with a score), never a crash of the grader."""
    row = graded_class.row(attack.name, attack.notebook)
    assert row.state == "graded", (attack.what, row)


def test_attacks_that_should_cost_nothing_keep_full_marks(graded_class):
    """Attacks on the host leave the honest answers in the same notebook their points."""
    for attack in ATTACKS:
        if attack.ceiling == "complete" and attack.name != "hang-in-call":
            row = graded_class.row(attack.name, attack.notebook)
            assert row.score == graded_class.full[attack.notebook], (attack.name, row)


def test_honest_classmates_keep_their_scores(graded_class):
    for key, row in graded_class.rows.items():
        student, notebook = key.split("/", 1)
        if "honest-" in student or student in ("zipped", "wrong-name"):
            assert (row.score, row.state) == (graded_class.full[notebook], "graded"), key
        elif student == "partial":
            assert 0 < row.score < graded_class.full[notebook], key
        elif student == "untouched":
            assert row.score == 0, key
    assert graded_class.row("zipped").score == graded_class.full["01-derivatives"]


def test_nothing_is_left_on_the_host(graded_class):
    assert graded_class.leftovers == {"processes": [], "files": [], "job dirs": []}


def test_no_connection_reaches_the_host(graded_class):
    assert graded_class.listener_hits == []


def test_grader_memory_stays_bounded(graded_class):
    # A worker imports nbgrader (about 150 MB) and holds one job's notebook; nothing a student
    # writes or returns reaches it. The parent merges results.
    assert max(graded_class.worker_peak_mib) < 600, graded_class.worker_peak_mib
    assert graded_class.grader_rss_growth_mib < 300


def test_hidden_tests_never_reach_a_graded_notebook(graded_class):
    """Feedback (what students get back) has neither hidden test code nor its lines in tracebacks."""
    feedback = list(graded_class.course.root.glob("feedback/*/*/*.html"))
    assert len(feedback) >= 8 or NESTED
    for path in feedback:
        text = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "xs_hidden" not in text, path
    for student in ("read-hidden", "callback-introspection"):
        outputs = "".join(str(o.get("text", "")) + str(o.get("evalue", ""))
                          for c in graded_class.autograded(student).cells
                          for o in c.get("outputs", []))
        assert "BEGIN HIDDEN" not in outputs and "xs_hidden" not in outputs, student
    found = [o.get("text", "") for c in graded_class.autograded("read-hidden").cells
             for o in c.get("outputs", []) if "FOUND" in o.get("text", "")]
    assert found and found[0].strip().endswith("FOUND []"), found


def test_forbidden_requests_did_nothing(graded_class):
    root = graded_class.course.root
    assert not list(root.glob(f"{graded_class.marker}*"))
    outputs = "".join(str(o.get("text", "")) for c in graded_class.autograded(
        "callback-introspection").cells for o in c.get("outputs", []))
    assert "LOOT" in outputs and "<code object" not in outputs and "'__builtins__'" not in outputs


@pytest.mark.parametrize("student, reason", [(student, reason) for student, reason in [
    ("hang-in-call", "did not stop within"),
    ("memory-hog", "memory limit reached"),
    ("kill-everything", "your notebook's process stopped"),
    ("deep-json", "not a valid notebook"),
    ("binary", "not a valid notebook"),
    ("no-tests", "not run"),
    ("big-source", "cut to 200000 characters"),
    ("foreign-test", "do not belong to this notebook"),
] if student in {a.name for a in ATTACKS}])
def test_reason_is_recorded(graded_class, student, reason):
    notebook = graded_class.attacks[student].notebook
    assert reason in graded_class.row(student, notebook).reasons
