"""Fixtures for the notebook tests (the helpers live in nbhelpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # nbhelpers, whatever pytest's import mode

from nbhelpers import Course  # noqa: E402


@pytest.fixture(scope="session")
def nbgrader_course(tmp_path_factory) -> Course:
    return Course(tmp_path_factory.mktemp("nbgrader-course"))
