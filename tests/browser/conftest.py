"""A JupyterLab server started as Binder starts it, and Debian's Chromium driven by Playwright.

The server runs on a free 127.0.0.1 port with a random token, in the student repository that
``course-grader publish`` writes (what Binder launches), plus the instructor notebooks in
``instructor/`` for the tests that run complete notebooks, with its own ``JUPYTER_CONFIG_DIR``
configured by ``binder/student-extensions user`` so the student-facing nbgrader setup is the one
under test and the virtualenv is left untouched.
Screenshots go to ``artifacts/browser/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_server import (
    ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, SERVER_START_TIMEOUT_S, LabServer, finish_helper,
    first_notebook, free_port, start_helper, tool_env,
)  # fmt: skip


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package to run browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def student_assignment() -> str:
    """The first notebook: the one the Binder badge opens."""
    return first_notebook("01-*.ipynb")


@pytest.fixture(scope="session")
def lab(
    chromium_path: Path, tmp_path_factory: pytest.TempPathFactory, student_assignment: str
) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("binder")
    root = base / "course"
    config_dir = base / "jupyter-config"
    env = tool_env(config_dir)
    # In parallel (each costs tens of seconds on a busy machine): the student repository (nbgrader
    # generate_assignment inside `publish`) and the student Jupyter configuration.
    build = start_helper([sys.executable, "-m", "autograder", "publish", root, student_assignment,
                          "--course-dir", base / "instructor-course"], env)
    finish_helper(start_helper([ROOT / "binder" / "student-extensions", "user"], env))
    finish_helper(build)
    shutil.copytree(ROOT / "notebooks", root / "instructor", ignore=shutil.ignore_patterns("_*"))

    token = secrets.token_hex(24)
    port = free_port()
    log = base / "jupyter-lab.log"
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
                *(["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
            ],
            cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    server_info = LabServer(url=url, token=token, root=root, log=log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited with {server.returncode}:\n{log.read_text()}")
            try:
                server_info.api("GET", "api/status", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in time:\n{log.read_text()}")
                time.sleep(0.5)
        yield server_info
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, lab: LabServer, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser tab, 1400x900, that fails the test on uncaught page errors.

    Its final state is saved as ``artifacts/browser/<test>-end.png`` (what a failure looked like).
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        page.screenshot(path=str(artifacts / f"{request.node.name}-end.png"))
        for text in page.locator(".jp-Dialog").all_inner_texts():
            print(f"JupyterLab dialog open at the end of the test:\n{text}")  # shown on failure
        context.close()
    assert not errors, f"JavaScript errors in JupyterLab: {errors}"
