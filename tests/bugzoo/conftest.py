"""A warm grading kernel per notebook, shared by that notebook's bug-zoo entries."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # zoo.py, whatever pytest's import mode

from zoo import WarmKernel  # noqa: E402


@pytest.fixture(scope="session")
def warm_kernels():
    kernels: dict[str, WarmKernel] = {}

    def get(stem: str) -> WarmKernel:
        if stem not in kernels:
            for other in list(kernels):  # entries come grouped by notebook: one kernel at a time
                kernels.pop(other).close()
            kernels[stem] = WarmKernel()
        return kernels[stem]

    yield get
    for kernel in kernels.values():
        kernel.close()
