"""``course-grader collect``: submissions into nbgrader's ``submitted/<student>/<assignment>/``.

Input is a folder as an LMS gives it for download (Moodle, Canvas or Blackboard; see
:mod:`autograder.lms` for their conventions) or a plain folder of ``<student>/<file>.ipynb`` or
``<student>_<file>.ipynb``, with zip archives of either unpacked on the way (safely: no path
leaves the archive's own folder, sizes are bounded). The student, the LMS's id for them, the
submission time and the LMS's late marker are read from the names and kept in the course status;
a notebook whose name is not ``<assignment>.ipynb`` is matched to an assignment by the assignment
id in its name or, failing that, by its nbgrader cell ids. When a student handed in an
assignment more than once, the latest submission is graded and every other one is reported
(``latest wins``). Every file that is not taken is listed with the reason (in
``autograder_status.json`` and by ``course-grader report``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath

from .course import Course, GraderError
from .late import write_timestamp
from .lms import (BLACKBOARD_ATTEMPT, RECEIPT_BESIDE, Archive, Origin, blackboard_assignment,
                  identify, lms_named, notebook_name, plain_named,
                  stands_for_student, students_named)

UNKNOWN = "?"
MAX_NOTEBOOK_BYTES = 50 << 20  # a course notebook is well under 1 MB
MAX_ARCHIVE_BYTES = 2 << 30    # unpacked size of one LMS archive (a class of notebooks: MBs)
MAX_ARCHIVE_FILES = 20000      # members of one archive (a class of 1000 x 9 notebooks fits)
MAX_ARCHIVE_DEPTH = 3          # a class archive, a student's archive in it, and one in that
MAX_NAME_BYTES = 255           # of one file name, on the usual file systems
# Archives students upload that are not unpacked (zip only): named as such in their row.
OTHER_ARCHIVES = (".rar", ".7z", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".gz")


@dataclass
class Collected:
    """One input file and where it went."""

    path: str
    student: str
    assignment: str  # UNKNOWN when it could not be matched (or the file was not taken)
    reason: str = ""
    origin: dict | None = None  # Origin.record(): LMS, its id, submission time, late marker


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


def match(matcher: Matcher, path: Path, name: str) -> tuple[str | None, str]:
    """The assignment of a notebook and how it was found ("name" or "content")."""
    assignment = matcher.by_name(name)
    if assignment is not None:
        return assignment, "name"
    return matcher.by_content(path), "content"


def collect(course: Course, src: Path, assignment: str | None = None) -> list[Collected]:
    """Collect every submission in ``src``; return what happened to each file.

    ``assignment`` names the assignment of notebooks whose name and content match none (an LMS
    download of one assignment where students renamed their files beyond recognition).
    """
    src = Path(src)
    if not src.is_dir():
        raise GraderError(f"{src} is not a directory of submissions")
    matcher = Matcher(course)
    status = course.load_status()
    results: list[Collected] = []
    candidates: list[tuple[Path, Origin, str, str]] = []  # path, origin, assignment, how
    unpacked = course.root / "downloaded"
    # Names read as text, composed (NFC): a download unpacked or copied on macOS may spell
    # 'é' as 'e' and a combining accent, which no name pattern takes for a letter.
    found = [(path, Path(unicodedata.normalize("NFC", _text(str(relative)))), refused, archive)
             for path, relative, refused, archive in _walk(src, unpacked, matcher.released)]
    # A download in which every notebook's path carries an LMS name is an LMS's download,
    # wherever it was unpacked (submissions/, CS101-HW3-98765/): its folders are wrappers. In
    # one that mixes in plain student folders, a student's folder speaks for its files.
    notebooks = [relative for _, relative, refused, _ in found
                 if not refused and notebook_name(relative.name)
                 and not {".ipynb_checkpoints", "__MACOSX"} & set(relative.parts)]
    owners = not notebooks or not all(lms_named(relative) for relative in notebooks)
    # A receipt states its username; comparing names is the fallback (two users who share a
    # first name, john_smith and john_doe, share 'Homework 3_john' too), and the check on a
    # receipt that names someone other than its files do (_blackboard_names).
    blackboard = _blackboard_names(_blackboard_from_receipts(found), blackboard_assignment(
        relative.name for _, relative, _, _ in found))
    names = [str(relative) for _, relative, _, _ in found]
    for path, relative, refused, archive in found:
        try:
            row = (Collected(str(path), UNKNOWN, UNKNOWN, refused) if refused else
                   _candidate(matcher, path, relative, archive, assignment, candidates,
                              owners, blackboard, src.resolve().name))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            row = Collected(str(path), UNKNOWN, UNKNOWN,
                            f"could not be collected ({type(exc).__name__}: {str(exc)[:200]})")
        if row is not None and RECEIPT_BESIDE in row.reason and not _attempt_files(relative, names):
            row.reason = row.reason.replace(RECEIPT_BESIDE, RECEIPT_ALONE)
        if row is not None:
            course.note(row.student, row.assignment if row.student != UNKNOWN else relative.name,
                        row.reason, status)
            results.append(row)
    for row in _same_folder_name_elsewhere(candidates):
        course.note(row.student, Path(row.path).name, row.reason, status)
        results.append(row)
    results += _latest_wins(course, matcher, candidates, status)
    course.save_status(status)
    for row in results:
        row.path = _text(row.path)
    return results


RECEIPT_ALONE = ("no file of this attempt is in the download: the student handed in none with it "
                 "(text typed into Blackboard, if any, is in this receipt), so there is nothing "
                 "to grade; read the receipt, and check that the download holds every file")


def _attempt_files(receipt: Path, names: list[str]) -> bool:
    """Whether the download holds a file of the Blackboard attempt whose receipt is
    ``receipt`` (``<assignment>_<user>_attempt_<time>.txt``): ``..._attempt_<time>_<file>``."""
    prefix = str(receipt.with_suffix("")) + "_"
    return any(name.startswith(prefix) for name in names)


RECEIPT_USER = re.compile(r"^Name:.*\((?P<user>[^()\s]+)\)\s*$", re.MULTILINE)


def _blackboard_from_receipts(found: list) -> set[str]:
    """The Blackboard assignment names the download's receipts state, which comparing users
    cannot always tell (one student's attempts, or users who share a first name): of each
    receipt ``<assignment>_<user>_attempt_<time>.txt``, the prefix before the username its
    ``Name: Jane Doe (jane_doe)`` line states. Without it, the user would be read as the part
    after the last '_' (john_smith as smith). Every receipt counts: a download may hold several
    assignments' (hw1/ and hw2/ unpacked side by side)."""
    stated_names = set()
    for path, relative, refused, _ in found:
        attempt = BLACKBOARD_ATTEMPT.search(relative.name)
        if refused or attempt is None or not relative.name.endswith(".txt"):
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as receipt:
                stated = RECEIPT_USER.search(receipt.read(4096))
        except OSError:
            continue
        prefix = relative.name[:attempt.start()]
        if stated and prefix.endswith("_" + stated["user"]) and len(prefix) > len(stated["user"]) + 1:
            stated_names.add(prefix[:-len(stated["user"]) - 1])
    return stated_names


def _blackboard_names(stated: set[str], shared: str) -> tuple[str, ...]:
    """The Blackboard assignment names to read the download's file names with, first the one
    to try first (:func:`lms.identify`): those the receipts state, shortest first, then the
    prefix all the names share (``shared``, :func:`lms.blackboard_assignment`). A receipt
    may shorten the shared prefix (john_smith and john_doe share 'Homework 3_john') but not
    lengthen it: every attempt of one assignment starts with the assignment's name, so a
    receipt stating 'Homework 3_jane' where all names share only 'Homework 3' states a
    username that is not the file's (jane_smith's receipt saying 'smith'), and would make
    'smith' of john_smith too."""
    trusted = sorted((name for name in stated if not shared or not name.startswith(shared + "_")),
                     key=lambda name: (len(name), name))
    return tuple(trusted + ([shared] if shared else []))


def _text(name: str) -> str:
    """A file name as printable text: bytes that are not UTF-8 (a zip from Windows unpacked by
    another tool) become U+FFFD instead of breaking the report and the status file."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _same_folder_name_elsewhere(candidates: list) -> list[Collected]:
    """Refuse (and drop from ``candidates``) the files of a plain-layout student folder name
    that occurs in several places (alice/notebooks/, bob/notebooks/): they may be different
    students, and "latest wins" would silently grade one of them for all. A folder per
    assignment holding the class's student folders (hw1/alice/, hw2/alice/) is no clash."""
    places: dict[str, set[str]] = {}
    given: dict[tuple[str, str], set[str]] = {}  # (student, assignment): the places giving it
    held: dict[str, set[str]] = {}  # the folder holding student folders: their assignments
    for _, origin, assignment, _ in candidates:
        if origin.lms == "folder" and origin.place:
            places.setdefault(origin.student, set()).add(origin.place)
            given.setdefault((origin.student, assignment), set()).add(origin.place)
            held.setdefault(origin.place.rpartition("/")[0], set()).add(assignment)
    siblings: dict[str, int] = {}  # student folders per parent folder
    for place in {p for ps in places.values() for p in ps}:
        parent = place.rpartition("/")[0]
        siblings[parent] = siblings.get(parent, 0) + 1
    clash = {student: sorted(p) for student, p in places.items()
             if len(p) > 1 and not _repositories(student, p)
             and not _assignment_folders(student, p, siblings, given, held)}
    if not clash:
        return []
    # One place nearer the top than the others is taken as the student's own (alice/ beside
    # bob/alice/: bob must not get alice's work refused by naming a folder after her).
    own = {}
    for student, where in clash.items():
        depths = sorted(w.count("/") for w in where)
        if depths[0] < depths[1]:
            own[student] = next(w for w in where if w.count("/") == depths[0])
    rows, kept = [], []
    for item in candidates:
        path, origin, _, _ = item
        if origin.lms == "folder" and origin.student in clash and own.get(origin.student) != origin.place:
            where = clash[origin.student]
            rows.append(Collected(
                str(path), UNKNOWN, UNKNOWN,
                f"the folder name '{origin.student}' stands for a student in {len(where)} places "
                f"({', '.join(where[:3])}{', ...' if len(where) > 3 else ''}): not taken, since "
                f"they may be different students. Give collect the folder whose subfolders are "
                f"named by student (or move the notebooks up into them)", origin.record()))
        else:
            kept.append(item)
    candidates[:] = kept
    return rows


def _repositories(student: str, where: set[str]) -> bool:
    """Whether the places ``where`` of ``student`` are all GitHub Classroom repositories
    (``<assignment>-submissions/<assignment>-<user>``, a place not named as its student, see
    lms.identify): a user's repositories of several assignments, one student beyond doubt. A
    plain folder among them (bob/ beside lab-bob/) may be another student."""
    return all(place.rpartition("/")[2] != student for place in where)


def _assignment_folders(student: str, where: set[str], siblings: dict, given: dict,
                        held: dict) -> bool:
    """Whether the folders ``where`` named ``student`` are one student's in several assignment
    folders (hw1/alice/, hw2/alice/): each sits beside other students' folders, so its parent is
    a class's folder (alice/notebooks/ beside nothing is not a student), no assignment comes
    from two of them, and no assignment from two of their parents (``held``: a parent's
    student folders' assignments). Section folders (section-a/alice/, section-b/alice/) hold
    the same assignments: two alices there are two students, whichever ones each handed in.
    ``siblings``: how many student folders each parent folder holds."""
    parents = [held[w.rpartition("/")[0]] for w in where]
    return (all(siblings[w.rpartition("/")[0]] > 1 for w in where)
            and all(len(ps) == 1 for (s, _), ps in given.items() if s == student)
            and sum(len(p) for p in parents) == len(set().union(*parents)))


def _walk(src: Path, unpacked: Path, assignments: Sequence[str] = ()):
    """(file, path relative to the download, why it is refused or "", None or the archives in
    that path: {index of the archive's name in it: lms.Archive}) for every file, inside zip
    archives (and archives in those) too. Operating-system and git metadata is left out."""
    for path in sorted(p for p in src.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(src)
        if _metadata(relative):
            continue
        if path.is_symlink():
            yield path, relative, "a symbolic link: not followed", None
        elif path.suffix.lower() == ".zip":
            yield from _archive_members(path, relative, unpacked / relative.parent, {}, 1,
                                        assignments, _Budget())
        else:
            yield path, relative, "", None


def _metadata(relative: PurePath) -> bool:
    """Whether a file is metadata that no student handed in, ignored without a row: macOS's
    AppleDouble ``._name`` and ``.DS_Store`` (anywhere, not only under ``__MACOSX``), and a
    GitHub Classroom repository's ``.git/`` and ``.github/``."""
    return (relative.name in {".DS_Store", ".git"} or relative.name.startswith("._")
            or bool({".git", ".github"} & set(relative.parts[:-1])))


def _archive_members(path: Path, relative: Path, where: Path, outer: dict, depth: int,
                     assignments: Sequence[str], budget: _Budget):
    """The files of the archive ``path`` (at ``relative`` in the download), unpacked into its
    own folder under ``where``, as :func:`_walk` yields them; an archive inside it (a student's
    upload in the class's download) is unpacked too, up to ``MAX_ARCHIVE_DEPTH`` levels."""
    # Its own folder (x.zip and x.ZIP, or x.zip beside a folder x/, must not share one)
    target = where / _fit(f"{relative.name}.unpacked")
    try:
        refused = _unzip(path, target, budget)
    except Exception as exc:  # noqa: BLE001 - a broken archive is reported, not fatal
        yield path, relative, f"could not be unpacked ({type(exc).__name__}: {str(exc)[:200]})", None
        return
    for member, reason in refused:
        yield path / member, relative / member, reason, None
    # Members keep the archive's place in the download: whose files they are is read from the
    # archive's own name and folders first (lms.identify).
    stem = relative.with_suffix("")
    members = sorted(p for p in target.rglob("*") if p.is_file()
                     and not _metadata(p.relative_to(target)))
    names = [m.relative_to(target) for m in members]
    archives = {**outer, len(stem.parts) - 1: Archive(
        frozenset(students_named(names)), stands_for_student(stem.name, names, assignments),
        frozenset(n for n in plain_named(names, assignments) if n))}
    for inner, name in zip(members, names):
        if inner.suffix.lower() != ".zip":
            yield inner, stem / name, "", archives
        elif depth < MAX_ARCHIVE_DEPTH:
            yield from _archive_members(inner, stem / name, inner.parent, archives, depth + 1,
                                        assignments, budget)
        else:
            yield (inner, stem / name, f"an archive inside {depth} archives: not unpacked (at most "
                   f"{MAX_ARCHIVE_DEPTH} levels are); unpack it by hand and collect its folder",
                   None)


def _fit(name: str) -> str:
    """``name`` as a file name the file system takes (at most 255 bytes): a longer one (Greek or
    CJK names take 2-3 bytes a letter) keeps its start, where the LMS writes whose it is, and its
    extension, and gets a digest of the whole name in between, so two long names never meet."""
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    extension = f".{extension}" if dot and stem and len(extension.encode()) <= 16 else ""
    stem = name[:len(name) - len(extension)]
    digest = "~" + hashlib.sha256(raw).hexdigest()[:12]
    room = MAX_NAME_BYTES - len(extension.encode()) - len(digest)
    # Cut at a byte boundary; 'ignore' drops a letter cut in half.
    start = stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f"{start}{digest}{extension}"


@dataclass
class _Budget:
    """What the archives of one download archive may still unpack, shared by the archives
    inside it: each level on its own budget would let a zip of zips multiply it."""

    # read when a download is collected, so that a test may lower the limits
    bytes: int = field(default_factory=lambda: MAX_ARCHIVE_BYTES)
    files: int = field(default_factory=lambda: MAX_ARCHIVE_FILES)


def _unzip(archive: Path, target: Path, budget: _Budget | None = None) -> list[tuple[str, str]]:
    """Unpack ``archive`` into ``target`` (replaced): members stay inside, sizes are bounded
    (by ``budget``, shared with the archives it came in and the others inside those), and each
    member is unpacked on its own (one that cannot be written does not stop the others).
    Returns (name, why) for each member that is not unpacked."""
    budget = budget or _Budget()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        for member in members:  # a zip made on Windows may separate folders with '\\'
            member.filename = member.filename.replace("\\", "/")
        # Only now is 'alice\\' seen to be a folder entry, whatever order the entries come in.
        members = [m for m in members if m.filename.strip("/") and not m.filename.endswith("/")]
        # Metadata collect ignores anyway (a student's zipped repository holds .git/ with
        # dozens of files) is not unpacked: it would use up the budget the class shares.
        members = [m for m in members if not _metadata(PurePosixPath(m.filename.strip("/")))]
        if len(members) > budget.files:
            raise GraderError(f"{archive.name} holds {len(members)} files, more than are left of "
                              f"the {MAX_ARCHIVE_FILES} that one archive of the download may "
                              f"unpack with the archives inside it")
        members, refused = _one_per_name(archive.name, members)
        # A member larger than any notebook is not unpacked at all (a zip bomb fills no disk).
        refused += [(m.filename, f"{m.file_size >> 20} MB in the archive is too large for a "
                                 f"notebook: not unpacked")
                    for m in members if m.file_size > MAX_NOTEBOOK_BYTES]
        members = [m for m in members if m.file_size <= MAX_NOTEBOOK_BYTES]
        size = sum(m.file_size for m in members)
        if size > budget.bytes:
            raise GraderError(f"{archive.name} unpacks to {size >> 20} MB, more than is left of "
                              f"the {MAX_ARCHIVE_BYTES >> 20} MB that one archive of the download "
                              f"may unpack to with the archives inside it")
        budget.bytes -= size
        budget.files -= len(members)
        for member in members:
            why = _unpack_member(zf, member, target)
            if why:
                refused.append((member.filename, why))
    return refused


def _one_per_name(archive: str, members: list) -> tuple[list, list[tuple[str, str]]]:
    """The members of an archive with one per name (a zip may hold two under one name, and the
    second would silently overwrite the first): the one with the later recorded time, else the
    later in the archive; a row (name, why) for each other copy."""
    chosen: dict[str, tuple[int, zipfile.ZipInfo]] = {}
    for index, member in enumerate(members):
        kept = chosen.get(member.filename)
        if kept is None or (member.date_time, index) >= (kept[1].date_time, kept[0]):
            chosen[member.filename] = (index, member)
    rows = []
    for index, member in enumerate(members):
        kept_index, kept = chosen[member.filename]
        if kept_index != index:
            which = ("the one recorded later" if kept.date_time > member.date_time else
                     "the later one in the archive (both are recorded at the same time)")
            rows.append((member.filename,
                         f"{archive} holds {member.filename!r} more than once: this copy "
                         f"(recorded {_zip_time(member)}) was not unpacked, {which} "
                         f"({_zip_time(kept)}) was; check that it is the one the student meant"))
    return [m for _, m in sorted(chosen.values(), key=lambda item: item[0])], rows


def _zip_time(member: zipfile.ZipInfo) -> str:
    """A member's recorded modification time, as the report writes it."""
    return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*member.date_time)


def _unpack_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> str:
    """Write one member under ``target`` with its recorded time as the file's modification time
    (what orders a student's copies when the LMS gives no time); "" or why it was not written."""
    parts = [_fit(part) for part in PurePosixPath(member.filename).parts]
    destination = target.joinpath(*parts).resolve()
    if target.resolve() not in destination.parents:
        return ("would land outside the archive's folder (an absolute path or '..' in its "
                "name): not unpacked")
    written = False
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        # 'x': a name that two members come to share must not overwrite the first silently
        with zf.open(member) as source, open(destination, "xb") as out:
            written = True
            shutil.copyfileobj(source, out)
    except Exception as exc:  # noqa: BLE001 - one member must not stop the others
        if written:
            destination.unlink(missing_ok=True)  # half written (a damaged member)
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)[:200]
        return (f"could not be unpacked ({type(exc).__name__}: {what}): the other members "
                f"were; unpack the archive by hand, rename or move this file, and collect it")
    try:
        when = datetime(*member.date_time).timestamp()
        os.utime(destination, (when, when))
    except (ValueError, OSError, OverflowError):
        pass  # an impossible recorded time: the file keeps the time it was unpacked
    return ""


