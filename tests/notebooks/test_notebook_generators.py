"""The generator scripts in notebooks/_build/ reproduce the committed notebooks exactly.

The committed .ipynb files are the sources; a generator that drifted from its notebook would
silently undo edits the next time someone runs it.
"""

from __future__ import annotations

import importlib.util
import sys

import nbformat
import pytest

from nbhelpers import NOTEBOOK_DIR

BUILD = NOTEBOOK_DIR / "_build"
GENERATORS = sorted(BUILD.glob("nb[0-9][0-9].py"))


def _load(path):
    sys.path.insert(0, str(BUILD))  # the generators import nbtools
    try:
        spec = importlib.util.spec_from_file_location(f"nbgen_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # builds `nb`; writing happens only under __main__
    finally:
        sys.path.remove(str(BUILD))
    return module.nb


def _essence(nb):
    return [(c.cell_type, c.get("id"), c.source, dict(c.metadata)) for c in nb.cells], dict(nb.metadata)


@pytest.mark.parametrize("generator", GENERATORS, ids=[g.stem for g in GENERATORS])
def test_generator_matches_committed_notebook(generator):
    built = _load(generator)
    path = NOTEBOOK_DIR / f"{built.slug}.ipynb"
    assert path.exists(), f"{generator.name} builds {path.name}, which is not committed"
    committed = nbformat.read(path, as_version=4)
    assert _essence(built.build()) == _essence(committed), (
        f"{path.name} differs from what {generator.name} generates: edit the generator and re-run "
        f"`python notebooks/_build/{generator.name}` (or edit both)")
