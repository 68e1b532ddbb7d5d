"""How notebook 09 chooses its data set (COURSE_DATASET), offline.

The notebook's loading cells run in a real kernel with an empty data cache and the download
mirror pointed at a closed port on 127.0.0.1, i.e. a machine without MNIST and without internet:
``auto`` must fall back to the full Fashion-MNIST with a clear message, ``digits`` must fail with
the loader's error naming the missing files, and an unknown value must be rejected.
"""

from __future__ import annotations

import os
import socket

import pytest

from nbhelpers import NOTEBOOK_DIR, read

pytestmark = pytest.mark.slow
NOTEBOOK = NOTEBOOK_DIR / "09-mnist.ipynb"
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def _closed_port() -> int:
    with socket.socket() as s:  # bind then close: nothing listens there afterwards
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_loading_cells(tmp_path, monkeypatch, dataset: str):
    """Execute the setup and data-loading cells of notebook 09; return their outputs."""
    from nbclient import NotebookClient

    nb = read(NOTEBOOK)
    loading = next(i for i, c in enumerate(nb.cells)
                   if c.cell_type == "code" and "load_dataset(" in c.source)
    nb.cells = nb.cells[:loading + 1]
    monkeypatch.setenv("COURSE_DATASET", dataset)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_MNIST_MIRRORS", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    stdout = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    errors = [(o.ename, o.evalue) for o in outputs if o.output_type == "error"]
    return stdout, errors


@pytest.mark.skipif(not os.path.isdir(FASHION_DIR), reason="Debian's dataset-fashion-mnist is not installed")
def test_auto_falls_back_to_fashion_mnist_with_a_message(tmp_path, monkeypatch):
    stdout, errors = _run_loading_cells(tmp_path, monkeypatch, "auto")
    assert not errors, errors
    assert "MNIST is not available here" in stdout and "Falling back to Fashion-MNIST" in stdout
    assert "train-images-idx3-ubyte.gz" in stdout  # the loader's reason is shown, not swallowed
    assert "data set: Fashion-MNIST; train (50000, 784), validation (10000, 784), test (10000, 784)" in stdout
    assert not list((tmp_path / "cache").rglob("*.part")), "a failed download left a partial file"


def test_digits_offline_fails_naming_the_missing_files(tmp_path, monkeypatch):
    stdout, errors = _run_loading_cells(tmp_path, monkeypatch, "digits")
    assert [name for name, _ in errors] == ["DatasetNotFoundError"], errors
    message = errors[0][1]
    assert "train-images-idx3-ubyte.gz" in message and str(tmp_path / "cache") in message
    assert "Falling back" not in stdout  # an explicit choice is never silently replaced


def test_unknown_choice_is_rejected(tmp_path, monkeypatch):
    _, errors = _run_loading_cells(tmp_path, monkeypatch, "cifar")
    assert [name for name, _ in errors] == ["ValueError"], errors
    assert "COURSE_DATASET='cifar'" in errors[0][1] and "'fashion'" in errors[0][1]
