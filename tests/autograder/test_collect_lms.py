"""collect on LMS downloads as Moodle, Canvas and Blackboard write them, and on plain folders:
every notebook lands with the right student, the LMS's id, submission time and late marker are
kept, resubmissions go by "latest wins" (reported), and every file not taken says why."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.collect import UNKNOWN, collect
from autograder.course import Course
from autograder.examples import complete
from autograder.release import release

A, B = "01-derivatives", "02-forward-mode"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("lms") / "course"
    course = Course(root=root)
    release(course, [A, B])
    notebooks = {}
    for nb in (A, B):
        source = nbformat.read(root / "source" / nb / f"{nb}.ipynb", as_version=4)
        release_nb = nbformat.read(root / "release" / nb / f"{nb}.ipynb", as_version=4)
        notebooks[nb] = (release_nb, complete(source, release_nb))
    return root, notebooks


@pytest.fixture
def course(released, tmp_path):
    import shutil
    root = tmp_path / "course"
    shutil.copytree(released[0], root)
    return Course(root=root)


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _rows(results):
    return {Path(r.path).name: r for r in results}


def _status(course):
    return json.loads((course.root / "autograder_status.json").read_text())


def test_moodle_zip_with_folders_per_student(course, released, tmp_path):
    _, nbs = released
    staging = tmp_path / "moodle"
    _write(staging / "Jane Doe_12345_assignsubmission_file_" / "my notebook 01-derivatives.ipynb", nbs[A][1])
    _write(staging / "Ali Veli_23456_assignsubmission_file_" / f"{A}.ipynb", nbs[A][0])
    (staging / "Ali Veli_23456_assignsubmission_onlinetext_").mkdir()
    (staging / "Ali Veli_23456_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>hi</p>")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / "Course-Assignment 1-12-1234.zip", "w") as zf:
        for path in staging.rglob("*"):
            if path.is_file():
                zf.write(path, path.relative_to(staging))
    rows = _rows(collect(course, downloads))
    jane = rows["my notebook 01-derivatives.ipynb"]
    assert (jane.student, jane.assignment) == ("jane-doe-12345", A)
    assert jane.origin == {"lms": "moodle", "lms_id": "12345", "name": "Jane Doe",
                           "file": "my notebook 01-derivatives.ipynb"}
    assert (course.root / "submitted" / "ali-veli-23456" / A / f"{A}.ipynb").exists()
    assert "onlinetext" in rows["onlinetext.html"].reason and rows["onlinetext.html"].assignment == UNKNOWN
    assert _status(course)[f"jane-doe-12345/{A}"]["origin"]["lms_id"] == "12345"


def test_canvas_files_with_late_markers_and_resubmissions(course, released, tmp_path):
    _, nbs = released
    downloads = tmp_path / "downloads"
    _write(downloads / f"doejane_12345_670001_{A}.ipynb", nbs[A][0])            # first attempt
    _write(downloads / f"doejane_LATE_12345_670042_{A}-1.ipynb", nbs[A][1])     # resubmitted, late
    _write(downloads / f"veliali_late_23456_670010_{B}.ipynb", nbs[B][1])
    _write(downloads / f"smithbob_34567_670011_{A}.ipynb", nbs[A][1])
    rows = _rows(collect(course, downloads))
    latest = rows[f"doejane_LATE_12345_670042_{A}-1.ipynb"]
    assert (latest.student, latest.assignment) == ("doejane-12345", A)
    assert latest.origin["late"] is True and latest.origin["lms"] == "canvas"
    assert "1 earlier submission(s) not graded (latest wins)" in latest.reason
    first = rows[f"doejane_12345_670001_{A}.ipynb"]
    assert first.assignment == UNKNOWN and "replaced by the later submission" in first.reason
    graded = nbformat.read(course.root / "submitted" / "doejane-12345" / A / f"{A}.ipynb", as_version=4)
    assert graded == nbs[A][1]  # the resubmission, not the first attempt
    assert rows[f"veliali_late_23456_670010_{B}.ipynb"].origin["late"] is True
    assert rows[f"smithbob_34567_670011_{A}.ipynb"].origin["late"] is False


def test_blackboard_attempts_and_receipts(course, released, tmp_path):
    _, nbs = released
    downloads = tmp_path / "downloads" / "gradebook_unpacked"
    prefix = "Notebook 1_jdoe_attempt_"
    _write(downloads / f"{prefix}2026-11-30-22-10-05_{A}.ipynb", nbs[A][1])
    _write(downloads / f"{prefix}2026-11-28-09-00-00_{A}.ipynb", nbs[A][0])  # earlier attempt
    (downloads / f"{prefix}2026-11-30-22-10-05.txt").write_text("Name: John Doe (jdoe)\n")
    rows = _rows(collect(course, tmp_path / "downloads"))
    latest = rows[f"{prefix}2026-11-30-22-10-05_{A}.ipynb"]
    assert (latest.student, latest.assignment) == ("jdoe", A)
    assert latest.origin["submitted"] == "2026-11-30T22:10:05"
    assert "replaced by" in rows[f"{prefix}2026-11-28-09-00-00_{A}.ipynb"].reason
    assert "receipt" in rows[f"{prefix}2026-11-30-22-10-05.txt"].reason


def test_plain_folders_nested_and_duplicates(course, released, tmp_path):
    _, nbs = released
    downloads = tmp_path / "downloads"
    _write(downloads / "week1" / "alice" / f"{A}.ipynb", nbs[A][1])
    _write(downloads / "week1" / "alice" / f"{A} (copy).ipynb", nbs[A][1])  # the same file twice
    _write(downloads / "bob_solutions.ipynb", nbs[B][1])                   # matched by content
    _write(downloads / "Jane Doe" / f"{A}.ipynb", nbs[A][1])               # a name with a space
    results = collect(course, downloads)
    assert {r.student for r in results if r.assignment != UNKNOWN} == {"alice", "bob"}
    duplicate = [r for r in results if r.student == "alice" and r.assignment == UNKNOWN]
    # written within the same second: no time tells the copies apart, and the row does not claim one
    assert len(duplicate) == 1 and "identical to" in duplicate[0].reason
    assert "nothing lost" in duplicate[0].reason or "later" in duplicate[0].reason
    assert "matched to 02-forward-mode by its content" in _rows(results)["bob_solutions.ipynb"].reason
    jane = [r for r in results if "Jane Doe" in r.path][0]
    assert jane.assignment == UNKNOWN and "rename the folder" in jane.reason
    files = {p for p in downloads.rglob("*") if p.is_file()}
    assert files == {Path(r.path) for r in results} and len(results) == len(files)  # every file, once


def _zip(path: Path, members: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, nb in members.items():
            zf.writestr(name, nbformat.writes(nb))


def test_files_named_as_another_student_stay_with_who_handed_them_in(course, released, tmp_path):
    """A student's upload (an archive, or a folder in it) holding files named like another
    student's submission, with a later time, must not replace that student's work."""
    _, nbs = released
    blank, done = nbs[A]
    downloads = tmp_path / "downloads"
    # Canvas: Bob's own submission; Jane uploads a zip with a file named as Bob's, newer
    _write(downloads / f"smithbob_34567_670011_{A}.ipynb", done)
    _zip(downloads / "doejane_12345_670001_x.zip", {f"smithbob_34567_999999999_{A}.ipynb": blank})
    # Blackboard: an attempt of 2099 named for bob inside jdoe's attempt
    _zip(downloads / "Notebook 1_jdoe_attempt_2026-11-30-22-10-05_x.zip",
         {f"Notebook 1_bob_attempt_2099-12-31-23-59-59_{B}.ipynb": nbs[B][0]})
    _write(downloads / f"Notebook 1_bob_attempt_2026-11-29-10-00-00_{B}.ipynb", nbs[B][1])
    # Moodle: a folder and an archive named as Bob's inside Jane's folder
    jane = downloads / "Jane Doe_111_assignsubmission_file_"
    _write(jane / "Bob Jones_222_assignsubmission_file_" / f"{A}.ipynb", blank)
    _zip(jane / "more.zip", {f"Bob Jones_222_assignsubmission_file_/{B}.ipynb": nbs[B][0]})
    _write(downloads / "Bob Jones_222_assignsubmission_file_" / f"{A}.ipynb", done)
    # a plain folder: alice's zip holding a folder named bob
    _zip(downloads / "alice" / "upload.zip", {f"carol/{A}.ipynb": blank})
    _write(downloads / "carol" / f"{A}.ipynb", done)
    collect(course, downloads)
    submitted = course.root / "submitted"
    for student, nb in [("smithbob-34567", A), ("bob", B), ("bob-jones-222", A), ("carol", A)]:
        graded = nbformat.read(submitted / student / nb / f"{nb}.ipynb", as_version=4)
        assert graded == nbs[nb][1], f"{student}'s {nb} was replaced by another student's file"
    for student in ["doejane-12345", "jdoe", "jane-doe-111", "alice"]:
        assert (submitted / student).is_dir(), f"{student}'s own upload was not kept as theirs"
    assert not (submitted / "bob-jones-222" / B).exists()
    status = _status(course)
    assert status[f"jdoe/{B}"]["origin"]["submitted"] == "2026-11-30T22:10:05"  # not 2099
    assert "submitted" not in status.get(f"bob/{B}", {}).get("origin", {}) or \
        status[f"bob/{B}"]["origin"]["submitted"] == "2026-11-29T10:00:00"


def test_plain_folders_do_not_speak_for_other_students(course, released, tmp_path):
    _, nbs = released
    blank, done = nbs[A]
    downloads = tmp_path / "downloads"
    _write(downloads / "carol" / f"{A}.ipynb", done)
    # alice's folder: a file named as carol's Blackboard attempt of 2099, and one for student ".."
    _write(downloads / "alice" / f"x_carol_attempt_2099-12-31-23-59-59_{A}.ipynb", blank)
    _write(downloads / "alice" / f"x_.._attempt_2026-01-01-00-00-00_{A}.ipynb", blank)
    _zip(downloads / "alice" / "u.zip", {f"Carol_5_assignsubmission_file_/{A}.ipynb": blank})
    rows = collect(course, downloads)
    graded = nbformat.read(course.root / "submitted" / "carol" / A / f"{A}.ipynb", as_version=4)
    assert graded == done
    assert not (course.root / A).exists() and not (course.root / "submitted" / "carol-5").exists()
    refused = [r for r in rows if "alice" in r.path and r.assignment == UNKNOWN]
    assert len(refused) == 3 and all("not taken" in r.reason for r in refused), refused


def _placed(course, student, nb):
    path = course.root / "submitted" / student / nb / f"{nb}.ipynb"
    return nbformat.read(path, as_version=4) if path.exists() else None


def test_names_as_the_lmss_write_them_today(course, released, tmp_path):
    """Underscores, e-mail addresses, accents and other scripts in names, anonymous grading,
    Moodle's download without folders, a Windows zip: each student is told apart and keeps
    their own id; a Blackboard name cannot be moved by the file name the student chose."""
    _, nbs = released
    blank, done = nbs[A]
    d = tmp_path / "downloads"
    _write(d / f"HW3_victim_attempt_2026-10-01-13-45-12_{A}.ipynb", done)
    _write(d / f"HW3_evil@uni.edu_attempt_2026-10-01-14-00-00_x_victim_attempt_2099-01-01-00-00-00_{A}.ipynb", blank)
    _write(d / f"Lab_3_20231234_attempt_2026-10-01-13-45-12_{A}.ipynb", done)
    _write(d / f"Lab_3_20239999_attempt_2026-10-01-13-45-12_{A}.ipynb", blank)
    _write(d / f"anon_3c7Zb_670001_{A}.ipynb", done)
    _write(d / f"anon_Qx81k_670002_{A}.ipynb", blank)
    _write(d / f"LATE_anon_Pp2aa_670003_{A}.ipynb", done)
    _write(d / f"de_la_cruzmaria_22222_670004_{A}.ipynb", done)
    _write(d / f"de_la_cruzjuan_33333_670005_{A}.ipynb", blank)
    _write(d / f"garcíajosé_44444_670006_{A}.ipynb", done)
    _write(d / f"李明_55555_670007_{A}.ipynb", done)
    _write(d / f"Jane Doe_12345_assignsubmission_file_{A}.ipynb", done)
    with zipfile.ZipFile(d / "windows.zip", "w") as zf:
        zf.writestr(f"Ann Lee_777_assignsubmission_file_\\{A}.ipynb", nbformat.writes(done))
    results = collect(course, d)
    expected = {"victim": done, "evil.at.uni.edu": blank, "20231234": done, "20239999": blank,
                "anon-3c7Zb": done, "anon-Qx81k": blank, "anon-Pp2aa": done,
                "de-la-cruzmaria-22222": done, "de-la-cruzjuan-33333": blank,
                "garciajose-44444": done, "student-55555": done, "jane-doe-12345": done,
                "ann-lee-777": done}
    for student, nb in expected.items():
        assert _placed(course, student, A) == nb, student
    assert not [r for r in results if "latest wins" in r.reason]  # nobody replaced anybody
    status = _status(course)
    assert status[f"victim/{A}"]["origin"]["submitted"] == "2026-10-01T13:45:12"
    assert status[f"evil.at.uni.edu/{A}"]["origin"]["lms_id"] == "evil@uni.edu"
    assert status[f"anon-Pp2aa/{A}"]["origin"]["late"] is True
    assert status[f"jane-doe-12345/{A}"]["origin"]["lms"] == "moodle"


def test_a_name_is_read_by_the_lms_whose_own_part_ends_first(course, released, tmp_path):
    """The LMS writes its prefix, then the file name the student chose: names that merely
    contain another LMS's pattern (short number pairs, _attempt_<time>, _assignsubmission_)
    must neither move the file to someone else nor drop its time or late marker."""
    _, nbs = released
    blank, done = nbs[A]
    d = tmp_path / "downloads"
    _write(d / f"Week_A_1_2_jdoe_attempt_2024-10-01-10-00-00_{A}.ipynb", done)
    _write(d / f"Week_A_1_2_asmith_attempt_2024-10-02-10-00-00_{A}.ipynb", blank)
    _write(d / f"Lab_2_3_bkhan_attempt_2024-10-01-10-00-00_{A}.ipynb", done)
    _write(d / f"HW3_cole_attempt_2024-10-02-10-00-00_x_1_assignsubmission_file_{A}.ipynb", done)
    _write(d / f"doejane_LATE_12345_67890_x_1_assignsubmission_file_{A}.ipynb", done)
    _write(d / f"smithbob_LATE_34567_67891_attempt_2020-01-01-00-00-00_{A}.ipynb", blank)
    _write(d / f"Bob Smith_456_assignsubmission_file_{A}.ipynb", done)
    _zip(d / "Jane Doe_123_assignsubmission_file_hw.zip",
         {f"Bob Smith_456_assignsubmission_file_{A}.ipynb": blank})
    _zip(d / "roejim_55555_67893_hw.zip", {f"part_1_2_{A}.ipynb": done, "lab_3_4_notes.ipynb": blank})
    collect(course, d)
    for student, nb in {"jdoe": done, "asmith": blank, "bkhan": done, "cole": done,
                        "doejane-12345": done, "smithbob-34567": blank, "bob-smith-456": done,
                        "jane-doe-123": blank, "roejim-55555": done}.items():
        assert _placed(course, student, A) == nb, student
    status = _status(course)
    assert status[f"cole/{A}"]["origin"]["submitted"] == "2024-10-02T10:00:00"
    assert status[f"doejane-12345/{A}"]["origin"]["late"] is True
    assert status[f"smithbob-34567/{A}"]["origin"]["late"] is True
    assert not (course.root / "submitted" / "smithbob-34567" / A / "timestamp.txt").exists()


def test_an_lms_download_unpacked_into_a_folder_is_collected(course, released, tmp_path):
    """Unzipped by macOS or Windows into a folder named after the zip (submissions/,
    CS101-HW3-98765/), or kept as a zip in a subfolder: every student is collected. The folder
    is a wrapper, not a student, because every notebook below it carries an LMS name."""
    _, nbs = released
    blank, done = nbs[A]
    for layout in ("canvas", "moodle", "zip"):
        d = tmp_path / layout
        if layout == "canvas":
            _write(d / "submissions" / f"doejane_1234567_87654321_{A}.ipynb", done)
            _write(d / "submissions" / f"smithbob_1234568_87654322_{A}.ipynb", blank)
            expected = {"doejane-1234567": done, "smithbob-1234568": blank}
        elif layout == "moodle":
            _write(d / "CS101-HW3-98765" / "Jane Doe_1234567_assignsubmission_file_" / f"{A}.ipynb", done)
            _write(d / "CS101-HW3-98765" / "Bob Roe_1234568_assignsubmission_file_" / f"{A}.ipynb", blank)
            expected = {"jane-doe-1234567": done, "bob-roe-1234568": blank}
        else:
            _zip(d / "hw3" / "submissions.zip", {f"doejane_1234567_87654323_{A}.ipynb": blank,
                                                 f"smithbob_1234568_87654324_{A}.ipynb": done})
            expected = {"doejane-1234567": blank, "smithbob-1234568": done}
        results = collect(course, d)
        for student, nb in expected.items():
            assert _placed(course, student, A) == nb, (layout, student, [r.reason for r in results])


def test_blackboard_usernames_with_underscores_stay_apart(course, released, tmp_path):
    """Every file of a Blackboard download carries the same assignment name: what follows it is
    the username, underscores included (john_smith and jane_smith are two students)."""
    _, nbs = released
    d = tmp_path / "downloads"
    prefix = "Homework 3 - Reverse Mode"
    _write(d / f"{prefix}_john_smith_attempt_2026-11-30-10-00-00_{A}.ipynb", nbs[A][1])
    _write(d / f"{prefix}_jane_smith_attempt_2026-11-30-11-00-00_Homework3.ipynb", nbs[A][0])
    _write(d / f"{prefix}_jdoe1_attempt_2026-11-30-12-00-00_{A}.ipynb", nbs[A][1])
    results = collect(course, d)
    assert _placed(course, "john-smith", A) == nbs[A][1]
    assert _placed(course, "jane-smith", A) == nbs[A][0]
    assert _placed(course, "jdoe1", A) == nbs[A][1]
    assert not [r for r in results if "latest wins" in r.reason]
    assert _status(course)[f"john-smith/{A}"]["origin"]["lms_id"] == "john_smith"


def test_one_folder_name_in_several_places_is_not_one_student(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "downloads"
    _write(d / "alice" / "notebooks" / f"{A}.ipynb", nbs[A][1])
    _write(d / "bob" / "notebooks" / f"{A}.ipynb", nbs[A][0])
    _write(d / "carol" / f"{A}.ipynb", nbs[A][1])
    _write(d / "dave" / "carol" / f"{A}.ipynb", nbs[A][0])  # dave naming a folder after carol
    results = collect(course, d)
    refused = [r for r in results if "in 2 places" in r.reason]
    assert len(refused) == 3 and not (course.root / "submitted" / "notebooks").exists()
    assert "alice/notebooks, bob/notebooks" in refused[0].reason
    assert _placed(course, "carol", A) == nbs[A][1]  # the folder at the top is carol's own
    assert [r for r in refused if r.path.endswith(f"dave/carol/{A}.ipynb")]


def test_a_class_archive_named_like_a_submission_is_refused_not_given_to_one(course, released,
                                                                           tmp_path):
    """An archive named like one student's Canvas submission that holds other students'
    submissions: the class's download renamed, or that student's upload of others' files."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / "smithjohn_12345_670001_all.zip",
         {f"HW3_alice_attempt_2026-10-01-13-45-12_{A}.ipynb": nbs[A][1],
          f"HW3_bob_attempt_2026-10-01-14-45-12_{A}.ipynb": nbs[A][0]})
    results = collect(course, d)
    assert len(results) == 2 and all("whole-class download" in r.reason for r in results)
    assert not (course.root / "submitted").exists() or not any((course.root / "submitted").iterdir())


