"""Hostile submissions: every way a student could try to earn points or hurt the grader.

Each :class:`Attack` is a submission built from a real notebook of the course. Most start from
``garbage`` answers (every function returns 0.0, so any point earned would come from the attack)
and put their code at the top of the first answer cell, which the grader runs in the student's
sandboxed process. ``ceiling`` is the most the submission may score; the suite also checks that
honest classmates graded in the same run keep their scores, that nothing is left on the host,
and that the grader's memory stays bounded.

Code may name ``{marker}`` (a unique string of this run: files or processes carrying it must
not exist on the host afterwards), ``{port}`` (a TCP listener on the host's loopback that must
see no connection), ``{abstract}`` (an abstract unix socket name on the host), ``{repo}``,
``{course}`` (the course directory) and ``{home}``; each is replaced literally (no str.format).
"""
from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

NB01 = "01-derivatives"


@dataclass(frozen=True)
class Attack:
    name: str  # the student id
    what: str  # the class of attack, in words
    code: str = ""  # put at the top of an answer cell (see ``cell``)
    base: str = "garbage"  # "garbage", "complete" or "untouched"
    notebook: str = NB01
    cell: str | None = None  # grade_id of the answer cell for ``code`` (default: the first)
    place: str = "before"  # "before" / "after" the answer's code, or "replace" it
    edit: Callable[[dict, dict], None] | None = None  # (notebook, other notebooks) -> None
    files: dict[str, str] = field(default_factory=dict)  # extra files handed in next to it
    raw: bytes | None = None  # the file as it is (not a notebook)
    ceiling: int | str | tuple[str, int] = 0  # points: int, "complete", ("complete", -k)


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _tests(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if _meta(c).get("grade") and not _meta(c).get("solution")]


# -- edits of the notebook's structure and metadata ---------------------------------------------
def skip_tags(nb: dict, _: dict) -> None:
    for cell in _tests(nb):
        cell["metadata"]["tags"] = ["skip-execution", "raises-exception"]
        cell["source"] = "pass"


def unlock_helpers(nb: dict, _: dict) -> None:
    """Strip nbgrader metadata from the locked cells and turn the checks into no-ops there."""
    for cell in nb["cells"]:
        meta = _meta(cell)
        if cell["cell_type"] == "code" and meta.get("locked") and not meta.get("grade"):
            cell["metadata"].pop("nbgrader", None)
            cell["metadata"].pop("autograder", None)
            cell["source"] = ("check = check_array = check_scalar = check_gradient = check_exact ="
                              " lambda *a, **k: None\nimport numpy as np\nrng = np.random."
                              "default_rng(0)\n" + cell["source"])


def tests_as_answers(nb: dict, _: dict) -> None:
    for cell in _tests(nb):
        cell["metadata"]["nbgrader"]["solution"] = True
        cell["metadata"]["nbgrader"]["grade"] = False
        cell["source"] = "pass"


def swap_grade_ids(nb: dict, _: dict) -> None:
    """Give test cells the ids of answers and the answers the ids of tests."""
    tests = _tests(nb)
    answers = [c for c in nb["cells"] if _meta(c).get("solution")]
    for t, a in zip(tests, answers):
        t_id, a_id = t["metadata"]["nbgrader"]["grade_id"], a["metadata"]["nbgrader"]["grade_id"]
        t["metadata"]["nbgrader"]["grade_id"], a["metadata"]["nbgrader"]["grade_id"] = a_id, t_id
        t["source"] = "pass"


def paste_foreign_test(nb: dict, others: dict) -> None:
    """A graded test cell of notebook 02, pasted with its metadata into notebook 01."""
    foreign = copy.deepcopy(_tests(others["02-forward-mode"])[0])
    nb["cells"].insert(3, foreign)


def swap_kernelspec(nb: dict, _: dict) -> None:
    nb["metadata"]["kernelspec"] = {"name": "evil", "display_name": "Evil", "language": "python"}
    nb["metadata"]["language_info"] = {"name": "python"}


def widen_course_modules(nb: dict, _: dict) -> None:
    nb["metadata"]["autograder"] = {"course_modules": ["course"]}
    for cell in nb["cells"]:
        cell.get("metadata", {}).setdefault("autograder", {})["role"] = "both"


