"""The MNIST loader: IDX parsing, the search order, downloads from a local HTTP server (real
files), checksum and interruption handling, the missing-file error, and full Fashion-MNIST."""

from __future__ import annotations

import gzip
import socket
import time
from pathlib import Path

import numpy as np
import pytest

from course.data import mnist
from datahelpers import DEBIAN_FASHION, md5_of
from course.data import (ChecksumError, DatasetNotFoundError, IDXFormatError, load_idx,
                         load_mnist, load_mnist_split, parse_idx)

TEST_FILES = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def served_md5(directory: Path) -> dict[str, str]:
    """The checksums of the files a test serves (the shared split is re-compressed, so its MD5
    differs from the canonical one while the payload is the real data)."""
    return {p.name: md5_of(p) for p in directory.iterdir() if p.is_file()}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*")) if directory.exists() else []


def test_parse_idx_validates_magic_and_size():
    good = bytes([0, 0, 8, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(6))
    np.testing.assert_array_equal(parse_idx(good), np.arange(6, dtype=np.uint8).reshape(2, 3))
    with pytest.raises(IDXFormatError, match="two zero bytes"):
        parse_idx(b"\x1f\x8b" + good[2:])  # e.g. a gzip file read as raw IDX
    with pytest.raises(IDXFormatError, match="data type"):
        parse_idx(bytes([0, 0, 7, 2]) + good[4:])
    with pytest.raises(IDXFormatError, match="truncated"):
        parse_idx(good[:-1])
    with pytest.raises(IDXFormatError, match="header"):
        parse_idx(good[:6])


def test_load_real_test_split_from_data_dir(shared_mnist):
    X, y = load_mnist_split("digits", "test", data_dir=shared_mnist, download=False)
    assert X.shape == (10_000, 784) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() == 1.0
    assert y.dtype == np.int64 and np.array_equal(y[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    assert np.array_equal(np.bincount(y), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    images, _ = load_mnist_split("digits", "test", data_dir=shared_mnist, download=False,
                                 flatten=False, normalize=False)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(images.reshape(10_000, -1).astype(np.float32) / np.float32(255), X)


def test_download_over_http_with_checksums(shared_mnist, serve, tmp_path):
    url = serve(shared_mnist)
    target = tmp_path / "data"
    X, y = load_mnist_split("digits", "test", data_dir=target, mirrors=[url],
                            md5=served_md5(shared_mnist), progress=False)
    assert X.shape == (10_000, 784) and len(y) == 10_000
    assert leftovers(target) == TEST_FILES  # exactly the two files, no temporary left
    for name in TEST_FILES:
        assert md5_of(target / name) == md5_of(shared_mnist / name)
    # Second call: found on disk, the server is not needed any more.
    X2, _ = load_mnist_split("digits", "test", data_dir=target, mirrors=["http://127.0.0.1:9/"],
                             download=True, progress=False)
    np.testing.assert_array_equal(X, X2)


def test_download_into_cache_dir_with_env_mirrors(shared_mnist, serve, isolated_cache, monkeypatch):
    monkeypatch.setenv("COURSE_MNIST_MIRRORS", serve(shared_mnist))
    X, _ = load_mnist_split("digits", "test", md5=served_md5(shared_mnist), progress=True)
    assert len(X) == 10_000
    assert leftovers(isolated_cache / "digits") == TEST_FILES


def test_canonical_md5_rejects_other_bytes_and_leaves_nothing(shared_mnist, serve, tmp_path):
    # The default table holds the canonical MD5s; the re-compressed shared files do not match.
    assert served_md5(shared_mnist)[TEST_FILES[0]] != mnist.MD5["digits"][TEST_FILES[0]]
    target = tmp_path / "data"
    with pytest.raises(ChecksumError, match="MD5"):
        load_mnist_split("digits", "test", data_dir=target, mirrors=[serve(shared_mnist)],
                         progress=False)
    assert leftovers(target) == []


def test_bad_mirror_then_good_mirror(shared_mnist, serve, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    target = tmp_path / "data"
    X, _ = load_mnist_split("digits", "test", data_dir=target,
                            mirrors=[serve(empty), serve(shared_mnist)],
                            md5=served_md5(shared_mnist), progress=False)
    assert len(X) == 10_000 and leftovers(target) == TEST_FILES


def test_interrupted_transfer_leaves_no_partial_file(shared_mnist, serve, tmp_path):
    target = tmp_path / "data"
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist_split("digits", "test", data_dir=target, mirrors=[serve(shared_mnist, truncate=True)],
                         md5=served_md5(shared_mnist), progress=False)
    assert "Download failed" in str(info.value)
    assert leftovers(target) == []


def test_missing_files_error_is_fast_and_complete(tmp_path, isolated_cache):
    start = time.perf_counter()
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist("digits", data_dir=tmp_path / "nowhere", download=False)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    for name in mnist.FILES["train"] + mnist.FILES["test"]:
        assert name in message
    assert str(tmp_path / "nowhere") in message and str(isolated_cache / "digits") in message
    assert "download=False" in message


def test_offline_download_fails_fast_without_leftovers(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: connection refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    target = tmp_path / "data"
    start = time.perf_counter()
    with pytest.raises(DatasetNotFoundError, match="Download failed"):
        load_mnist("digits", data_dir=target, mirrors=f"http://127.0.0.1:{port}/", progress=False)
    assert time.perf_counter() - start < 5.0
    assert leftovers(target) == []


def test_corrupt_local_file_is_reported(tmp_path, shared_mnist):
    (tmp_path / TEST_FILES[1]).write_bytes((shared_mnist / TEST_FILES[1]).read_bytes())
    with gzip.open(shared_mnist / TEST_FILES[0]) as f:
        raw = f.read()
    with gzip.open(tmp_path / TEST_FILES[0], "wb", compresslevel=1) as f:
        f.write(raw[:-100])
    with pytest.raises(IDXFormatError, match="truncated"):
        load_mnist_split("digits", "test", data_dir=tmp_path, download=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="variant"):
        load_mnist("kmnist", download=False)
    with pytest.raises(ValueError, match="split"):
        load_mnist_split("digits", "validation", download=False)


def test_full_fashion_mnist_from_debian():
    if not (DEBIAN_FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"{DEBIAN_FASHION} is absent: install Debian's dataset-fashion-mnist")
    X_train, y_train, X_val, y_val, X_test, y_test = load_mnist("fashion", download=False)
    assert X_train.shape == (50_000, 784) and X_val.shape == (10_000, 784)
    assert X_test.shape == (10_000, 784) and X_train.dtype == np.float32
    assert np.array_equal(np.bincount(np.r_[y_train, y_val], minlength=10), [6000] * 10)
    assert np.array_equal(np.bincount(y_test, minlength=10), [1000] * 10)
    # The validation set is the *last* 10,000 training images, in file order.
    raw = load_idx(DEBIAN_FASHION / "train-labels-idx1-ubyte.gz")
    assert np.array_equal(y_val, raw[50_000:]) and np.array_equal(y_train, raw[:50_000])
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0


def test_full_load_mnist_downloads_all_four_files(serve, tmp_path, monkeypatch):
    """load_mnist end to end over HTTP: the 60k + 10k Debian Fashion-MNIST files served locally,
    with the system directory hidden so that the download path is taken."""
    if not (DEBIAN_FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"{DEBIAN_FASHION} is absent: install Debian's dataset-fashion-mnist")
    monkeypatch.setitem(mnist.SYSTEM_DIRS, "fashion", [])
    target = tmp_path / "fashion"
    arrays = load_mnist("fashion", data_dir=target, mirrors=[serve(DEBIAN_FASHION)],
                        md5=served_md5(DEBIAN_FASHION), progress=False)
    assert leftovers(target) == sorted(mnist.FILES["train"] + mnist.FILES["test"])
    assert [len(a) for a in arrays] == [50_000, 50_000, 10_000, 10_000, 10_000, 10_000]
    assert np.array_equal(arrays[5], load_idx(DEBIAN_FASHION / "t10k-labels-idx1-ubyte.gz"))