def test_blackboards_class_download_is_collected(course, released, tmp_path):
    """Blackboard's "Download assignment" archive, gradebook_<course id>_<assignment>_<time>.zip,
    as the instructor saved it: its course id (202610_12345) reads like a Canvas name, and the
    whole class was refused as "named like one student's submission"."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / "gradebook_202610_12345_Homework 3_2026-10-05-10-00-00.zip",
         {f"HW3_alice_attempt_2026-10-01-13-45-12_{A}.ipynb": nbs[A][1],
          f"HW3_bob_attempt_2026-10-01-14-45-12_{A}.ipynb": nbs[A][0]})
    results = collect(course, d)
    assert _placed(course, "alice", A) == nbs[A][1], [r.reason for r in results]
    assert _placed(course, "bob", A) == nbs[A][0]


def test_a_later_collect_never_replaces_silently(course, released, tmp_path):
    """Submissions collected before are compared with the new ones: an older attempt from
    another download is not taken, a newer one replaces it with a row saying so, and with
    --assignment a notebook of another assignment is not taken at all."""
    _, nbs = released
    first, second, third = tmp_path / "d1", tmp_path / "d2", tmp_path / "d3"
    _write(first / f"HW1_jdoe_attempt_2026-10-02-09-00-00_{A}.ipynb", nbs[A][1])
    collect(course, first)
    _write(second / f"HW1_jdoe_attempt_2026-10-01-09-00-00_{A}.ipynb", nbs[A][0])
    rows = collect(course, second)
    assert _placed(course, "jdoe", A) == nbs[A][1]
    assert "older" in rows[0].reason and "collected before" in rows[0].reason
    _write(third / f"HW2_jdoe_attempt_2026-10-20-09-00-00_{A}.ipynb", nbs[A][0])
    _write(third / f"HW2_jdoe_attempt_2026-10-20-09-00-00_{B}.ipynb", nbs[B][1])
    rows = collect(course, third, assignment=B)
    assert _placed(course, "jdoe", A) == nbs[A][1]  # HW1 kept: this is HW2's download
    assert [r for r in rows if "--assignment" in r.reason]
    assert _placed(course, "jdoe", B) == nbs[B][1]
    rows = collect(course, third)  # without --assignment: the newer one replaces, with a row
    assert _placed(course, "jdoe", A) == nbs[A][0]
    assert [r for r in rows if "replaces the different submission collected before" in r.reason]
    # Canvas: no times, but attachment ids, which grow with every submission
    newer, older = tmp_path / "c1", tmp_path / "c2"
    _write(newer / f"doejane_12345_67999_{A}.ipynb", nbs[A][1])
    _write(older / f"doejane_12345_67890_{A}.ipynb", nbs[A][0])
    collect(course, newer)
    rows = collect(course, older)
    assert _placed(course, "doejane-12345", A) == nbs[A][1] and "older" in rows[0].reason
    # --assignment believes a notebook's content over a name of another assignment
    named = tmp_path / "d4"
    _write(named / f"Kim Lee_9_assignsubmission_file_{A}.ipynb", nbs[B][1])
    collect(course, named, assignment=B)
    assert _placed(course, "kim-lee-9", B) == nbs[B][1]


def test_large_members_and_names_that_are_not_utf8_get_a_row(course, released, tmp_path):
    import os
    _, nbs = released
    d = tmp_path / "downloads"
    with zipfile.ZipFile(d.parent / "class.zip", "w") as zf:
        zf.writestr(f"alice/{A}.ipynb", "x" * (51 << 20))
        zf.writestr(f"bob/{A}.ipynb", nbformat.writes(nbs[A][1]))
    d.mkdir()
    (d.parent / "class.zip").rename(d / "class.zip")
    odd = os.fsdecode(b"Jos\xe9 Garc\xeda_12345_assignsubmission_file_")
    _write(d / odd / f"{A}.ipynb", nbs[A][1])
    _write(d / odd / os.fsdecode(b"notes \xe9t\xe9.ipynb"), nbs[A][1])
    results = collect(course, d)
    big = [r for r in results if "too large" in r.reason]
    assert len(big) == 1 and big[0].path.endswith(f"alice/{A}.ipynb")
    assert _placed(course, "bob", A) == nbs[A][1]
    assert _placed(course, "jos-garca-12345", A) == nbs[A][1]
    json.dumps([r.__dict__ for r in results], ensure_ascii=False).encode("utf-8")  # printable
    (course.root / "autograder_status.json").read_text(encoding="utf-8")


def test_broken_or_hostile_archives_cost_nothing_and_stop_nothing(course, released, tmp_path):
    _, nbs = released
    downloads = tmp_path / "downloads"
    moodle = downloads / "Aaron Abbott_111_assignsubmission_file_"
    # two archives that once unpacked into the same folder (the second deleted the first's files)
    _zip(moodle / "x.ZIP", {f"{A}.ipynb": nbs[A][1]})
    _zip(moodle / "x.zip", {"notes.txt": nbs[A][0]})
    # a time no timestamp can hold, in a Blackboard name
    _write(downloads / f"hw_bb1_attempt_0001-01-01-00-00-00_{A}.ipynb", nbs[A][1])
    # a member far larger than any notebook (a zip bomb's): not written to disk
    with zipfile.ZipFile(downloads / "doejane_12345_670001_x.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.ipynb", b"0" * (60 << 20))
        zf.writestr(f"{A}.ipynb", nbformat.writes(nbs[A][1]))
    _write(downloads / f"smithbob_34567_670011_{A}.ipynb", nbs[A][1])
    rows = _rows(collect(course, downloads))
    submitted = course.root / "submitted"
    assert (submitted / "aaron-abbott-111" / A / f"{A}.ipynb").exists()
    assert (submitted / "smithbob-34567" / A / f"{A}.ipynb").exists()
    assert (submitted / "doejane-12345" / A / f"{A}.ipynb").exists()
    assert "not plausible" in rows[f"hw_bb1_attempt_0001-01-01-00-00-00_{A}.ipynb"].reason
    assert sum(p.stat().st_size for p in (course.root / "downloaded").rglob("*") if p.is_file()) < 10 << 20


def test_a_zip_member_cannot_escape_its_folder(course, released, tmp_path):
    _, nbs = released
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / "evil.zip", "w") as zf:
        zf.writestr("../../escaped_01-derivatives.ipynb", nbformat.writes(nbs[A][1]))
        zf.writestr(f"alice/{A}.ipynb", nbformat.writes(nbs[A][1]))  # unpacked all the same
    rows = _rows(collect(course, downloads))
    escaped = rows["escaped_01-derivatives.ipynb"]
    assert "outside the archive's folder" in escaped.reason and "evil.zip" in escaped.path
    assert not [p for p in tmp_path.rglob("escaped_*") if p.exists()]
    status = _status(course)[f"{UNKNOWN}/escaped_01-derivatives.ipynb"]["collect"]
    assert "outside the archive's folder" in " ".join(status)
    assert _placed(course, "alice", A) == nbs[A][1]


def test_reports_an_lms_imports(course, released, tmp_path):
    """Grade a class collected from Canvas and Moodle downloads, then read the reports back."""
    import csv

    from autograder.cli import feedback
    from autograder.grading import grade
    from autograder.report import report

    _, nbs = released
    downloads = tmp_path / "downloads"
    _write(downloads / f"doejane_LATE_12345_670042_{A}.ipynb", nbs[A][1])   # only notebook A
    _write(downloads / f"doejane_12345_670050_{B}.ipynb", nbs[B][0])        # B untouched: 0 points
    _write(downloads / "Ali Veli_23456_assignsubmission_file_" / f"{A}.ipynb", nbs[A][1])
    collect(course, downloads)
    grade(course, jobs=2, progress=False)
    feedback(course)
    paths = report(course, tmp_path / "reports", nbgrader_export=False)

    def read(path):
        with open(path, newline="") as fh:
            return list(csv.DictReader(fh))

    students = {r["student"]: r for r in read(paths["students"])}
    assert set(students) == {"doejane-12345", "ali-veli-23456"}
    jane, ali = students["doejane-12345"], students["ali-veli-23456"]
    full_a = float(jane[A])
    assert full_a > 0 and float(jane[B]) == 0.0
    total_max = float(jane["max_total"])
    assert float(ali[A]) == full_a and float(ali[B]) == 0.0  # B not handed in: counts 0
    assert float(ali["percent"]) == pytest.approx(100 * full_a / total_max, abs=0.01)
    assert float(ali["percent"]) < 100  # of all the course's points, not of what was handed in
    assert (jane["lms"], jane["lms_id"], jane["late"]) == ("canvas", "12345", A)
    assert (ali["lms"], ali["lms_id"], ali["name"]) == ("moodle", "23456", "Ali Veli")

    with open(paths["canvas"], newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A, B]
    canvas = read(paths["canvas"])
    assert [(r["ID"], float(r[A]), float(r[B])) for r in canvas] == [("12345", full_a, 0.0)]

    moodle = read(paths[f"moodle {A}"])
    assert [(r["Identifier"], r["Full name"], float(r["Grade"])) for r in moodle] == [
        ("Participant 23456", "Ali Veli", full_a)]
    assert float(moodle[0]["Maximum Grade"]) == full_a

    with zipfile.ZipFile(paths["feedback bundles"] / "doejane-12345.zip") as zf:
        # MathJax once, beside the assignments, for the formulas (autograder.mathjax)
        assert sorted(zf.namelist()) == [f"{A}/{A}.html", f"{B}/{B}.html", "mathjax/LICENSE",
                                         "mathjax/tex-svg-full.js"]


def test_release_solutions_keeps_answers_and_drops_hidden_tests(course, tmp_path):
    from autograder.cli import main
    from autograder.publish import MARKERS, hidden_lines

    out = tmp_path / "solutions"
    with pytest.raises(SystemExit) as done:
        main(["release-solutions", str(out), A, "--course-dir", str(course.root)])
    assert done.value.code == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{A}.ipynb"]
    source = nbformat.read(course.root / "source" / A / f"{A}.ipynb", as_version=4)
    solved = nbformat.read(out / f"{A}.ipynb", as_version=4)
    text = "\n".join(c.source for c in solved.cells)
    assert not any(m in text for m in MARKERS)
    assert not hidden_lines([course.root / "source" / A / f"{A}.ipynb"]) & {l.strip() for l in text.splitlines()}
    answer = next(c.source for c in source.cells if "### BEGIN SOLUTION" in c.source)
    inside = answer.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0].strip().splitlines()[0]
    assert inside.strip() in text  # the answer itself is there
    with pytest.raises(SystemExit) as refused:
        main(["release-solutions", str(out), "99-not-released", "--course-dir", str(course.root)])
    assert refused.value.code == 2


def test_grading_again_grades_only_what_changed(course, released, tmp_path):
    import shutil
    import time

    from autograder.grading import grade

    _, nbs = released
    downloads = tmp_path / "downloads"
    _write(downloads / f"alice_{A}.ipynb", nbs[A][1])
    _write(downloads / f"bob_{A}.ipynb", nbs[A][0])
    collect(course, downloads)
    start = time.perf_counter()
    first = grade(course, jobs=2, progress=False)
    first_seconds = time.perf_counter() - start
    assert sorted(r.job.key for r in first) == [f"alice/{A}", f"bob/{A}"]
    scores = _status(course)

    start = time.perf_counter()
    assert grade(course, jobs=2, progress=False) == []          # nothing changed: nothing graded
    assert time.perf_counter() - start < 0.1 * first_seconds
    assert _status(course) == scores

    moved = Course(root=tmp_path / "moved")  # the course directory moved: nothing changed either
    shutil.copytree(course.root, moved.root)
    assert grade(moved, jobs=2, progress=False) == []

    _write(course.root / "submitted" / "bob" / A / f"{A}.ipynb", nbs[A][1])  # bob resubmits
    assert [r.job.key for r in grade(course, jobs=2, progress=False)] == [f"bob/{A}"]
    assert len(grade(course, jobs=2, progress=False, force=True)) == 2      # --force: everything


def test_due_date_and_late_penalty(course, released, tmp_path):
    """Blackboard's attempt time becomes nbgrader's timestamp; with a due date and 10% per started
    day, a submission 1 day and 1 hour late loses 20% of its score, and the report says so."""
    from autograder.cli import main
    from autograder.grading import grade
    from autograder.report import gradebook_rows

    _, nbs = released
    downloads = tmp_path / "downloads"
    _write(downloads / f"Notebook 1_early_attempt_2026-11-30-12-00-00_{A}.ipynb", nbs[A][1])
    _write(downloads / f"Notebook 1_latecomer_attempt_2026-12-02-00-59-00_{A}.ipynb", nbs[A][1])
    collect(course, downloads)
    assert (course.root / "submitted" / "latecomer" / A / "timestamp.txt").read_text().startswith(
        "2026-12-02 00:59:00")
    with pytest.raises(SystemExit) as done:
        main(["due", A, "2026-11-30T23:59:00+00:00", "--percent-per-day", "10",
              "--course-dir", str(course.root)])
    assert done.value.code == 0
    grade(course, jobs=2, progress=False)
    rows = {r.student: r for r in gradebook_rows(course) if r.assignment == A}
    full = rows["early"].max_score
    assert rows["early"].score == full and rows["early"].penalty == 0
    assert rows["latecomer"].hours_late == pytest.approx(25.0)
    assert rows["latecomer"].penalty == pytest.approx(0.2 * full)
    assert rows["latecomer"].score == pytest.approx(0.8 * full)
    assert "25.0 h late" in rows["latecomer"].reasons and "late policy" in rows["latecomer"].reasons
    # A new due date changes the fingerprint: the next grade recomputes the penalties.
    with pytest.raises(SystemExit):
        main(["due", A, "2026-12-03T00:00:00+00:00", "--course-dir", str(course.root)])
    assert len(grade(course, jobs=2, progress=False)) == 2
    assert {r.student: r.penalty for r in gradebook_rows(course) if r.assignment == A} == {
        "early": 0, "latecomer": 0}


def test_a_job_copies_the_assignments_not_the_class(course, released, tmp_path):
    """The gradebook each grading job starts from holds the assignments' definitions only: its
    size does not grow with the number of students graded."""
    import sqlite3

    from autograder.grading import grade, snapshot_db

    _, nbs = released
    downloads = tmp_path / "downloads"
    for k in range(4):
        _write(downloads / f"student{k}_{A}.ipynb", nbs[A][1])
    collect(course, downloads)
    snapshot_db(course, tmp_path / "before.db")
    grade(course, jobs=2, progress=False)
    snapshot_db(course, tmp_path / "after.db")
    with sqlite3.connect(course.root / "gradebook.db") as db:
        assert db.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0] == 4
    with sqlite3.connect(tmp_path / "after.db") as db:
        assert db.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM student").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 2
    assert (tmp_path / "after.db").stat().st_size == (tmp_path / "before.db").stat().st_size


def _zip_infos(path: Path, members: list) -> None:
    """A zip of (name, recorded time or None, notebook or bytes) members, in this order."""
    import time
    import warnings
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of a name written twice
        for name, when, content in members:
            info = zipfile.ZipInfo(name, when or time.localtime()[:6])
            zf.writestr(info, content if isinstance(content, (bytes, str)) else nbformat.writes(content))


def test_a_member_that_cannot_be_written_stops_no_other(course, released, tmp_path):
    """A Greek name longer than a file name may be (255 bytes) is shortened, keeping Canvas's
    prefix and the extension; a member that still cannot be written gets its own row."""
    _, nbs = released
    blank, done = nbs[A]
    d = tmp_path / "downloads"
    greek = "Ανάστροφη_παραγώγιση_εργασία_" * 4 + "01.ipynb"  # 226 bytes in UTF-8
    _zip(d / "submissions.zip", {f"doejane_12345_6700001_{A}.ipynb": done,
                                 f"papadopoulosnikos_12346_6700002_{greek}": blank,
                                 f"smithbob_12347_6700003_{A}.ipynb": done})
    _zip_infos(d / "class.zip", [("dave", None, b"a file where a folder must go"),
                                 (f"dave/{A}.ipynb", None, done), (f"erin/{A}.ipynb", None, done)])
    results = collect(course, d)
    for student, nb in {"doejane-12345": done, "papadopoulosnikos-12346": blank,
                        "smithbob-12347": done, "erin": done}.items():
        assert _placed(course, student, A) == nb, student
    nikos = [r for r in results if r.student == "papadopoulosnikos-12346"][0]
    assert nikos.origin["file"].startswith("Ανάστροφη_") and nikos.origin["file"].endswith(".ipynb")
    unwritten = [r for r in results if r.path.endswith(f"class.zip/dave/{A}.ipynb")]
    assert len(unwritten) == 1 and "could not be unpacked" in unwritten[0].reason
    assert "the other members were" in unwritten[0].reason


def test_windows_zip_with_folder_entries(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "downloads"
    _zip_infos(d / "hw1-class.zip", [("alice\\", None, b""), (f"alice\\{A}.ipynb", None, nbs[A][1]),
                                     (f"bob\\{A}.ipynb", None, nbs[A][0]), ("bob\\", None, b"")])
    results = collect(course, d)
    assert _placed(course, "alice", A) == nbs[A][1] and _placed(course, "bob", A) == nbs[A][0]
    assert len(results) == 2 and not [r for r in results if r.assignment == UNKNOWN]


def test_a_name_twice_in_one_zip_is_reported_and_the_later_kept(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "downloads"
    name = f"HW1_jdoe_attempt_2026-11-30-10-00-00_{A}.ipynb"
    _zip_infos(d / "gradebook_CS101_HW1_2026-12-01-10-00-00.zip", [
        (name, (2026, 11, 30, 10, 0, 0), nbs[A][1]),      # recorded later, first in the archive
        (name, (2026, 11, 29, 9, 0, 0), nbs[A][0]),
        (f"HW1_asmith_attempt_2026-11-30-10-00-00_{A}.ipynb", None, nbs[A][0])])
    results = collect(course, d)
    assert _placed(course, "jdoe", A) == nbs[A][1] and _placed(course, "asmith", A) == nbs[A][0]
    twice = [r for r in results if "more than once" in r.reason]
    assert len(twice) == 1 and name in twice[0].reason and "recorded later" in twice[0].reason
    assert "2026-11-29 09:00:00" in twice[0].reason


def test_macos_metadata_beside_the_files_is_ignored_silently(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "hw1" / "submissions"
    for stem, nb in [("doejane_1234567_87654321", nbs[A][1]), ("smithbob_1234568_87654322", nbs[A][0])]:
        _write(d / f"{stem}_{A}.ipynb", nb)
        (d / f"._{stem}_{A}.ipynb").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    (d / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    results = collect(course, tmp_path / "hw1")
    assert _placed(course, "doejane-1234567", A) == nbs[A][1]
    assert _placed(course, "smithbob-1234568", A) == nbs[A][0]
    assert not (course.root / "submitted" / "submissions").exists()
    assert len(results) == 2 and not [r for r in results if "._" in r.path or "DS_Store" in r.path]


def test_a_students_archive_inside_the_class_archive_is_unpacked(course, released, tmp_path):
    _, nbs = released
    blank, done = nbs[A]
    d = tmp_path / "downloads"
    staging = tmp_path / "staging"
    _zip(staging / "hw1.zip", {f"{A}.ipynb": done})
    _zip(staging / "BobsWork.zip", {f"{A}.ipynb": blank})
    (d / "canvas").mkdir(parents=True)
    with zipfile.ZipFile(d / "CS101-Assignment 1-4242.zip", "w") as zf:   # Moodle's class zip
        zf.writestr(f"Jane Doe_1001_assignsubmission_file_/{A}.ipynb", nbformat.writes(blank))
        zf.write(staging / "hw1.zip", "Bob Roe_1002_assignsubmission_file_/hw1.zip")
    with zipfile.ZipFile(d / "canvas" / "submissions.zip", "w") as zf:      # Canvas's class zip
        zf.write(staging / "BobsWork.zip", "smithbob_340934_208490284_BobsWork.zip")
        zf.writestr(f"doejane_340935_208490285_{A}.ipynb", nbformat.writes(done))
    results = collect(course, d)
    for student, nb in {"jane-doe-1001": blank, "bob-roe-1002": done,
                        "smithbob-340934": blank, "doejane-340935": done}.items():
        assert _placed(course, student, A) == nb, (student, [r.reason for r in results])
    assert not [r for r in results if "not a notebook" in r.reason]


def test_an_archive_named_by_student_stands_for_their_folder(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / "alice.zip", {"reverse_mode.ipynb": nbs[A][1]})   # matched to A by its cell ids
    _zip(d / "bob.zip", {"reverse_mode.ipynb": nbs[A][0]})
    _zip(d / "carol.zip", {f"{A}.ipynb": nbs[A][1]})
    results = collect(course, d)
    assert _placed(course, "alice", A) == nbs[A][1]
    assert _placed(course, "bob", A) == nbs[A][0]
    assert _placed(course, "carol", A) == nbs[A][1]
    assert not (course.root / "submitted" / "reverse").exists()
    assert not [r for r in results if "latest wins" in r.reason or "cannot read" in r.reason]


def test_an_archive_of_files_named_by_student_is_a_download_not_a_student(course, released,
                                                                          tmp_path):
    """lms-hw1.zip holding zipped_hw1.ipynb is a download of zipped's file (an archive named
    after an assignment is no student), so is class.zip holding two students' files, and
    alice.zip holding alice_hw1.ipynb is alice's either way."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / f"lms-{A}.zip", {f"zipped_{A}.ipynb": nbs[A][1]})
    _zip(d / "class.zip", {f"dora_{A}.ipynb": nbs[A][0], f"eve_{A}.ipynb": nbs[A][1]})
    _zip(d / "alice.zip", {f"alice_{A}.ipynb": nbs[A][1]})
    collect(course, d)
    assert _placed(course, "zipped", A) == nbs[A][1]
    assert _placed(course, "dora", A) == nbs[A][0]
    assert _placed(course, "eve", A) == nbs[A][1]
    assert _placed(course, "alice", A) == nbs[A][1]
    for student in (f"lms-{A}", "class"):
        assert not (course.root / "submitted" / student).exists()


