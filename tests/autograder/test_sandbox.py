"""The student's sandbox, probed directly: what its process can see, reach and leave behind.

Each probe starts the real student process in bubblewrap (as grading does, through
:class:`autograder.trusted_kernel.Session`) and runs code in it.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import sandbox, wire
from autograder.course import DEFAULT_NOTEBOOKS, REPO
from autograder.trusted_kernel import Session

pytestmark = pytest.mark.skipif(sandbox.problem() is not None, reason=str(sandbox.problem()))


class Probe:
    """A student process in the sandbox; ``run(code)`` returns what the code printed."""

    def __init__(self, tmp: Path, **config) -> None:
        job = {"cells": {}, "student_names": [], "report": str(tmp / "report.json"),
               "scratch": str(tmp / "scratch"),
               "sandbox": {"course_modules": ["course.data"], "font_cache": sandbox.font_cache(),
                           **config}}
        (tmp / "scratch").mkdir(exist_ok=True)
        (tmp / "job.json").write_text(json.dumps(job))
        self.session = Session(job)
        self.session.start()
        self.session.wait_ready()
        assert not self.session.died, self.session.died
        self.out: list[str] = []
        self.session.relay = lambda items, errors=None: self.out.extend(
            str(i.get("text", "")) + (f"{i['ename']}: {i.get('evalue')}" if "ename" in i else "")
            for i in items or [])

    def run(self, code: str) -> str:
        self.out.clear()
        self.session.peer.request("exec", source=code, cell=0)
        return "".join(self.out)

    def json(self, expression: str):
        return json.loads(self.run(f"import json\nprint(json.dumps({expression}))"))

    def close(self) -> None:
        self.session.kill("probe finished")


@pytest.fixture
def probe(tmp_path):
    p = Probe(tmp_path)
    yield p
    p.close()


def test_the_working_directory_and_the_agent_are_not_on_sys_path(probe):
    seen = probe.json("__import__('sys').path")
    assert "" not in seen and "." not in seen and sandbox.AGENT_DIR not in seen
    assert "/tmp/work" not in seen
    assert "ModuleNotFoundError" in probe.run("import student_kernel")


def test_only_the_declared_course_modules_exist(probe):
    files = probe.json("sorted(__import__('os').listdir(__import__('course').__path__[0]))")
    assert "data" in files and "autodiff" not in files and "nn" not in files
    assert "checks.py" not in files and "gradcheck.py" not in files
    assert "not available here" in probe.run("import course\ncourse.grad")
    assert "ModuleNotFoundError" in probe.run("import autograder")


def test_other_differentiation_libraries_are_hidden(probe):
    # an answer written with them would derive nothing; those installed here (autograd comes
    # with the test extra) must be empty in the sandbox
    import importlib.util

    installed = [n for n in sandbox.HIDDEN if importlib.util.find_spec(n) is not None]
    assert "autograd" in installed
    for name in installed:
        out = probe.run(f"import {name}\nprint({name}.__dict__.get('grad', {name}.__dict__.get('diff')))")
        assert out.strip() in ("None", f"ModuleNotFoundError: No module named '{name}'"), (name, out)
    assert "ModuleNotFoundError" not in probe.run("import numpy, matplotlib.pyplot")


def test_memory_outside_every_limit_is_refused(probe):
    # memfd files count against neither the address-space limit nor the bounded /tmp
    out = probe.run("import os\ntry:\n    os.memfd_create('m')\n    print('made')\n"
                    "except OSError as e:\n    print('refused', e.errno)")
    assert out.strip() == "refused 1", out
    assert probe.run("import os\nr, w = os.pipe()\nprint(os.getpid() > 0)").strip() == "True"


def test_the_instructors_files_are_invisible(probe):
    python = [str(p) for p in sandbox._python_paths()]  # the Python installation, read-only
    listing = probe.json(f"""{{
        "repo": sorted(__import__('os').listdir({str(REPO)!r})),
        "notebooks": __import__('os').path.exists({str(DEFAULT_NOTEBOOKS)!r}),
        "homes": [f for top in ("/home", "/root") for d, _, fs in __import__('os').walk(top)
                  for f in [d + "/" + n for n in fs] if not f.startswith(tuple({python!r}))],
        "etc": sorted(__import__('os').listdir('/etc')),
        "tmp": sorted(__import__('os').listdir('/tmp')),
    }}""")
    assert set(listing["repo"]) <= {"course", ".venv"}, listing["repo"]
    assert not listing["notebooks"] and listing["homes"] == [], listing["homes"][:10]
    # /tmp: the student's home and working directory, and the way to a repository cloned there
    on_the_way = {Path(p).relative_to("/tmp").parts[0] for p in [*python, str(REPO)]
                  if p.startswith("/tmp/")}
    assert set(listing["tmp"]) == {"home", "work"} | on_the_way, listing["tmp"]
    assert "passwd" not in listing["etc"] and "shadow" not in listing["etc"]


def test_no_network_at_all(probe, tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(0.5)
    out = probe.run(f"""
import socket
for host in ("127.0.0.1", "8.8.8.8", "pypi.org"):
    try:
        socket.create_connection((host, {port}), timeout=1)
        print("CONNECTED", host)
    except OSError as exc:
        print("refused", host, type(exc).__name__)
print(sorted(i[1] for i in socket.if_nameindex()))
""")
    assert "CONNECTED" not in out and "['lo']" in out
    with pytest.raises(socket.timeout):
        server.accept()
    server.close()


def test_writable_only_a_bounded_scratch(tmp_path):
    p = Probe(tmp_path, scratch_bytes=32 << 20)
    try:
        out = p.run("""
