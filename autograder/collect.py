"""``course-grader collect``: submissions into nbgrader's ``submitted/<student>/<assignment>/``.

Input is a folder with notebooks named ``<student>_<anything>.ipynb`` (an LMS download) or
``<student>/<anything>.ipynb``, and/or LMS zip archives, which go through ``nbgrader
zip_collect``. A notebook whose name is not ``<assignment>.ipynb`` is matched to an assignment by
the assignment id in its name or, failing that, by its nbgrader cell ids; what cannot be matched
is listed with the reason (in ``autograder_status.json`` and by ``course-grader report``).
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .course import Course, GraderError

STUDENT_FILE = re.compile(r"^(?P<student>[A-Za-z0-9][A-Za-z0-9.-]*)_(?P<file>.+)$")
UNKNOWN = "?"
MAX_NOTEBOOK_BYTES = 50 << 20  # a course notebook is well under 1 MB


@dataclass
class Collected:
    """One input file and where it went."""

    path: str
    student: str
    assignment: str  # UNKNOWN when it could not be matched
    reason: str = ""


def grade_ids(path: Path) -> set[str] | None:
    """The nbgrader cell ids of a notebook, or None if it is not a readable notebook."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        nb = json.loads(path.read_text(encoding="utf-8"))
        return {c["metadata"]["nbgrader"]["grade_id"] for c in nb.get("cells", [])
                if "grade_id" in c.get("metadata", {}).get("nbgrader", {})}
    except Exception:  # noqa: BLE001 - any broken file (RecursionError for deep JSON too)
        return None


class Matcher:
    """Tells which released assignment a notebook belongs to."""

    def __init__(self, course: Course) -> None:
        self.released = course.released()
        if not self.released:
            raise GraderError(f"nothing released in {course.root}; run `course-grader release`")
        self.ids = {a: grade_ids(course.root / "release" / a / f"{a}.ipynb") or set()
                    for a in self.released}

    def by_name(self, name: str) -> str | None:
        stem = Path(name).stem
        if stem in self.released:
            return stem
        hits = [a for a in self.released if a in name]
        return hits[0] if len(hits) == 1 else None

    def by_content(self, path: Path) -> str | None:
        ids = grade_ids(path)
        if not ids:
            return None
        score, best = max((len(ids & known) / max(1, len(known)), a) for a, known in self.ids.items())
        return best if score >= 0.5 else None


def place(course: Course, matcher: Matcher, student: str, path: Path, name: str,
          status: dict) -> Collected:
    """Copy one notebook to ``submitted/<student>/<assignment>/<assignment>.ipynb``."""
    assignment = matcher.by_name(name)
    how = "name"
    if assignment is None:
        assignment, how = matcher.by_content(path), "content"
    if assignment is None:
        readable = grade_ids(path) is not None
        reason = (f"'{name}' matches no assignment (expected one of {', '.join(matcher.released)})"
                  if readable else f"'{name}' is not a valid notebook (invalid JSON) and its name "
                                   "matches no assignment")
        course.note(student, UNKNOWN, reason, status)
        return Collected(str(path), student, UNKNOWN, reason)
    target = course.root / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    reasons = []
    if name != target.name:
        reasons.append(f"submitted as '{name}', matched to {assignment} by its {how}")
    if grade_ids(path) is None:  # kept, so that the gradebook shows it: graded 0 with the reason
        reasons.append("collected, but it is not a valid notebook")
    reason = "; ".join(reasons)
    for note in reasons:
        course.note(student, assignment, note, status)
    return Collected(str(path), student, assignment, reason)


def _zip_assignment(archive: Path, matcher: Matcher) -> str | None:
    with zipfile.ZipFile(archive) as zf:
        names = " ".join(zf.namelist()) + " " + archive.name
    hits = {a for a in matcher.released if a in names}
    return hits.pop() if len(hits) == 1 else None


def collect(course: Course, src: Path, assignment: str | None = None) -> list[Collected]:
    """Collect every submission in ``src``; return what happened to each file."""
    src = Path(src)
    if not src.is_dir():
        raise GraderError(f"{src} is not a directory of submissions")
    matcher = Matcher(course)
    status = course.load_status()
    results: list[Collected] = []
    zips: dict[str, list[Path]] = {}
    for path in sorted(p for p in src.rglob("*") if p.is_file() or p.is_symlink()):
        try:
            row = _collect_one(course, matcher, src, path, assignment, zips, status)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            row = Collected(str(path), UNKNOWN, UNKNOWN,
                            f"could not be collected ({type(exc).__name__}: {str(exc)[:200]})")
        if row is not None:
            if row.student == UNKNOWN:  # place() records its own rows
                course.note(UNKNOWN, path.name, row.reason, status)
            results.append(row)
    for target, archives in zips.items():
        try:
            results += _collect_zips(course, matcher, target, archives, status)
        except Exception as exc:  # noqa: BLE001
            for archive in archives:
                reason = f"could not be unpacked ({type(exc).__name__}: {str(exc)[:200]})"
                results.append(Collected(str(archive), UNKNOWN, UNKNOWN, reason))
                course.note(UNKNOWN, archive.name, reason, status)
    course.save_status(status)
    return results


def _collect_one(course: Course, matcher: Matcher, src: Path, path: Path,
                 assignment: str | None, zips: dict[str, list[Path]],
                 status: dict) -> Collected | None:
    """What becomes of one downloaded file (zips are only queued here)."""
    if path.is_symlink():
        return Collected(str(path), UNKNOWN, UNKNOWN, "a symbolic link: not followed")
    if ".ipynb_checkpoints" in path.parts:
        return Collected(str(path), UNKNOWN, UNKNOWN, "a Jupyter checkpoint copy: ignored")
    if path.suffix == ".zip":
        target = assignment or _zip_assignment(path, matcher)
        if target is None:
            return Collected(str(path), UNKNOWN, UNKNOWN,
                             f"cannot tell the assignment of {path.name}; pass --assignment")
        zips.setdefault(target, []).append(path)
        return None
    if path.suffix != ".ipynb":
        return Collected(str(path), UNKNOWN, UNKNOWN, "not a notebook (.ipynb): ignored")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return Collected(str(path), UNKNOWN, UNKNOWN,
                         f"{path.stat().st_size >> 20} MB is too large for a notebook: ignored")
    if path.parent != src:  # <student>/<file>.ipynb
        student, name = path.parent.name, path.name
    elif (m := STUDENT_FILE.match(path.name)):
        student, name = m["student"], m["file"]
    else:
        return Collected(str(path), UNKNOWN, UNKNOWN,
                         f"cannot read a student id from '{path.name}' (expected <student>_<file>)")
    return place(course, matcher, student, path, name, status)


def _collect_zips(course: Course, matcher: Matcher, target: str, archives: list[Path],
                  status: dict) -> list[Collected]:
    """LMS zip archives of one assignment, through ``nbgrader zip_collect``."""
    results = []
    archive_dir = course.root / "downloaded" / target / "archive"
    archive_dir.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        shutil.copyfile(archive, archive_dir / archive.name)
    course.nbgrader("zip_collect", target, "--force")
    # zip_collect keeps the uploaded file names; give each notebook its assignment's name.
    for path in sorted((course.root / "submitted").glob(f"*/{target}/*.ipynb")):
        student = path.parent.parent.name
        if path.name != f"{target}.ipynb":
            moved = path.with_suffix(".upload")
            path.rename(moved)
            results.append(place(course, matcher, student, moved, path.name, status))
            moved.unlink()
        else:
            results.append(Collected(str(path), student, target))
    return results