def test_a_browsers_second_download_is_the_later_one(course, released, tmp_path):
    """No LMS time in the names: the zip's recorded time orders the copies, then the browser's
    '(1)'; with neither, the report does not claim which is earlier."""
    import os
    _, nbs = released
    blank, done = nbs[A]
    d = tmp_path / "downloads"
    jane = "Jane Doe_1001_assignsubmission_file_/"
    _zip_infos(d / "moodle" / "CS101-HW1-4242.zip", [(jane + f"{A}.ipynb", (2026, 11, 30, 23, 0, 0), done),
                                          (jane + f"{A} (1).ipynb", (2026, 11, 20, 10, 0, 0), blank)])
    bob, carol = d / "plain" / "bob", d / "plain" / "carol"
    _write(bob / f"{A}.ipynb", blank)
    _write(bob / f"{A} (1).ipynb", done)
    _write(carol / f"{A}.ipynb", blank)
    _write(carol / f"{A}-v2.ipynb", done)
    for path in [*bob.iterdir(), *carol.iterdir()]:
        os.utime(path, (1_790_000_000, 1_790_000_000))  # the same time: copied without it
    results = collect(course, d / "plain")
    assert _placed(course, "bob", A) == done
    draft = [r for r in results if r.path.endswith(f"bob/{A}.ipynb")][0]
    assert "replaced by the later submission" in draft.reason and "copy" in draft.reason
    other = [r for r in results if r.student == "carol" and r.assignment == UNKNOWN][0]
    assert "earlier" not in other.reason and "later submission" not in other.reason
    assert "nothing tells which" in other.reason
    taken = [r for r in results if r.student == "carol" and r.assignment == A][0]
    assert "1 other submission(s)" in taken.reason
    results = collect(course, d / "moodle")
    assert _placed(course, "jane-doe-1001", A) == done   # recorded 30 Nov beats '(1)' of 20 Nov
    draft = [r for r in results if r.path.endswith(f"{A} (1).ipynb") and "1001" in r.path][0]
    assert "last modified 2026-11-20 10:00:00" in draft.reason