import os, errno
for path in ("/usr/x", "/etc/x", "/x", os.path.expanduser("~/ok"), "/tmp/work/ok"):
    try:
        open(path, "w").write("x")
        print("WROTE", path)
    except OSError as exc:
        print("denied", path, errno.errorcode[exc.errno])
try:
    with open("/tmp/big", "wb") as fh:
        for _ in range(64):
            fh.write(b"0" * (1 << 20))
    print("BIG WRITTEN")
except OSError as exc:
    print("big", errno.errorcode[exc.errno])
""")
    finally:
        p.close()
    assert "WROTE /tmp/home/ok" in out and "WROTE /tmp/work/ok" in out
    assert "BIG WRITTEN" not in out and ("ENOSPC" in out or "EFBIG" in out)
    assert out.count("WROTE") == 2


def test_limits_and_identity(probe):
    seen = probe.json("""{
        "uid": __import__('os').getuid(), "euid": __import__('os').geteuid(),
        "as": __import__('resource').getrlimit(__import__('resource').RLIMIT_AS)[0],
        "nproc": __import__('resource').getrlimit(__import__('resource').RLIMIT_NPROC)[0],
        "core": __import__('resource').getrlimit(__import__('resource').RLIMIT_CORE)[0],
        "pids": sorted(int(p) for p in __import__('os').listdir('/proc') if p.isdigit()),
        "env": sorted(__import__('os').environ),
    }""")
    if os.geteuid() == 0:
        assert seen["uid"] != 0 and seen["euid"] != 0 and seen["uid"] >= sandbox.UID_BASE
    else:
        assert seen["uid"] == os.getuid()
    assert seen["as"] == 2 << 30 and seen["core"] == 0 and 0 < seen["nproc"] < 100000
    assert len(seen["pids"]) <= 3  # its own pid namespace: the sandbox's init and itself
    assert not {"AUTOGRADER_JOB", "JPY_SESSION_NAME", "SUDO_USER"} & set(seen["env"])
    assert os.environ.get("HOME", "/") not in [probe.json("__import__('os').environ['HOME']")]


def test_everything_dies_with_the_sandbox(tmp_path):
    marker = f"sandbox-leftover-{os.getpid()}-{time.time_ns()}"
    p = Probe(tmp_path)
    p.run(f"""
import os, subprocess, sys, signal
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"],
                 start_new_session=True)
if os.fork() == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
import ctypes
ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # clear its own parent-death signal
""")
    deadline = time.monotonic() + 10
    while len(_with_marker(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the two children are still starting
    assert len(_with_marker(marker)) == 2
    p.close()
    deadline = time.monotonic() + 5
    while _with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _with_marker(marker) == []


def _with_marker(marker: str) -> list[int]:
    """Live processes whose command line holds ``marker`` (zombies have none)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for the host's init to reap it counts as dead)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_student_process_dies_when_the_grading_kernel_is_killed(tmp_path):
    """SIGKILL of the process that started the sandbox (as after a wall-clock limit)."""
    job = {"cells": {}, "student_names": [], "report": str(tmp_path / "r.json"),
           "scratch": str(tmp_path), "sandbox": {"course_modules": []}}
    (tmp_path / "job.json").write_text(json.dumps(job))
    code = ("import json, sys, time\nfrom autograder.trusted_kernel import Session\n"
            f"s = Session(json.load(open({str(tmp_path / 'job.json')!r})))\ns.start()\n"
            "s.wait_ready()\n"
            "print(s.init_pid, s._student_pid(), flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert all(Path(f"/proc/{p}").exists() for p in pids)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), pids


def test_refuses_without_bubblewrap_unless_told(tmp_path):
    env = dict(os.environ, PATH="/nonexistent")
    out = subprocess.run([sys.executable, "-c", "from autograder import sandbox; "
                          "print(sandbox.problem())"], env=env, capture_output=True, text=True)
    assert "bubblewrap (bwrap) is not installed" in out.stdout


def test_channel_is_the_only_way_out(probe):
    """The student's stdio leads nowhere (/dev/null): the socket is its one way out."""
    out = probe.run("""
import os, stat
kinds = {}
for fd in range(0, 64):
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        continue
    kinds[fd] = "sock" if stat.S_ISSOCK(mode) else "fifo" if stat.S_ISFIFO(mode) else \\
        "chr" if stat.S_ISCHR(mode) else "file"
print(kinds)
""")
    kinds = eval(out)  # noqa: S307 - our own probe's output
    assert kinds[0] == kinds[1] == kinds[2] == "chr"  # /dev/null
    assert sorted(v for k, v in kinds.items() if k > 2) == ["sock"]


def test_modules_load_from_the_hosts_bytecode_which_is_read_only(tmp_path):
    # Compiled once on the host (grading does it before the first student process), bound
    # read-only beside each source: no student process compiles the course again, and none
    # can leave bytecode behind for the next one.
    sandbox.compile_bytecode(sandbox.SandboxConfig(course_modules=["course.data"]))
    p = Probe(tmp_path)
    try:
        found = p.json(
            "[(m.__name__, __import__('os').path.isfile(m.__cached__)) for m in "
            "[__import__('importlib').import_module(n) for n in ('course.data', 'wire')]]")
        assert found == [["course.data", True], ["wire", True]]
        out = p.run("import course.data\nopen(course.data.__cached__, 'r+b')")
        assert "OSError" in out or "PermissionError" in out, out
    finally:
        p.close()
