"""nbgrader ``Execute`` preprocessor that grades safely.

Configured in the course's nbgrader_config (see :mod:`autograder.nbgrader_config`), so both
``course-grader grade`` and nbgrader's own ``nbgrader autograde`` / formgrader use it. On top of
nbgrader's execution it

* starts the kernel through :mod:`autograder.sandbox` (memory/file/process limits, a scratch
  working directory without the hidden tests, and as root a separate uid and hidden paths);
* scans the cells a student could edit (:func:`autograder.integrity.scan_source`) and runs the
  runtime integrity check around every test cell; if either finds tampering, every test cell
  gets an error output, so nbgrader scores the notebook 0 and the feedback says why;
* keeps grading after the kernel dies (``os._exit``, a signal, the memory limit): the cells that
  could not run get an error output;
* stops solution code that writes to stderr from zeroing a correct answer: nbgrader scores a test
  cell 0 when it has *any* stderr output, but in this course tests fail only by raising, so
  stderr text in test cells is kept as stdout prefixed ``[stderr]``;
* writes a JSON report (reasons for the gradebook) when ``report_file`` is set.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, List, Unicode

from . import integrity
from .sandbox import (NO_MOUNT_NAMESPACE, SandboxConfig, SandboxedKernelManager, can_isolate,
                      isolation_impossible, kill_uid, prepare_scratch)

CHECK_MARK = "autograder_check"
KERNEL_STOPPED = "KernelStopped"  # ename of the cells that could not run
BASE_UID = 61000


def default_views(scratch: Path) -> dict[str, list[str]]:
    """What a sandboxed kernel sees of the repository and of the temporary directories.

    Of this repository only the importable packages (and a virtualenv inside it); of /tmp only
    its scratch directory. Everything else there (sources with hidden tests, git history, other
    jobs, other users' files) is invisible.
    """
    repo = Path(__file__).resolve().parents[1]
    keep = [str(repo / "course"), str(repo / "autograder")]
    prefix = Path(sys.prefix).resolve()
    if repo in prefix.parents:
        keep.append(str(prefix))
    temp: dict[str, list[str]] = {"/tmp": [str(scratch)], "/var/tmp": [], "/dev/shm": []}
    for directory, kept in temp.items():
        # A clone under /tmp would vanish with the rest of /tmp: keep its packages there instead.
        if Path(directory).resolve() in repo.parents:
            kept.extend(keep)
            return temp
    return {str(repo): keep, **temp}


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Remove the empty ``nbgrader`` metadata DeduplicateIds leaves on duplicated cells.

    Without this, nbgrader's ``add_missing_cells`` fails with ``KeyError: 'grade_id'`` on a
    submission with a duplicated cell; the copy becomes an ordinary (student) cell.
    """

    def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
        if "nbgrader" in cell.metadata and not cell.metadata.nbgrader.get("grade_id"):
            del cell.metadata["nbgrader"]
        return cell, resources


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output as nbclient would record it (nbgrader scores such a cell 0)."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: a grade cell that is not a student's answer."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def is_student_cell(cell: NotebookNode) -> bool:
    """A code cell whose source comes from the student (not restored from the gradebook)."""
    return cell.cell_type == "code" and not is_test_cell(cell) and not (
        utils.is_locked(cell) and not utils.is_solution(cell))


def _check_cell(code: str, kind: str) -> NotebookNode:
    return NotebookNode(cell_type="code", execution_count=None, outputs=[], source=code,
                        metadata=NotebookNode({CHECK_MARK: kind}))


class SandboxedExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel and tamper detection (see module docstring)."""

    sandbox = Bool(True, help="Start kernels through autograder.sandbox.").tag(config=True)
    kernel_uid = Integer(None, allow_none=True,
                         help="uid for the kernel when running as root (default: one derived "
                              "from the process id).").tag(config=True)
    memory_limit = Integer(2 << 30, help="RLIMIT_AS of the kernel in bytes.").tag(config=True)
    hide_paths = List(Unicode(), help="Directories the kernel must not see (root only: they are "
                                      "covered by an empty directory).").tag(config=True)
    check_integrity = Bool(True, help="Static scan and runtime integrity check.").tag(config=True)
    report_file = Unicode("", help="Write a JSON report of reasons here.").tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self._sandbox_config: SandboxConfig | None = None

    # -- kernel start ---------------------------------------------------------------------------
    def create_kernel_manager(self):  # type: ignore[override]
        km = super().create_kernel_manager()
        if self._sandbox_config is not None and isinstance(km, SandboxedKernelManager):
            km.sandbox_file = str(Path(self._sandbox_config.scratch) / "sandbox.json")
        return km

    def _start_sandbox(self, workdir: str) -> None:
        uid = None
        if isolation_impossible():
            raise RuntimeError(f"autograder sandbox: {NO_MOUNT_NAMESPACE}; set "
                               "c.SandboxedExecute.sandbox = False to grade without isolation")
        if can_isolate():
            uid = self.kernel_uid
            if uid is None:
                uid = BASE_UID + os.getpid() % 1000
        scratch = Path(os.path.realpath(tempfile.mkdtemp(prefix="autograder-kernel-")))
        config = SandboxConfig(scratch=str(scratch), uid=uid, memory_bytes=self.memory_limit,
                               hide=[p for p in self.hide_paths if p], expose=default_views(scratch))
        prepare_scratch(config)
        # The release's data files (not notebooks) next to the kernel, as on the student's side.
        if workdir and os.path.isdir(workdir):
            for item in Path(workdir).iterdir():
                if item.suffix != ".ipynb" and item.is_file():
                    shutil.copy(item, scratch / item.name)
                    if uid is not None:
                        os.chown(scratch / item.name, uid, uid)
        config.dump(scratch / "sandbox.json")
        self._sandbox_config = config

    def _stop_sandbox(self) -> None:
        config, self._sandbox_config = self._sandbox_config, None
        if config is None:
            return
        if config.uid is not None:
            kill_uid(config.uid)
        shutil.rmtree(config.scratch, ignore_errors=True)

    # -- execution --------------------------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
        if self._dead:
            if cell.cell_type == "code":
                cell.outputs = [error_output(KERNEL_STOPPED, self._dead)]
            return cell, resources
        original = sum(1 for c in self.nb.cells[:index] if not c.metadata.get(CHECK_MARK))
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError as exc:
            self._dead = f"the kernel died while running cell {original} ({exc})"
        except CellTimeoutError:
            # The kernel ignored the interrupt sent on timeout (nbclient then gives up waiting).
            self._dead = (f"the kernel stopped responding in cell {original} (it ignored the "
                          "interrupt sent on cell timeout)")
        cell.outputs.append(error_output(KERNEL_STOPPED, self._dead))
        return cell, resources

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):  # type: ignore[override]
        self._dead = ""
        report: dict[str, Any] = {"findings": [], "integrity": [], "errors": [],
                                  "stderr_cells": []}
        nonce = secrets.token_hex(16)
        findings = self._scan(nb) if self.check_integrity else []
        report["findings"] = [str(f) for f in findings]
        if self.check_integrity:
            self._insert_checks(nb, nonce)
        workdir = (resources or {}).get("metadata", {}).get("path", "")
        if self.sandbox:
            self._start_sandbox(workdir)
        try:
            try:
                nb, resources = super().preprocess(nb, resources, km)
            except DeadKernelError as exc:  # died at start-up or shutdown
                self._dead = self._dead or f"the kernel died ({exc})"
        finally:
            self._stop_sandbox()
        report["integrity"] = self._collect_checks(nb, nonce) if self.check_integrity else []
        report["errors"] = self._errors(nb)
        report["stderr_cells"] = self._move_stderr(nb)
        report["kernel_died"] = self._dead
        problems = report["findings"] + report["integrity"]
        if problems:
            reason = "tampering suspected, needs manual review: " + "; ".join(problems[:5])
            for cell in nb.cells:
                if is_test_cell(cell):
                    cell.outputs.append(error_output("TamperingSuspected", reason))
        if self.report_file:
            Path(self.report_file).write_text(json.dumps(report, indent=1))
        return nb, resources

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _scan(nb: NotebookNode) -> list[integrity.Finding]:
        protected: dict[str, str] = {}
        for cell in nb.cells:
            if cell.cell_type == "code" and not is_student_cell(cell):
                protected.update(integrity.imported_names(cell.source))
        findings = []
        for index, cell in enumerate(nb.cells):
            if is_student_cell(cell):
                findings.extend(integrity.scan_source(cell.source, index, protected))
        return findings

    @staticmethod
    def _insert_checks(nb: NotebookNode, nonce: str) -> None:
        verify = (f"__import__('autograder.integrity', fromlist=['verify']).verify({nonce!r})")
        cells = [_check_cell("__import__('autograder.integrity', fromlist=['snapshot'])"
                             ".snapshot()", "snapshot")]
        for cell in nb.cells:
            if is_test_cell(cell):
                cells.append(_check_cell(verify, "verify"))
            cells.append(cell)
        cells.append(_check_cell(verify, "verify"))
        nb.cells = cells

    def _collect_checks(self, nb: NotebookNode, nonce: str) -> list[str]:
        problems: list[str] = []
        kept = []
        for cell in nb.cells:
            kind = cell.metadata.get(CHECK_MARK)
            if not kind:
                kept.append(cell)
                continue
            died = any(o.get("ename") == KERNEL_STOPPED for o in cell.outputs)
            if died:
                continue  # nothing ran after the kernel died; no points are given for it
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            if kind == "snapshot":
                if any(o.output_type == "error" for o in cell.outputs):
                    problems.append("the integrity snapshot failed")
                continue
            line = f"AUTOGRADER-INTEGRITY {nonce} "
            if line + "OK" in text:
                continue
            if line + "FAIL" in text:
                detail = text.split(line + "FAIL", 1)[1].strip().splitlines()[0]
                try:
                    problems.extend(f"runtime check: {p}" for p in json.loads(detail))
                except json.JSONDecodeError:
                    problems.append(f"runtime check: {detail}")
            else:
                problems.append("the runtime integrity check did not report (output suppressed "
                                "or the kernel was unresponsive)")
        nb.cells = kept
        return sorted(set(problems))

    @staticmethod
    def _errors(nb: NotebookNode) -> list[str]:
        errors = []
        for index, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.output_type == "error" and out.ename != KERNEL_STOPPED:
                    errors.append(f"cell {index}: {out.ename}")
        return errors

    @staticmethod
    def _move_stderr(nb: NotebookNode) -> list[int]:
        moved = []
        for index, cell in enumerate(nb.cells):
            if not is_test_cell(cell):
                continue
            for out in cell.outputs:
                if out.output_type == "stream" and out.name == "stderr":
                    out.name = "stdout"
                    out.text = "".join(f"[stderr] {line}\n" for line in out.text.splitlines())
                    moved.append(index)
        return sorted(set(moved))
