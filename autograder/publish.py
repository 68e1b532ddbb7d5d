"""``course-grader publish OUT``: the repository students and Binder get.

The instructor's repository holds the solutions and hidden tests (``notebooks/`` and their
generators), the autograder and the test suite; none of that may reach students. ``publish``
writes what they need into a new folder, ready to be pushed to its own repository:

    OUT/notebooks/NN-slug.ipynb   the released notebooks (nbgrader generate_assignment)
    OUT/course/                   the course package
    OUT/binder/                   repo2docker configuration (pinned environment, postBuild)
    OUT/README.md, pyproject.toml, LICENSE

Before it returns it reads every file it wrote and refuses (deleting the folder) if one holds a
solution or hidden-test region or a line of a hidden test.
"""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import nbformat

from .course import REPO, Course, GraderError
from .release import release

TEMPLATE = Path(__file__).resolve().parent / "student_repo"
BINDER_FILES = ("requirements.txt", "runtime.txt", "postBuild", "student-extensions",
                "jupyter_server_config.json")
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
           "### END HIDDEN TESTS")
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS",
                    re.MULTILINE | re.DOTALL)


def hidden_lines(notebooks: list[Path], public: Path | None = None) -> set[str]:
    """Lines only the hidden tests of ``notebooks`` contain (what must never be published).

    Lines that also occur in the course package or, with the hidden blocks removed, in the
    notebooks themselves (``np.random.default_rng`` calls, ``with np.errstate(...)``) are public.
    """
    hidden, seen = set(), set()
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            for block in HIDDEN.findall(cell.source):
                hidden.update(line.strip() for line in block.splitlines()[1:])
            seen.update(line.strip() for line in HIDDEN.sub("", cell.source).splitlines())
    for source in sorted((public or REPO / "course").rglob("*.py")):
        seen.update(line.strip() for line in source.read_text().splitlines())
    return {line for line in hidden - seen if len(line) >= 20 and not line.startswith("#")}


def leaks(root: Path, notebooks: list[Path]) -> list[str]:
    """Files under ``root`` that hold a solution/hidden-test marker or a hidden test's line."""
    secret = hidden_lines(notebooks)
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for marker in MARKERS:
            if marker in text:
                found.append(f"{path.relative_to(root)}: {marker!r}")
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        hits = sorted(secret & {line.strip() for line in text.splitlines()})
        if hits:
            found.append(f"{path.relative_to(root)}: hidden test line {hits[0][:80]!r}")
    if (root / "notebooks" / "_build").exists():
        found.append("notebooks/_build: the notebook generators")
    return found


def _readme(released: list[str], course: Course) -> str:
    rows = []
    for assignment in released:
        nb = nbformat.read(course.root / "release" / assignment / f"{assignment}.ipynb",
                           as_version=4)
        points = sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells)
        rows.append(f"| [`{assignment}`](notebooks/{assignment}.ipynb) | {points:g} |")
    return (TEMPLATE / "README.md").read_text().replace("{first}", released[0]).replace(
        "{table}", "\n".join(rows))


def _pyproject() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = "\n".join(f'    "{d}",' for d in project["dependencies"])
    return (TEMPLATE / "pyproject.toml").read_text().replace("{version}", project["version"]) \
        .replace("{dependencies}", deps)


def publish(course: Course, out: Path, assignments: list[str] | None = None) -> list[str]:
    """Write the student repository into ``out`` (new or empty); return the notebooks in it."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise GraderError(f"{out} is not empty; publish writes a new folder (choose another, or "
                          "empty it first)")
    released = release(course, assignments)
    if not released:
        raise GraderError("nothing was released, so nothing was published")
    try:
        (out / "notebooks").mkdir(parents=True)
        for assignment in released:
            folder = course.root / "release" / assignment
            for item in folder.iterdir():
                target = out / "notebooks" / item.name
                if item.is_file():
                    shutil.copyfile(item, target)
        shutil.copytree(REPO / "course", out / "course",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (out / "binder").mkdir()
        for name in BINDER_FILES:  # binder/ is the student repository's Binder configuration
            shutil.copy2(REPO / "binder" / name, out / "binder" / name)
        (out / "README.md").write_text(_readme(released, course))
        (out / "pyproject.toml").write_text(_pyproject())
        shutil.copyfile(REPO / "LICENSE", out / "LICENSE")
        (out / ".gitignore").write_text(".ipynb_checkpoints/\n__pycache__/\n*.egg-info/\n")
        problems = leaks(out, course.source_notebooks())
        if problems:
            raise GraderError("refusing to publish: " + "; ".join(problems[:10]))
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return released


__all__ = ["hidden_lines", "leaks", "publish"]