def test_github_classroom_repositories_skip_git_metadata(course, released, tmp_path):
    """`gh classroom clone student-repos` writes <assignment>-submissions/<assignment>-<user>/:
    the student is the GitHub user, one id across assignments; git's files are not reported."""
    _, nbs = released
    d = tmp_path / "hw-01-derivatives-submissions"
    for user, nb in [("octocat", nbs[A][1]), ("mona-lisa", nbs[A][0])]:
        repo = d / f"hw-01-derivatives-{user}"
        _write(repo / f"{A}.ipynb", nb)
        for name in ["HEAD", "config", "hooks/pre-commit.sample", "objects/ab/cdef"]:
            (repo / ".git" / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / ".git" / name).write_text("x")
        (repo / ".github" / "workflows").mkdir(parents=True)
        (repo / ".github" / "workflows" / "classroom.yml").write_text("on: push")
    results = collect(course, d)
    assert _placed(course, "octocat", A) == nbs[A][1]
    assert _placed(course, "mona-lisa", A) == nbs[A][0]
    assert len(results) == 2, [r.path for r in results]
    # The same layout one level down (a folder holding the class's downloads), and zipped.
    e = tmp_path / "term"
    _write(e / "hw-02-reverse-submissions" / "hw-02-reverse-octocat" / f"{B}.ipynb", nbs[B][1])
    _zip(e / "hw-01-derivatives-submissions.zip",
         {f"hw-01-derivatives-submissions/hw-01-derivatives-mona-lisa/{A}.ipynb": nbs[A][1]})
    collect(course, e)
    assert _placed(course, "octocat", B) == nbs[B][1]
    assert _placed(course, "mona-lisa", A) == nbs[A][1]
    assert not [p.name for p in (course.root / "submitted").iterdir() if p.name.startswith("hw-")]


