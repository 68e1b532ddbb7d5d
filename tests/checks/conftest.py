"""Start the checks' tests with no garbage left by earlier test folders.

Earlier folders (tests/autograder) drive kernels in this process; their zmq and socket objects
are freed whenever the garbage collector next runs. If that happens inside a hypothesis test
here, their ResourceWarnings are reported as that test's errors. Collect them first, where they
belong to nobody.
"""
from __future__ import annotations

import gc
import warnings

import pytest


@pytest.fixture(autouse=True, scope="package")
def _collect_earlier_garbage():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    yield
