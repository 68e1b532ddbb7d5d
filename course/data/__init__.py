"""Data sets of the course: 2-D toy problems, MNIST / Fashion-MNIST, minibatching."""

from .batching import minibatches
from .mnist import (CLASS_NAMES, MD5, MIRRORS, ChecksumError, DatasetNotFoundError, IDXFormatError,
                    load_idx, load_mnist, load_mnist_split, mnist_files, parse_idx, search_dirs)
from .synthetic import make_blobs, make_moons, make_spiral

__all__ = ["make_spiral", "make_moons", "make_blobs", "minibatches", "load_mnist",
           "load_mnist_split", "load_idx", "parse_idx", "mnist_files", "search_dirs", "MD5",
           "MIRRORS", "CLASS_NAMES", "DatasetNotFoundError", "ChecksumError", "IDXFormatError"]