def test_one_blackboard_students_download_reads_the_user_from_the_receipt(course, released, tmp_path):
    _, nbs = released
    d = tmp_path / "late2"
    prefix = "Homework 3 - Reverse Mode_john_smith_attempt_2026-12-02-08-00-00"
    _write(d / f"{prefix}_{A}.ipynb", nbs[A][1])
    (d / f"{prefix}.txt").write_text("Name: John Smith (john_smith)\nAssignment: Homework 3\n")
    results = collect(course, d)
    assert _placed(course, "john-smith", A) == nbs[A][1]
    assert not (course.root / "submitted" / "smith").exists()
    assert "receipt of john_smith's attempt" in [r for r in results if r.path.endswith(".txt")][0].reason


def test_archives_inside_archives_share_one_budget(course, released, tmp_path, monkeypatch):
    """A zip of zips must not multiply the unpacked-size limit by its levels (a student's zip
    bomb in the class's download would fill the disk): the archives inside one archive of the
    download share its budget, and what does not fit gets a row."""
    import autograder.collect as collect_module
    _, nbs = released
    monkeypatch.setattr(collect_module, "MAX_ARCHIVE_BYTES", 3 << 20)
    staging = tmp_path / "staging"
    filler = "x" * (2 << 20)  # compresses to almost nothing, unpacks to 2 MB
    staging.mkdir()
    for n in range(3):
        with zipfile.ZipFile(staging / f"s{n}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("padding.txt", filler)
    d = tmp_path / "downloads"
    d.mkdir()
    with zipfile.ZipFile(d / "class.zip", "w") as zf:
        for n in range(3):
            zf.write(staging / f"s{n}.zip", f"student{n}/work.zip")
        zf.writestr(f"student9/{A}.ipynb", nbformat.writes(nbs[A][1]))
    results = collect(course, d)
    over = [r for r in results if "more than is left" in r.reason]
    assert len(over) == 2, [(r.path, r.reason) for r in results]  # the first fits, then none
    assert _placed(course, "student9", A) == nbs[A][1]
    unpacked = sum(p.stat().st_size for p in (course.root / "downloaded").rglob("*") if p.is_file())
    assert unpacked < 3 << 20


def test_a_github_classroom_repository_with_folders_is_its_students(course, released, tmp_path):
    """GitHub Classroom: starter repositories often keep the notebooks in a folder
    (`gh classroom clone student-repos` gives <assignment>-submissions/<assignment>-<user>/
    notebooks/...). The repository names the student, not the folder inside it: every
    student's notebooks were refused as one folder name in several places, and a class of one
    went to a student called 'notebooks'."""
    _, nbs = released
    d = tmp_path / "hw-01-derivatives-submissions"
    _write(d / "hw-01-derivatives-octocat" / "notebooks" / f"{A}.ipynb", nbs[A][1])
    _write(d / "hw-01-derivatives-mona-lisa" / "notebooks" / f"{A}.ipynb", nbs[A][0])
    results = collect(course, d)
    assert _placed(course, "octocat", A) == nbs[A][1]
    assert _placed(course, "mona-lisa", A) == nbs[A][0]
    assert not [r for r in results if r.assignment == UNKNOWN], [r.reason for r in results]
    one = tmp_path / "one" / "hw-02-reverse-submissions"
    _write(one / "hw-02-reverse-hubot" / "hw" / f"{B}.ipynb", nbs[B][1])
    collect(course, one)
    assert _placed(course, "hubot", B) == nbs[B][1]
    assert not (course.root / "submitted" / "hw").exists()


def test_an_archive_a_browser_downloaded_twice_stays_its_students(course, released, tmp_path):
    """A plain folder of per-student archives (alice.zip stands for alice/): a student who sent
    the archive again is downloaded by the browser as 'alice (1).zip'. It is still alice's,
    and the later one; it went to a student 'reverse' read from the notebook's own name."""
    _, nbs = released
    d = tmp_path / "downloads"
    when = (2026, 11, 30, 10, 0, 0)  # the same recorded time: only the copy number tells
    _zip_infos(d / "alice.zip", [("reverse_mode.ipynb", when, nbs[A][0])])
    _zip_infos(d / "alice (1).zip", [("reverse_mode.ipynb", when, nbs[A][1])])
    _zip_infos(d / "bob (2).zip", [(f"{A}.ipynb", when, nbs[A][1])])
    results = collect(course, d)
    assert _placed(course, "alice", A) == nbs[A][1]
    assert _placed(course, "bob", A) == nbs[A][1]
    assert not (course.root / "submitted" / "reverse").exists()
    draft = [r for r in results if r.student == "alice" and r.assignment == UNKNOWN]
    assert len(draft) == 1 and "replaced by the later submission" in draft[0].reason


def test_names_decomposed_by_macos_are_read_as_written(course, released, tmp_path):
    """Canvas keeps accents in names (garcíajosé_44444_...); a download unpacked on macOS
    (HFS+) or copied from it spells 'í' as 'i' and a combining accent (NFD). Such a name was
    'cannot read a student id'; it is the same student as the composed spelling."""
    import unicodedata
    _, nbs = released
    d = tmp_path / "submissions"
    _write(d / unicodedata.normalize("NFD", f"garcíajosé_44444_670006_{A}.ipynb"), nbs[A][1])
    _write(d / unicodedata.normalize("NFD", "Zoë Brontë_777_assignsubmission_file_") / f"{B}.ipynb",
           nbs[B][1])
    results = collect(course, d)
    assert _placed(course, "garciajose-44444", A) == nbs[A][1], [r.reason for r in results]
    assert _placed(course, "zoe-bronte-777", B) == nbs[B][1]
    assert _status(course)[f"garciajose-44444/{A}"]["origin"]["name"] == "garcíajosé"


def test_canvas_text_entries_are_named_as_such(course, released, tmp_path):
    """Canvas writes a text entry as <name>[_LATE]_<user id>_text.html and a website URL as
    ..._link.html (no attachment id). The row said only "not a notebook" and named a student
    'smithbob' who does not exist (the student is smithbob-34567)."""
    _, nbs = released
    d = tmp_path / "submissions"
    _write(d / f"doejane_12345_670001_{A}.ipynb", nbs[A][1])
    (d / "smithbob_34567_text.html").write_text("<p>my notebook is on my laptop</p>")
    (d / "roejim_LATE_45678_link.html").write_text("<a href='https://colab.research.google.com'>")
    (d / "LATE_anon_Qx81k_text.html").write_text("<p>sorry</p>")
    rows = _rows(collect(course, d))
    assert _placed(course, "doejane-12345", A) == nbs[A][1]
    assert "Canvas text entry submission of smithbob (user 34567)" in rows["smithbob_34567_text.html"].reason
    assert "Canvas website URL submission of roejim (user 45678), late" in \
        rows["roejim_LATE_45678_link.html"].reason
    assert "anon-Qx81k, late" in rows["LATE_anon_Qx81k_text.html"].reason
    assert not [r for r in rows.values() if r.student in {"smithbob", "roejim", "LATE"}]


def test_blackboards_archive_of_one_students_attempts_is_not_a_student(course, released,
                                                                        tmp_path):
    """Blackboard's "Assignment File Download" of one student (a late submitter) is
    gradebook_<course id>_<assignment>_<time>.zip; a course id like ENG_101_20261 makes the
    archive's name read like a Canvas file of a student 'gradebook-eng', who got the attempt."""
    _, nbs = released
    d = tmp_path / "late"
    prefix = "Homework 3_jdoe_attempt_2026-12-02-08-00-00"
    _zip_infos(d / "gradebook_ENG_101_20261_Homework 3_2026-12-03-10-00-00.zip",
               [(f"{prefix}_{A}.ipynb", None, nbs[A][1]),
                (f"{prefix}.txt", None, "Name: John Doe (jdoe)\n")])
    results = collect(course, d)
    assert _placed(course, "jdoe", A) == nbs[A][1], [r.reason for r in results]
    assert not (course.root / "submitted" / "gradebook-eng-101").exists()
    assert _status(course)[f"jdoe/{A}"]["origin"]["submitted"] == "2026-12-02T08:00:00"


def test_a_folder_per_assignment_holds_the_same_students(course, released, tmp_path):
    """A plain download kept a folder per assignment (hw1/alice/, hw2/alice/), and
    `gh classroom clone student-repos` of two assignments gives <a>-submissions/<a>-octocat/
    for each: the same student in two assignments' folders is no clash of two students. Every
    such submission was refused ("stands for a student in 2 places"). Two folders giving the
    same student the same assignment still are a clash."""
    _, nbs = released
    d = tmp_path / "term"
    _write(d / "hw1" / "alice" / f"{A}.ipynb", nbs[A][1])
    _write(d / "hw1" / "bob" / f"{A}.ipynb", nbs[A][0])
    _write(d / "hw2" / "alice" / f"{B}.ipynb", nbs[B][1])
    _write(d / "hw2" / "bob" / f"{B}.ipynb", nbs[B][0])
    _write(d / "hw-01-derivatives-submissions" / "hw-01-derivatives-octocat" / f"{A}.ipynb", nbs[A][1])
    _write(d / "hw-02-reverse-submissions" / "hw-02-reverse-octocat" / f"{B}.ipynb", nbs[B][1])
    results = collect(course, d)
    assert not [r for r in results if r.assignment == UNKNOWN], [r.reason for r in results]
    for student, nb, version in [("alice", A, 1), ("bob", A, 0), ("alice", B, 1), ("bob", B, 0),
                                 ("octocat", A, 1), ("octocat", B, 1)]:
        assert _placed(course, student, nb) == nbs[nb][version], (student, nb)
    again = tmp_path / "again"
    _write(again / "hw1" / "carol" / f"{A}.ipynb", nbs[A][1])
    _write(again / "hw1" / "dan" / f"{A}.ipynb", nbs[A][1])
    _write(again / "hw1-late" / "carol" / f"{A}.ipynb", nbs[A][0])
    _write(again / "hw1-late" / "erin" / f"{A}.ipynb", nbs[A][0])
    results = collect(course, again)
    assert len([r for r in results if "in 2 places" in r.reason]) == 2
    assert _placed(course, "carol", A) is None


def test_blackboard_receipts_name_users_who_share_a_first_name(course, released, tmp_path):
    """Blackboard: a download of the two late submitters, john_smith and john_doe, shares the
    prefix 'Homework 3_john': comparing names made it the assignment and the users 'smith'
    and 'doe', new students beside john-smith and john-doe of the class's download. Each
    attempt's receipt states the username ('Name: John Smith (john_smith)')."""
    _, nbs = released
    blank, done = nbs[A]
    first, late = tmp_path / "class", tmp_path / "late"
    for user, when in [("john_smith", "2026-11-30-10-00-00"), ("john_doe", "2026-11-30-11-00-00"),
                       ("ann_lee", "2026-11-30-12-00-00")]:
        _write(first / f"Homework 3_{user}_attempt_{when}_{A}.ipynb", blank)
    collect(course, first)
    for user, name in [("john_smith", "John Smith"), ("john_doe", "John Doe")]:
        prefix = f"Homework 3_{user}_attempt_2026-12-02-09-00-00"
        _write(late / f"{prefix}_{A}.ipynb", done)
        (late / f"{prefix}.txt").write_text(f"Name: {name} ({user})\nAssignment: Homework 3\n")
    collect(course, late)
    assert _placed(course, "john-smith", A) == done and _placed(course, "john-doe", A) == done
    assert not (course.root / "submitted" / "smith").exists()
    assert not (course.root / "submitted" / "doe").exists()


def test_a_blackboard_attempt_without_a_file_says_so(course, released, tmp_path):
    """Blackboard: an attempt in which the student typed into the submission field (or only
    commented) and attached no file has its receipt alone in the download. Its row said that
    the submission is the file with the same prefix, which does not exist."""
    _, nbs = released
    d = tmp_path / "gradebook"
    given = "Homework 3_jdoe_attempt_2026-11-30-10-00-00"
    _write(d / f"{given}_{A}.ipynb", nbs[A][1])
    (d / f"{given}.txt").write_text("Name: John Doe (jdoe)\n")
    typed = "Homework 3_asmith_attempt_2026-11-30-11-00-00"
    (d / f"{typed}.txt").write_text("Name: Ann Smith (asmith)\nSubmission Field:\nsee my laptop\n")
    rows = _rows(collect(course, d))
    assert "the submission itself is the file" in rows[f"{given}.txt"].reason
    alone = rows[f"{typed}.txt"].reason
    assert "no file of this attempt is in the download" in alone, alone
    assert "the submission itself is the file" not in alone


def test_a_notebook_safari_saved_as_json_is_collected(course, released, tmp_path):
    """Safari saves a notebook downloaded from Jupyter as '<name>.ipynb.json', and students
    upload that file (Canvas and Moodle keep its name). It is the student's notebook; it was
    ignored as "not a notebook"."""
    _, nbs = released
    d = tmp_path / "submissions"
    _write(d / f"doejane_12345_670001_{A}.ipynb.json", nbs[A][1])
    _write(d / "Ali Veli_23456_assignsubmission_file_" / f"{B}.ipynb.json", nbs[B][1])
    rows = _rows(collect(course, d))
    assert _placed(course, "doejane-12345", A) == nbs[A][1], rows
    assert _placed(course, "ali-veli-23456", B) == nbs[B][1]
    assert f"submitted as '{A}.ipynb.json'" in rows[f"doejane_12345_670001_{A}.ipynb.json"].reason


def test_an_archive_that_is_not_a_zip_is_named_as_such(course, released, tmp_path):
    """Students upload .rar and .7z archives too (Blackboard, Moodle); collect unpacks only
    zips. The row said "not a notebook: ignored", as if no notebook had been handed in."""
    _, nbs = released
    d = tmp_path / "gradebook"
    prefix = "Homework 3_jdoe_attempt_2026-11-30-10-00-00"
    (d / "Jane Doe_1001_assignsubmission_file_").mkdir(parents=True)
    (d / "Jane Doe_1001_assignsubmission_file_" / "hw3.rar").write_bytes(b"Rar!\x1a\x07\x01\x00")
    (d / f"{prefix}_hw3.7z").write_bytes(b"7z\xbc\xaf\x27\x1c")
    rows = _rows(collect(course, d))
    for name, student in [("hw3.rar", "jane-doe-1001"), (f"{prefix}_hw3.7z", "jdoe")]:
        assert rows[name].student == student
        assert "an archive that collect does not unpack" in rows[name].reason, rows[name].reason


def test_an_archive_holding_its_students_file_in_other_letter_case_is_theirs(course, released,
                                                                           tmp_path):
    """A plain folder of per-student archives: alice.zip holds 'Alice_<assignment>.ipynb' and
    JSmith.zip 'jsmith_<assignment>.ipynb' (students write their own name as they like). The
    member names the archive's own student, in other letters' case: it went to new students
    'Alice' and 'jsmith', apart from alice's other assignment in her folder alice/."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / "alice.zip", {f"Alice_{A}.ipynb": nbs[A][1]})
    _zip(d / "JSmith.zip", {f"jsmith_{A}.ipynb": nbs[A][0]})
    _write(d / "alice" / f"{B}.ipynb", nbs[B][1])
    results = collect(course, d)
    assert _placed(course, "alice", A) == nbs[A][1], [(r.student, r.reason) for r in results]
    assert _placed(course, "JSmith", A) == nbs[A][0]
    assert _placed(course, "alice", B) == nbs[B][1]
    for wrong in ("Alice", "jsmith"):
        assert not (course.root / "submitted" / wrong).exists()


def test_a_receipt_whose_username_is_not_the_files_moves_no_student(course, released, tmp_path):
    """Blackboard's download of a class: john_smith's receipt has no '(user)' on its Name line
    and jane_smith's names 'smith', which is not her username in the file names. The receipt
    made 'Homework 3_jane' the assignment name of every file, so both attempts were read as
    user 'smith': one student, john's work replaced by jane's ("latest wins"). Comparing the
    names ('Homework 3') tells them apart; a receipt must not overrule it."""
    _, nbs = released
    d = tmp_path / "gradebook"
    for user, name, when, nb in [("john_smith", "John Smith", "2026-11-30-10-00-00", nbs[A][1]),
                                 ("jane_smith", "Jane Smith (smith)", "2026-11-30-11-00-00", nbs[A][0]),
                                 ("zoe_lee", "Zoe Lee (zoe_lee)", "2026-11-30-12-00-00", nbs[A][1])]:
        prefix = f"Homework 3_{user}_attempt_{when}"
        _write(d / f"{prefix}_{A}.ipynb", nb)
        (d / f"{prefix}.txt").write_text(f"Name: {name}\nAssignment: Homework 3\n")
    results = collect(course, d)
    assert _placed(course, "john-smith", A) == nbs[A][1], [(r.student, r.reason) for r in results]
    assert _placed(course, "jane-smith", A) == nbs[A][0]
    assert _placed(course, "zoe-lee", A) == nbs[A][1]
    assert not (course.root / "submitted" / "smith").exists()
    assert not [r for r in results if "latest wins" in r.reason]


def test_a_blackboard_folder_of_two_assignments_reads_each_by_its_receipts(course, released,
                                                                          tmp_path):
    """Two Blackboard downloads unpacked side by side (hw1/, hw2/) and collected together:
    the first receipt's assignment name ('Homework 1') was used for every file, so the
    attempts of 'Homework 2' were read as users 'smith' and 'doe'."""
    _, nbs = released
    d = tmp_path / "term"
    for folder, title, nb in [("hw1", "Homework 1", A), ("hw2", "Homework 2", B)]:
        for user, name in [("john_smith", "John Smith"), ("john_doe", "John Doe")]:
            prefix = f"{title}_{user}_attempt_2026-11-30-10-00-00"
            _write(d / folder / f"{prefix}_{nb}.ipynb", nbs[nb][1])
            (d / folder / f"{prefix}.txt").write_text(f"Name: {name} ({user})\n")
    results = collect(course, d)
    for student in ("john-smith", "john-doe"):
        for nb in (A, B):
            assert _placed(course, student, nb) == nbs[nb][1], (student, nb, [r.reason for r in results])
    assert not (course.root / "submitted" / "smith").exists()


def test_two_sections_students_of_one_name_are_not_merged(course, released, tmp_path):
    """Section folders, each with the class's student folders, in a download of two
    assignments: section-a/alice handed in the first, section-b/alice (another student) the
    second. Each section folder holds both assignments, so they are not a folder per
    assignment (hw1/alice, hw2/alice): the two alices were merged into one student."""
    _, nbs = released
    d = tmp_path / "term"
    _write(d / "section-a" / "alice" / f"{A}.ipynb", nbs[A][1])
    _write(d / "section-a" / "bob" / f"{A}.ipynb", nbs[A][1])
    _write(d / "section-a" / "bob" / f"{B}.ipynb", nbs[B][1])
    _write(d / "section-b" / "alice" / f"{B}.ipynb", nbs[B][0])
    _write(d / "section-b" / "carol" / f"{A}.ipynb", nbs[A][0])
    results = collect(course, d)
    refused = [r for r in results if "in 2 places" in r.reason]
    assert len(refused) == 2, [(r.path, r.student, r.reason) for r in results]
    assert not (course.root / "submitted" / "alice").exists()
    assert _placed(course, "bob", B) == nbs[B][1] and _placed(course, "carol", A) == nbs[A][0]


def test_a_browsers_copy_of_a_safari_notebook_is_the_later(course, released, tmp_path):
    """Safari's '<name>.ipynb.json' downloaded twice is '<name> (1).ipynb.json': the copy
    number was not read (it was looked for before '.json' only), and the row said that nothing
    tells which is later ("no ... copy number differs")."""
    import os
    _, nbs = released
    d = tmp_path / "downloads"
    _write(d / "bob" / f"{A}.ipynb.json", nbs[A][0])
    _write(d / "bob" / f"{A} (1).ipynb.json", nbs[A][1])
    for path in (d / "bob").iterdir():
        os.utime(path, (1_790_000_000, 1_790_000_000))
    results = collect(course, d)
    assert _placed(course, "bob", A) == nbs[A][1]
    draft = [r for r in results if r.path.endswith(f"{A}.ipynb.json") and r.assignment == UNKNOWN]
    assert len(draft) == 1 and "replaced by the later submission" in draft[0].reason, draft
    # Canvas's resubmission number goes before '.ipynb.json' too: the file as uploaded
    _write(tmp_path / "canvas" / f"doejane_12345_670042_{A}-1.ipynb.json", nbs[A][1])
    taken = collect(course, tmp_path / "canvas")[0]
    assert taken.origin["file"] == f"{A}.ipynb.json", taken.origin


def test_a_students_git_folder_costs_the_others_nothing(course, released, tmp_path, monkeypatch):
    """Moodle's class download in which students uploaded their repository folder zipped, with
    its .git/ (hooks, objects, logs: dozens of files each). Since the archives inside the class
    archive share its file budget, the .git/ files of the first students, which collect ignores
    anyway, used it up and the later students' archives were not unpacked ("more than is
    left"). Metadata that is ignored is not unpacked, and costs nothing."""
    import autograder.collect as collect_module
    _, nbs = released
    monkeypatch.setattr(collect_module, "MAX_ARCHIVE_FILES", 60)
    staging = tmp_path / "staging"
    for n in range(3):
        git = [(f"hw1/.git/objects/{k:02x}/{k:038x}", None, b"x") for k in range(25)]
        _zip_infos(staging / f"s{n}.zip", [*git, ("hw1/.git/HEAD", None, "ref: refs/heads/main\n"),
                                           (f"hw1/{A}.ipynb", None, nbs[A][n % 2])])
    d = tmp_path / "downloads"
    d.mkdir()
    with zipfile.ZipFile(d / "CS101-HW1-4242.zip", "w") as zf:
        for n in range(3):
            zf.write(staging / f"s{n}.zip", f"Student {n}_{1000 + n}_assignsubmission_file_/hw1.zip")
    results = collect(course, d)
    for n in range(3):
        assert _placed(course, f"student-{n}-{1000 + n}", A) == nbs[A][n % 2], \
            [(r.path, r.reason) for r in results if r.reason]
    assert not [r for r in results if ".git" in r.path]


def test_a_file_named_as_another_students_in_an_archive_named_by_student_says_so(course, released,
                                                                                 tmp_path):
    """A plain folder of per-student archives in which bob.zip holds 'final_<assignment>.ipynb'
    (his final version). The outermost name wins, as for every upload: it is bob's (read as
    '<student>_<file>' it went to a student 'final', and the instructor had no bob), and the
    row says it was named like final's and what to do if bob.zip is a download of final's."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip(d / "alice.zip", {f"{A}.ipynb": nbs[A][1]})
    _zip(d / "bob.zip", {f"final_{A}.ipynb": nbs[A][0]})
    rows = _rows(collect(course, d))
    row = rows[f"final_{A}.ipynb"]
    assert row.student == "bob" and "named like final's" in row.reason, row.reason
    assert _placed(course, "bob", A) == nbs[A][0]
    assert not (course.root / "submitted" / "final").exists()
    assert rows[f"{A}.ipynb"].reason == ""  # alice.zip's own file: nothing to say


def test_an_archive_holding_an_unnamed_notebook_is_its_students(course, released, tmp_path):
    """A plain folder of per-student archives: alice.zip holds her '<assignment>.ipynb' and a
    copy of bob's 'bob_<assignment>.ipynb' (recorded later); bob.zip holds his own. A download
    of students' files names each file by its student; one file that names none makes the
    archive alice's. The member named bob's made alice.zip no student's: alice's own notebook
    got 'cannot read a student id', and the copy in her upload replaced bob's own work."""
    _, nbs = released
    d = tmp_path / "downloads"
    _zip_infos(d / "alice.zip", [(f"{A}.ipynb", (2026, 12, 1, 10, 0, 0), nbs[A][1]),
                                 (f"bob_{A}.ipynb", (2026, 12, 1, 10, 0, 0), nbs[A][0])])
    _zip_infos(d / "bob.zip", [(f"{A}.ipynb", (2026, 11, 30, 10, 0, 0), nbs[A][1])])
    _zip(d / "carol.zip", {f"{B}.ipynb.json": nbs[B][1], f"dan_{B}.ipynb": nbs[B][0]})  # Safari's
    results = collect(course, d)
    assert _placed(course, "bob", A) == nbs[A][1], [(r.student, r.reason) for r in results]
    assert _placed(course, "alice", A) is not None
    assert _placed(course, "carol", B) is not None and _placed(course, "dan", B) is None
    assert not [r for r in results if "cannot read a student id" in r.reason]
    assert not [r for r in results if r.student == "bob" and r.assignment == UNKNOWN]


def test_a_plain_folder_named_like_a_repository_beside_one_is_not_merged(course, released,
                                                                         tmp_path):
    """A plain class folder 'lab-submissions/' (not GitHub Classroom's: not every folder in
    it is 'lab-<user>') holding a student 'bob' and a student 'lab-bob'. Read as a repository,
    lab-bob is user bob, and since a repository's student was compared with no other place,
    the two were merged into one student, one of them not graded. They may be two students:
    both are refused with the reason, as two folders named for one student are."""
    _, nbs = released
    d = tmp_path / "downloads"
    _write(d / "lab-submissions" / "bob" / f"{A}.ipynb", nbs[A][0])
    _write(d / "lab-submissions" / "lab-bob" / f"{A}.ipynb", nbs[A][1])
    _write(d / "lab-submissions" / "lab-alice" / f"{A}.ipynb", nbs[A][1])
    results = collect(course, d)
    assert len([r for r in results if "in 2 places" in r.reason]) == 2, \
        [(r.path, r.student, r.reason) for r in results]
    assert _placed(course, "bob", A) is None and _placed(course, "alice", A) == nbs[A][1]
