"""The sandbox the student's code runs in while it is graded (bubblewrap).

The student's process (:mod:`autograder.student_kernel`) is started by the trusted grading
kernel through ``bwrap`` with

* new user (when not root), PID, network, IPC, UTS and cgroup namespaces: no network at all (only
  its own loopback), no view of the host's processes, and every process it starts dies with it;
* a file system built from nothing: read-only binds of ``/usr``, the Python installation and its
  packages, the course package reduced to the modules the notebook may use (see
  :func:`course_view`), the data directories, two files of the autograder and
  ``course/feedback.py`` (to describe errors where they happen); a size-limited
  ``/tmp`` (``tmpfs``) is the only writable place, and it vanishes with the sandbox;
* as root, a per-job unprivileged uid (the student's process drops root before it reads any
  input); as an ordinary user, the user's own uid inside a user namespace that sees only the
  paths above, so it cannot read the instructor's other files either;
* resource limits (address space, file size, processes, open files) and ``--die-with-parent``:
  when the grading kernel goes, so does the sandbox (its init holds the parent-death signal, not
  the student's process).

Its stdio is not connected to anything the grader reads; it talks to the trusted side only
through the socket it inherits (:mod:`autograder.wire`).

Without bubblewrap or user namespaces grading refuses to start unless the instructor passes
``--unsafe-no-sandbox``; then the student's process still runs separately (the score cannot be
forged from inside it) but sees the host as the instructor does.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

AUTOGRADER = Path(__file__).resolve().parent
AGENT_DIR = "/opt/course-grader"  # where the student's process finds its two files
AGENT_FILES = ("student_kernel.py", "wire.py")
FEEDBACK = AUTOGRADER.parent / "course" / "feedback.py"
SANDBOX_TMP = "/tmp"
STUDENT_WORKDIR = "/tmp/work"
STUDENT_HOME = "/tmp/home"
UID_BASE = 2_000_000  # per-job uids when running as root: UID_BASE + the grading kernel's pid
# Kept from the grader's environment (the instructor's data choice for notebook 09).
DATA_ENV = ("COURSE_DATA_DIR", "COURSE_DATASET", "COURSE_MNIST_TEST_DIR", "COURSE_MNIST_MIRRORS")

NO_SANDBOX_HELP = ("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow "
                   "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; in "
                   "a container, run it with --cap-add SYS_ADMIN or grade as an ordinary user), "
                   "or pass --unsafe-no-sandbox to grade without isolation (student code can "
                   "then read and write whatever you can)")


HIDDEN = ("autograd", "torch", "functorch", "torchgen", "jax", "jaxlib", "tensorflow", "keras",
          "sympy", "theano", "pytensor", "aesara", "mxnet", "tinygrad", "tangent", "chainer",
          "numdifftools", "findiff", "casadi", "paddle", "mygrad", "micrograd")


@dataclass
class SandboxConfig:
    """What the student's process may use (serialised into the job file)."""

    course_modules: list[str] = field(default_factory=lambda: ["course"])
    memory_bytes: int = 2 << 30  # RLIMIT_AS of the student's process
    scratch_bytes: int = 256 << 20  # size of the writable /tmp
    file_bytes: int = 128 << 20  # RLIMIT_FSIZE
    max_processes: int = 64  # processes the job may add (RLIMIT_NPROC)
    open_files: int = 256
    unsafe: bool = False  # no bubblewrap: separate process and limits only
    files: list[str] = field(default_factory=list)  # the release's data files, read-only in cwd
    preload: list[str] = field(default_factory=lambda: ["numpy", "matplotlib.pyplot"])
    font_cache: str = ""  # matplotlib's font list, built once on the host (read-only inside)
    # Installed libraries that differentiate or do calculus for the student: an answer to a
    # derivative exercise written with them derives nothing (they are hidden; see HIDDEN).
    hidden_packages: list[str] = field(default_factory=lambda: list(HIDDEN))