def drop_test_cells_and_add_scratch(nb: dict, _: dict) -> None:
    nb["cells"] = [c for c in nb["cells"] if c not in _tests(nb)]
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "print('all visible checks passed')"})


# -- code run in the student's process ------------------------------------------------------------
PATCH_EVERYTHING = """\
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *x, **k: np.ones(np.broadcast(a, b).shape, bool)
np.testing.assert_allclose = lambda *a, **k: None
import builtins
builtins.AssertionError = type("Ignored", (Exception,), {})
"""

TRACE_LOCALS = """\
import sys
def tracer(frame, event, arg):
    if event == "call":
        frame.f_locals.update(ok=True)
    return tracer
sys.settrace(tracer)
"""

THREAD_NOISE = """\
import threading, time, sys
def chatter():
    while True:
        sys.stdout.write("Exercise passed: all visible checks passed\\n")
        time.sleep(0.01)
threading.Thread(target=chatter, daemon=True).start()
"""

IMPORT_HOOK = """\
import sys, types
class Fake:
    def find_spec(self, name, path=None, target=None):
        if name.startswith("course"):
            raise ImportError("hijacked")
        return None
sys.meta_path.insert(0, Fake())
mod = types.ModuleType("course.checks")
mod.check = mod.check_array = mod.check_scalar = lambda *a, **k: None
sys.modules["course.checks"] = mod
"""

LIAR_OBJECTS = """\
class AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __float__(self): return 0.0
    def __array__(self, dtype=None, copy=None):
        raise TypeError("no")
    def __bool__(self): return True
    def __len__(self): return 0
import numpy as np
class Weird(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
def central_difference(f, x, h=1e-5):
    return AlwaysEqual()
def difference_errors(f, dfdx, x, hs):
    return (np.zeros(len(hs)).view(Weird), AlwaysEqual())
def dh_dx(x):
    return np.zeros_like(x).view(Weird)
"""

FIXTURE_REBINDING = """\
import numpy as np
rng = np.random.default_rng(12345)
h = lambda x: 0 * x
f2 = lambda x: 0.0
path = lambda t: np.zeros(2)
forward_difference = lambda f, x, h=1e-5: 0.0
eps = 1.0
"""

EXTRA_FILES = {
    "course.py": "raise SystemExit('shadowed course')\n",
    "numpy.py": "raise SystemExit('shadowed numpy')\n",
    "sitecustomize.py": "import os; os._exit(0)\n",
    "usercustomize.py": "import os; os._exit(0)\n",
    "ipykernel_launcher.py": "import os; os._exit(0)\n",
    "student_kernel.py": "import os; os._exit(0)\n",
    "wire.py": "raise SystemExit\n",
}

CWD_MODULES = """\
import os, importlib
for name in ("numpy", "wire", "course", "matplotlib"):
    for folder in (".", os.environ.get("HOME", "."), "/tmp"):
        try:
            with open(os.path.join(folder, name + ".py"), "w") as fh:
                fh.write("raise SystemExit('shadow')\\n")
        except OSError:
            pass
importlib.invalidate_caches()
"""

FAKE_RESULTS_ON_STDIO = """\
import os, json, struct
line = b"AUTOGRADER-DONE everyone " + json.dumps({"success": False, "log": "{marker}"}).encode() + b"\\n"
frame = json.dumps({"job": "x", "token": "x", "success": False, "log": "{marker}"}).encode()
frame = struct.pack("!4sII", b"AGW1", len(frame), 0) + frame
for fd in range(0, 1024):
    for data in (line, frame):
        try:
            os.write(fd, data)
        except OSError:
            pass
"""

PIPE_FLOOD = """\
import os
block = b"x" * (1 << 20)
for fd in (1, 2):
    for _ in range(320):
        try:
            os.write(fd, block)
        except OSError:
            break
"""

FORK_BOMB = """\
import os, time
children = 0
try:
    for _ in range(100000):
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        children += 1
except OSError as exc:
    print("fork stopped after", children, "children:", exc)
"""

