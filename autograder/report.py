"""``course-grader report``: the gradebook as CSV, a per-exercise summary and a score histogram."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .collect import UNKNOWN
from .course import Course
from .nbgrader_config import COURSE_ID


@dataclass
class Row:
    """One (student, assignment) line of the gradebook."""

    student: str
    assignment: str
    score: float
    max_score: float
    state: str
    reasons: str


def gradebook_rows(course: Course) -> list[Row]:
    """Every submission in the gradebook with its state and reasons, then unmatched files."""
    status = course.load_status()
    rows = []
    with Gradebook(course.db_url, COURSE_ID) as gb:
        for assignment in sorted(a.name for a in gb.assignments):
            for sub in sorted(gb.assignment_submissions(assignment), key=lambda s: s.student_id):
                entry = status.get(f"{sub.student_id}/{assignment}", {})
                flagged = any(nb.flagged for nb in sub.notebooks)
                state = entry.get("state", "flagged" if flagged else "graded")
                reasons = entry.get("collect", []) + entry.get("grade", [])
                rows.append(Row(sub.student_id, assignment, round(sub.score, 2),
                                sub.max_score, state, "; ".join(reasons)))
    for key, entry in sorted(status.items()):
        student, assignment = key.split("/", 1)
        if UNKNOWN in (student, assignment):
            rows.append(Row(student, assignment, 0.0, 0.0, "not collected",
                            "; ".join(entry.get("collect", []))))
    return rows


def exercise_rows(course: Course) -> list[dict]:
    """Per graded cell: points, class mean and how many submissions got full marks."""
    rows = []
    with Gradebook(course.db_url, COURSE_ID) as gb:
        for assignment in sorted(a.name for a in gb.assignments):
            subs = gb.assignment_submissions(assignment)
            for notebook in gb.find_assignment(assignment).notebooks:
                for cell in notebook.grade_cells:
                    scores = []
                    for sub in subs:
                        try:
                            grade = gb.find_grade(cell.name, notebook.name, assignment,
                                                  sub.student_id)
                        except MissingEntry:
                            continue
                        scores.append(grade.score)
                    n = len(scores)
                    rows.append({
                        "assignment": assignment, "exercise": cell.name,
                        "points": cell.max_score, "submissions": n,
                        "class_mean": round(sum(scores) / n, 3) if n else "",
                        "full_marks": sum(s >= cell.max_score for s in scores)})
    return rows


def histogram(rows: list[Row], path: Path) -> None:
    """Histogram of each student's total, in percent of the points of what they submitted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals: dict[str, list[float]] = {}
    for row in rows:
        if row.max_score:
            t = totals.setdefault(row.student, [0.0, 0.0])
            t[0] += row.score
            t[1] += row.max_score
    percent = [100 * s / m for s, m in totals.values()]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(percent, bins=[10 * k for k in range(11)], edgecolor="black")
    ax.set_xlabel("total score (% of the points submitted for)")
    ax.set_ylabel("students")
    ax.set_title(f"Score histogram ({len(percent)} students)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        if rows:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def report(course: Course, out: Path | None = None, nbgrader_export: bool = True) -> dict[str, Path]:
    """Write ``gradebook.csv``, ``exercises.csv``, ``histogram.png`` (and nbgrader's own
    ``nbgrader_grades.csv``) into ``out`` (default ``<course>/reports``); return their paths."""
    out = Path(out or course.root / "reports")
    out.mkdir(parents=True, exist_ok=True)
    rows = gradebook_rows(course)
    paths = {"gradebook": out / "gradebook.csv", "exercises": out / "exercises.csv",
             "histogram": out / "histogram.png"}
    _write_csv(paths["gradebook"], [vars(r) for r in rows])
    _write_csv(paths["exercises"], exercise_rows(course))
    histogram(rows, paths["histogram"])
    if nbgrader_export:
        paths["nbgrader"] = out / "nbgrader_grades.csv"
        course.nbgrader("export", f"--CsvExportPlugin.to={paths['nbgrader']}")
    return paths


def format_table(rows: list[Row]) -> str:
    """The gradebook as a plain-text table (what ``course-grader demo`` prints)."""
    header = ("student", "assignment", "score", "state", "reasons")
    lines = [(r.student, r.assignment, f"{r.score:g}/{r.max_score:g}", r.state,
              r.reasons if len(r.reasons) <= 110 else r.reasons[:107] + "...") for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths[:-1]) + "  {}"
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)