@functools.lru_cache(maxsize=1)
def problem() -> str | None:
    """Why no sandbox can be made here (None when bubblewrap works)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    probe = [bwrap, *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
             "--", "/bin/true" if os.path.exists("/bin/true") else "/usr/bin/true"]
    try:
        proc = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not run ({exc})"
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap cannot create namespaces here ({detail[-1] if detail else proc.returncode})"
    return None


def _namespaces() -> list[str]:
    ns = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
          "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        ns.insert(0, "--unshare-user")
    return ns


def course_view(modules: list[str]) -> tuple[Path, list[Path]]:
    """The course package's directory and the files of ``modules`` (with their packages).

    ``modules`` names modules or packages under ``course`` (``"course"`` is all of it). The
    package's ``__init__`` (which imports its submodules lazily) is always there; a package
    brings its whole directory.
    """
    spec = importlib.util.find_spec("course")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the course package is not installed")
    root = Path(list(spec.submodule_search_locations)[0]).resolve()
    files: set[Path] = {root / "__init__.py", *root.glob("_*.py")}  # the package's own helpers
    for name in modules:
        if name == "course":  # the whole package
            files.update(root.rglob("*.py"))
            continue
        parts = name.split(".")
        if parts[0] != "course":
            raise ValueError(f"{name!r} is not a module of the course package")
        path = root
        for part in parts[1:]:
            if (path / "__init__.py").exists():
                files.add(path / "__init__.py")
            path = path / part
        if path.is_dir():
            files.update(p for p in path.rglob("*.py"))
        elif path.with_suffix(".py").exists():
            files.add(path.with_suffix(".py"))
        elif path != root:
            raise ValueError(f"no module {name!r} in {root}")
    return root, sorted(files)


def _python_paths() -> list[Path]:
    """Directories of the Python installation and its packages (read-only in the sandbox)."""
    paths = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    exe = Path(sys.executable)
    paths.add(exe.parent)
    paths.add(exe.resolve().parent)
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry):
            paths.add(Path(entry).resolve())
    # Drop paths inside other paths (one bind covers them).
    kept = sorted(paths, key=lambda p: len(p.parts))
    out: list[Path] = []
    for p in kept:
        if p.exists() and not any(q == p or q in p.parents for q in out):
            out.append(p)
    return out


def _site_dirs() -> list[Path]:
    return sorted({Path(e).resolve() for e in sys.path
                   if e and ("site-packages" in e or "dist-packages" in e) and Path(e).is_dir()})


def _data_dirs(env: dict[str, str]) -> list[Path]:
    dirs = []
    for key in ("COURSE_DATA_DIR", "COURSE_MNIST_TEST_DIR"):
        if env.get(key) and Path(env[key]).is_dir():
            dirs.append(Path(env[key]).resolve())
    return dirs


def student_environment(config: SandboxConfig) -> dict[str, str]:
    """The whole environment of the student's process (nothing else of the grader's)."""
    venv_bin = str(Path(sys.executable).parent)
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": STUDENT_HOME, "TMPDIR": SANDBOX_TMP, "USER": "student", "LOGNAME": "student",
           "MPLBACKEND": "Agg",  # grading needs no pictures (and rendering them costs time)
           "MPLCONFIGDIR": f"{STUDENT_HOME}/.config/matplotlib",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if os.environ.get("NBGRADER_EXECUTION"):
        env["NBGRADER_EXECUTION"] = os.environ["NBGRADER_EXECUTION"]
    for key in DATA_ENV:
        if os.environ.get(key):
            env[key] = os.environ[key]
    default_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-data"
    if "COURSE_DATA_DIR" not in env and default_cache.is_dir():
        env["COURSE_DATA_DIR"] = str(default_cache)
    return env


class _Mounts:
    """bubblewrap arguments in order, creating each mount point's parents world-readable.

    bwrap makes missing parents of a mount point with mode 0700, which an unprivileged uid
    cannot enter; every directory we need is therefore made explicitly with mode 0755.
    """

    def __init__(self) -> None:
        self.args: list[str] = []
        self.bound: list[Path] = []  # host trees bound read-only (their insides exist)
        self.made: set[Path] = {Path("/")}

    def _parents(self, target: Path) -> None:
        for parent in reversed(target.parents):
            if parent in self.made or any(parent == b or b in parent.parents for b in self.bound):
                continue
            self.args += ["--perms", "0755", "--dir", str(parent)]
            self.made.add(parent)

    def bind(self, path: Path, target: Path | None = None) -> None:
        target = target or path
        self._parents(target)
        self.args += ["--ro-bind", str(path), str(target)]
        if path.is_dir():
            self.bound.append(target)

    def symlink(self, link: str, target: Path) -> None:
        self._parents(target)
        self.args += ["--symlink", link, str(target)]

    def tmpfs(self, target: Path, *, perms: str = "0755", size: int | None = None) -> None:
        self._parents(target)
        self.args += ["--perms", perms] + (["--size", str(size)] if size else []) + \
            ["--tmpfs", str(target)]
        self.made.add(target)
        self.bound = [b for b in self.bound if not (b == target or target in b.parents)]

    def dir(self, target: Path, perms: str = "0755") -> None:
        self._parents(target)
        self.args += ["--perms", perms, "--dir", str(target)]
        self.made.add(target)


# A seccomp filter for the sandbox: memfd_create refused. Memory written into memfd files counts
# against neither RLIMIT_AS (it is not mapped) nor the bounded /tmp: 3 GB of host memory were
# held that way by a process limited to 1 GB.
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 319), "aarch64": (0xC00000B7, 279)}


def seccomp_program() -> bytes | None:
    """The classic-BPF program bwrap installs with ``--seccomp`` (None on other machines)."""
    import platform
    import struct

    arch = _SECCOMP_ARCH.get(platform.machine())
    if arch is None:
        return None
    audit_arch, memfd_create = arch
    allow, refuse = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("=HBBI", code, jt, jf, k)
    return b"".join([
        op(0x20, 4),                       # A = seccomp_data.arch
        op(0x15, audit_arch, 1, 0),        # native? skip the next
        op(0x06, refuse),                  # another ABI (32-bit calls): refused
        op(0x20, 0),                       # A = seccomp_data.nr
        op(0x54, 0xBFFFFFFF),              # A &= ~__X32_SYSCALL_BIT
        op(0x15, memfd_create, 0, 1),
        op(0x06, refuse),
        op(0x06, allow),
    ])


def bwrap_command(config: SandboxConfig, argv: list[str], env: dict[str, str],
                  info_fd: int, seccomp_fd: int | None = None) -> list[str]:
    """The bubblewrap command line that runs ``argv`` in the student's sandbox (``seccomp_fd``:
    a descriptor to read :func:`seccomp_program` from)."""
    m = _Mounts()
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            m.symlink(os.readlink(top), top)
        elif top.is_dir():
            m.bind(top)
    m.bind(Path("/usr"))
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/alternatives", "/etc/fonts"):
        if os.path.islink(etc):
            m.symlink(os.readlink(etc), Path(etc))
        elif os.path.exists(etc):
            m.bind(Path(etc))
    # The scratch first: a Python installation or course package that lives under /tmp (a
    # clone in /tmp, say) is bound back on top of it below.
    m.tmpfs(Path(SANDBOX_TMP), perms="1777", size=config.scratch_bytes)
    python = _python_paths()
    for path in python:
        m.bind(path)
    for site in _site_dirs():
        for name in config.hidden_packages:
            if (site / name).is_dir():
                m.tmpfs(site / name, perms="0555")  # an empty package: nothing to import from
            if (site / f"{name}.py").is_file():
                m.bind(Path("/dev/null"), site / f"{name}.py")
    root, files = course_view(config.course_modules)
    m.tmpfs(root)
    for path in files:
        m.bind(path)
        _bind_bytecode(m, path, path)
    # An installed (not editable) autograder sits in site-packages: cover it with an empty dir.
    if any(AUTOGRADER == p or p in AUTOGRADER.parents for p in python):
        m.tmpfs(AUTOGRADER)
    for path in _data_dirs(env):
        m.bind(path)
    m.dir(Path(STUDENT_WORKDIR), "0777")
    m.dir(Path(STUDENT_HOME), "0777")
    if config.font_cache and Path(config.font_cache).is_file():
        # Without it matplotlib rebuilds its font list at every start (most of a second).
        mpl = Path(env["MPLCONFIGDIR"])
        m.dir(mpl.parent, "0777")
        m.dir(mpl, "0777")
        m.bind(Path(config.font_cache), mpl / Path(config.font_cache).name)
    for name in AGENT_FILES:
        m.bind(AUTOGRADER / name, Path(AGENT_DIR) / name)
        _bind_bytecode(m, AUTOGRADER / name, Path(AGENT_DIR) / name)
    # course.feedback's description of errors (e.g. the operands of a failed matrix product),
    # whatever parts of the course the notebook may import.
    m.bind(FEEDBACK, Path(AGENT_DIR) / "feedback.py")
    _bind_bytecode(m, FEEDBACK, Path(AGENT_DIR) / "feedback.py")
    for item in config.files:
        m.bind(Path(item), Path(STUDENT_WORKDIR) / Path(item).name)
    # No --as-pid-1: bwrap's own init stays pid 1 of the namespace. It keeps its parent-death
    # signal (the student's process loses its own when it drops root, and could clear it), so
    # when the grading kernel dies, for any reason, the whole namespace dies with it.
    args = ["bwrap", *_namespaces(), "--die-with-parent", "--new-session",
            "--info-fd", str(info_fd),
            *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
            *m.args, "--proc", "/proc", "--dev", "/dev",
            # The root bwrap builds is a tmpfs of its own, with no size limit, and an ordinary
            # user's namespace owns it: read-only, so only the bounded /tmp is writable.
            "--remount-ro", "/",
            "--chdir", STUDENT_WORKDIR, "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--", *argv]


def _bind_bytecode(m: _Mounts, source: Path, target: Path) -> None:
    """Bind the host's compiled ``source`` (its ``__pycache__`` file) beside ``target``.

    The student's Python (``-B``, read-only files) cannot write bytecode, so without it every
    student process compiles the course modules it imports again (0.1-0.2 s of CPU each).
    The file is checked against the source's time stamp and size as usual: a stale one is
    ignored, never trusted.
    """
    compiled = Path(importlib.util.cache_from_source(str(source)))
    if compiled.is_file():
        m.bind(compiled, Path(importlib.util.cache_from_source(str(target))))


def compile_bytecode(config: SandboxConfig) -> None:
    """Compile (where missing or stale) the course modules and autograder files the sandbox
    binds, once on the host, so that :func:`bwrap_command` finds their bytecode. Where the
    package is not writable (an installation by root), what exists is used."""
    import compileall

    _, files = course_view(config.course_modules)
    for path in [*files, FEEDBACK, *(AUTOGRADER / name for name in AGENT_FILES)]:
        try:
            compileall.compile_file(str(path), quiet=2)
        except OSError:
            pass


def font_cache() -> str:
    """This machine's matplotlib font list (built now if matplotlib has none yet), or ""."""
    try:
        import matplotlib
        import matplotlib.font_manager  # noqa: F401 - loads or builds the cache file
    except ImportError:
        return ""
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
    return str(found[-1]) if found else ""


