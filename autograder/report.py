"""``course-grader report``: the gradebook as CSV, a per-exercise summary, a score histogram, and
what an LMS imports.

* ``gradebook.csv``: one row per (student, assignment) with state and reasons;
* ``students.csv``: one row per student, the LMS's id for them, a score per assignment and the
  course total out of every released assignment's points (an assignment not handed in counts 0);
* ``canvas.csv``: Canvas's gradebook import (Grades > Import): ``Student, ID, SIS User ID,
  SIS Login ID, Section`` then one column per assignment, for the students collected from a
  Canvas download (ID = the Canvas user id from the file names);
* ``moodle/<assignment>.csv``: Moodle's grading worksheet of each assignment (Assignment > View
  all submissions > Upload grading worksheet): ``Identifier`` ("Participant 12345", the id from
  the Moodle download), ``Full name``, ``Grade``, ``Maximum Grade``, ``Feedback comments``;
* ``histogram.png``: course totals in percent of all points, whole-number counts;
* ``feedback/<student>.zip``: each student's feedback HTML, to hand back through the LMS.
"""
from __future__ import annotations

import csv
import zipfile
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
    score: float       # after the late penalty
    max_score: float
    state: str
    reasons: str
    hours_late: float = 0.0  # from nbgrader's timestamp and the assignment's due date
    penalty: float = 0.0     # points taken for lateness (the course's late policy)


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
                penalty = float(sub.late_submission_penalty or 0.0)
                late = sub.total_seconds_late / 3600 if sub.timestamp and sub.duedate else 0.0
                if penalty:
                    reasons = reasons + [f"{late:.1f} h late: {penalty:g} point(s) taken (late policy)"]
                elif late > 0:
                    reasons = reasons + [f"{late:.1f} h late (no penalty under the late policy)"]
                rows.append(Row(sub.student_id, assignment, round(sub.score - penalty, 2),
                                sub.max_score, state, "; ".join(reasons), round(late, 2),
                                round(penalty, 2)))
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


def assignment_maxima(course: Course) -> dict[str, float]:
    """The points of every assignment in the gradebook."""
    with Gradebook(course.db_url, COURSE_ID) as gb:
        return {a.name: float(a.max_score) for a in gb.assignments}


def student_rows(rows: list[Row], maxima: dict[str, float], status: dict) -> list[dict]:
    """One row per student: the LMS's id, a score per assignment, the course total."""
    students: dict[str, dict] = {}
    for row in rows:
        if UNKNOWN in (row.student, row.assignment):
            continue
        entry = students.setdefault(row.student, {"student": row.student})
        entry[row.assignment] = row.score
        origin = status.get(f"{row.student}/{row.assignment}", {}).get("origin", {})
        for key, column in (("lms", "lms"), ("lms_id", "lms_id"), ("name", "name")):
            if origin.get(key) and not entry.get(column):
                entry[column] = origin[key]
        if origin.get("late"):
            entry["late"] = " ".join(filter(None, [entry.get("late", ""), row.assignment]))
    total_max = sum(maxima.values())
    out = []
    for student in sorted(students):
        entry = students[student]
        scores = {a: float(entry.get(a, 0.0)) for a in sorted(maxima)}
        total = round(sum(scores.values()), 2)
        out.append({"student": student, "name": entry.get("name", ""), "lms": entry.get("lms", ""),
                    "lms_id": entry.get("lms_id", ""), **scores, "total": total,
                    "max_total": total_max,
                    "percent": round(100 * total / total_max, 2) if total_max else 0.0,
                    "late": entry.get("late", "")})
    return out


def histogram(students: list[dict], path: Path) -> None:
    """Histogram of the students' course totals, in percent of all the course's points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    percent = [s["percent"] for s in students]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(percent, bins=[10 * k for k in range(11)], edgecolor="black")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # students come in whole numbers
    ax.set_xlabel("course total (% of all points; a notebook not handed in counts 0)")
    ax.set_ylabel("students")
    ax.set_title(f"Course totals ({len(percent)} students)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def canvas_rows(students: list[dict], maxima: dict[str, float]) -> list[dict]:
    """Canvas's gradebook import: the students collected from a Canvas download."""
    return [{"Student": s["name"] or s["student"], "ID": s["lms_id"], "SIS User ID": "",
             "SIS Login ID": "", "Section": "", **{a: s[a] for a in sorted(maxima)}}
            for s in students if s["lms"] == "canvas"]


def moodle_worksheets(rows: list[Row], status: dict) -> dict[str, list[dict]]:
    """Moodle's grading worksheet of each assignment, for the students of a Moodle download."""
    sheets: dict[str, list[dict]] = {}
    for row in rows:
        origin = status.get(f"{row.student}/{row.assignment}", {}).get("origin", {})
        if origin.get("lms") != "moodle" or UNKNOWN in (row.student, row.assignment):
            continue
        sheets.setdefault(row.assignment, []).append({
            "Identifier": f"Participant {origin['lms_id']}", "Full name": origin.get("name", ""),
            "Grade": row.score, "Maximum Grade": row.max_score, "Feedback comments": row.reasons})
    return sheets


def feedback_bundles(course: Course, out: Path) -> list[Path]:
    """``out/<student>.zip`` with the student's feedback HTML of every assignment and, once, the
    MathJax that its formulas render with offline (``mathjax/`` beside the assignment folders,
    where the HTML looks for it: :mod:`autograder.mathjax`)."""
    from . import mathjax

    bundles = []
    feedback = course.root / "feedback"
    mathjax.place_all(feedback)  # also beside HTML that nbgrader wrote itself
    for folder in sorted(p for p in feedback.glob("*") if p.is_dir()):
        files = sorted(f for f in folder.rglob("*") if f.is_file())
        if not files:
            continue
        out.mkdir(parents=True, exist_ok=True)
        bundle = out / f"{folder.name}.zip"
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f.relative_to(folder))
        bundles.append(bundle)
    return bundles


def _write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> None:
    with path.open("w", newline="") as fh:
        if rows or header:
            writer = csv.DictWriter(fh, fieldnames=header or list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def report(course: Course, out: Path | None = None, nbgrader_export: bool = True) -> dict[str, Path]:
    """Write the reports listed in this module's docstring (and nbgrader's own
    ``nbgrader_grades.csv``) into ``out`` (default ``<course>/reports``); return their paths."""
    out = Path(out or course.root / "reports")
    out.mkdir(parents=True, exist_ok=True)
    rows = gradebook_rows(course)
    status = course.load_status()
    maxima = assignment_maxima(course)
    students = student_rows(rows, maxima, status)
    paths = {"gradebook": out / "gradebook.csv", "exercises": out / "exercises.csv",
             "students": out / "students.csv", "canvas": out / "canvas.csv",
             "histogram": out / "histogram.png"}
    _write_csv(paths["gradebook"], [vars(r) for r in rows])
    _write_csv(paths["exercises"], exercise_rows(course))
    _write_csv(paths["students"], students)
    _write_csv(paths["canvas"], canvas_rows(students, maxima),
               ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *sorted(maxima)])
    for assignment, sheet in moodle_worksheets(rows, status).items():
        paths[f"moodle {assignment}"] = out / "moodle" / f"{assignment}.csv"
        paths[f"moodle {assignment}"].parent.mkdir(exist_ok=True)
        _write_csv(paths[f"moodle {assignment}"], sheet)
    histogram(students, paths["histogram"])
    bundles = feedback_bundles(course, out / "feedback")
    if bundles:
        paths["feedback bundles"] = out / "feedback"
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
