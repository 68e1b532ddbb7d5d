"""nbgrader preprocessors that grade without trusting the student's process.

Configured in the course's nbgrader configuration (:mod:`autograder.nbgrader_config`), so
``course-grader grade``, nbgrader's own ``nbgrader autograde`` and the formgrader's regrade all
use them.

* :class:`RebuildFromRelease` (sanitizing): the notebook that is graded is the *release*: every
  cell, its metadata, tags and the kernelspec come from the course's release notebook, test
  cells from the gradebook (with their hidden tests). From the submission only the sources of
  answer (solution) cells are taken. Cells the student added, grade cells pasted from elsewhere
  and edited metadata have no effect; duplicated answers are noted (the last copy counts).
* :class:`TrustedExecute` (autograding): executes the rebuilt notebook in the trusted kernel
  (:mod:`autograder.trusted_kernel`), which runs the student's cells in a sandboxed process and
  the tests itself. A test cell scores only if the trusted kernel's execute reply for it says
  ``ok``: a positive record from the trusted side, not the absence of an error.

Cell roles (``metadata.autograder.role`` in the instructor notebook): answer cells and teaching
cells run in the student's process (the default); ``both`` cells (imports, fixtures the tests
use) run there and in the trusted kernel; ``trusted`` cells (the tests' helpers) and test cells
run in the trusted kernel only; ``demo`` cells (plots, widgets nothing depends on) are not run
while grading. The notebook's ``metadata.autograder.course_modules`` lists the modules of the
``course`` package the student's process may import while graded.
"""
from __future__ import annotations

import atexit
import copy
import functools
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from . import sandbox
from .names import cell_names
from .trusted_kernel import RUN_CELL

NOT_RUN = "NotRun"  # ename of test cells that could not run
_FONT_CACHE = functools.lru_cache(maxsize=1)(sandbox.font_cache)


@functools.lru_cache(maxsize=None)
def _compiled(course_modules: tuple[str, ...]) -> None:
    """The sandbox's Python modules compiled on the host, once per grading process."""
    sandbox.compile_bytecode(sandbox.SandboxConfig(course_modules=list(course_modules)))
MAX_ANSWER = 200_000  # characters of one answer cell that are graded
ROLES = ("student", "both", "trusted", "demo")


def nbgrader_meta(cell: Any) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: a grade cell that is not a student's answer."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def cell_role(cell: NotebookNode) -> str:
    """Where a code cell runs while grading: student, both, trusted, test, demo or free."""
    if is_test_cell(cell):
        return "test"
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return "student"
    if not meta:
        return "free"  # a scratch cell: not graded, not run
    role = cell.metadata.get("autograder", {}).get("role", "student")
    return role if role in ROLES else "student"


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output as nbclient records it (nbgrader scores such a test cell 0)."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class RebuildFromRelease(NbGraderPreprocessor):
    """Replace the submission by the release notebook with the student's answers filled in."""

    course_root = Unicode("", help="The course directory (its release/ holds the notebooks "
                                   "that are graded).").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        assignment, notebook = info["assignment"], info["notebook"]
        root = Path(self.course_root or os.getcwd())
        release = nbformat.read(root / "release" / assignment / f"{notebook}.ipynb", as_version=4)
        answers: dict[str, Any] = {}
        seen: Counter = Counter()
        added = foreign = 0
        known = {nbgrader_meta(c).get("grade_id") for c in release.cells}
        for cell in nb.get("cells", []):
            meta = nbgrader_meta(cell)
            gid = meta.get("grade_id")
            if not meta:
                added += 1
            elif gid not in known:
                foreign += 1
            elif meta.get("solution"):
                seen[gid] += 1
                answers[gid] = cell
        tests = {}
        with Gradebook(info["db_url"]) as gb:
            for cell in release.cells:
                gid = nbgrader_meta(cell).get("grade_id")
                if is_test_cell(cell):
                    try:
                        tests[gid] = gb.find_source_cell(gid, notebook, assignment).source
                    except MissingEntry:
                        tests[gid] = cell.source
        notes, cells, missing = [], [], []
        for cell in release.cells:
            new = copy.deepcopy(cell)
            meta = nbgrader_meta(new)
            gid = meta.get("grade_id")
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            if meta.get("solution"):
                answer = answers.get(gid)
                source = answer.get("source") if answer is not None else None
                if isinstance(source, list):
                    source = "".join(str(s) for s in source)
                if isinstance(source, str) and answer.get("cell_type") == new.cell_type:
                    new.source = source[:MAX_ANSWER]
                    if len(source) > MAX_ANSWER:
                        notes.append(f"answer {gid} was cut to {MAX_ANSWER} characters")
                else:
                    missing.append(gid)
            elif gid in tests:
                new.source = tests[gid]
            cells.append(new)
        nb.cells = cells
        nb.metadata = copy.deepcopy(release.metadata)
        dups = sorted(g for g, n in seen.items() if n > 1)
        if dups:
            notes.append(f"duplicated answer cells {', '.join(dups)} (the last copy was graded)")
        if missing:
            notes.append(f"answer cells missing from the submission: {', '.join(missing)} "
                         "(graded as unanswered)")
        if added:
            notes.append(f"{added} cell(s) you added were kept but not run")
        if foreign:
            notes.append(f"{foreign} graded cell(s) that do not belong to this notebook were "
                         "ignored")
        nb.metadata["autograder_notes"] = notes
        return nb, resources


