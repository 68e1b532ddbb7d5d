"""Each typical wrong answer in the zoo is caught by a graded test, with its specific hint."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from zoo import NOTEBOOK_DIR, insert_bug, load_entries  # noqa: E402

ENTRIES = load_entries()
pytestmark = pytest.mark.slow


def test_zoo_entries_are_unique():
    keys = [(stem, bug.id) for stem, bug in ENTRIES]
    assert len(keys) == len(set(keys)), "duplicate bug ids"
    assert len(ENTRIES) >= 15, f"the issue asks for at least 15 bugs, the zoo has {len(ENTRIES)}"


@pytest.mark.parametrize("stem, bug", ENTRIES, ids=[f"{s[:2]}-{b.id}" for s, b in ENTRIES])
def test_bug_is_caught_with_hint(stem, bug, warm_kernels):
    source = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    buggy = insert_bug(source, bug)
    found, failures = warm_kernels(stem).grade_until_hint(buggy, bug.hint)
    assert failures, f"no graded test fails with the bug {bug.id!r} inserted"
    assert found, (f"graded tests fail, but none says {bug.hint!r}:\n" +
                   "\n---\n".join(f"[{f.grade_id}] {f.message}" for f in failures))
