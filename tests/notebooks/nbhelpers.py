"""Shared helpers for the notebook tests: where the notebooks are, an nbgrader course, timing.

Every notebook `notebooks/NN-slug.ipynb` is nbgrader assignment `NN-slug` holding the single
notebook `NN-slug.ipynb` (the convention the autograder relies on).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell; notebook 09 trains in one cell


def ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def tool_env() -> dict[str, str]:
    """os.environ with the running interpreter's bin dir on PATH (nbgrader calls `alembic`)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


class Course:
    """A throw-away nbgrader course directory holding every notebook as its own assignment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._released: dict[str, Path] = {}
        for nb in NOTEBOOKS:
            dest = root / "source" / nb.stem / nb.name
            dest.parent.mkdir(parents=True)
            shutil.copy(nb, dest)

    def config(self):
        from traitlets.config import Config

        c = Config()
        c.CourseDirectory.root = str(self.root)
        c.Execute.timeout = CELL_TIMEOUT
        return c

    def release(self, slug: str) -> Path:
        """`nbgrader generate_assignment slug` (once) and the path of the student version."""
        if slug not in self._released:
            from nbgrader.apps import NbGraderAPI

            old_path, old_cwd = os.environ["PATH"], os.getcwd()
            os.environ["PATH"] = tool_env()["PATH"]
            os.chdir(self.root)
            try:
                result = NbGraderAPI(config=self.config()).generate_assignment(slug)
            finally:
                os.environ["PATH"] = old_path
                os.chdir(old_cwd)
            assert result["success"], f"generate_assignment {slug} failed:\n{result['log']}"
            self._released[slug] = self.root / "release" / slug / f"{slug}.ipynb"
        return self._released[slug]


def notebook_memory_module():
    """benchmarks/notebook_memory.py, loaded once per session (its cache of runs with it)."""
    import importlib.util

    module = sys.modules.get("notebook_memory")
    if module is None:
        spec = importlib.util.spec_from_file_location(
            "notebook_memory", REPO / "benchmarks" / "notebook_memory.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses need the module registered
        spec.loader.exec_module(module)
    return module


_RUNS: dict = {}


def full_run(path: Path):
    """The notebook executed top to bottom in a fresh ``python3`` kernel, full mode, as a
    student runs it (``notebook_memory.measure``: raises on the first failing cell), once per
    session: the nbval case and the Binder memory case of a notebook share this one run."""
    if path not in _RUNS:
        try:
            _RUNS[path] = notebook_memory_module().measure(path)
        except Exception as error:  # noqa: BLE001 - every case that shares the run fails with it
            _RUNS[path] = error
    result = _RUNS[path]
    if isinstance(result, Exception):
        raise result
    return result
