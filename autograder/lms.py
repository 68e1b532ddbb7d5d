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
  name with ``-1``, ``-2`` ... before the extension.
* **Blackboard** ("Download assignment"): ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``
  plus a ``.txt`` receipt per attempt with the same prefix.
* **A plain folder**: ``<student>/<file>.ipynb`` or ``<student>_<file>.ipynb``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

MOODLE_DIR = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
CANVAS_FILE = re.compile(r"^(?P<name>[a-z][a-z0-9]*?)(?P<late>_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
BLACKBOARD_FILE = re.compile(r"^(?P<assignment>.+?)_(?P<user>[A-Za-z0-9.\-]+)_attempt_"
                             r"(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<file>.+)|\.txt)$")
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

    def record(self) -> dict:
        """What the course status keeps about the submission (for reports and LMS exports)."""
        return {k: v for k, v in {"lms": self.lms, "lms_id": self.lms_id, "name": self.display_name,
                                  "submitted": self.submitted, "late": self.late,
                                  "file": self.name}.items() if v not in ("", None)}


def slug(text: str) -> str:
    """``Jane Doe`` -> ``jane-doe``: a name usable in a student id (letters and digits kept)."""
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    return "-".join(words) or "student"


def identify(relative: PurePath, archive: int | None = None) -> Origin | str:
    """The origin of the file at ``relative`` (a path inside the download), or why it is not a
    submission. ``archive`` is the index in ``relative.parts`` of the zip archive (its name
    without ``.zip``) the file was unpacked from, if any.

    The outermost name that says whose a file is wins: a student who uploads an archive (or a
    folder) holding files named like another student's submissions hands in their own files,
    not the other student's. For the same reason, in a plain layout the student is the
    innermost folder outside the archive, when there is one.
    """
    parts = relative.parts
    name = parts[-1]
    last = len(parts) - 1
    # A folder named like a plain student id, outside any archive: files inside it are that
    # student's, whatever LMS-like names they carry (a file named as another student's attempt).
    owner = next((i for i in range(last) if i != archive and (archive is None or i < archive)
                  and STUDENT_ID.match(parts[i])), None)
    for i, part in enumerate(parts):
        named = i == last or i == archive  # file names, and an uploaded archive's name
        moodle = MOODLE_DIR.match(part)
        canvas = CANVAS_FILE.match(part) if named else None
        blackboard = BLACKBOARD_FILE.match(part) if named else None
        if owner is not None and i > owner and (moodle or canvas or blackboard):
            return (f"named like an LMS's submission of someone ('{part}') inside the folder "
                    f"'{parts[owner]}': not taken (a student's files cannot speak for another "
                    f"student). If this is an LMS download, give collect the folder that holds "
                    f"its files")
        if moodle and i < last:
            if moodle["plugin"] != "file":
                return (f"Moodle {moodle['plugin']} submission of {moodle['name']} "
                        f"(participant {moodle['id']}): not an uploaded file")
            return Origin(f"{slug(moodle['name'])}-{moodle['id']}", name, "moodle",
                          moodle["id"], moodle["name"])
        if canvas:  # specific enough to win over the folder it sits in
            uploaded = _without_copy_number(canvas["file"]) if i == last else name
            return Origin(f"{canvas['name'].lower()}-{canvas['uid']}", uploaded, "canvas",
                          canvas["uid"], canvas["name"], late=bool(canvas["late"]),
                          order=(int(canvas["sid"]),))
        if blackboard:
            when = datetime.strptime(blackboard["time"], "%Y-%m-%d-%H-%M-%S")
            if not STUDENT_ID.match(blackboard["user"]):
                return f"'{blackboard['user']}' in '{part}' cannot be a student id: not taken"
            if not 1990 <= when.year <= 2100:
                return f"the attempt time in '{part}' ({when.year}) is not plausible: not taken"
            time = when.isoformat()
            if blackboard["file"] is None:
                if i < last:
                    continue
                return (f"Blackboard receipt of {blackboard['user']}'s attempt of {time}: the "
                        f"submission itself is the file with the same prefix")
            uploaded = blackboard["file"] if i == last else name
            return Origin(blackboard["user"], uploaded, "blackboard", blackboard["user"],
                          submitted=time, order=(time,))
    folders = [i for i in range(last) if i != archive]
    outside = [i for i in folders if archive is None or i < archive]
    if folders:
        student = parts[(outside or folders)[-1]]
        if not STUDENT_ID.match(student):
            return (f"cannot use the folder name '{student}' as a student id (letters, digits, "
                    f"'.' and '-' only); rename the folder")
        return Origin(student, name, "folder")
    plain = PLAIN_FILE.match(name)
    if plain:
        return Origin(plain["student"], plain["file"], "folder")
    return f"cannot read a student id from '{name}' (expected <student>_<file> or <student>/<file>)"


def _without_copy_number(name: str) -> str:
    """Canvas appends -1, -2 ... to a resubmitted file's name: ``nb-1.ipynb`` -> ``nb.ipynb``."""
    return re.sub(r"-\d+(\.ipynb)$", r"\1", name)