def _candidate(matcher: Matcher, path: Path, relative: Path, archive: tuple | None,
               assignment: str | None, candidates: list, owners: bool = True,
               blackboard: tuple[str, ...] = (), root: str = "") -> Collected | None:
    """Queue one downloaded file as a candidate submission, or say why it is not one."""
    if ".ipynb_checkpoints" in relative.parts or "__MACOSX" in relative.parts:
        return Collected(str(path), UNKNOWN, UNKNOWN,
                         "a Jupyter checkpoint copy (or macOS archive metadata): ignored")
    origin = identify(relative, archive, owners=owners, blackboard_name=blackboard, root=root)
    if not notebook_name(path.name):
        if isinstance(origin, str) and origin.startswith(("Moodle", "Canvas", "Blackboard")):
            return Collected(str(path), UNKNOWN, UNKNOWN, origin)  # LMS extras, named as such
        student = UNKNOWN if isinstance(origin, str) else origin.student
        if relative.name.lower().endswith(OTHER_ARCHIVES):  # a notebook may well be inside
            return Collected(str(path), student, UNKNOWN,
                             f"'{relative.name}' is an archive that collect does not unpack (only "
                             f".zip): not looked into; unpack it by hand and collect its folder",
                             None if isinstance(origin, str) else origin.record())
        return Collected(str(path), student, UNKNOWN, f"'{relative.name}' is not a notebook (.ipynb): ignored")
    if isinstance(origin, str):
        return Collected(str(path), UNKNOWN, UNKNOWN, origin)
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return Collected(str(path), origin.student, UNKNOWN,
                         f"{path.stat().st_size >> 20} MB is too large for a notebook: ignored")
    found, how = match(matcher, path, origin.name)
    if found is None and assignment is not None:
        found, how = assignment, "--assignment"
    elif found is not None and assignment is not None and found != assignment \
            and matcher.by_content(path) == assignment:
        found, how = assignment, "content"  # named like another assignment, but it is this one
    elif found is not None and assignment is not None and found != assignment:
        return Collected(str(path), origin.student, UNKNOWN,
                         f"'{origin.name}' is {found} (by its {how}), but this is a download of "
                         f"{assignment} (--assignment): not taken; collect {found}'s own "
                         f"download for it", origin.record())
    if found is None:
        readable = grade_ids(path) is not None
        reason = (f"'{origin.name}' matches no assignment (expected one of "
                  f"{', '.join(matcher.released)})" if readable else
                  f"'{origin.name}' is not a valid notebook (invalid JSON) and its name matches "
                  f"no assignment")
        return Collected(str(path), origin.student, UNKNOWN, reason, origin.record())
    candidates.append((path, origin, found, how))
    return None


