"""The feedback HTML a student gets back typesets its formulas with no network at all.

A one-notebook course with formulas in its Markdown goes through the autograder's real path:
``release``, ``collect``, ``grade`` (sandboxed kernel), ``feedback`` (nbgrader's
``generate_feedback`` with the course's configuration) and ``report``'s zip for the student.
Chromium then opens the HTML from the unpacked zip, and from the course's feedback folder, over
``file://`` with every other request aborted, and the formulas must come out typeset.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ASSIGNMENT = "01-formulas"
STUDENT = "alice"
# Three ways to write a formula in a Markdown cell. In Markdown `\(` is an escaped parenthesis
# (nbconvert renders `\(a\)` as "(a)"), so there LaTeX's inline delimiter is written `\\(`.
MARKDOWN = (
    "Inline $x^2$ and the gradient\n\n"
    "$$\\frac{\\partial L}{\\partial w}$$\n\n"
    "and the other inline form \\\\(a\\\\).\n"
)
# Raw HTML in Markdown is left alone, so MathJax itself has to know LaTeX's delimiters.
RAW_HTML = "<div>Delimiters in HTML: \\(b\\) and \\[c\\]</div>"
FORMULAS, DISPLAYED = 5, 2
TEX = ("$", "\\frac", "\\partial", "\\(", "\\)", "\\[", "\\]")  # left by untypeset formulas


def source_notebook() -> nbformat.NotebookNode:
    """An instructor notebook as the course's are (every cell has nbgrader metadata): the
    formulas, one answer cell and its test."""

    def nbgrader(grade_id: str, **flags: object) -> dict:
        meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
                "solution": False, "task": False, **flags}
        return {"nbgrader": meta}

    nb = new_notebook(cells=[
        new_markdown_cell(MARKDOWN, metadata=nbgrader("formulas", locked=True)),
        new_markdown_cell(RAW_HTML, metadata=nbgrader("delimiters", locked=True)),
        new_code_cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION", metadata=nbgrader("square", solution=True)),
        new_code_cell("assert square(3) == 9",
                      metadata=nbgrader("test_square", grade=True, locked=True, points=1)),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["autograder"] = {"course_modules": []}  # the answer needs nothing of `course`
    return nb


@pytest.fixture(scope="module")
def feedback_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The student's feedback folder in the course and its zip unpacked elsewhere."""
    from autograder.cli import feedback
    from autograder.collect import collect
    from autograder.course import Course
    from autograder.examples import complete
    from autograder.grading import grade
    from autograder.release import release
    from autograder.report import report

    base = tmp_path_factory.mktemp("feedback-mathjax")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    nbformat.write(source_notebook(), notebooks / f"{ASSIGNMENT}.ipynb")
    course = Course(root=base / "course", notebooks=notebooks, timeout=30)
    release(course, [ASSIGNMENT])
    source = nbformat.read(course.root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    released = nbformat.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    downloads = base / "downloads"
    downloads.mkdir()
    nbformat.write(complete(source, released), downloads / f"{STUDENT}_{ASSIGNMENT}.ipynb")
    collect(course, downloads)
    results = grade(course, jobs=1, progress=False)
    assert [r.reasons for r in results] == [[]], "the submission should grade cleanly"
    feedback(course)
    paths = report(course, base / "reports", nbgrader_export=False)
    bundle = paths["feedback bundles"] / f"{STUDENT}.zip"
    unpacked = base / "unpacked"
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        zf.extractall(unpacked)
    return {"zip": unpacked / ASSIGNMENT / f"{ASSIGNMENT}.html",
            "course": course.root / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.html",
            "names": names, "bundle": bundle}


def render_offline(browser, html: Path, screenshot: Path) -> dict:
    """Open ``html`` over file:// with all other requests aborted; what MathJax made of it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    blocked: list[str] = []
    failed: list[str] = []
    errors: list[str] = []

    def offline(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        page.goto(html.as_uri(), wait_until="load")
        typeset = page.evaluate("""async () => {
            if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
            await MathJax.startup.promise;
            return true;
        }""")
        page.screenshot(path=str(screenshot), full_page=True)
        return {
            "typeset": typeset,
            "containers": page.locator("mjx-container").count(),
            "display": page.locator('mjx-container[display="true"]').count(),
            "svg": page.locator("mjx-container > svg").count(),
            "errors_in_math": page.locator("mjx-merror").count(),
            "text": "\n".join(page.locator(".text_cell_render").all_inner_texts()),
            "scripts": page.eval_on_selector_all(
                "script[src]", "els => els.map(e => e.getAttribute('src'))"),
            "blocked": blocked, "failed": [u for u in failed if u not in blocked],
            "page_errors": errors,
        }
    finally:
        context.close()


@pytest.mark.parametrize("where", ["zip", "course"])
def test_feedback_typesets_formulas_offline(browser, artifacts, feedback_files, where):
    """Unpacked from the student's zip and in the course's feedback folder alike."""
    seen = render_offline(browser, feedback_files[where], artifacts / f"feedback-mathjax-{where}.png")
    assert seen["typeset"], (
        f"MathJax never started: scripts {seen['scripts']}, blocked {seen['blocked']}, "
        f"failed {seen['failed']}, text {seen['text']!r}")
    assert seen["containers"] == seen["svg"] == FORMULAS, seen
    assert seen["display"] == DISPLAYED, seen
    assert seen["errors_in_math"] == 0, seen
    left = [t for t in TEX if t in seen["text"]]
    assert not left, f"formula source left in the page's text: {left}: {seen['text']!r}"
    assert all(words in seen["text"] for words in ("Inline", "other inline form", "Delimiters")), \
        seen["text"]
    # Nothing from the network and nothing missing: MathJax is one local file beside the page.
    assert seen["blocked"] == [] and seen["failed"] == [] and seen["page_errors"] == [], seen
    assert all("://" not in src and not src.startswith("/") for src in seen["scripts"]), seen


def test_zip_holds_one_copy_of_mathjax(feedback_files):
    names = feedback_files["names"]
    scripts = [n for n in names if n.endswith(".js")]
    assert scripts == ["mathjax/tex-svg-full.js"], names
    assert f"{ASSIGNMENT}/{ASSIGNMENT}.html" in names
    assert feedback_files["bundle"].stat().st_size < 1_500_000  # MathJax deflated is about 0.6 MB
