"""Who submitted a downloaded file, and when: the file-name conventions of the usual LMSs.

``identify(relative_path)`` reads one path of an unpacked download and returns an :class:`Origin`
(the student, the LMS's own id for them, the submission time and late marker when the LMS writes
them into the name, and a key that orders resubmissions) or a reason why the file is not a
submission. Conventions, as the LMSs write them:

* **Moodle** ("Download all submissions"): one folder per student and plugin,
  ``Jane Doe_12345_assignsubmission_file_/`` (12345: the participant id) holding the files as
  uploaded; ``..._assignsubmission_onlinetext_`` folders hold typed text, not notebooks.
* **Canvas** ("Download submissions"): flat files
  ``doejane_12345_67890_<file as uploaded>`` (user id, then the attachment id, which grows with
  every resubmission), with ``_LATE`` after the name for late ones; a resubmitted file keeps its
  name with ``-1``, ``-2`` ... before the extension. A text entry is ``doejane_12345_text.html``
  (a website URL ``..._link.html``): no file, and named as such.
* **Blackboard** ("Download assignment"): ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``
  plus a ``.txt`` receipt per attempt with the same prefix, in
  ``gradebook_<course id>_<assignment>_<YYYY-MM-DD-HH-MM-SS>.zip``.
* **GitHub Classroom** (``gh classroom clone student-repos``): ``<assignment>-submissions/
  <assignment>-<user>/``, the repository (and every folder in it) the user's.
* **A plain folder**: ``<student>/<file>.ipynb`` or ``<student>_<file>.ipynb``; an archive
  ``alice.zip`` (or a browser's second download of it, ``alice (1).zip``) stands for ``alice/``.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Iterable, Mapping

MOODLE_DIR = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
# Moodle's download without a folder per student: the same prefix on every file.
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
# Canvas keeps letters of any script and underscores in the name: the first _<id>_<id>_ ends it.
CANVAS_FILE = re.compile(r"^(?P<name>[^\W\d_][\w]*?)(?P<late>_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
# Canvas with anonymous grading: anon_<anonymous id>_<attachment id>_<file>, LATE_ in front.
CANVAS_ANON = re.compile(r"^(?P<late>LATE_)?anon_(?P<aid>[A-Za-z0-9]+)_(?P<sid>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
# Canvas's text entry and website URL submissions: <name>[_LATE]_<user id>_text.html (or
# _link.html), [LATE_]anon_<id>_text.html with anonymous grading; no attachment id.
CANVAS_ONLINE = re.compile(r"^(?:(?P<name>[^\W\d_]\w*?)(?P<late>_late)?_(?P<uid>\d+)|(?P<anon>LATE_)?"
                           r"anon_(?P<aid>[A-Za-z0-9]+))_(?P<kind>text|link)\.html$", re.IGNORECASE)
# Blackboard: the first _attempt_<time> ends <assignment>_<user> (what follows is the student's
# own file name, which must not be able to move it); the user is the part after the last '_'.
BLACKBOARD_ATTEMPT = re.compile(r"_attempt_(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
                                r"(?:_(?P<file>.+)|\.txt)$")
# Blackboard's archive of the attempts it downloads: gradebook_<course id>_<assignment>_<time>.zip
BLACKBOARD_DOWNLOAD = re.compile(r"^gradebook_.+_\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$")
RECEIPT_BESIDE = "the submission itself is the file with the same prefix"
BLACKBOARD_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@\-]*$")
PLAIN_FILE = re.compile(r"^(?P<student>[A-Za-z0-9][A-Za-z0-9.-]*)_(?P<file>.+)$")
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


@dataclass
class Origin:
    """Where one submitted file came from."""

    student: str            # the nbgrader student id (letters, digits, '.', '-')
    name: str               # the file name as the student uploaded it
    lms: str                # "moodle", "canvas", "blackboard" or "folder"
    lms_id: str = ""        # the LMS's id for the student (Moodle participant, Canvas user, Blackboard username)
    display_name: str = ""  # the student's name as the LMS wrote it
    submitted: str = ""     # ISO time of the submission, when the LMS wrote it into the name
    late: bool | None = None  # the LMS's own late marker (Canvas), when it has one
    order: tuple = field(default_factory=tuple)  # larger = submitted later (resubmissions)
    place: str = ""         # a plain layout's student folder, as a path in the download
    note: str = ""          # what the report should say about how the student was read

    def record(self) -> dict:
        """What the course status keeps about the submission (for reports and LMS exports)."""
        attachment = self.order[0] if self.lms == "canvas" and self.order else None
        return {k: v for k, v in {"lms": self.lms, "lms_id": self.lms_id, "name": self.display_name,
                                  "submitted": self.submitted, "late": self.late,
                                  "file": self.name, "attachment": attachment}.items()
                if v not in ("", None)}


@dataclass(frozen=True)
class Archive:
    """What is known of an archive a file was unpacked from."""

    inside: frozenset = frozenset()  # the students its members' LMS-style names speak for
    student: bool = False  # it stands for one student's folder (alice.zip: see stands_for_student)
    named: frozenset = frozenset()  # students (lower case) its <student>_<assignment> names name


def notebook_name(name: str) -> bool:
    """Whether a file is named as a notebook: ``.ipynb``, or ``.ipynb.json`` as Safari saves a
    notebook downloaded from Jupyter (the student then uploads that file)."""
    return name.lower().endswith((".ipynb", ".ipynb.json"))


def plain_named(members: Iterable[PurePath], assignments: Iterable[str]) -> list[str | None]:
    """For each notebook among ``members``, the student (lower case) its name reads as, when it
    is ``<student>_<file>`` with an assignment's name in ``<file>``, else None
    (``reverse_mode.ipynb`` names no student called reverse)."""
    assignments = [a.lower() for a in assignments]
    return [found["student"].lower() if found and any(a in found["file"].lower()
                                                      for a in assignments) else None
            for m in members if notebook_name(m.name)
            for found in [PLAIN_FILE.match(m.name)]]


def stands_for_student(stem: str, members: Iterable[PurePath],
                       assignments: Iterable[str] = ()) -> bool:
    """Whether an archive named ``stem`` (without .zip) is one student's folder zipped
    (``alice.zip`` holding ``reverse_mode.ipynb``, or ``alice (1).zip``, a browser's second
    download): a name usable as a student id that names no assignment (``lms-hw1.zip`` holding
    ``zipped_hw1.ipynb`` is a download of zipped's file), no folders and no LMS-named members
    inside, and the members' ``<student>_<assignment>`` names name one student at most, or a
    notebook names none (several named and none of the student's own make it a class's plain
    download zipped). As everywhere, the outermost name wins: bob.zip holding
    ``final_hw1.ipynb`` is bob's, and the report says the file was named like final's."""
    members = list(members)
    stem = browser_original(stem)
    assignments = list(assignments)
    if not STUDENT_ID.match(stem) or any(len(m.parts) > 1 for m in members) \
            or students_named(members) or any(a.lower() in stem.lower() for a in assignments):
        return False
    readings = plain_named(members, assignments)
    return None in readings or len(set(readings)) <= 1


def slug(text: str) -> str:
    """``Jane Doe`` -> ``jane-doe``, ``García`` -> ``garcia``: a name usable in a student id
    (letters and digits kept, accents dropped)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", plain.lower())
    return "-".join(words) or "student"


def _blackboard(part: str, assignments: str | tuple[str, ...] = ()) -> dict | None:
    """The fields of a Blackboard file name (assignment, user, time, file), or None. The user
    is what follows the first of ``assignments`` (the download's names, see
    :func:`blackboard_assignment`) that the name starts with, or else the part after the
    last '_'."""
    found = BLACKBOARD_ATTEMPT.search(part)
    if found is None or found.start() == 0:
        return None
    prefix = part[:found.start()]
    assignments = (assignments,) if isinstance(assignments, str) else assignments
    assignment = next((a for a in assignments if a and prefix.startswith(a + "_")
                       and len(prefix) > len(a) + 1), "")
    if assignment:
        user = prefix[len(assignment) + 1:]
    else:
        assignment, _, user = prefix.rpartition("_")
    return {"assignment": assignment, "user": user, "time": found["time"], "file": found["file"],
            "at": found.start()}


def _canvas(part: str) -> dict | None:
    """The fields of a Canvas file name (student, id, late marker, attachment, file), or None."""
    anon = CANVAS_ANON.match(part)
    if anon:
        return {"student": f"anon-{anon['aid']}", "id": anon["aid"], "name": "",
                "late": bool(anon["late"]), "sid": anon["sid"], "file": anon["file"]}
    canvas = CANVAS_FILE.match(part)
    # The attachment id is a database id of Canvas's size: short numbers are what other names
    # hold (Lab_2_3_jdoe_attempt_..., part_1_2.ipynb, gradebook_CS_101_001).
    if canvas and len(canvas["sid"]) < 4:
        canvas = None
    if canvas:
        return {"student": f"{slug(canvas['name'])}-{canvas['uid']}", "id": canvas["uid"],
                "name": canvas["name"], "late": bool(canvas["late"]), "sid": canvas["sid"],
                "file": canvas["file"]}
    return None


def identify(relative: PurePath, archives: Mapping[int, Archive] | None = None,
             owners: bool = True, blackboard_name: str | tuple[str, ...] = "",
             root: str = "") -> Origin | str:
    """The origin of the file at ``relative`` (a path inside the download), or why it is not a
    submission. ``archives`` maps the index in ``relative.parts`` of each zip archive (its name
    without ``.zip``) the file was unpacked from, outermost first (a student's archive inside the
    class's), to what is known of it (:class:`Archive`). ``owners=False`` for a download in which
    every notebook's path carries an LMS name (:func:`lms_named`): its folders are wrappers
    (``submissions/`` as unzipped), not students' own folders. ``blackboard_name`` is the
    download's Blackboard assignment name (:func:`blackboard_assignment`), or several, in the
    order to try them; ``root`` the name of the download's own folder (GitHub Classroom's
    ``<assignment>-submissions``).

    The outermost name that says whose a file is wins: a student who uploads an archive (or a
    folder) holding files named like another student's submissions hands in their own files,
    not the other student's. For the same reason, in a plain layout the student is the
    innermost folder outside the archives, when there is one, else a per-student archive
    (``alice.zip``) itself, and only then a folder inside or the file's own name.
    """
    archives = archives or {}
    parts = relative.parts
    name = parts[-1]
    last = len(parts) - 1
    # A folder named like a plain student id, outside any archive: files inside it are that
    # student's, whatever LMS-like names they carry (a file named as another student's attempt).
    first = min(archives, default=last)  # the outermost archive
    owner = next((i for i in range(min(first, last)) if STUDENT_ID.match(parts[i])),
                 None) if owners else None
    for i, part in enumerate(parts):
        named = i == last or i in archives  # file names, and an uploaded archive's name
        moodle = MOODLE_DIR.match(part) if i < last else None
        if moodle is None and named:
            moodle = MOODLE_FILE.match(part)  # a download without folders, or an upload's name
        canvas = _canvas(part) if named else None
        blackboard = _blackboard(part, blackboard_name) if named else None
        moodle, canvas, blackboard = _first_lms(part, moodle, canvas, blackboard)
        if owner is not None and i > owner and (moodle or canvas or blackboard):
            return (f"named like an LMS's submission of someone ('{part}') inside the folder "
                    f"'{parts[owner]}': not taken (a student's files cannot speak for another "
                    f"student). If this is an LMS download, give collect the folder that holds "
                    f"its files")
        online = CANVAS_ONLINE.match(part) if i == last and owner is None else None
        if online and not (moodle or canvas or blackboard):
            who = (f"{online['name']} (user {online['uid']})" if online["uid"] else
                   f"anon-{online['aid']}")
            kind = "text entry" if online["kind"].lower() == "text" else "website URL"
            late = ", late" if online["late"] or online["anon"] else ""
            return f"Canvas {kind} submission of {who}{late}: not an uploaded file"
        inside = archives[i].inside if i in archives else frozenset()
        if inside and i == first and BLACKBOARD_DOWNLOAD.match(part):
            # Blackboard's own archive, as the instructor downloaded it (the outermost one): a
            # wrapper, though a course id such as 202610_12345 reads like a Canvas name. A
            # student's upload named so sits inside the LMS's download, or in their folder.
            continue
        mine = _lms_student(part, True) if i in archives else None
        if mine and len(set(inside) - {mine}) > 1:
            return (f"the archive '{part}' is named like one student's LMS submission but holds "
                    f"files named like the LMS submissions of {len(set(inside) - {mine})} other "
                    f"students: not taken, since it cannot be told whether it is a whole-class "
                    f"download or a student's upload of other students' files. If it is the "
                    f"class's download, unpack it (or rename it) and collect again")
        if moodle and moodle["plugin"] != "file" and i in archives:
            moodle = None  # an upload merely named like Moodle's online text: its folders say
        if moodle:
            if moodle["plugin"] != "file":
                return (f"Moodle {moodle['plugin']} submission of {moodle['name']} "
                        f"(participant {moodle['id']}): not an uploaded file")
            uploaded = moodle.groupdict().get("file") if i == last else name
            return Origin(_moodle_student(moodle), uploaded, "moodle",
                          moodle["id"], moodle["name"])
        if canvas:  # specific enough to win over the folder it sits in
            uploaded = _without_copy_number(canvas["file"]) if i == last else name
            return Origin(canvas["student"], uploaded, "canvas", canvas["id"], canvas["name"],
                          late=canvas["late"], order=(int(canvas["sid"]),))
        if blackboard:
            when = datetime.strptime(blackboard["time"], "%Y-%m-%d-%H-%M-%S")
            if not BLACKBOARD_USER.match(blackboard["user"]):
                return f"'{blackboard['user']}' in '{part}' cannot be a student id: not taken"
            if not 1990 <= when.year <= 2100:
                return f"the attempt time in '{part}' ({when.year}) is not plausible: not taken"
            time = when.isoformat()
            if blackboard["file"] is None:
                if i < last:
                    continue
                return f"Blackboard receipt of {blackboard['user']}'s attempt of {time}: {RECEIPT_BESIDE}"
            uploaded = blackboard["file"] if i == last else name
            student = _blackboard_student(blackboard["user"])
            return Origin(student, uploaded, "blackboard", blackboard["user"],
                          submitted=time, order=(time,))
    folders = [i for i in range(last) if i not in archives]
    outside = [i for i in folders if i < first]
    # alice.zip stands for the folder alice/: the files in it are hers, whatever they are named.
    own = [i for i in sorted(archives) if archives[i].student]
    # A GitHub Classroom repository is its student's, whatever folders the starter code has
    # inside it (<assignment>-octocat/notebooks/): the innermost folder would be 'notebooks'.
    repos = [i for i in outside if _classroom_user(parts[i - 1] if i else root, parts[i]) != parts[i]]
    if outside or own or folders:
        at = (repos[0] if repos else outside[-1] if outside else own[0] if own
              else folders[-1])
        folder = browser_original(parts[at]) if at in archives else parts[at]
        student = _classroom_user(parts[at - 1] if at else root, folder)
        if not STUDENT_ID.match(student):
            return (f"cannot use the folder name '{student}' as a student id (letters, digits, "
                    f"'.' and '-' only); rename the folder")
        # A GitHub Classroom repository's place ends with '<assignment>-<user>', not with the
        # student: collect compares it with plain folders of the same student (lab-bob/ beside
        # bob/ in a plain folder named lab-submissions/), not with the user's other repositories.
        place = "/".join([*parts[:at], folder])
        return Origin(student, name, "folder", place=place,
                      note=_named_as_another(name, student, archives.get(at)))
    plain = PLAIN_FILE.match(name)
    if plain:
        return Origin(plain["student"], plain["file"], "folder")
    return f"cannot read a student id from '{name}' (expected <student>_<file> or <student>/<file>)"


def _named_as_another(name: str, student: str, archive: Archive | None) -> str:
    """What to say of a file named ``<other>_<assignment>`` taken as ``student``'s because the
    archive it came in stands for ``student`` (bob.zip holding final_hw1.ipynb): nothing in the
    names tells bob's upload of his final version from a download of a student final's file.
    "" otherwise."""
    plain = PLAIN_FILE.match(name)
    if archive is None or not archive.student or plain is None \
            or plain["student"].lower() not in archive.named - {student.lower()}:
        return ""
    return (f"taken as {student}'s (the archive it came in is named so), though the file is named "
            f"like {plain['student']}'s: if the archive is a download of {plain['student']}'s "
            f"file, unpack it into a folder and collect again")


BROWSER_COPY = re.compile(r"^(?P<name>.+) \((?P<copy>\d+)\)$")  # 'alice (1)': downloaded twice


def browser_original(stem: str) -> str:
    """The name a browser's second download of a file had (``alice (1)`` -> ``alice``): an
    archive a student sent again is still the student's, and the copy is the later one."""
    copy = BROWSER_COPY.match(stem)
    return copy["name"] if copy else stem


def _classroom_user(parent: str, folder: str) -> str:
    """The student of a folder: GitHub Classroom (``gh classroom clone student-repos``, or the
    web page's download) puts the repository ``<assignment>-<username>`` of each student in
    ``<assignment>-submissions/``; the student is the username, so that one student has one id
    in every assignment. Any other folder is the student's own name."""
    if parent.endswith("-submissions"):
        prefix = parent[:-len("submissions")]
        if folder.startswith(prefix) and STUDENT_ID.match(folder[len(prefix):]):
            return folder[len(prefix):]
    return folder


def _moodle_student(moodle: re.Match) -> str:
    """Jane Doe_12345_... -> jane-doe-12345."""
    return f"{slug(moodle['name'])}-{moodle['id']}"


def _blackboard_student(user: str) -> str:
    """The student id of a Blackboard username: ann@uni.edu -> ann.at.uni.edu, john_smith ->
    john-smith (ids hold letters, digits, '.' and '-')."""
    return user.replace("@", ".at.").replace("_", "-")


def _first_lms(part: str, moodle, canvas, blackboard):
    """Of the LMS readings of one name, the one whose own part ends first: the LMS writes its
    prefix and then the file name the student chose, which may look like another LMS's (a
    Canvas upload named x_1_assignsubmission_file_..., a Blackboard one named like Canvas).
    Blackboard's marker right after <name>_<id>_<id> (Lab_3_20231234_attempt_...) is
    Blackboard's, unless Canvas's late marker is there."""
    ends = {}
    if moodle:
        ends["moodle"] = moodle.start("file") if "file" in moodle.groupdict() else len(part)
    if canvas:
        ends["canvas"] = len(part) - len(canvas["file"])
    if blackboard:
        ends["blackboard"] = blackboard["at"] + len("_attempt_") + 20
    if canvas and blackboard and blackboard["at"] == ends.get("canvas", -1) - 1 \
            and not canvas["late"]:
        del ends["canvas"]
    first = min(ends, key=ends.get) if ends else None
    return (moodle if first == "moodle" else None, canvas if first == "canvas" else None,
            blackboard if first == "blackboard" else None)


def blackboard_assignment(names: Iterable[str]) -> str:
    """The assignment name that a download's Blackboard file names share (``Homework 3``), so
    that usernames with '_' (john_smith, jane_smith) are not cut to their last part: the
    longest common prefix of the names' <assignment>_<user> parts that ends before a '_'.
    Empty when fewer than two different users are named."""
    prefixes = set()
    for name in names:
        found = BLACKBOARD_ATTEMPT.search(name)
        if found is not None and found.start() > 0:
            prefixes.add(name[:found.start()])
    if len(prefixes) < 2:
        return ""
    common = os.path.commonprefix(sorted(prefixes))
    return common[:common.rfind("_")] if "_" in common else ""


def lms_named(relative: PurePath) -> bool:
    """Whether some part of the path is an LMS's name for a student's submission."""
    return any(_lms_student(part, True) or _lms_student(part, False) for part in relative.parts)


def students_named(members: Iterable[PurePath]) -> set[str]:
    """The students whom LMS-style names of an archive's members (files and folders) name."""
    found = set()
    for member in members:
        for j, part in enumerate(member.parts):
            student = _lms_student(part, j == len(member.parts) - 1)
            if student:
                found.add(student)
    return found


def _lms_student(part: str, is_file: bool) -> str | None:
    """Whom an LMS-style name says a file (or folder) is from, or None."""
    if not is_file:
        moodle = MOODLE_DIR.match(part)
        return _moodle_student(moodle) if moodle else None
    moodle, canvas, blackboard = _first_lms(part, MOODLE_FILE.match(part), _canvas(part),
                                            _blackboard(part))
    if moodle:
        return _moodle_student(moodle)
    if canvas:
        return canvas["student"]
    return _blackboard_student(blackboard["user"]) if blackboard else None


def _without_copy_number(name: str) -> str:
    """Canvas appends -1, -2 ... to a resubmitted file's name: ``nb-1.ipynb`` -> ``nb.ipynb``
    (and Safari's ``nb-1.ipynb.json`` -> ``nb.ipynb.json``)."""
    return re.sub(r"-\d+(\.ipynb(?:\.json)?)$", r"\1", name, flags=re.IGNORECASE)