DAEMON = """\
import os, subprocess, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import signal, time
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(900)", "{marker}"])
    os._exit(0)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", "{marker}-popen"],
                 start_new_session=True)
"""

HOST_FILES = """\
import os
for folder in ("/run/lock", "/tmp", "/var/tmp", "/dev/shm", "/run", "/etc", "{home}", "{repo}",
               "{course}", "/root", "/", os.environ.get("HOME", "/"), os.getcwd()):
    for name in ("{marker}", ".{marker}"):
        try:
            with open(os.path.join(folder, name), "w") as fh:
                fh.write("{marker}")
        except OSError:
            pass
"""

SCRATCH_FLOOD = """\
import os
written = 0
try:
    with open("/tmp/{marker}-big", "wb") as fh:
        for _ in range(600):
            fh.write(b"\\0" * (1 << 20))
            written += 1
except OSError as exc:
    print("scratch full after", written, "MB:", exc)
"""

NETWORK = """\
import socket
reached = []
for target in (("127.0.0.1", {port}), ("localhost", {port}), ("::1", {port})):
    try:
        s = socket.create_connection(target, timeout=0.5)
        s.sendall(b"{marker}")
        reached.append(target)
    except OSError:
        pass
try:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect("\\0{abstract}")
    u.sendall(b"{marker}")
    reached.append("abstract")
except OSError:
    pass
for port in range(1, 65536, 7):  # a sweep for the grading kernel's own ports
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.001).close()
        reached.append(port)
    except OSError:
        pass
print("reached", reached)
"""

READ_HIDDEN = """\
import os, stat, time
found = []
stop = time.monotonic() + 2.5  # search for as long as the cell time limit allows
roots = ["/", "{repo}", "{course}", "{home}", "/proc"]
for pid in os.listdir("/proc"):
    if pid.isdigit():
        roots += [f"/proc/{pid}/root", f"/proc/{pid}/cwd"]
seen = 0
for root in roots:
    for folder, dirs, files in os.walk(root):
        if time.monotonic() > stop:
            break
        if folder.startswith(("/proc/sys", "/sys", "/dev")):
            dirs[:] = []
            continue
        for name in files:
            seen += 1
            if seen > 20000:
                break
            path = os.path.join(folder, name)
            try:  # regular files only: a FIFO or /proc/kmsg would block
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as fh:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        continue
                    data = fh.read(1 << 20)
            except OSError:
                continue
            # Hidden tests of this course (an identifier only notebook 01's hidden tests use;
            # the gradebook stores them too).
            if ("xs_" + "hidden").encode() in data:
                found.append(path)
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for leaf in ("environ", "cmdline"):
        try:
            with open(f"/proc/{pid}/{leaf}", "rb") as fh:
                data = fh.read(1 << 16)
            if b"AUTOGRADER_JOB" in data or b"trusted_kernel" in data:
                found.append(f"/proc/{pid}/{leaf}")
        except OSError:
            pass
print("FOUND", found)
"""

KILL_EVERYTHING = """\
import os, signal
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
    try:
        os.kill(-1, sig)
    except OSError:
        pass
for pid in range(2, 5000):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""

MEMORY_HOG = """\
hog = []
while True:
    hog.append(bytearray(64 << 20))
"""

HANG_IN_CALL = """\
import signal
def central_difference(f, x, h=1e-5):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
"""

PRINT_FLOOD = """\
def central_difference(f, x, h=1e-5):
    for _ in range(1000):
        print("y" * 100000)
    return 0.0
"""

HUGE_RETURN = """\
import numpy as np
def central_difference(f, x, h=1e-5):
    return np.zeros(200_000_000)
def dh_dx(x):
    return [[[[0.0] * 1000] * 1000] * 10]
"""

DEEP_RETURN = """\
def central_difference(f, x, h=1e-5):
    v = 0.0
    for _ in range(100000):
        v = [v]
    return v
def difference_errors(f, dfdx, x, hs):
    d = {}
    d["self"] = d
    return d, d
"""

FORGED_FRAMES = """\
import os, socket, stat, json, struct
def frame(header):
    data = json.dumps(header).encode()
    return struct.pack("!4sII", b"AGW1", len(data), 0) + data
