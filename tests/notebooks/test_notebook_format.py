"""Static checks of every notebook source: nbgrader metadata, points, no outputs, seeding."""

from __future__ import annotations

import re

import pytest

from nbhelpers import NOTEBOOKS, ids, nbgrader_meta, read

TOTAL_RE = re.compile(r"total[^0-9\n]{0,20}(\d+(?:\.\d+)?)\s*points", re.IGNORECASE)
SEED_RE = re.compile(r"default_rng\(\s*\d+|random\.seed\(\s*\d+|manual_seed\(\s*\d+")


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN-*.ipynb found"


@pytest.fixture(params=NOTEBOOKS, ids=ids(NOTEBOOKS))
def nb(request):
    return read(request.param)


def test_kernel_is_python3(nb):
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_no_outputs_committed(nb):
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"cells {dirty} have outputs; clear them before committing"


def test_grade_ids_unique(nb):
    grade_ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), "duplicate nbgrader grade_id"


def test_graded_cells_have_points_and_hidden_tests(nb):
    graded = [c for c in nb.cells if nbgrader_meta(c).get("grade")]
    assert graded, "no graded cells"
    for cell in graded:
        meta = nbgrader_meta(cell)
        assert meta.get("points", 0) > 0, f"{meta['grade_id']}: graded cell without points"
        if cell.cell_type == "code" and not meta.get("solution"):
            assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source, \
                f"{meta['grade_id']}: test cell without hidden tests"


def test_solution_cells_have_regions(nb):
    solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
    assert solutions, "no solution cells"
    for cell in solutions:
        assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION") >= 1, \
            f"{nbgrader_meta(cell)['grade_id']}: unbalanced solution region"


def test_total_points_stated_at_the_top(nb):
    total = sum(nbgrader_meta(c).get("points", 0) for c in nb.cells if nbgrader_meta(c).get("grade"))
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    match = TOTAL_RE.search(first_md.source)
    assert match, "the first markdown cell must state the total, e.g. '**Total: 15 points.**'"
    assert float(match.group(1)) == total, f"top says {match.group(1)} points, cells sum to {total}"


def test_seeded(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert SEED_RE.search(code), "seed the random generator (np.random.default_rng(0) or similar)"


EXERCISE_RE = re.compile(r"Exercise\s+(\S+)\s*\((\d+(?:\.\d+)?)\s*points?\)", re.IGNORECASE)


def test_exercise_headings_match_points(nb):
    """'Exercise 3 (2 points)' = the points of its graded cells (up to the next exercise or
    the next '## ' section, whichever comes first)."""
    sections: list[list] = []  # [label, stated points, graded points]
    current = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if re.search(r"^## ", cell.source, re.MULTILINE):
                current = None
            for label, points in EXERCISE_RE.findall(cell.source):
                current = [label, float(points), 0.0]
                sections.append(current)
        if nbgrader_meta(cell).get("grade") and current is not None:
            current[2] += nbgrader_meta(cell).get("points", 0)
    wrong = [f"Exercise {label}: heading says {stated:g}, graded cells give {graded:g}"
             for label, stated, graded in sections if stated != graded]
    assert not wrong, "; ".join(wrong)


# What students read and run must not show this repository's test set-up: the data kept beside
# the repository for the tests, the machines' paths, the CI.
WORKPLACE_RE = re.compile(r"\.\./shared|shared/data|/work/|/home/|/root/|\bCI\b|continuous integration")


def test_no_workplace_paths_in_front_of_students(nb):
    found = [(i, m.group(0)) for i, c in enumerate(nb.cells) for m in WORKPLACE_RE.finditer(c.source)]
    assert not found, f"cells mention the test set-up (cell, text): {found}"


def test_readme_notebook_table_matches_the_notebooks():
    """README's table lists every notebook once, with the points its graded cells add up to."""
    from nbhelpers import REPO
    rows = re.findall(r"^\| `(\d\d-[a-z0-9-]+)` \|.*\| (\d+(?:\.\d+)?) \|$",
                      (REPO / "README.md").read_text(), re.MULTILINE)
    table = {stem: float(points) for stem, points in rows}
    assert sorted(table) == sorted(p.stem for p in NOTEBOOKS), table
    for path in NOTEBOOKS:
        nb = read(path)
        total = sum(nbgrader_meta(c).get("points", 0) for c in nb.cells if nbgrader_meta(c).get("grade"))
        assert table[path.stem] == total, f"README says {table[path.stem]} points for {path.stem}, its cells {total}"
