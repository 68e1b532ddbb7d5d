"""Start grading kernels in a sandbox: resource limits, a scratch directory, and (as root) an
unprivileged user id and a private mount namespace that hides the instructor's files.

The grader's kernel manager runs ``python -m autograder.sandbox <config.json> -- <kernel argv>``;
this module applies the configuration and then ``exec``s the kernel, so the kernel keeps the pid
that jupyter_client watches (interrupts on cell timeout and kill on shutdown reach it).
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE, MS_RDONLY, MS_REMOUNT = 4096, 16384, 1 << 18, 1, 32
# Environment variables a kernel keeps; everything else (tokens, instructor paths) is dropped.
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "MPLBACKEND", "NBGRADER_EXECUTION", "PYTHONHASHSEED",
            "VIRTUAL_ENV", "JPY_PARENT_PID", "PYDEVD_DISABLE_FILE_VALIDATION",
            # The instructor's data choice for notebook 09: the kernel's HOME is its scratch
            # directory, so a download cache in the instructor's home is not where it looks.
            "COURSE_DATA_DIR", "COURSE_DATASET", "COURSE_MNIST_TEST_DIR")


@dataclass
class SandboxConfig:
    """What the launcher applies before the kernel starts (serialised as JSON)."""

    scratch: str
    uid: int | None = None  # switch to this uid/gid (root only)
    memory_bytes: int = 2 << 30  # RLIMIT_AS: a runaway allocation raises MemoryError
    file_bytes: int = 256 << 20  # RLIMIT_FSIZE
    max_processes: int = 64  # RLIMIT_NPROC (per uid, so unique uids keep jobs apart)
    hide: list[str] = field(default_factory=list)  # paths covered by an empty dir (root only)
    expose: dict[str, list[str]] = field(default_factory=dict)  # dir -> only visible subdirs

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))


def can_isolate() -> bool:
    """True when we may switch users and create mount namespaces (i.e. we run as root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def mount_namespaces_work() -> bool:
    """Whether this process may create a mount namespace (not in a container without
    CAP_SYS_ADMIN, for instance); tried in a child so that we stay in ours."""
    pid = os.fork()
    if pid == 0:
        ok = _libc().unshare(CLONE_NEWNS) == 0
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


NO_MOUNT_NAMESPACE = ("running as root but cannot create a mount namespace (in a container, add "
                      "--cap-add SYS_ADMIN, or grade as a non-root user)")


def isolation_impossible() -> bool:
    """Root, so kernels must be isolated, yet no mount namespace can be made: grading must not
    start (a kernel would see the hidden tests)."""
    return can_isolate() and not mount_namespaces_work()


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None,
           what: str) -> None:
    enc = (lambda v: None if v is None else os.fsencode(v))
    _check(_libc().mount(enc(src), enc(target), enc(fstype), flags, enc(data)), what)


def _expose_only(parent: str, keep: list[str]) -> None:
    """Cover ``parent`` with an empty tmpfs and bind back only the directories in ``keep``."""
    fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep if os.path.isdir(path)}
    mode = "1777" if parent in ("/tmp", "/var/tmp", "/dev/shm") else "755"
    _mount("tmpfs", parent, "tmpfs", 0, f"mode={mode},size=64m", f"tmpfs on {parent}")
    for path, fd in fds.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None, f"bind {path}")
        os.close(fd)


def closed_ancestor(path: str) -> str | None:
    """The topmost directory above ``path`` that other users cannot enter (e.g. /root)."""
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        ancestor = str(Path(*parts[:depth]))
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None


def isolate_mounts(expose: dict[str, list[str]], hide: list[str], scratch: str) -> None:
    """Give the kernel its own mount namespace with a reduced view of the file system.

    ``expose`` maps a directory to the only subdirectories the kernel may see in it (the course
    repository shows just the packages; /tmp just the scratch directory); each path in ``hide``
    is then covered by an empty read-only directory. If the Python installation sits below a
    directory other users cannot enter (pyenv in /root), that directory shows only the
    installation, so the unprivileged kernel can run Python but not read the rest of it.
    """
    _check(_libc().unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None, "make / private")
    views = dict(expose)
    base = os.path.realpath(sys.base_prefix)
    closed = closed_ancestor(base)
    if closed:
        views.setdefault(closed, []).append(base)
    for parent, keep in views.items():
        if os.path.isdir(parent):
            _expose_only(parent, keep)
    empty = os.path.join(scratch, "empty")
    for path in hide:
        if os.path.isdir(path):
            _mount(empty, path, None, MS_BIND, None, f"bind over {path}")
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None, f"read-only {path}")


def prepare_scratch(config: SandboxConfig) -> None:
    """Create the kernel's home and working directory, owned by the kernel user."""
    scratch = Path(config.scratch)
    (scratch / "home").mkdir(parents=True, exist_ok=True)
    (scratch / "empty").mkdir(exist_ok=True)
    if config.uid is not None:
        for path in (scratch, scratch / "home"):
            os.chown(path, config.uid, config.uid)
        os.chmod(scratch, 0o700)
        os.chmod(scratch / "empty", 0o555)


def kill_uid(uid: int) -> None:
    """Kill every process running as ``uid`` (what a kernel may have left behind)."""
    pid = os.fork()
    if pid == 0:  # child: become the uid, then signal everything it owns
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def launch(config: SandboxConfig, argv: list[str]) -> None:
    """Apply the sandbox and exec the kernel command ``argv`` (never returns)."""
    scratch = Path(config.scratch)
    argv = list(argv)
    owned = [scratch / "home"]
    # The connection file lives in the grader's runtime directory, which the kernel user cannot
    # read: give the kernel its own copy.
    if "-f" in argv:
        i = argv.index("-f") + 1
        copy = scratch / "home" / "kernel.json"
        shutil.copyfile(argv[i], copy)
        argv[i] = str(copy)
        owned.append(copy)
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV}
    env.update(HOME=str(scratch / "home"), USER="coursekernel", LOGNAME="coursekernel",
               MPLCONFIGDIR=str(scratch / "home" / ".mpl"),
               IPYTHONDIR=str(scratch / "home" / ".ipython"), TMPDIR=str(scratch / "home"),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1")
    if config.uid is not None:
        for path in owned:
            os.chown(path, config.uid, config.uid)
        isolate_mounts(config.expose, config.hide, str(scratch))
    for limit, value in ((resource.RLIMIT_AS, config.memory_bytes),
                         (resource.RLIMIT_FSIZE, config.file_bytes),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    if config.uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (config.max_processes, config.max_processes))
        os.setgroups([])
        os.setgid(config.uid)
        os.setuid(config.uid)
    os.chdir(scratch)
    os.execve(argv[0], argv, env)


class SandboxedKernelManager(AsyncKernelManager):
    """Kernel manager that starts the kernel through :func:`launch`.

    ``sandbox_file`` is set by the execute preprocessor before the kernel starts.
    """

    sandbox_file: str | None = None

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox_file:
            return cmd
        return [sys.executable, "-m", "autograder.sandbox", self.sandbox_file, "--", *cmd]


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m autograder.sandbox CONFIG -- KERNEL_ARGV...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[1] != "--":
        sys.exit("usage: python -m autograder.sandbox CONFIG.json -- KERNEL_COMMAND...")
    config = SandboxConfig(**json.loads(Path(args[0]).read_text()))
    launch(config, args[2:])


if __name__ == "__main__":
    main()