forged = [frame({"re": n, "ok": 0.0}) for n in range(1, 50)]
forged += [frame({"re": 1, "ok": {"$": "h", "id": n, "o": "r"}}) for n in range(1, 50)]
forged += [b"AGW1" + b"\\xff" * 8, b"garbage" * 100]
def central_difference(f, x, h=1e-5):
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                for data in forged:
                    os.write(fd, data)
        except OSError:
            pass
    return 0.0
"""

CALLBACK_INTROSPECTION = """\
import gc
def central_difference(f, x, h=1e-5):
    loot = []
    for name in ("__globals__", "__code__", "__closure__", "_peer", "calls", "__self__",
                 "__dict__", "__class__", "__module__", "__wrapped__", "f_globals"):
        try:
            loot.append((name, getattr(f, name)))
        except Exception as exc:
            loot.append((name, type(exc).__name__))
    try:
        f.__dict__["x"] = 1
    except Exception:
        pass
    try:
        setattr(f, "calls", [])
    except Exception:
        pass
    print("LOOT", loot)
    return 0.0
"""

RAW_REQUESTS = """\
import gc, os
def central_difference(f, x, h=1e-5):
    peers = [o for o in gc.get_objects() if type(o).__name__ == "StudentPeer"]
    for peer in peers:
        bad = [
            {"do": "func", "id": 9001, "f": {"$": "ref", "n": "numpy.save"},
             "args": ["{course}/{marker}.npy", {"$": "nd", "d": "<f8", "s": [0], "b": 0}]},
            {"do": "getattr", "id": 9002, "obj": {"$": "h", "id": 1, "o": "r"}, "name": "__globals__"},
            {"do": "setattr", "id": 9003, "obj": {"$": "h", "id": 1, "o": "r"}, "name": "x", "value": 1},
            {"do": "exec", "id": 9004, "source": "open('{course}/{marker}', 'w')", "cell": 0},
            {"do": "globals", "id": 9005, "names": ["check_array"]},
        ]
        for n in range(1, 200):
            bad.append({"do": "call", "id": 9100 + n, "obj": {"$": "h", "id": n, "o": "r"},
                        "args": ["{course}/{marker}.txt"], "kwargs": {}})
        for header in bad:
            try:
                peer.channel.send(header, [b""] if header.get("do") == "func" else [])
            except Exception:
                pass
    return 0.0
"""

REFERENCE_IN_NB04 = """\
def matmul_vjp(X, W, dS):
    import course
    loss = lambda W_, X_: np.sum(dS * (X_ @ W_))
    return course.grad(loss, 1)(W, X), course.grad(loss, 0)(W, X)
"""

FD_IN_NB01 = """\
def dh_dx(x):
    return central_difference(h, x, 1e-5)
"""

FD_IN_NB02 = """\
def derivative(f, x):
    return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
"""

FD_IN_NB04 = """\
def matmul_vjp(X, W, dS):
    def loss(X_, W_):
        return np.sum(dS * (X_ @ W_))
    dX, dW = np.zeros_like(X), np.zeros_like(W)
    for grad, arg, other in ((dX, X, W), (dW, W, X)):
        for i in np.ndindex(arg.shape):
            old = arg[i]
            arg[i] = old + 1.0
            up = loss(*((arg, other) if arg is X else (other, arg)))
            arg[i] = old - 1.0
            down = loss(*((arg, other) if arg is X else (other, arg)))
            arg[i] = old
            grad[i] = (up - down) / 2.0
    return dX, dW
