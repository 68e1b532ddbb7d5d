"""The mutation harness: every catalogued wrong answer is caught, with a hint that names it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from catalogue import load  # noqa: E402

NOTEBOOKS = HERE.parents[1] / "notebooks"
ENTRIES = load()
pytestmark = pytest.mark.slow


def test_catalogue_covers_every_answer_cell():
    assert len(ENTRIES) >= 80, f"the catalogue has {len(ENTRIES)} entries, the issue asks for 80"
    ids = Counter((stem, w.id) for stem, w in ENTRIES)
    assert not [k for k, n in ids.items() if n > 1], "duplicate entry ids"
    for stem in sorted({s for s, _ in ENTRIES}):
        nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("solution")}
        covered = {w.cell for s, w in ENTRIES if s == stem}
        assert covered <= answers, f"{stem}: entries for unknown cells {covered - answers}"
        assert answers <= covered, f"{stem}: no wrong answer for {sorted(answers - covered)}"


def _harness(tmp_path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    report = tmp_path / "mutants.json"
    run = subprocess.run([sys.executable, str(HERE / "harness.py"), "--jobs", "2",
                          "--json", str(report), *args], capture_output=True, text=True,
                         timeout=1800)
    print(run.stdout[-30000:])
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    return json.loads(report.read_text())["summary"], run


def test_every_wrong_answer_is_caught_with_its_hint(tmp_path):
    s, run = _harness(tmp_path)
    assert s["reference_failures"] == 0, run.stdout[-20000:]
    assert s["stderr"] == 0, run.stdout[-20000:]
    assert s["missed"] == 0, run.stdout[-20000:]
    assert s["wrong"] == 0, run.stdout[-20000:]
    assert s["specific"] >= 0.9 * s["entries"], run.stdout[-20000:]

