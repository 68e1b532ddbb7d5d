"""The instructor's course directory: paths, the generated nbgrader_config.py, running nbgrader."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .nbgrader_config import CELL_TIMEOUT, MEMORY_LIMIT

REPO = Path(__file__).resolve().parents[1]
DEFAULT_NOTEBOOKS = REPO / "notebooks"
# Ignored by git: the instructor's course directory and the demo's, side by side.
COURSE_DIR = REPO / "autograder" / "course_dir" / "course"
DEMO_DIR = REPO / "autograder" / "course_dir" / "demo"
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
STATUS_FILE = "autograder_status.json"

CONFIG_TEMPLATE = '''\
# Written by course-grader: edit autograder/nbgrader_config.py (shared by every course directory).
from autograder.nbgrader_config import configure

configure(get_config(), root={root!r}, timeout={timeout!r}, memory_limit={memory!r},
          unsafe_no_sandbox={unsafe!r}, late_policy={late!r})
'''


def tool_env() -> dict[str, str]:
    """Our environment with this interpreter's bin/ first on PATH (nbgrader runs ``alembic``)."""
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path
    return dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")


class GraderError(RuntimeError):
    """A problem the instructor has to fix (message says what and how)."""


@dataclass
class Course:
    """A course directory (nbgrader layout) built from the instructor's source notebooks."""

    root: Path = COURSE_DIR
    notebooks: Path = DEFAULT_NOTEBOOKS
    timeout: int = CELL_TIMEOUT
    memory_limit: int = MEMORY_LIMIT
    unsafe_no_sandbox: bool = False  # grade without bubblewrap (autograder/README.md)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.notebooks = Path(self.notebooks).resolve()

    # -- layout ---------------------------------------------------------------------------------
    def source_notebooks(self) -> list[Path]:
        """The instructor notebooks ``NN-slug.ipynb`` in course order."""
        found = sorted(self.notebooks.glob(NOTEBOOK_GLOB))
        if not found:
            raise GraderError(f"no notebooks matching {NOTEBOOK_GLOB} in {self.notebooks}; pass "
                              "--notebooks DIR with the instructor (source) notebooks")
        return found

    def assignments(self) -> list[str]:
        """Assignment ids: one per source notebook, named like it."""
        return [p.stem for p in self.source_notebooks()]

    def released(self) -> list[str]:
        """Assignments that have been released (exist in release/)."""
        return sorted(p.name for p in (self.root / "release").glob("*") if p.is_dir())

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def write_config(self, root: Path | None = None) -> Path:
        """Write ``nbgrader_config.py`` into ``root`` (default: the course directory)."""
        root = Path(root or self.root)
        root.mkdir(parents=True, exist_ok=True)
        path = root / "nbgrader_config.py"
        from .late import load_policy

        path.write_text(CONFIG_TEMPLATE.format(root=str(root), timeout=self.timeout,
                                               memory=self.memory_limit,
                                               unsafe=self.unsafe_no_sandbox,
                                               late=load_policy(self.root)))
        return path

    # -- nbgrader -------------------------------------------------------------------------------
    def nbgrader(self, *args: str, cwd: Path | None = None, timeout: float | None = None,
                 check: bool = True) -> subprocess.CompletedProcess:
        """Run ``nbgrader ARGS`` in the course directory (or ``cwd``)."""
        cmd = [sys.executable, "-m", "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=cwd or self.root, env=tool_env(), text=True, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if check and proc.returncode != 0:
            raise GraderError(f"`nbgrader {' '.join(args)}` failed:\n{proc.stdout[-3000:]}")
        return proc

    def api(self, **execute: object):
        """nbgrader's Python API on the course directory, in this process.

        ``execute`` sets :class:`autograder.execute.TrustedExecute` options for this run.
        """
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        tool_env()
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        for key, value in execute.items():
            setattr(config.TrustedExecute, key, value)
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def run_api(self, method: str, *args: str, **kwargs: object) -> None:
        """Call ``NbGraderAPI.<method>`` on the course directory; raise if it failed."""
        result = getattr(self.api(), method)(*args, **kwargs)
        if not result.get("success"):
            raise GraderError(f"nbgrader {method} {' '.join(args)} failed:\n"
                              f"{(result.get('log') or '')[-2000:]}{result.get('error') or ''}")

    # -- grading status (reasons shown next to the gradebook) ------------------------------------
    def load_status(self) -> dict[str, dict]:
        path = self.root / STATUS_FILE
        return json.loads(path.read_text()) if path.exists() else {}

    def save_status(self, status: dict[str, dict]) -> None:
        (self.root / STATUS_FILE).write_text(json.dumps(status, indent=1, sort_keys=True))

    def note(self, student: str, assignment: str, reason: str, status: dict | None = None) -> None:
        """Record a collect-time reason for ``student``/``assignment``."""
        data = self.load_status() if status is None else status
        entry = data.setdefault(f"{student}/{assignment}", {"collect": [], "grade": []})
        if reason not in entry["collect"]:
            entry["collect"].append(reason)
        if status is None:
            self.save_status(data)
