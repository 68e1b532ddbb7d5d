"""autograder.mathjax: only the pinned MathJax is installed, and each student's feedback folder
gets one copy of it. (That the feedback HTML renders with it offline: tests/browser.)"""

from __future__ import annotations

import io
import tarfile

import pytest

from autograder import mathjax
from autograder.course import GraderError


def tarball(path, members: dict[str, bytes]):
    """A gzipped tar shaped like an npm package."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_tarball_other_than_the_pinned_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(mathjax, "HOME", tmp_path / "home")
    fake = tarball(tmp_path / "mathjax.tgz", {"package/es5/tex-svg-full.js": b"alert(1)",
                                              "package/LICENSE": b"none"})
    with pytest.raises(GraderError, match="is not mathjax"):
        mathjax.fetch(fake)
    assert not (tmp_path / "home" / mathjax.SCRIPT).exists()
    with pytest.raises(GraderError, match="bin/setup"):  # and feedback refuses to run
        mathjax.require()


def test_a_damaged_copy_does_not_count_as_installed(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    for name in mathjax.FILES:
        (home / name).write_text("truncated")
    monkeypatch.setattr(mathjax, "HOME", home)
    assert not mathjax.installed()


def test_each_student_folder_gets_one_copy(tmp_path):
    home = mathjax.require()  # bin/setup installed it
    student = tmp_path / "feedback" / "alice"
    first = mathjax.place(student)
    again = mathjax.place(student, home)  # a second feedback run changes nothing
    assert first == again == student / mathjax.FOLDER
    assert sorted(p.name for p in first.iterdir()) == sorted(mathjax.FILES)
    for name in mathjax.FILES:
        assert (first / name).read_bytes() == (home / name).read_bytes()
