"""Bug-zoo machinery: insert one typical wrong answer into a notebook and grade it.

An entry file `tests/bugzoo/nbNN.py` defines ``NOTEBOOK`` (the notebook stem, e.g.
``"01-derivatives"``) and ``BUGS``, a list of :class:`Bug` (or plain dicts with the same keys).
See README.md in this folder.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
CELL_TIMEOUT = 300


@dataclass(frozen=True)
class Bug:
    id: str            # short name, unique within the notebook: "forward-difference"
    find: str          # text (or regex if regex=True) in the solution code, must match once
    replace: str       # the buggy code that replaces it (a regex replacement if regex=True)
    hint: str          # a substring the failing graded test's message must contain
    cell: str | None = None   # grade_id of the solution cell to search (default: all of them)
    regex: bool = False


def load_entries() -> list[tuple[str, Bug]]:
    """(notebook stem, bug) for every BUGS entry of every tests/bugzoo/nb*.py."""
    entries = []
    for path in sorted(HERE.glob("nb[0-9]*.py")):
        spec = importlib.util.spec_from_file_location(f"bugzoo_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for bug in module.BUGS:
            entries.append((module.NOTEBOOK, bug if isinstance(bug, Bug) else Bug(**bug)))
    return entries


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def insert_bug(nb: nbformat.NotebookNode, bug: Bug) -> nbformat.NotebookNode:
    """A copy of the instructor notebook as a student would submit it: solutions with one bug."""
    nb = nbformat.from_dict(nb)  # deep copy
    targets = [c for c in nb.cells if _meta(c).get("solution") and c.cell_type == "code"
               and (bug.cell is None or _meta(c).get("grade_id") == bug.cell)]
    if not targets:
        raise LookupError(f"bug {bug.id!r}: no solution cell {bug.cell!r}")
    hits = []
    for cell in targets:
        n = len(re.findall(bug.find, cell.source)) if bug.regex else cell.source.count(bug.find)
        hits += [cell] * n
    if len(hits) != 1:
        raise LookupError(f"bug {bug.id!r}: {bug.find!r} occurs {len(hits)} times in the solution "
                          f"cells (must be exactly once; narrow it or give cell=)")
    cell = hits[0]
    new = re.sub(bug.find, bug.replace, cell.source) if bug.regex \
        else cell.source.replace(bug.find, bug.replace)
    if new == cell.source:
        raise ValueError(f"bug {bug.id!r}: the replacement changes nothing")
    # The student's answer: solution markers gone, as in a filled-in release notebook.
    cell.source = "\n".join(line for line in new.splitlines()
                            if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return nb


@dataclass
class Failure:
    grade_id: str
    message: str


# Run first in every submission: a clean namespace, as in a fresh kernel. Imported modules stay
# loaded (that is what makes a warm kernel fast); notebooks must not mutate library modules.
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt")


class WarmKernel:
    """One `python3` kernel in grading mode (NBGRADER_EXECUTION=autograde) reused for many runs.

    Starting a kernel and importing numpy/matplotlib/course costs a few seconds; bugs of the same
    notebook share one kernel and get a reset namespace instead.
    """

    def __init__(self) -> None:
        from nbclient import NotebookClient

        old = os.environ.get("NBGRADER_EXECUTION")
        os.environ["NBGRADER_EXECUTION"] = "autograde"  # inherited by the kernel, as under nbgrader
        try:
            self.client = NotebookClient(nbformat.v4.new_notebook(), timeout=CELL_TIMEOUT,
                                         kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
            self._context = self.client.setup_kernel()
            self._context.__enter__()
        finally:
            if old is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = old

    def close(self) -> None:
        self._context.__exit__(None, None, None)

    def grade_until_hint(self, nb: nbformat.NotebookNode, hint: str) -> tuple[bool, list[Failure]]:
        """Run the cells; stop at the first graded cell whose error contains ``hint``.

        Hidden tests stay in (autograde restores them). Returns (hint found, failing graded cells).
        """
        nb = nbformat.from_dict(nb)
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET))
        self.client.nb = nb
        failures: list[Failure] = []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            self.client.execute_cell(cell, index)
            if index == 0:
                assert not cell.outputs, f"resetting the kernel failed: {cell.outputs}"
            if not _meta(cell).get("grade"):
                continue
            errors = [o for o in cell.outputs if o.output_type == "error"]
            stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            if errors or stderr:
                message = "\n".join(f"{o.ename}: {o.evalue}" for o in errors) + \
                    "".join(o.text for o in stderr)
                failures.append(Failure(_meta(cell)["grade_id"], message))
                if hint in message:
                    return True, failures
        return False, failures
