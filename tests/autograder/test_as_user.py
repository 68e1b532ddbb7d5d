"""The host-dependent hostile submissions and the sandbox probes again, graded by an ordinary user.

Most instructors grade as themselves, not as root: then the sandbox is built in a user namespace
and the student's process runs with the instructor's uid, so everything rests on what the
namespace hides. This test (run as root, as CI does) creates such a user, whose Python
environment lives in its closed home directory (mode 700), and runs tests/autograder's hostile
and sandbox tests as that user.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import REPO

USER = "course-grader-test"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create the ordinary user"),
    pytest.mark.skipif(bool(os.environ.get("AUTOGRADER_NESTED")), reason="already nested"),
]


def _system_python() -> str | None:
    """A Python of the same version as ours that an ordinary user may run."""
    for candidate in (f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}",
                      "/usr/local/bin/python3", "/usr/bin/python3"):
        if os.access(candidate, os.X_OK):
            version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                     capture_output=True, text=True).stdout.strip()
            if version == str(tuple(sys.version_info[:2])):
                return candidate
    return None


def _ordinary_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


def test_hostile_suite_as_an_ordinary_user():
    python = _system_python()
    if python is None:
        pytest.skip("no system Python of this version for the ordinary user")
    user = _ordinary_user()
    home = Path(user.pw_dir)
    os.chmod(home, 0o700)
    venv = home / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    run = ["runuser", "-u", USER, "--"]
    subprocess.run([*run, python, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The instructor's packages: this environment's site-packages, through a .pth (no download).
    site = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    pth = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / \
        "site-packages" / "course-grader.pth"
    pth.write_text(f"import site; site.addsitedir({site!r})\n")
    os.chown(pth, user.pw_uid, user.pw_gid)
    # Console scripts nbgrader runs (alembic), as pip would have written them into this venv.
    alembic = venv / "bin" / "alembic"
    alembic.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom alembic.config import main\n"
                       "sys.exit(main())\n")
    alembic.chmod(0o755)
    os.chown(alembic, user.pw_uid, user.pw_gid)
    env = {"HOME": str(home), "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
           "AUTOGRADER_NESTED": "1", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           # the attacks whose outcome can depend on who grades (attacks.HOST_DEPENDENT)
           "AUTOGRADER_HOSTILE": "host",
           "LANG": "C.UTF-8",
           # nbconvert's templates (feedback HTML), as the packages' own data files
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    # The user cannot write into this checkout: the course's bytecode is what the installation
    # compiled (bin/setup), as for an instructor grading with packages installed by root.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "course", "autograder"], cwd=REPO,
                   check=True, capture_output=True)
    tests = REPO / "tests" / "autograder"
    out = subprocess.run(
        [*run, "env", "-i", *(f"{k}={v}" for k, v in env.items()), str(venv / "bin" / "python"),
         "-m", "pytest", str(tests / "test_hostile.py"), str(tests / "test_sandbox.py"), "-q",
         "-p", "no:cacheprovider", "-x"],
        cwd=REPO, capture_output=True, text=True, timeout=1500)
    print(out.stdout[-3000:])
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    assert " passed" in out.stdout and "skipped" not in out.stdout.splitlines()[-1]
