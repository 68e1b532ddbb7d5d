"""Helpers for the browser tests: the running JupyterLab, ports, helper processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 90


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it is, how to get in, and the directory it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def lab_url(self, path: str) -> str:
        """URL that opens ``path`` (relative to the served directory) alone in JupyterLab."""
        # reset: start from an empty workspace instead of restoring the previous test's tabs.
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, method: str, path: str, data: bytes | None = None, timeout: float = 120) -> bytes:
        """Call the server's REST API with the token (e.g. nbgrader's validate endpoint)."""
        request = urllib.request.Request(
            f"{self.url}/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_notebook(pattern: str) -> str:
    """Name (without .ipynb) of the first instructor notebook matching ``pattern``."""
    found = sorted((ROOT / "notebooks").glob(pattern))
    if not found:
        pytest.fail(f"no notebook matching notebooks/{pattern}")
    return found[0].stem


def tool_env(config_dir: Path) -> dict[str, str]:
    """Environment for the server and the helper scripts: this interpreter's tools first."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    # A student's kernel plots inline and runs notebooks in full.
    for name in ("MPLBACKEND", "NBGRADER_EXECUTION"):
        env.pop(name, None)
    return env


def start_helper(command: list[object], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(part) for part in command], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def finish_helper(process: subprocess.Popen, timeout: float = 300) -> None:
    output, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        pytest.fail(f"{' '.join(process.args)} failed ({process.returncode}):\n{output}")