def _latest_wins(course: Course, matcher: Matcher, candidates: list, status: dict) -> list[Collected]:
    """Place one submission per student and assignment: the latest; report the others."""
    groups: dict[tuple[str, str], list] = {}
    for index, (path, origin, assignment, how) in enumerate(candidates):
        groups.setdefault((origin.student, assignment), []).append((index, path, origin, how))
    results = []
    for (student, assignment), group in groups.items():
        try:
            results += _place(course, student, assignment, group, status)
        except Exception as exc:  # noqa: BLE001 - one student's files must not stop the others
            reason = f"could not be placed ({type(exc).__name__}: {str(exc)[:200]})"
            course.note(student, assignment, reason, status)
            results += [Collected(str(p), student, UNKNOWN, reason, o.record())
                        for _, p, o, _ in group]
    return results


def _place(course: Course, student: str, assignment: str, group: list,
           status: dict) -> list[Collected]:
    """Place the latest of one student's submissions of one assignment; report the others."""
    results = []
    group.sort(key=_later)
    index, path, origin, how = group[-1]
    target = course.root / "submitted" / student / assignment / f"{assignment}.ipynb"
    key = f"{student}/{assignment}"
    before = status.get(key, {}).get("origin")
    notes = []
    if before is not None and target.is_file() and target.read_bytes() != path.read_bytes():
        # Collected before from another download: the later submission wins across downloads
        # too, and either way a row says so.
        when = before.get("submitted", "")
        older = (origin.submitted < when if origin.submitted and when else
                 origin.lms == before.get("lms") == "canvas" and "attachment" in before
                 and origin.order < (before["attachment"],))
        if older:
            reason = (f"older ({origin.submitted or 'attachment ' + str(origin.order[0])}) "
                      f"than the submission of {student} for "
                      f"{assignment} collected before ('{before.get('file', '?')}', {when}): "
                      f"not taken (latest wins)")
            course.note(student, assignment, reason, status)
            return [Collected(str(p), student, UNKNOWN, reason, o.record()) for _, p, o, _ in group]
        notes.append(f"replaces the different submission collected before "
                     f"('{before.get('file', '?')}'{', ' + when if when else ''})")
    target.parent.mkdir(parents=True, exist_ok=True)
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    # nbgrader's own submission time, which its late-penalty step compares with the due date.
    (target.parent / "timestamp.txt").unlink(missing_ok=True)
    if origin.submitted:
        write_timestamp(target.parent, origin.submitted)
    if origin.note:
        notes.append(origin.note)
    if origin.name != target.name:
        notes.append(f"submitted as '{origin.name}', matched to {assignment} by its {how}")
    if grade_ids(path) is None:  # kept, so that the gradebook shows it: graded 0 with the reason
        notes.append("collected, but it is not a valid notebook")
    older = group[:-1]
    newer = _later(group[-1])
    whys = [_why_earlier(_later(item), newer) for item in older]
    if older:
        notes.append(f"{len(older)} {'earlier' if all(whys) else 'other'} submission(s) not "
                     f"graded (latest wins): "
                     + ", ".join(f"'{_text(p.name)}'" for _, p, _, _ in older))
    entry = status.setdefault(key, {"collect": [], "grade": []})
    entry["collect"] = [n for n in entry["collect"]  # a re-collect
                        if "latest wins" not in n and "collected before" not in n]
    for note in notes:
        course.note(student, assignment, note, status)
    entry["origin"] = origin.record()
    results.append(Collected(str(path), student, assignment, "; ".join(notes), origin.record()))
    newest = _text(path.name)
    for (_, old_path, old_origin, _), why in zip(older, whys):
        same = old_path.read_bytes() == path.read_bytes()
        if why:
            reason = (f"{'identical to' if same else 'replaced by'} the later submission "
                      f"'{newest}' of {student} for {assignment} ({why}; latest wins)")
        elif same:
            reason = (f"identical to '{newest}', which was taken for {student} for {assignment}"
                      f" (the same file twice: nothing lost)")
        else:
            reason = (f"not graded: '{newest}' was taken for {student} for {assignment}, but "
                      f"nothing tells which of the two was handed in later (no submission "
                      f"time, modification time or copy number differs; the file name order "
                      f"decided). Check which one the student meant and collect it alone if "
                      f"needed")
        results.append(Collected(str(old_path), student, UNKNOWN, reason, old_origin.record()))
    return results


