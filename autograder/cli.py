"""``course-grader`` / ``python -m autograder``: the instructor's grading workflow on nbgrader.

    course-grader release                 # student versions -> <course>/release/<id>/<id>.ipynb
    course-grader publish OUT             # the student repository (for students and Binder)
    course-grader collect DOWNLOADS/      # notebooks or LMS zips -> <course>/submitted/
    course-grader grade --jobs 2          # autograde everything, in parallel, sandboxed
    course-grader grade --cluster tcp://scheduler:8786   # the same jobs on a dask cluster
    course-grader feedback                # HTML per student -> <course>/feedback/
    course-grader due ID DATE --percent-per-day 10   # nbgrader's due date and the late policy
    course-grader release-solutions OUT   # after the deadline: solutions, hidden tests removed
    course-grader report                  # gradebook, per-student totals, Canvas/Moodle CSVs, histogram, feedback zips
    course-grader demo                    # all of the above on generated example submissions

The course directory is an ordinary nbgrader course directory: ``cd`` into it and ``nbgrader``
commands and the formgrader work on it too.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from .course import COURSE_DIR, DEFAULT_NOTEBOOKS, DEMO_DIR, Course, GraderError, tool_env
from .grading import WALL_LIMIT
from .nbgrader_config import CELL_TIMEOUT, MEMORY_LIMIT


def _course(args: argparse.Namespace) -> Course:
    return Course(root=args.course_dir, notebooks=args.notebooks, timeout=args.timeout,
                  memory_limit=args.memory_limit,
                  unsafe_no_sandbox=getattr(args, "unsafe_no_sandbox", False))


def cmd_release(args: argparse.Namespace) -> int:
    from .release import release

    course = _course(args)
    done = release(course, args.assignments)
    print(f"released {len(done)} assignment(s) into {course.root / 'release'}: {', '.join(done)}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .publish import publish

    done = publish(_course(args), Path(args.out), args.assignments or None)
    print(f"published {len(done)} notebook(s) into {args.out}: the student repository (push it "
          "to its own repository and put the Binder badge there; see its README.md)")
    return 0


def cmd_release_solutions(args: argparse.Namespace) -> int:
    from .release import release_solutions

    written = release_solutions(_course(args), args.out, args.assignments or None, args.execute)
    print(f"{len(written)} solution notebook(s) in {args.out} (hidden tests removed):")
    for path in written:
        print(f"  {path.name}")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    import json

    from nbgrader.api import Gradebook

    from .late import POLICY_FILE, load_policy, parse_time
    from .nbgrader_config import COURSE_ID

    course = _course(args)
    if args.assignment not in course.released():
        raise GraderError(f"{args.assignment} is not released (released: {course.released()})")
    try:
        due = parse_time(args.due)
    except ValueError as exc:
        raise GraderError(str(exc)) from None
    with Gradebook(course.db_url, COURSE_ID) as gb:  # nbgrader's own due date (naive UTC)
        gb.update_or_create_assignment(args.assignment, duedate=due.replace(tzinfo=None))
    policy = load_policy(course.root)
    if args.percent_per_day is not None:
        policy["percent_per_day"] = args.percent_per_day
    if args.max_percent is not None:
        policy["max_percent"] = args.max_percent
    policy.setdefault("due", {})[args.assignment] = due.isoformat()  # mirrored: see late.py
    (course.root / POLICY_FILE).write_text(json.dumps(policy, indent=1))
    course.write_config()
    print(f"{args.assignment} is due {due:%Y-%m-%d %H:%M} UTC; late policy: "
          f"{policy['percent_per_day']:g}% of the score per started day late, at most "
          f"{policy['max_percent']:g}% (applies to what is graded from now on)")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from .collect import UNKNOWN, collect

    results = collect(_course(args), Path(args.source), args.assignment)
    ok = [r for r in results if r.assignment != UNKNOWN]
    print(f"collected {len(ok)} notebook(s) from {args.source}")
    for r in results:
        if r.reason:
            print(f"  {Path(r.path).name}: {r.reason}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from .grading import grade, submissions

    start = time.perf_counter()
    course = _course(args)
    before = len(submissions(course, args.students, args.assignments))
    results = grade(course, args.jobs, args.students, args.assignments,
                    progress=not args.quiet, wall_limit=args.wall_limit, force=args.force,
                    cluster=args.cluster)
    if before > len(results):
        print(f"{before - len(results)} submission(s) unchanged since they were graded: skipped "
              f"(--force grades them again)")
    seconds = time.perf_counter() - start
    where = f"on the dask cluster {args.cluster}" if args.cluster not in (None, "local") \
        else f"with {args.jobs} worker(s)" + (" (dask LocalCluster)" if args.cluster else "")
    print(f"graded {len(results)} submission(s) in {seconds:.1f} s {where}")
    for r in results:
        if r.reasons:
            print(f"  {r.job.key}: {'; '.join(r.reasons)[:300]}")
    return 0


def feedback(course: Course, students: list[str] | None = None) -> Path:
    """HTML feedback for autograded submissions (every one, or ``students``' only):
    ``feedback/<student>/<id>/<id>.html``, and ``feedback/<student>/mathjax/`` that their
    formulas render with, offline (:mod:`autograder.mathjax`)."""
    from . import mathjax

    home = mathjax.require()  # before any HTML that would point at a missing MathJax is written
    for assignment in course.released():
        graded = {p.parent.name for p in (course.root / "autograded").glob(f"*/{assignment}")}
        if students is None and graded:
            course.run_api("generate_feedback", assignment, force=True)
        for student in sorted(graded & set(students or [])):
            course.run_api("generate_feedback", assignment, student, force=True)
    mathjax.place_all(course.root / "feedback", home)
    return course.root / "feedback"


def cmd_feedback(args: argparse.Namespace) -> int:
    out = feedback(_course(args))
    print(f"feedback: {len(list(out.glob('*/*/*.html')))} HTML file(s) in {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import format_table, gradebook_rows, report

    course = _course(args)
    paths = report(course, args.out)
    print(format_table(gradebook_rows(course)))
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def _expected(rows: list, ceilings: dict[str, object]) -> list[str]:
    """Check the demo's outcome: full marks, partial, zero, and no unearned points."""
    full = {r.assignment: r.max_score for r in rows}
    complete = {r.assignment: r.score for r in rows if r.student == "complete"}
    partial = {r.assignment: r.score for r in rows if r.student == "partial"}
    problems = []
    for r in rows:
        ceiling = ceilings.get(f"{r.student}_{r.assignment}.ipynb")
        if r.student == "complete" and r.score != full[r.assignment]:
            problems.append(f"{r.student}/{r.assignment}: {r.score} instead of full marks")
        elif r.student == "partial" and not 0 < r.score < full[r.assignment]:
            problems.append(f"{r.student}/{r.assignment}: {r.score} is not a partial score")
        elif ceiling == 0 and r.score > 0:
            problems.append(f"{r.student}/{r.assignment}: {r.score} unearned points")
        elif ceiling == "partial" and r.score > partial.get(r.assignment, 0):
            problems.append(f"{r.student}/{r.assignment}: more than the partial submission")
        elif ceiling == "complete" and r.score > complete.get(r.assignment, full[r.assignment]):
            problems.append(f"{r.student}/{r.assignment}: more than the complete submission")
    return problems


def cmd_demo(args: argparse.Namespace) -> int:
    from .collect import collect
    from .examples import build_examples
    from .grading import grade
    from .release import release
    from .report import format_table, gradebook_rows, report

    course = _course(args)
    if course.root.exists():
        shutil.rmtree(course.root)  # the demo always starts from scratch
    start = time.perf_counter()
    done = release(course, args.assignments)
    print(f"[demo] released {', '.join(done)} ({time.perf_counter() - start:.0f} s)", flush=True)
    examples = course.root / "downloads"
    ceilings = build_examples(course.root / "source", course.root / "release", examples,
                              paths={"root": str(course.root), "notebooks": str(course.notebooks)})
    collected = collect(course, examples)
    print(f"[demo] {len(collected)} example submission(s) in {examples}", flush=True)
    t0 = time.perf_counter()
    results = grade(course, args.jobs, assignments=args.assignments, wall_limit=args.wall_limit)
    print(f"[demo] graded {len(results)} notebook(s) in {time.perf_counter() - t0:.0f} s with "
          f"{args.jobs} worker(s)", flush=True)
    feedback(course)
    paths = report(course)
    rows = gradebook_rows(course)
    print(format_table(rows))
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"feedback: {course.root / 'feedback'}  (the formgrader: `jupyter lab` in {course.root}, "
          f"then /formgrader)")
    problems = _expected(rows, ceilings)
    for p in problems:
        print(f"[demo] UNEXPECTED: {p}", file=sys.stderr)
    print("[demo] OK: every example scored as expected (full, partial, 0, no unearned points)"
          if not problems else f"[demo] FAILED: {len(problems)} unexpected score(s)", flush=True)
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course-grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_text: str, course_dir: Path = COURSE_DIR):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--course-dir", type=Path, default=course_dir,
                       help=f"nbgrader course directory (default: {course_dir})")
        p.add_argument("--notebooks", type=Path, default=DEFAULT_NOTEBOOKS,
                       help="instructor notebooks NN-slug.ipynb (default: %(default)s)")
        p.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                       help="seconds per cell while grading (default: %(default)s)")
        p.add_argument("--memory-limit", type=float, default=MEMORY_LIMIT / 2**30,
                       help="GiB of address space per grading kernel (default: %(default)s)")
        p.set_defaults(func=func)
        return p

    p = add("release", cmd_release, "generate the student versions (nbgrader generate_assignment)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all notebooks)")
    p = add("release-solutions", cmd_release_solutions, "the solution notebooks, without hidden "
                                                          "tests, for after the deadline")
    p.add_argument("out", type=Path, help="folder for <id>.ipynb")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: every released one)")
    p.add_argument("--execute", action="store_true", help="run each notebook so it shows outputs")
    p = add("publish", cmd_publish, "write the student repository (released notebooks, the "
                                     "course package, binder/) into a new folder")
    p.add_argument("out", help="folder to create (must be new or empty)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all notebooks)")
    p = add("due", cmd_due, "set an assignment's due date (nbgrader's) and the late policy")
    p.add_argument("assignment", help="assignment id")
    p.add_argument("due", help="due date and time, e.g. 2026-12-01T23:59 or 2026-12-01T23:59+01:00")
    p.add_argument("--percent-per-day", type=float, help="percent of the score taken per started day late")
    p.add_argument("--max-percent", type=float, help="the largest late penalty in percent (default 100)")
    p = add("collect", cmd_collect, "collect submissions from a folder of notebooks or LMS zips")
    p.add_argument("source", help="folder with <student>_<file>.ipynb, <student>/<file>.ipynb "
                                  "or LMS .zip downloads")
    p.add_argument("--assignment", help="assignment of the zip files (default: from their names)")
    for name, func, text, course_dir in (
            ("grade", cmd_grade, "autograde all collected submissions", COURSE_DIR),
            ("demo", cmd_demo, "release, grade the generated example submissions, print the "
                               "gradebook", DEMO_DIR)):
        p = add(name, func, text, course_dir)
        p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="parallel workers (default: %(default)s)")
        p.add_argument("--assignments", nargs="*", help="only these assignments")
        p.add_argument("--wall-limit", type=float, default=WALL_LIMIT,
                       help="seconds for one notebook in total (default: %(default)s)")
        p.add_argument("--unsafe-no-sandbox", action="store_true",
                       help="grade without bubblewrap where it cannot run: scores still come "
                            "from the trusted process, but student code can read and write "
                            "whatever you can (autograder/README.md)")
        if name == "grade":
            p.add_argument("--students", nargs="*", help="only these students")
            p.add_argument("--force", action="store_true",
                           help="grade again what was graded before and did not change")
            p.add_argument("--quiet", action="store_true", help="no progress bar")
            p.add_argument("--cluster", metavar="ADDRESS",
                           help="run the grading jobs on a dask.distributed cluster: the "
                                "scheduler's address (tcp://host:8786), or `local` for a "
                                "LocalCluster of --jobs processes here (autograder/README.md)")
    add("feedback", cmd_feedback, "HTML feedback per student (nbgrader generate_feedback)")
    p = add("report", cmd_report, "gradebook CSV, per-exercise summary and score histogram")
    p.add_argument("--out", type=Path, help="output folder (default: <course-dir>/reports)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.memory_limit = int(args.memory_limit * 2**30)
    tool_env()  # nbgrader needs alembic from this interpreter's bin/ on PATH
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        code = args.func(args)
    except GraderError as exc:
        print(f"course-grader: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
