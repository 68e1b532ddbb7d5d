"""The student's side of grading: runs the student's cells and answers requests about them.

Started by the trusted grading kernel inside the sandbox (``autograder.sandbox``) as
``python -I student_kernel.py CONFIG_JSON``, with one inherited socket descriptor; only this file
and ``wire.py`` of the autograder are visible to it. Before it reads anything from the channel it
drops root (when the sandbox was started by root), sets its resource limits and takes the
working directory off ``sys.path``. Then it serves the trusted side until the channel closes:
``exec`` runs a cell in an IPython shell (magics, display, the inline matplotlib backend) and
returns its outputs; every other request is about the student's objects (``autograder.wire``).

Nothing here is trusted: the student's code runs in this process and may change any of it. That
is fine, because the trusted side decides scores only from what it checks itself.
"""
from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import signal
import sys

_CONFIG_KEYS = {"fd", "uid", "memory_bytes", "file_bytes", "max_processes", "open_files",
                "preload"}


def _harden(config: dict) -> None:
    """Drop root for a per-job uid and set resource limits (before any untrusted input)."""
    uid = config.get("uid")
    if os.getuid() == 0 and uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("autograder sandbox: could not drop root")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG again: setuid cleared it
    except (OSError, AttributeError):
        pass
    limits = [(resource.RLIMIT_CORE, 0)]
    if config.get("memory_bytes"):
        limits.append((resource.RLIMIT_AS, config["memory_bytes"]))
    if config.get("file_bytes"):
        limits.append((resource.RLIMIT_FSIZE, config["file_bytes"]))
    if config.get("max_processes"):
        limits.append((resource.RLIMIT_NPROC, config["max_processes"]))
    if config.get("open_files"):
        limits.append((resource.RLIMIT_NOFILE, config["open_files"]))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here, os.getcwd())]
    # The grading kernel ignores SIGINT outside cells (ipykernel does), and we inherit that;
    # interrupts on timeout must raise KeyboardInterrupt here.
    signal.signal(signal.SIGINT, signal.default_int_handler)


class _Outputs:
    """Outputs of the current request, in nbformat's shape, within a size budget."""

    TEXT_BUDGET = 1 << 20
    DISPLAY_BUDGET = 8 << 20

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.text = 0
        self.display = 0
        self.dropped = 0

    def stream(self, name: str, text: str) -> None:
        if self.text + len(text) > self.TEXT_BUDGET:
            self.dropped += len(text)
            return
        self.text += len(text)
        if self.items and self.items[-1].get("output_type") == "stream" \
                and self.items[-1]["name"] == name:
            self.items[-1]["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, kind: str, data: dict, **extra: object) -> None:
        bundle = {k: v for k, v in data.items()
                  if k in ("text/plain", "image/png", "image/jpeg") and isinstance(v, str)}
        size = sum(len(v) for v in bundle.values())
        if not bundle or self.display + size > self.DISPLAY_BUDGET:
            self.dropped += size
            return
        self.display += size
        self.items.append({"output_type": kind, "data": bundle, "metadata": {}, **extra})

    def take(self) -> list[dict]:
        items, self.items = self.items, []
        if self.dropped:
            items.append({"output_type": "stream", "name": "stdout",
                          "text": f"\n[output truncated: {self.dropped} characters dropped]\n"})
        self.text = self.display = self.dropped = 0
        return items


class _Stream:
    """A text stream that records into the current outputs (replaces sys.stdout/stderr)."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self._outputs = outputs
        self.name = name

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        self._outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _make_shell(outputs: _Outputs):
    """An IPython shell whose display, results and tracebacks go into ``outputs``."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                    **kwargs):
            outputs.rich("display_data", data)

        def clear_output(self, wait=False):
            pass

    class ResultHook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            outputs.rich("execute_result", format_dict, execution_count=None)

        def finish_displayhook(self):
            pass

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.autocall = 0
    shell = InteractiveShell.instance(config=config)
    shell.display_pub = Publisher(shell=shell, parent=shell)
    shell.displayhook = ResultHook(shell=shell, cache_size=0, parent=shell)
    shell.display_trap.hook = shell.displayhook

    def show_traceback(etype, evalue, stb):
        outputs.items.append({"output_type": "error", "ename": getattr(etype, "__name__", "Error"),
                              "evalue": str(evalue)[:20000], "traceback": list(stb)[-200:]})

    shell._showtraceback = show_traceback
    # Grading runs matplotlib with the Agg backend: plt.show() shows nothing, and says so.
    import warnings

    warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
    return shell


def main(argv: list[str]) -> None:
    config = json.loads(argv[1])
    if set(config) - _CONFIG_KEYS:
        raise SystemExit(f"unknown configuration keys {sorted(set(config) - _CONFIG_KEYS)}")
    _harden(config)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wire  # the autograder's channel module, bound next to this file
    try:
        import feedback  # course.feedback, bound next to this file in the sandbox
    except ImportError:
        feedback = None
    sys.path.pop(0)  # before importing course: this folder holds the autograder's course.py
    if feedback is None:
        from course import feedback  # unsandboxed: the course package itself

    outputs = _Outputs()
    sys.stdout = _Stream(outputs, "stdout")
    sys.stderr = _Stream(outputs, "stderr")
    shell = _make_shell(outputs)
    # Modules nearly every notebook imports first, loaded while the grading kernel starts too.
    for name in config.get("preload", []):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook's own import will report it
            pass
    outputs.take()

    def run(source: str, cell: int) -> dict:
        outputs.take()
        result = shell.run_cell(source, store_history=True, cell_id=f"cell-{cell}")
        return {"ok": bool(result.success)}

    import numpy as np

    class StudentPeer(wire.Peer):
        def describe_error(self, exc: BaseException) -> dict:
            # The operands of a failed matrix product, read here where the frame is: the
            # grader's hint says which transpose (if any) makes the sizes fit.
            err = super().describe_error(exc)
            try:
                operands = feedback.matmul_operands(exc) if isinstance(exc, ValueError) else ""
            except Exception:  # noqa: BLE001 - a description must never fail the reply
                operands = ""
            if operands:
                err["msg"] = f"{err['msg']} {operands}"[:20000]
            return err

        def reply_extra(self) -> dict:
            items = outputs.take()
            return {"out": items} if items else {}

        def serving(self, verb: str):
            # What a test asks of the student's code runs with floating-point overflow, invalid
            # values and division by zero as errors (course.feedback.STRICT, as in the
            # student's own notebook): a formula that overflows is wrong even when its rounded
            # result looks right. Cells run as usual.
            if verb in ("exec", "ping", "globals"):
                return super().serving(verb)
            return np.errstate(**feedback.STRICT)

    peer = StudentPeer(wire.from_fd(config["fd"]), wire.OPEN, namespace=shell.user_ns,
                       executor=run)
    # Start-up errors went to the grading kernel's log pipe; from here on nothing of this
    # process reaches any pipe: descriptor 2 becomes /dev/null like 0 and 1.
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    while True:
        try:
            peer.serve_forever()
            return
        except wire.ChannelError:
            return
        except KeyboardInterrupt:  # landed between requests: keep serving
            continue


if __name__ == "__main__":
    main(sys.argv)
