"""Shared helpers of the data tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import hashlib
from pathlib import Path

# CI runs in a fresh clone with shared/ beside it: <repo>/../shared/data/mnist.
SHARED_MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()
