"""What a student sees on Binder, checked in a real browser (Chromium via Playwright).

Each test opens a notebook in JupyterLab as served by the ``lab`` fixture (see conftest.py) and
leaves a screenshot in ``artifacts/browser/``.
"""

from __future__ import annotations

import json
import re
import urllib.error
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from lab_server import LabServer, first_notebook

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

STDERR_MIME = "application/vnd.jupyter.stderr"
# The notebook in front; JupyterLab keeps other panels in the DOM, hidden.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
RUN_ALL_TIMEOUT_MS = 120_000


def open_notebook(page, lab: LabServer, path: str) -> None:
    """Open ``path`` in JupyterLab and wait until its kernel is idle."""
    page.goto(lab.lab_url(path))
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell")
    page.wait_for_selector(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]')


def wait_until_idle(page, timeout: float) -> None:
    """Wait until some cell has run, none is queued or running, and the kernel is idle."""
    page.wait_for_function(
        """(panel) => {
            const prompts = [...document.querySelectorAll(panel + ' .jp-InputPrompt')];
            const indicator = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator');
            return prompts.some(p => /\\[\\d+\\]/.test(p.textContent))
                && prompts.every(p => !p.textContent.includes('*'))
                && indicator && indicator.dataset.status === 'idle';
        }""",
        arg=PANEL,
        timeout=timeout,
    )


def run_all_cells(page, attempts: int = 3) -> None:
    """Run > Run All Cells, until the kernel visibly takes the cells.

    Right after a notebook opens, JupyterLab may still be swapping the session's kernel
    connection even though the indicator says idle; a Run All sent then is dropped silently.
    """
    started = """(panel) => [...document.querySelectorAll(panel + ' .jp-InputPrompt')]
        .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
    for attempt in range(attempts):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(started, arg=PANEL, timeout=20_000)
            return
        except PlaywrightTimeout:
            dialogs = page.locator(".jp-Dialog").all_inner_texts()
            if dialogs and all("Select Kernel" in text for text in dialogs):
                # No kernel attached yet: accept the proposed default (python3), as a student would.
                page.locator(".jp-Dialog .jp-mod-accept").first.click()
                continue
            if attempt == attempts - 1 or dialogs:
                pytest.fail(f"Run All Cells did not start any cell; dialogs shown: {dialogs}")


def save(page, lab: LabServer, path: str) -> nbformat.NotebookNode:
    """Save the notebook from the browser and read back what JupyterLab wrote to disk."""
    target = lab.root / path
    before = target.stat().st_mtime_ns
    page.locator(f"{PANEL} .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')"
    )
    for _ in range(50):
        if target.stat().st_mtime_ns != before:
            break
        page.wait_for_timeout(100)
    return nbformat.read(target, as_version=4)


def test_source_notebook_runs_all_cells_without_errors(page, lab: LabServer, artifacts: Path):
    path = f"instructor/{first_notebook('01-*.ipynb')}.ipynb"
    open_notebook(page, lab, path)

    run_all_cells(page)
    wait_until_idle(page, RUN_ALL_TIMEOUT_MS)
    page.screenshot(path=str(artifacts / "source-notebook-run-all.png"), full_page=True)

    shown_errors = page.locator(f'{PANEL} [data-mime-type="{STDERR_MIME}"]')
    assert shown_errors.count() == 0, (
        f"{path} shows error/stderr output in the browser:\n" + "\n---\n".join(shown_errors.all_inner_texts())
    )
    nb = save(page, lab, path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    not_run = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not not_run, f"Run All did not reach code cells {not_run} of {path}"
    bad = [
        (i, o.get("ename") or o.get("name"))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    assert not bad, f"{path}: cells with error/stderr outputs (cell index, kind): {bad}"
    assert any(o.output_type in ("display_data", "execute_result") for c in code for o in c.outputs)


def playground_notebook() -> tuple[str, str]:
    """(path, the line that uses course.widgets) of the cell that shows the ipywidgets playground."""
    for path in sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "course.widgets" in cell.source:
                line = next(ln for ln in cell.source.splitlines() if "course.widgets" in ln)
                return f"instructor/{path.name}", line.strip()
    pytest.fail("no notebook has a code cell using course.widgets (the playground)")


def test_playground_widget_renders_and_slider_redraws_plot(page, lab: LabServer, artifacts: Path):
    path, widget_line = playground_notebook()
    open_notebook(page, lab, path)
    # Top to bottom, as a student gets there: the playground cell uses the notebook's set-up.
    run_all_cells(page)
    wait_until_idle(page, RUN_ALL_TIMEOUT_MS)
    cell = page.locator(f"{PANEL} .jp-CodeCell", has_text=widget_line).first
    cell.scroll_into_view_if_needed()

    output = cell.locator(".jp-OutputArea")
    slider = output.locator(".widget-slider .noUi-handle, .widget-slider input[type=range]").first
    slider.wait_for(timeout=90_000)
    image = output.locator("img").first
    image.wait_for(timeout=90_000)
    wait_until_idle(page, 90_000)
    output.screenshot(path=str(artifacts / "playground-before.png"))
    before = image.get_attribute("src")

    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """([panel, cellText, before]) => {
            const cells = [...document.querySelectorAll(panel + ' .jp-CodeCell')];
            const cell = cells.find(c => c.textContent.includes(cellText));
            const img = cell && cell.querySelector('.jp-OutputArea img');
            return img && img.getAttribute('src') !== before;
        }""",
        arg=[PANEL, widget_line, before],
        timeout=90_000,
    )
    wait_until_idle(page, 90_000)
    output.screenshot(path=str(artifacts / "playground-after-slider.png"))
    errors = output.locator(f'[data-mime-type="{STDERR_MIME}"]')
    assert errors.count() == 0, "\n".join(errors.all_inner_texts())


def test_student_notebook_validate_reports_failing_tests(
    page, lab: LabServer, artifacts: Path, student_assignment: str
):
    path = f"notebooks/{student_assignment}.ipynb"
    assert (lab.root / path).exists(), f"course-grader publish did not write {path}"
    open_notebook(page, lab, path)
    # The student setup (binder/student-extensions) keeps Validate and hides instructor tools.
    assert page.locator("text=Create Assignment").count() == 0
    assert page.get_by_role("menuitem", name="Nbgrader", exact=True).count() == 0
    with pytest.raises(urllib.error.HTTPError, match="404"):
        lab.api("GET", "formgrader")

    page.locator(f"{PANEL} .jp-NotebookPanel-toolbar").get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=180_000)
    page.screenshot(path=str(artifacts / "student-validate.png"))
    text = dialog.inner_text()
    assert "Success! Your notebook passes all the tests." not in text
    failed = re.findall(r"The following cell failed:", text)
    assert failed, f"Validate did not list failing cells:\n{text[:3000]}"

    # The same answer from the server endpoint the button calls, as data.
    reply = json.loads(lab.api("POST", "assignments/validate", data=f"path={path}".encode()))
    assert reply["success"], reply
    assert len(reply["value"]["failed"]) == len(failed)
    assert all("Error" in f["error"] for f in reply["value"]["failed"])