"""

REFERENCE_IN_NB06 = """\
class Dense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        from course.nn.layers import Dense as Reference
        self.ref = Reference(n_in, n_out)
        self.params = {"W": xavier_init(n_in, n_out, rng), "b": np.zeros(n_out)}
    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]
    def backward(self, grad_output):
        from course.gradcheck import numeric_grad
        self.grads["W"] = numeric_grad(lambda W: np.sum((self.x @ W) * grad_output), self.params["W"])
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T
"""

BIG_SOURCE = "# " + "z" * 5_000_000 + "\n"


ATTACKS: list[Attack] = [
    # -- the notebook's structure and metadata come from the student -------------------------------
    Attack("skip-tags", "skip-execution tags on emptied test cells", base="untouched",
           edit=skip_tags),
    Attack("unlock-helpers", "nbgrader metadata stripped from locked cells, checks redefined",
           base="untouched", edit=unlock_helpers),
    Attack("tests-as-answers", "test cells relabelled as answer cells", base="untouched",
           edit=tests_as_answers),
    Attack("swapped-ids", "grade ids of tests and answers swapped", base="untouched",
           edit=swap_grade_ids),
    Attack("foreign-test", "a graded cell of notebook 02 pasted in", base="complete",
           edit=paste_foreign_test, ceiling="complete"),
    Attack("kernelspec", "kernelspec replaced", base="complete", edit=swap_kernelspec,
           ceiling="complete"),
    Attack("widen-modules", "notebook metadata widening the course modules, with an answer "
                            "that calls course.grad", base="complete", edit=widen_course_modules,
           cell="chain-rule", place="replace", code="def dh_dx(x):\n    import course\n"
           "    return course.grad(lambda t: np.sum(h(t)))(x)\n", ceiling=("complete", -2)),
    Attack("no-tests", "test cells deleted, a cell printing success added", base="untouched",
           edit=drop_test_cells_and_add_scratch),
    # -- what a static scan would have to catch -----------------------------------------------------
    Attack("magic-args", "arguments of an allowed magic",
           code="%time check_array = check_scalar = check = lambda *a, **k: None"),
    Attack("main-alias", "import __main__ under an alias",
           code="import __main__ as m\nm.check_scalar = m.check_array = lambda *a, **k: None"),
    Attack("resolve-name", "pkgutil.resolve_name to exec",
           code='import pkgutil\npkgutil.resolve_name("builtins:exec")('
                '"import numpy\\nnumpy.allclose = lambda *a, **k: True")'),
    Attack("code-swap", "functools.update_wrapper swapping __code__",
           code='import functools, numpy\nfunctools.update_wrapper(numpy.isclose, '
                'lambda *a, **k: True, assigned=("__code__",))'),
    # -- neutralising checks from inside the process ---------------------------------------------
    Attack("patch-numpy", "numpy and builtins patched", code=PATCH_EVERYTHING),
    Attack("input-transformer", "IPython input transformers",
           code='ip = get_ipython()\nip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])\n'
                'ip.input_transformers_post.append(lambda lines: ["pass\\n"])'),
    Attack("custom-exc", "IPython exception handler swallowing errors",
           code="get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"),
    Attack("trace-function", "a trace function rewriting frames", code=TRACE_LOCALS),
    Attack("event-callbacks", "event callbacks printing success",
           code='get_ipython().events.register("post_run_cell", lambda r: print("passed"))'),
    Attack("threads", "a thread printing success forever", code=THREAD_NOISE),
    Attack("import-hook", "an import hook and fake course modules", code=IMPORT_HOOK),
    Attack("liar-objects", "answers that lie in comparisons", code=LIAR_OBJECTS, place="after"),
    # -- fixtures and files ----------------------------------------------------------------------
    Attack("fixtures", "the tests' fixtures (rng, h, f2, path) rebound", code=FIXTURE_REBINDING,
           place="after"),
    Attack("extra-files", "modules handed in next to the notebook", base="complete",
           files=EXTRA_FILES, ceiling="complete"),
    Attack("cwd-modules", "modules written into the working directory", base="complete",
           code=CWD_MODULES, ceiling="complete"),
    # -- the grader, the host, the classmates ------------------------------------------------------
    Attack("stdio-forgery", "grader protocol lines and frames written to every descriptor",
           code=FAKE_RESULTS_ON_STDIO),
    Attack("pipe-flood", "640 MB written to stdout and stderr", code=PIPE_FLOOD),
    Attack("fork-bomb", "a fork bomb", code=FORK_BOMB),
    Attack("daemon", "a daemon that ignores signals", code=DAEMON),
    Attack("host-files", "files written all over the host", code=HOST_FILES),
    Attack("scratch-flood", "600 MB into the scratch directory", base="complete",
           code=SCRATCH_FLOOD, ceiling="complete"),
    Attack("network", "connections to the host's loopback and abstract sockets",
           base="complete", code=NETWORK, ceiling="complete"),
    Attack("read-hidden", "searching the file system for hidden tests", base="complete",
           code=READ_HIDDEN, ceiling="complete"),
    Attack("kill-everything", "signals to every process it can name", code=KILL_EVERYTHING),
    Attack("memory-hog", "allocating until MemoryError", base="complete", code=MEMORY_HOG,
           place="after", ceiling="complete"),
    Attack("hang-in-call", "a function that ignores interrupts when a test calls it",
           base="complete", cell="central-difference", place="replace", code=HANG_IN_CALL,
           ceiling="complete"),
    Attack("print-flood", "100 MB printed while a test calls it", code=PRINT_FLOOD,
           cell="central-difference", place="replace"),
    Attack("huge-return", "a 1.6 GB array returned to a test", code=HUGE_RETURN,
           cell="central-difference", place="replace"),
    Attack("deep-return", "values nested 100000 deep and cyclic", code=DEEP_RETURN,
           cell="central-difference", place="replace"),
    Attack("forged-frames", "forged replies and handles on the channel", code=FORGED_FRAMES,
           cell="central-difference", place="replace"),
    Attack("callback-introspection", "reaching into the tests' functions", code=CALLBACK_INTROSPECTION,
           cell="central-difference", place="replace"),
    Attack("raw-requests", "forbidden requests sent to the trusted side", code=RAW_REQUESTS,
           cell="central-difference", place="replace"),
    # -- the reference package and finite differences ----------------------------------------------
    Attack("reference-nb04", "a VJP answered with course.grad", base="complete",
           notebook="04-matrix-calculus", cell="matmul-vjp", place="replace",
           code=REFERENCE_IN_NB04, ceiling=("complete", -3)),
    Attack("reference-nb06", "layers built on course.nn and course.gradcheck", base="complete",
           notebook="06-layers", cell="dense", place="replace", code=REFERENCE_IN_NB06,
           ceiling=("complete", -4)),
    Attack("fd-nb01", "a derivative by central differences", base="complete", cell="chain-rule",
           place="replace", code=FD_IN_NB01, ceiling=("complete", -2)),
    Attack("fd-nb02", "forward mode replaced by a finite difference", base="complete",
           notebook="02-forward-mode", cell="derivative", place="replace", code=FD_IN_NB02,
           ceiling=("complete", -1)),
    Attack("fd-nb04", "a VJP by finite differences", base="complete",
           notebook="04-matrix-calculus", cell="matmul-vjp", place="replace", code=FD_IN_NB04,
           ceiling=("complete", -3)),
    # -- files that are not notebooks --------------------------------------------------------------
    Attack("deep-json", "JSON nested 200000 deep", raw=b"[" * 200_000 + b"]" * 200_000),
    Attack("binary", "random bytes", raw=bytes(range(256)) * 4000),
    Attack("big-source", "an answer cell of 5 MB", base="complete", cell="central-difference",
           code=BIG_SOURCE, place="after", ceiling="complete"),
]

# Attacks whose outcome can depend on who grades: the host's files, processes, signals,
# network and limits, the file system the sandbox shows, the channel's pipes. test_as_user.py
# runs these again as an ordinary user (AUTOGRADER_HOSTILE=host). The others act on the
# notebook's metadata or inside the student's own process, on code paths that are the same
# whoever grades, so the root run covers them.
HOST_DEPENDENT = {
    "widen-modules", "import-hook", "extra-files", "cwd-modules", "stdio-forgery", "pipe-flood",
    "fork-bomb", "daemon", "host-files", "scratch-flood", "network", "read-hidden",
    "kill-everything", "memory-hog", "hang-in-call", "print-flood", "huge-return",
    "callback-introspection", "raw-requests", "reference-nb04", "reference-nb06"}
if os.environ.get("AUTOGRADER_HOSTILE") == "host":
    ATTACKS = [a for a in ATTACKS if a.name in HOST_DEPENDENT]


def notebook_json(nb) -> dict:
    """A notebook node as plain JSON data (what the edits work on)."""
    return json.loads(json.dumps(nb))
