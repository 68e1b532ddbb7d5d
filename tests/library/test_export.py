"""course.export: cells run in a real IPython shell become an importable module."""

from __future__ import annotations

import importlib.util

import pytest
from IPython.core.interactiveshell import InteractiveShell

from course.export import changed_names, defined_names, save_definitions


def test_defined_names_covers_definitions_assignments_and_changed_objects():
    cell = "def f():\n    pass\nclass C:\n    pass\nx, y = 1, 2\nC.m = f\nimport numpy.linalg as la\n"
    assert defined_names(cell) == {"f", "C", "x", "y", "la"}
    assert changed_names(cell) == {"C"}
    assert defined_names("print(1)") == set()
    assert defined_names("def broken(:") == set()


def _load(path):
    spec = importlib.util.spec_from_file_location("saved_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_last_version_of_each_definition_is_saved_in_run_order(tmp_path):
    ip = InteractiveShell.instance()
    ip.run_cell("def double(x):\n    return 3 * x  # a first, wrong version", store_history=True)
    ip.run_cell("def double(x):\n    return 2 * x", store_history=True)
    ip.run_cell("class Box:\n    def __init__(self, v):\n        self.v = np.asarray(v)", store_history=True)
    ip.run_cell("print('not saved')", store_history=True)
    ip.run_cell("Box.doubled = lambda self: double(self.v)", store_history=True)
    path = save_definitions(["Box", "double"], tmp_path / "mine.py", shell=ip)
    text = path.read_text()
    assert "3 * x" not in text and "not saved" not in text
    module = _load(path)
    assert module.double(4) == 8
    assert list(module.Box([1, 2]).doubled()) == [2, 4]


def test_a_missing_definition_is_named(tmp_path):
    ip = InteractiveShell.instance()
    with pytest.raises(NameError, match=r"no cell run in this kernel defines \['never_defined_here'\]"):
        save_definitions(["never_defined_here"], tmp_path / "x.py", shell=ip)
    assert not (tmp_path / "x.py").exists()


def test_outside_ipython_says_where_it_works(tmp_path, monkeypatch):
    import IPython
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with pytest.raises(RuntimeError, match="from Jupyter or IPython"):
        save_definitions(["x"], tmp_path / "x.py")


def test_engine_parameter_gives_trainable_tensors_and_clear_errors(tmp_path, monkeypatch):
    import sys

    import numpy as np

    import course
    from course.export import engine_parameter
    w = engine_parameter("course")(np.ones(3))
    assert isinstance(w, course.Tensor) and w.requires_grad
    monkeypatch.chdir(tmp_path)
    sys.modules.pop("my_engine", None)
    with pytest.raises(FileNotFoundError, match="run the last cell of notebook 04"):
        engine_parameter("mine")
    (tmp_path / "my_engine.py").write_text("class Tensor:\n    version = 1\n")
    assert engine_parameter("mine").version == 1
    (tmp_path / "my_engine.py").write_text("class Tensor:\n    version = 22  # another size: pyc checks size+mtime\n")
    assert engine_parameter("mine").version == 22  # a re-saved engine is reloaded
    with pytest.raises(ValueError, match="'course' or 'mine'"):
        engine_parameter("torch")
    sys.modules.pop("my_engine", None)
