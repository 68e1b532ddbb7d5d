"""Mutation harness: grade every catalogued wrong answer as the autograder grades it.

Each entry of the catalogue (``tests/mutants/nbNN.py``, see README.md) is a whole answer cell a
student could hand in. The harness puts it into the notebook (every other answer is the
reference solution) and grades the notebook with the autograder's own preprocessor
(:class:`autograder.execute.TrustedExecute`: trusted kernel, student's cells in the sandbox,
``NBGRADER_EXECUTION=autograde``, the course's nbgrader configuration), stopping at the first
test cell that fails. Test cells before the changed answer are not run again for each entry:
they see only reference answers, and the reference run shows that they pass. The verdict of an entry:

* ``specific``  - a test failed and its message contains the entry's ``hint``;
* ``generic``   - a test failed and its message names no mistake (no ``Hint:`` line);
* ``WRONG``     - a test failed with a ``Hint:`` that names another mistake;
* ``MISSED``    - no test failed.

Before its entries, each notebook is graded once with the reference answers, which must pass
every test (otherwise "caught" would mean nothing).

    python tests/mutants/harness.py                 # all notebooks, a table on stdout
    python tests/mutants/harness.py --only 06,08 --jobs 1 --json /tmp/mutants.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOKS = REPO / "notebooks"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from catalogue import Wrong, load  # noqa: E402


@dataclass
class Verdict:
    notebook: str
    id: str
    cell: str
    hint: str
    verdict: str          # specific | generic | WRONG | MISSED | reference-ok | REFERENCE-FAILS
    failed_test: str      # grade id of the first failing test cell ("" if none)
    message: str          # that cell's error (type, message, explanation lines)
    seconds: float
    stderr: list[str]     # test cells that wrote to stderr (nbgrader would score them 0)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def submission(nb, wrong: Wrong | None):
    """The instructor notebook as a student hands it in: answers without solution markers,
    the entry's cell replaced by its answer."""
    import nbformat

    nb = nbformat.from_dict(nb)
    found = wrong is None
    for cell in nb.cells:
        meta = _meta(cell)
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        if wrong is not None and meta.get("grade_id") == wrong.cell:
            cell.source = wrong.answer.strip("\n")
            found = True
        else:
            cell.source = "\n".join(line for line in cell.source.splitlines() if line.strip()
                                    not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    if not found:
        raise LookupError(f"{wrong.id}: no answer cell {wrong.cell!r}")
    return nb


def _error_text(cell) -> str:
    lines = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            lines.append(f"{out.get('ename')}: {out.get('evalue')}")
            lines += [line for line in out.get("traceback", []) if line.startswith("Hint:") or
                      line.startswith("Your function")]
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            lines.append("[stderr] " + out.get("text", ""))
    return "\n".join(lines)


def classify(message: str, hint: str) -> str:
    if hint.casefold() in message.casefold():
        return "specific"
    hint_lines = [line for line in message.splitlines() if "Hint:" in line]
    return "WRONG" if hint_lines else "generic"


def _skippable(nb, changed: str | None) -> list[int]:
    """Test cells before the answer ``changed`` whose names no later cell uses (graded indices:
    the grader adds a first cell). Each sees only reference answers, so it passes."""
    from autograder.names import cell_names

    ids = [_meta(c).get("grade_id") for c in nb.cells]
    if changed not in ids:
        return []
    target = ids.index(changed)
    used_later: set[str] = set()
    skip = []
    for i in range(len(nb.cells) - 1, -1, -1):
        cell = nb.cells[i]
        if cell.cell_type != "code":
            continue
        bound, used, _ = cell_names(cell.source)
        is_test = _meta(cell).get("grade") and not _meta(cell).get("solution")
        if i < target and is_test and not (bound & used_later):
            skip.append(i + 1)
        else:
            used_later |= used
    return skip


class _Grader:
    """TrustedExecute configured like the course, stopping after the first failing test."""

    def __init__(self, root: str) -> None:
        from traitlets.config import Config

        from autograder.execute import TrustedExecute
        from autograder.nbgrader_config import configure

        class FirstFailure(TrustedExecute):
            skip: frozenset[int] = frozenset()  # test cells (graded indices) not to run

            def preprocess(self, nb, resources=None, km=None):
                self._stop = False
                return super().preprocess(nb, resources, km)

            def preprocess_cell(self, cell, resources, index):
                if self._stop and self._roles[index] != "end":
                    return cell, resources
                if self._roles[index] == "test" and index in self.skip:
                    # A test before the changed answer sees only reference answers: it passes
                    # (the reference run shows it), so it need not run again.
                    self._status[index] = "ok"
                    return cell, resources
                cell, resources = super().preprocess_cell(cell, resources, index)
                if self._roles[index] == "test" and self._status.get(index) != "ok":
                    self._stop = True
                return cell, resources

        config = Config()
        configure(config, root)
        self.preprocessor = FirstFailure(config=config)

    def grade(self, nb, stem: str, changed: str | None = None):
        """Grade ``nb``; with ``changed`` (an answer's grade id), skip the tests before it."""
        resources = {"nbgrader": {"assignment": stem, "notebook": stem}}
        self.preprocessor.skip = frozenset(_skippable(nb, changed))
        graded, _ = self.preprocessor.preprocess(nb, resources)
        tests = [c for c in graded.cells if c.cell_type == "code" and _meta(c).get("grade")
                 and not _meta(c).get("solution")]
        failing = [c for c in tests
                   if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        stderr = [_meta(c)["grade_id"] for c in tests if any(
            o.get("output_type") == "stream" and o.get("name") == "stderr"
            for o in c.get("outputs", []))]
        return failing, stderr


def run_notebook(stem: str, ids: list[str] | None = None, folder: str | None = None) -> list[dict]:
    """Grade the reference and every entry of one notebook (one warm trusted kernel)."""
    import nbformat

    os.environ["NBGRADER_EXECUTION"] = "autograde"  # inherited by the kernel and the sandbox
    source = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    entries = [w for s, w in load(stem, folder) if ids is None or w.id in ids]
    out = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as root:
        grader = _Grader(root)
        start = time.perf_counter()
        failing, stderr = grader.grade(submission(source, None), stem)
        bad = failing or stderr
        message = _error_text(failing[0]) if failing else \
            f"test cells {', '.join(stderr)} wrote to stderr" if stderr else ""
        out.append(Verdict(stem, "(reference)", "", "", "REFERENCE-FAILS" if bad else
                           "reference-ok", _meta(failing[0])["grade_id"] if failing else "",
                           message, time.perf_counter() - start, stderr))
        for wrong in entries:
            start = time.perf_counter()
            failing, stderr = grader.grade(submission(source, wrong), stem, wrong.cell)
            message = _error_text(failing[0]) if failing else ""
            out.append(Verdict(stem, wrong.id, wrong.cell, wrong.hint,
                               classify(message, wrong.hint) if failing else "MISSED",
                               _meta(failing[0])["grade_id"] if failing else "", message,
                               time.perf_counter() - start, stderr))
    return [asdict(v) for v in out]


def summary(rows: list[dict]) -> dict:
    entries = [r for r in rows if r["id"] != "(reference)"]
    n = len(entries)
    count = lambda v: sum(r["verdict"] == v for r in entries)  # noqa: E731
    return {"entries": n, "caught": n - count("MISSED"), "specific": count("specific"),
            "generic": count("generic"), "wrong": count("WRONG"), "missed": count("MISSED"),
            "reference_failures": sum(r["verdict"] == "REFERENCE-FAILS" for r in rows),
            "stderr": sum(bool(r["stderr"]) for r in rows)}


def table(rows: list[dict]) -> str:
    lines = [f"{'notebook':20s} {'entry':44s} {'verdict':16s} {'failing test':28s} seconds"]
    for r in rows:
        lines.append(f"{r['notebook']:20s} {r['id'][:44]:44s} {r['verdict']:16s} "
                     f"{r['failed_test'][:28]:28s} {r['seconds']:6.1f}")
        if r["verdict"] in ("WRONG", "generic", "MISSED", "REFERENCE-FAILS"):
            if r["hint"]:
                lines.append(f"{'':21s}wanted: {r['hint']}")
            for text in r["message"].splitlines()[:6]:
                lines.append(f"{'':21s}| {text[:160]}")
    s = summary(rows)
    n = max(s["entries"], 1)
    lines.append(f"\n{s['entries']} wrong answers: {s['caught']} caught ({s['caught'] / n:.0%}), "
                 f"{s['specific']} with the specific hint ({s['specific'] / n:.0%}), "
                 f"{s['generic']} with no hint, {s['wrong']} with a wrong hint, "
                 f"{s['missed']} missed; reference notebooks failing: "
                 f"{s['reference_failures']}; runs with a test cell writing to stderr: "
                 f"{s['stderr']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="notebook numbers, e.g. 01,06")
    parser.add_argument("--ids", help="entry ids (comma separated) within --only")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded in parallel")
    parser.add_argument("--json", help="write the verdicts here")
    parser.add_argument("--min-specific", type=float, default=0.9,
                        help="the share of entries that must get their specific hint (exit 1 "
                             "below it; default %(default)s)")
    parser.add_argument("--catalogue", help="a folder of nbNN.py entry files to grade instead "
                                            "of this folder's (e.g. a held-out set)")
    args = parser.parse_args(argv)
    catalogue = load(folder=args.catalogue)
    stems = sorted({s for s, _ in catalogue})
    if args.only:
        wanted = args.only.split(",")
        stems = [s for s in stems if s[:2] in wanted]
    ids = args.ids.split(",") if args.ids else None
    # Longest notebooks first, so that two workers finish at about the same time.
    stems.sort(key=lambda s: -len([w for t, w in catalogue if t == s]) - 10 * (s[:2] in ("07", "09")))
    start = time.perf_counter()
    rows: list[dict] = []
    if args.jobs <= 1:
        for stem in stems:
            rows += run_notebook(stem, ids, args.catalogue)
    else:
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=ctx) as pool:
            for result in pool.map(run_notebook, stems, [ids] * len(stems),
                                   [args.catalogue] * len(stems)):
                rows += result
    rows.sort(key=lambda r: (r["notebook"], r["id"] != "(reference)"))
    print(table(rows))
    print(f"graded in {time.perf_counter() - start:.0f} s with {args.jobs} job(s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary(rows), "rows": rows}, indent=1))
    s = summary(rows)
    ok = s["missed"] == s["wrong"] == s["reference_failures"] == s["stderr"] == 0 and \
        s["specific"] >= args.min_specific * s["entries"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
