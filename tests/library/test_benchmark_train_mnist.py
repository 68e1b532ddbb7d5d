"""benchmarks/train_mnist.py's seed settings: the hand-written layers with SGD at batch 32 learn,
and the table says what the seeds report next to what was measured."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_mnist.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("train_mnist_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, [str(SCRIPT)]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module


def test_seed_settings_train_and_print_the_seeds_figures(capsys):
    bench = _load_script()
    rng = np.random.default_rng(0)
    # Ten well-separated blobs in 784 dimensions: any working SGD on the hand-written layers learns them.
    centres = rng.normal(size=(10, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=640)
    X = centres[y] + 0.3 * rng.normal(size=(640, 784)).astype(np.float32)
    data = (X[:512], y[:512], X[512:576], y[512:576], X[576:], y[576:])
    bench.seed_settings(data, epochs=2)
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "%" in line]
    assert [r.split("|")[1].strip() for r in rows] == ["1-layer", "2-layer", "3-layer"], out
    for row, quote in zip(rows, ("about 92%", "about 97%", "98.19% validation")):
        cells = [c.strip() for c in row.split("|")]
        assert float(cells[3].rstrip("%")) > 90 and float(cells[4].rstrip("%")) > 90, row
        assert cells[5] == quote, row