def user_process_count(uid: int) -> int:
    """How many processes ``uid`` runs now (RLIMIT_NPROC counts them all)."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


@dataclass
class Launch:
    """How to start the student's process: the command, its environment and its settings."""

    argv: list[str]
    env: dict[str, str] | None
    cwd: str | None
    pass_fds: tuple[int, ...]
    uses_bwrap: bool


def launch_spec(config: SandboxConfig, fd: int, info_fd: int, scratch: Path,
                seccomp_fd: int | None = None) -> Launch:
    """The command that starts :mod:`autograder.student_kernel` on socket ``fd``."""
    root = os.geteuid() == 0
    kernel_config = {"fd": fd, "memory_bytes": config.memory_bytes,
                     "file_bytes": config.file_bytes, "open_files": config.open_files,
                     "preload": config.preload}
    if root and not config.unsafe:
        kernel_config["uid"] = UID_BASE + os.getpid()
        kernel_config["max_processes"] = config.max_processes
    elif not root:
        kernel_config["max_processes"] = user_process_count(os.getuid()) + config.max_processes
    env = student_environment(config)
    if config.unsafe:
        # No isolation: the same process layout, in a private scratch directory.
        workdir = scratch / "work"
        workdir.mkdir(parents=True, exist_ok=True)
        for item in config.files:
            shutil.copy(item, workdir / Path(item).name)
        env.update(HOME=str(scratch), TMPDIR=str(scratch),
                   MPLCONFIGDIR=str(scratch / ".matplotlib"))
        argv = [sys.executable, "-I", "-B", str(AUTOGRADER / "student_kernel.py"),
                json.dumps(kernel_config)]
        return Launch(argv, env, str(workdir), (fd,), False)
    argv = [sys.executable, "-I", "-B", f"{AGENT_DIR}/student_kernel.py", json.dumps(kernel_config)]
    fds = (fd, info_fd) + ((seccomp_fd,) if seccomp_fd is not None else ())
    return Launch(bwrap_command(config, argv, env, info_fd, seccomp_fd), None, None, fds, True)


__all__ = ["Launch", "NO_SANDBOX_HELP", "SandboxConfig", "bwrap_command", "course_view",
           "launch_spec", "problem", "student_environment"]
