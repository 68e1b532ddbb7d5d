"""The student's engine travels: notebook 04 saves it as my_engine.py, and notebook 07 trains with
it when its one-line switch says ENGINE = "mine", exactly as with the reference engine."""

from __future__ import annotations

import sys

import numpy as np
from IPython.core.interactiveshell import InteractiveShell

from nbhelpers import NOTEBOOK_DIR, nbgrader_meta, read

ENGINE_CELLS = ["matmul-vjp", "unbroadcast", "reduce-vjp", "relu-vjp", "tensor-ops", "tensor-backprop"]


def _cells(stem: str):
    return read(NOTEBOOK_DIR / f"{stem}.ipynb").cells


def _source(cells, grade_id):
    return next(c.source for c in cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _save_engine(tmp_path, monkeypatch) -> None:
    """Run notebook 04's answers and its last cell in an IPython shell in ``tmp_path``, which then
    holds my_engine.py and is importable."""
    monkeypatch.chdir(tmp_path)
    nb04 = _cells("04-matrix-calculus")
    ip = InteractiveShell.instance()
    setup = next(c.source for c in nb04 if c.cell_type == "code")  # imports, rng
    save_cell = next(c.source for c in nb04 if "save_definitions(" in c.source)
    for source in [setup] + [_source(nb04, g) for g in ENGINE_CELLS] + [save_cell]:
        assert ip.run_cell(source, store_history=True).success, source[:200]
    assert (tmp_path / "my_engine.py").exists()
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_engine", None)


def test_notebook_07_trains_with_the_engine_saved_by_notebook_04(tmp_path, monkeypatch):
    _save_engine(tmp_path, monkeypatch)

    nb07 = _cells("07-two-layer-network")
    code = [c.source for c in nb07 if c.cell_type == "code"]
    switch = next(s for s in code if "ENGINE = \"course\"" in s)
    namespace: dict = {}
    for source in code[:3]:  # imports and the spiral, the checks, init_two_layer and the loss
        exec(compile(source, "<nb07>", "exec"), namespace)
    trained = {}
    for engine in ("course", "mine"):
        exec(compile(switch.replace('ENGINE = "course"', f'ENGINE = "{engine}"', 1).replace(
            ", 1000)", ", 150)"), "<switch>", "exec"), namespace)
        trained[engine] = namespace["p_engine"]
    assert namespace["as_parameter"].__module__ == "my_engine"
    for k in trained["course"]:
        np.testing.assert_allclose(trained["mine"][k], trained["course"][k], rtol=1e-9, atol=1e-12)


def test_notebook_09_trains_with_the_saved_engine_too(tmp_path, monkeypatch):
    _save_engine(tmp_path, monkeypatch)

    nb09 = _cells("09-mnist")
    switch = next(c.source for c in nb09 if c.cell_type == "code" and 'ENGINE = "course"' in c.source)
    import time

    from tqdm.auto import tqdm

    import course
    from course.data import minibatches
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 12)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    namespace = {"np": np, "time": time, "tqdm": tqdm, "course": course, "minibatches": minibatches,
                 "GRADING": True, "LR": 0.1, "BATCH": 16, "ARCHITECTURES": {"3-layer": [12, 8, 6, 3]},
                 "X_fit": X, "y_fit": y, "X_check": X, "y_check": y}
    exec(compile(_source(nb09, "init-mlp"), "<init_mlp>", "exec"), namespace)
    trained = {}
    for engine in ("course", "mine"):
        exec(compile(switch.replace('ENGINE = "course"', f'ENGINE = "{engine}"', 1), "<switch>", "exec"), namespace)
        trained[engine] = namespace["p_tensor"]
    assert namespace["as_parameter"].__module__ == "my_engine"
    for mine, ref in zip(trained["mine"], trained["course"]):
        for k in ref:  # the student's Tensor computes in float64, the reference keeps float32
            np.testing.assert_allclose(mine[k], ref[k], rtol=1e-4, atol=1e-5)