# A browser's second download: 'nb (1).ipynb', and Safari's 'nb (1).ipynb.json'
COPY_NUMBER = re.compile(r" \((\d+)\)(?=\.ipynb\.json$|\.[^.]*$|$)", re.IGNORECASE)
# ... or of the archive it came in: 'alice (1).zip', unpacked into 'alice (1).zip.unpacked/'
ARCHIVE_COPY = re.compile(r" \((\d+)\)\.zip\.unpacked$", re.IGNORECASE)


def _later(item: tuple) -> tuple:
    """What orders one student's submissions of one assignment, later last: the LMS's
    submission time, then its attempt (Canvas's attachment id), then the file's modification
    time (a zip member's recorded time), then a browser's copy number ('nb (1).ipynb' is later
    than 'nb.ipynb', and so is what came in 'alice (1).zip'), and last the order of the files,
    which says nothing about time."""
    index, path, origin, _ = item
    try:
        modified = float(int(path.stat().st_mtime))  # whole seconds: zips record no finer
    except OSError:
        modified = 0.0
    copies = [COPY_NUMBER.search(origin.name)] + [ARCHIVE_COPY.search(p) for p in path.parts]
    copy = max((int(found[1]) for found in copies if found), default=0)
    return origin.submitted, origin.order, modified, copy, index


def _why_earlier(older: tuple, newer: tuple) -> str:
    """How ``older`` (a :func:`_later` key) is known to be earlier than ``newer``, as the report
    says it, or "" when only the order of the files put it first."""
    (when, order, modified, copy, _), (when2, order2, modified2, copy2, _) = older, newer
    if when != when2:
        return f"submitted {when}, the other {when2}"
    if order != order2:
        return f"attachment {order[0] if order else '?'}, the other {order2[0] if order2 else '?'}"
    if modified != modified2:
        def stamp(t: float) -> str:
            return datetime.fromtimestamp(t).isoformat(sep=" ", timespec="seconds")
        return f"last modified {stamp(modified)}, the other {stamp(modified2)}"
    if copy != copy2:
        return "the other is a later copy of the same name, numbered by the browser"
    return ""
