"""The mutation catalogue: realistic wrong student answers, one whole answer cell each.

Every ``tests/mutants/nbNN.py`` defines ``NOTEBOOK`` (the notebook stem, e.g. ``"01-derivatives"``)
and ``WRONG``, a list of :class:`Wrong`. See README.md in this folder.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Wrong:
    id: str        # unique within the notebook
    cell: str      # grade_id of the answer (solution) cell it replaces
    answer: str    # the whole cell as a student would hand it in (no solution markers)
    hint: str      # a short substring the failing test's message must contain to name this mistake
    mistake: str   # one line: what the student did wrong (for the report)


def load(stem: str | None = None, folder: Path | None = None) -> list[tuple[str, Wrong]]:
    """[(notebook stem, Wrong), ...] from every nb[0-9]*.py in ``folder`` (default: next to this
    file), in file order.

    ``stem`` (e.g. ``"05-linear-models"``) keeps only that notebook's entries.
    """
    if str(HERE) not in sys.path:  # the entry files do `from catalogue import Wrong`
        sys.path.insert(0, str(HERE))
    entries = []
    for path in sorted(Path(folder or HERE).glob("nb[0-9]*.py")):
        spec = importlib.util.spec_from_file_location(f"mutants_{path.parent.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if stem is not None and module.NOTEBOOK != stem:
            continue
        entries.extend((module.NOTEBOOK, wrong) for wrong in module.WRONG)
    return entries