class TrustedKernelManager(AsyncKernelManager):
    """Starts :mod:`autograder.trusted_kernel` (isolated mode: its working directory, where a
    submission's files may lie, is not on ``sys.path``)."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [sys.executable, "-I", "-m", "autograder.trusted_kernel", "-f",
                self.connection_file, *(extra_arguments or [])]


class _WarmKernels:
    """Trusted kernels kept between notebooks of the same assignment, one per process.

    Starting Python, ipykernel, numpy and matplotlib costs more than grading a short notebook;
    the trusted kernel holds no student state between notebooks (each gets a fresh namespace and
    a fresh sandbox from ``__grader__.begin``), so one kernel serves a run of submissions of the
    same assignment. A new assignment, or a dead kernel, gets a new kernel.
    """

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.km: TrustedKernelManager | None = None
        self.home = ""
        atexit.register(self.shutdown)

    def get(self, key: tuple, make) -> TrustedKernelManager:
        if self.km is not None and (self.key != key or not run_sync(self.km.is_alive)()):
            self.shutdown()
        if self.km is None:
            self.home = tempfile.mkdtemp(prefix="autograder-kernel-")
            self.km = make()
            run_sync(self.km.start_kernel)(cwd=self.home, extra_arguments=[
                "--HistoryManager.hist_file=:memory:"])
            self.key = key
        return self.km

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.km = None
        if self.home:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = ""


_WARM = _WarmKernels()


class TrustedExecute(Execute):
    """nbgrader's Execute with the trusted kernel (see the module docstring)."""

    memory_limit = Integer(2 << 30, help="RLIMIT_AS of the student's process in bytes."
                           ).tag(config=True)
    scratch_limit = Integer(256 << 20, help="Size of the student's writable /tmp in bytes."
                            ).tag(config=True)
    unsafe_no_sandbox = Bool(False, help="Run the student's process without bubblewrap "
                                         "(it can then read and write what you can).").tag(config=True)
    report_file = Unicode("", help="Write a JSON report of reasons here.").tag(config=True)
    work_root = Unicode("", help="Directory for the private job directory (default: the "
                                 "system's temporary directory).").tag(config=True)
    course_root = Unicode("", help="The course directory (the release's data files are given "
                                   "to the student's process from there).").tag(config=True)
    reuse_kernel = Bool(True, help="Keep the trusted kernel for the next notebook of the same "
                                   "assignment.").tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", TrustedKernelManager)
        super().__init__(*args, **kwargs)

    def on_cell_executed(self, **kwargs: Any) -> None:  # type: ignore[override]
        super().on_cell_executed(**kwargs)
        self._status[kwargs["cell_index"]] = kwargs["execute_reply"]["content"].get("status")

    def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
        role = self._roles[index]
        if cell.cell_type != "code" or role in ("demo", "free"):
            return cell, resources
        if self._dead:
            cell.outputs = [error_output(NOT_RUN, self._dead)]
            return cell, resources
        original = cell.source
        if role in ("student", "both"):
            cell.source = f"{RUN_CELL}({index})"
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError as exc:
            self._dead = f"the grading kernel died while running cell {index} ({exc})"
        except CellTimeoutError:
            self._dead = f"the grading kernel stopped responding in cell {index}"
        finally:
            cell.source = original
        cell.outputs.append(error_output(NOT_RUN, self._dead))
        return cell, resources

    def _release_files(self, resources: Any) -> list[str]:
        """The release's own data files (never files a student handed in)."""
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        folder = Path(self.course_root or os.getcwd()) / "release" / str(assignment)
        if not assignment or not folder.is_dir():
            return []
        return [str(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".ipynb"]

    def _job(self, nb: NotebookNode, resources: Any, job_dir: Path) -> dict:
        cells, trusted_bound, needed = {}, set(), set()
        for index, cell in enumerate(nb.cells):
            role = self._roles[index]
            if role in ("student", "both"):
                cells[str(index)] = {"source": cell.source, "role": role}
            if role in ("both", "trusted", "test"):
                bound, free, _ = cell_names(cell.source)
                needed |= free - trusted_bound
                trusted_bound |= bound
        meta = nb.metadata.get("autograder", {})
        config = sandbox.SandboxConfig(
            course_modules=list(meta.get("course_modules", ["course"])),
            memory_bytes=self.memory_limit, scratch_bytes=self.scratch_limit,
            unsafe=self.unsafe_no_sandbox, files=self._release_files(resources),
            font_cache=_FONT_CACHE())
        if not config.unsafe:
            _compiled(tuple(config.course_modules))
        (job_dir / "scratch").mkdir()
        return {"cells": cells, "student_names": sorted(needed - trusted_bound),
                "sandbox": vars(config), "report": str(job_dir / "report.json"),
                "scratch": str(job_dir / "scratch")}

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):  # type: ignore[override]
        if not self.unsafe_no_sandbox and sandbox.problem():
            raise RuntimeError(f"autograder: cannot sandbox the student's code: "
                               f"{sandbox.problem()}. To fix: {sandbox.NO_SANDBOX_HELP}")
        notes = list(nb.metadata.pop("autograder_notes", []))
        job_dir = Path(tempfile.mkdtemp(prefix="autograder-job-", dir=self.work_root or None))
        os.chmod(job_dir, 0o700)
        # Hidden first and last cells: start this notebook's session, end it.
        nb.cells.insert(0, NotebookNode(cell_type="code", source="", outputs=[], metadata={},
                                        execution_count=None))
        nb.cells.append(NotebookNode(cell_type="code", source="__grader__.end()", outputs=[],
                                     metadata={}, execution_count=None))
        self._roles = ["begin"] + [cell_role(c) if c.cell_type == "code" else "markdown"
                                   for c in nb.cells[1:-1]] + ["end"]
        self._status: dict[int, str] = {}
        self._dead = ""
        report: dict = {}
        try:
            job = self._job(nb, resources, job_dir)
            (job_dir / "job.json").write_text(json.dumps(job))
            nb.cells[0].source = f"__grader__.begin({str(job_dir / 'job.json')!r})"
            if km is None and self.reuse_kernel:
                key = (self.kernel_name, (resources or {}).get("nbgrader", {}).get("assignment"))
                km = _WARM.get(key, self.create_kernel_manager)
            try:
                nb, resources = super().preprocess(nb, resources, km)
            except DeadKernelError as exc:  # at start-up or shutdown
                self._dead = self._dead or f"the grading kernel died ({exc})"
            kernel_report = Path(job["report"])
            report = json.loads(kernel_report.read_text()) if kernel_report.exists() else {}
            if self._status.get(0) != "ok" and not report.get("student_died"):
                errors = [o.get("evalue", "") for o in nb.cells[0].get("outputs", [])
                          if o.get("output_type") == "error"]
                self._dead = self._dead or "the grading session did not start" + (
                    f" ({errors[0][:300]})" if errors else "")
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)
            nb.cells = nb.cells[1:-1]
            self._roles = self._roles[1:-1]
            self._status = {i - 1: v for i, v in self._status.items()}
        failed = self._record_verdicts(nb)
        if self.report_file:
            Path(self.report_file).write_text(json.dumps({
                "notes": notes, "errors": self._errors(nb), "kernel_died": self._dead,
                "student_died": report.get("student_died", ""),
                "interrupts": report.get("interrupts", 0),
                "unsandboxed": bool(report.get("unsandboxed")), "failed_tests": failed},
                indent=1))
        return nb, resources

    def _record_verdicts(self, nb: NotebookNode) -> list[str]:
        """Give every test cell without an ``ok`` reply from the trusted kernel an error."""
        failed = []
        for index, cell in enumerate(nb.cells):
            if self._roles[index] != "test":
                continue
            if self._status.get(index) != "ok":
                failed.append(nbgrader_meta(cell).get("grade_id", str(index)))
                if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                    cell.outputs.append(error_output(
                        NOT_RUN, self._dead or "the test did not complete"))
        return failed

    @staticmethod
    def _errors(nb: NotebookNode) -> list[str]:
        errors = []
        for index, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") != NOT_RUN:
                    errors.append(f"cell {index}: {out.get('ename')}")
        return errors


__all__ = ["RebuildFromRelease", "TrustedExecute", "TrustedKernelManager", "cell_role",
           "error_output", "is_test_cell"]
