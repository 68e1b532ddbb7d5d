"""The grading kernel's sandbox and the static tamper scan, tested directly (no nbgrader run)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import COURSE_DIR, DEFAULT_NOTEBOOKS, REPO
from autograder.execute import SandboxedExecute
from autograder.integrity import imported_names, scan_source

PROBE = """\
import os, json
def can_read(path):
    try:
        with open(path, 'rb'):
            return True
    except OSError:
        return False
print(json.dumps({
    "uid": os.getuid(),
    "repo": sorted(os.listdir(%(repo)r)),
    "notebooks": os.path.exists(%(notebooks)r),
    "tmp": sorted(os.listdir('/tmp')),
    "cwd": os.getcwd(),
    "git": os.path.exists(%(git)r),
    "root_home": sorted(os.listdir('/root')) if os.path.isdir('/root') else None,
    "course_dirs": os.listdir(%(course_dirs)r) if os.path.isdir(%(course_dirs)r) else [],
}))
"""


def run(code: str, **traits) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ep = SandboxedExecute(timeout=60, check_integrity=False, **traits)
    nb, _ = ep.preprocess(nb, {"metadata": {"path": str(REPO)}})
    return nb


@pytest.mark.skipif(os.geteuid() != 0, reason="user and mount isolation need root")
def test_kernel_runs_unprivileged_and_sees_no_instructor_files():
    import json

    course_dirs = COURSE_DIR.parent
    course_dirs.mkdir(parents=True, exist_ok=True)
    code = PROBE % {"repo": str(REPO), "notebooks": str(DEFAULT_NOTEBOOKS),
                    "git": str(REPO / ".git"), "course_dirs": str(course_dirs)}
    nb = run(code, hide_paths=[str(course_dirs)])
    outputs = nb.cells[0].outputs
    assert outputs and outputs[0].output_type == "stream", outputs
    seen = json.loads(outputs[0].text)
    assert seen["uid"] != 0
    assert set(seen["repo"]) <= {"course", "autograder", ".venv"}  # packages only
    assert not seen["notebooks"] and not seen["git"]
    # A private /tmp with only its scratch directory (and the way to this repository's packages
    # when the repository itself is a clone under /tmp, as in a CI checkout).
    tmp = Path("/tmp").resolve()
    to_repo = [REPO.relative_to(tmp).parts[0]] if tmp in REPO.parents else []
    assert sorted(seen["tmp"]) == sorted([Path(seen["cwd"]).name, *to_repo])
    assert not seen["root_home"] or seen["root_home"] == [".pyenv"]
    assert seen["course_dirs"] == []  # hidden: the instructor's gradebooks and sources


def test_kernel_gets_the_data_settings_and_nothing_else_of_the_environment(monkeypatch):
    import json

    monkeypatch.setenv("COURSE_DATA_DIR", "/opt/course-data")
    monkeypatch.setenv("COURSE_DATASET", "fashion")
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "secret")
    nb = run("import os, json\nprint(json.dumps({k: os.environ.get(k) for k in "
             "('COURSE_DATA_DIR', 'COURSE_DATASET', 'INSTRUCTOR_TOKEN')}))")
    seen = json.loads(nb.cells[0].outputs[0].text)
    assert seen == {"COURSE_DATA_DIR": "/opt/course-data", "COURSE_DATASET": "fashion",
                    "INSTRUCTOR_TOKEN": None}


def test_memory_limit_raises_memory_error_in_the_kernel():
    nb = run("x = bytearray(3 << 30)", memory_limit=1 << 30)
    assert [o.ename for o in nb.cells[0].outputs if o.output_type == "error"] == ["MemoryError"]


PROTECTED = imported_names("import numpy as np\nimport course\n"
                           "from course.checks import check_array\n")


@pytest.mark.parametrize("code", [
    "def f(x):\n    return np.sum(x ** 2)",
    "class Dense:\n    def __init__(self, n):\n        self.W = np.zeros(n)\n        self.grad = None",
    "%matplotlib inline\nimport matplotlib.pyplot as plt",
    "import numpy as np\nfrom course.checks import check_array",  # same binding: harmless
    "import sys\nprint('debug', file=sys.stderr)",
    "import os\nos._exit(1)",  # kills the kernel: handled as a dead kernel, not as tampering
    "np.random.seed(0)\nrng = np.random.default_rng(1)",
    "value = getattr(layer, 'weight')",
])
def test_scan_accepts_ordinary_code(code):
    assert scan_source(code, 0, PROTECTED) == []


@pytest.mark.parametrize("code, expected", [
    ("np.allclose = lambda *a, **k: True", "assigns to 'np.allclose'"),
    ("import course.gradcheck\ncourse.gradcheck.check_grad = print", "assigns to"),
    ("setattr(np, 'allclose', print)", "'setattr'"),
    ("def check_array(*args, **kwargs):\n    pass", "defines 'check_array'"),
    ("check_array = print", "rebinds 'check_array'"),
    ("import numpy as check_array", "rebinds 'check_array'"),
    ("get_ipython().set_custom_exc((Exception,), print)", "'get_ipython'"),
    ("import builtins\nbuiltins.abs = print", "import of 'builtins'"),
    ("f.__code__ = g.__code__", "'__code__'"),
    ("import sys\nsys.modules['numpy'] = None", "'modules'"),
    ("exec('x = 1')", "'exec'"),
    ("getattr(np, name)", "computed attribute name"),
    ("!cat ../gradebook.db", "'get_ipython'"),
    ("def f():\n    global np\n    np = None", "declares 'np' global"),
    ("import ctypes", "import of 'ctypes'"),
])
def test_scan_flags_tampering(code, expected):
    findings = scan_source(code, 3, PROTECTED)
    assert any(expected in str(f) for f in findings), findings
    assert all(str(f).startswith("cell 3, line") for f in findings)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root and setpriv to drop CAP_SYS_ADMIN")
def test_root_without_mount_namespaces_refuses_to_grade():
    code = ("import nbformat\nfrom autograder.execute import SandboxedExecute\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "try:\n    SandboxedExecute(timeout=30).preprocess(nb, {})\n"
            "except RuntimeError as exc:\n    print('REFUSED', exc)\n")
    out = subprocess.run(["setpriv", "--bounding-set", "-sys_admin", sys.executable, "-c", code],
                         capture_output=True, text=True, timeout=120).stdout
    assert "REFUSED autograder sandbox: running as root but cannot create a mount namespace" in out
