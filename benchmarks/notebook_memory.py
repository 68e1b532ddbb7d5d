"""Peak memory of each course notebook, run the way a student runs it on Binder.

mybinder.org gives a session 1-2 GB of RAM, so every notebook must run well inside 1 GB. This
script executes each notebook top to bottom in a fresh ``python3`` kernel (nbclient, inline
matplotlib as in JupyterLab, no ``NBGRADER_EXECUTION`` shortcut) and reads the kernel process's
peak resident set size (``VmHWM`` in ``/proc/<pid>/status``, Linux only) just before shutdown.

Usage::

    python benchmarks/notebook_memory.py [NOTEBOOK ...]     # default: notebooks/[0-9][0-9]-*.ipynb

Prints a markdown table (notebook, cells, seconds, peak kernel RSS in MiB) and exits with status 1
if any notebook failed or went over the budget.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
#: Budget per notebook kernel: the smaller mybinder.org limit, minus nothing; the Jupyter server
#: itself (~100 MiB) comes on top, so a notebook near this line would already be too big.
BUDGET_BYTES = 1_000_000_000
CELL_TIMEOUT_S = 600


@dataclass(frozen=True)
class NotebookMemory:
    """Result of one notebook run."""

    notebook: str
    cells: int
    seconds: float
    peak_rss_bytes: int

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_bytes / 2**20


def course_notebooks(root: Path = ROOT) -> list[Path]:
    """The instructor notebooks in course order (``notebooks/NN-slug.ipynb``)."""
    return sorted((root / "notebooks").glob(NOTEBOOK_GLOB))


def peak_rss_bytes(pid: int) -> int:
    """Peak resident set size of a live process (``VmHWM``), in bytes."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        raise RuntimeError(
            f"cannot read {status}: peak memory is measured through Linux's /proc "
            "(run this on Linux, with the kernel process still alive)"
        )
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise RuntimeError(f"unexpected VmHWM unit {unit!r} in {status}")
            return int(value) * 1024
    raise RuntimeError(f"no VmHWM line in {status}")


def kernel_env() -> dict[str, str]:
    """Environment for the kernel: like a Binder session, so plots use the inline backend."""
    env = dict(os.environ)
    # A headless caller's MPLBACKEND=Agg would switch the kernel away from inline plotting and
    # understate memory; NBGRADER_EXECUTION shortens training and is not what students run.
    for name in ("MPLBACKEND", "NBGRADER_EXECUTION"):
        env.pop(name, None)
    return env


def measure(path: Path, timeout: int = CELL_TIMEOUT_S) -> NotebookMemory:
    """Execute ``path`` in its own directory and return its kernel's peak RSS.

    Raises nbclient's ``CellExecutionError`` if a cell fails, so a broken notebook is never
    reported with a (meaningless) memory number.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    with client.setup_kernel(env=kernel_env()):
        pid = client.km.provisioner.pid  # type: ignore[union-attr]
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = peak_rss_bytes(pid)
    seconds = time.perf_counter() - start
    return NotebookMemory(path.name, len(nb.cells), seconds, peak)


def markdown_table(results: list[NotebookMemory]) -> str:
    rows = [
        "| notebook | cells | seconds | peak kernel RSS (MiB) |",
        "|---|---:|---:|---:|",
    ]
    rows += [
        f"| {r.notebook} | {r.cells} | {r.seconds:.1f} | {r.peak_rss_mib:.0f} |" for r in results
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN-*.ipynb")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    if not paths:
        parser.error(f"no notebooks matching notebooks/{NOTEBOOK_GLOB} under {ROOT}")

    results = []
    for path in paths:
        result = measure(path, timeout=args.timeout)
        print(
            f"{result.notebook}: {result.peak_rss_mib:.0f} MiB in {result.seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        results.append(result)
    print(markdown_table(results))
    worst = max(results, key=lambda r: r.peak_rss_bytes)
    print(
        f"\nlargest: {worst.notebook} at {worst.peak_rss_mib:.0f} MiB = "
        f"{worst.peak_rss_bytes / BUDGET_BYTES:.2f} of the {BUDGET_BYTES / 1e9:.0f} GB budget"
    )
    return 0 if worst.peak_rss_bytes < BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
