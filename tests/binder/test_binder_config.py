"""The student repository that `course-grader publish` writes, and its Binder configuration.

repo2docker detects the configuration, its pins agree with pyproject.toml, and nothing in the
repository holds a solution, a hidden test or a generator.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student repository, published from this repository's notebooks."""
    from autograder.course import Course
    from autograder.publish import publish

    out = tmp_path_factory.mktemp("student-repo") / "repo"
    publish(Course(root=tmp_path_factory.mktemp("instructor-course")), out)
    return out


def pinned() -> dict[str, Version]:
    """``binder/requirements.txt`` as {canonical name: pinned version}; every line must be ``==``."""
    pins: dict[str, Version] = {}
    for number, line in enumerate((BINDER / "requirements.txt").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", (
            f"binder/requirements.txt line {number}: {line!r} is not pinned as name==version"
        )
        name = canonicalize_name(req.name)
        assert name not in pins, f"binder/requirements.txt pins {req.name} twice"
        pins[name] = Version(specs[0].version)
    return pins


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def project_requirements(*extras: str) -> list[Requirement]:
    project = pyproject()["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return reqs


def test_binder_pins_everything_a_student_session_needs() -> None:
    # postBuild installs the course with --no-deps, so its runtime dependencies and the
    # instructor extra (nbgrader's Validate, JupyterLab, the kernel) must all be pinned here.
    pins = pinned()
    missing = [
        str(r) for r in project_requirements("instructor") if canonicalize_name(r.name) not in pins
    ]
    assert not missing, f"binder/requirements.txt does not pin {missing} (pyproject.toml needs them)"


def test_binder_pins_satisfy_pyproject_constraints() -> None:
    pins = pinned()
    project = pyproject()["project"]
    every = project_requirements(*project["optional-dependencies"])
    wrong = [
        f"{r.name}=={pins[canonicalize_name(r.name)]} is outside pyproject's {r}"
        for r in every
        if canonicalize_name(r.name) in pins
        and not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not wrong, "; ".join(wrong)


def test_binder_image_stays_small() -> None:
    # torch (bench extra) is several hundred MB and no notebook needs it.
    assert "torch" not in pinned()


def test_runtime_matches_requires_python() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read like 'python-3.11', got {runtime!r}"
    requires = Requirement(f"python{pyproject()['project']['requires-python']}")
    assert requires.specifier.contains(match.group(1)), (
        f"runtime {runtime} is outside requires-python {requires.specifier}"
    )


def test_postbuild_is_an_executable_script_that_stops_on_errors() -> None:
    post_build = BINDER / "postBuild"
    lines = [ln.strip() for ln in post_build.read_text().splitlines()]
    assert lines[0].startswith("#!") and "bash" in lines[0], "postBuild needs a bash shebang"
    commands = [ln for ln in lines[1:] if ln and not ln.startswith("#")]
    assert commands[0].startswith("set -e"), f"postBuild must start with `set -e`, not {commands[0]!r}"


@pytest.mark.parametrize("script", ["postBuild", "student-extensions"])
def test_binder_scripts_are_valid_bash(script: str) -> None:
    path = BINDER / script
    assert os.access(path, os.X_OK), f"binder/{script} must be executable"
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, f"binder/{script} does not parse:\n{proc.stderr}"


def repo2docker_dockerfile(repo: Path) -> str:
    """The Dockerfile repo2docker would build for ``repo`` (no Docker engine needed)."""
    if shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent)) is None:
        pytest.fail(
            "jupyter-repo2docker is not installed in this environment; it is part of the test "
            "extra: pip install -e '.[test]'"
        )
    proc = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"repo2docker failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def test_repo2docker_detects_the_binder_configuration(published: Path) -> None:
    out = repo2docker_dockerfile(published)
    assert "Building conda environment for python=3.11" in out, out[:2000]
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in out
    assert "RUN ./binder/postBuild" in out
    # Root-level files must not be used once binder/ exists (repo2docker's rule).
    assert "COPY --chown=0:0 src/requirements.txt" not in out


def test_published_repository_holds_what_students_need_and_nothing_else(published: Path) -> None:
    top = {p.name for p in published.iterdir()}
    assert top == {"README.md", "LICENSE", "pyproject.toml", ".gitignore", "binder", "course",
                   "notebooks"}, top
    notebooks = sorted(p.name for p in (published / "notebooks").iterdir())
    assert notebooks == [p.name for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))]
    assert (published / "course" / "__init__.py").exists()


def test_published_repository_has_no_solution_or_hidden_test(published: Path) -> None:
    from autograder.course import Course
    from autograder.publish import hidden_lines, leaks

    sources = Course().source_notebooks()
    assert leaks(published, sources) == []
    # The check itself can fail: a hidden test's line slipped into a published file is found.
    secret = sorted(hidden_lines(sources))
    assert len(secret) > 50
    planted = published / "course" / "planted.py"
    planted.write_text(secret[0] + "\n")
    try:
        assert any("hidden test line" in leak for leak in leaks(published, sources))
    finally:
        planted.unlink()
    for path in published.rglob("*.ipynb"):
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path


def test_publish_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    from autograder.course import Course, GraderError
    from autograder.publish import publish

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(GraderError, match="not empty"):
        publish(Course(root=tmp_path / "course"), tmp_path / "out", ["01-derivatives"])
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def _badges(text: str) -> list[str]:
    return re.findall(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)", text)


def test_binder_badges_open_the_first_notebook_of_the_student_repository(published: Path) -> None:
    first = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))[0].stem
    target = f"lab/tree/notebooks/{first}.ipynb"
    assert (published / "notebooks" / f"{first}.ipynb").exists()
    for readme in (published / "README.md", ROOT / "README.md"):
        links = _badges(readme.read_text())
        assert links, f"{readme} has no Binder badge"
        for link in links:
            assert link.endswith(f"?urlpath={target})"), f"{readme}: {link} should open {target}"


def test_postbuild_makes_jupyter_stop_idle_kernels(published: Path, tmp_path: Path) -> None:
    """The culling settings reach the published repository, and the postBuild lines that install
    them make jupyter_server load them (a student with nine notebooks open would otherwise keep
    nine kernels in Binder's 1-2 GB)."""
    lines = [ln for ln in (published / "binder" / "postBuild").read_text().splitlines()
             if "jupyter --config-dir" in ln and not ln.lstrip().startswith("#")]
    assert len(lines) == 2, lines
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(["bash", "-euc", "\n".join(lines)], cwd=published, env=env, check=True)
    shown = subprocess.run(["jupyter", "server", "--show-config"], env=env, capture_output=True,
                           text=True, timeout=60).stdout
    for setting in (".cull_idle_timeout = 1200", ".cull_interval = 120", ".cull_connected = True",
                    ".cull_busy = False"):
        assert setting in shown, shown
