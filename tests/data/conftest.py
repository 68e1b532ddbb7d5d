"""Fixtures for the data tests: real MNIST files served by a real HTTP server on 127.0.0.1.

No test here contacts any other host: every download goes to a local server, and the cache
directory is redirected to a temporary directory so the user's cache is never read or written.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # datahelpers, whatever pytest's import mode

from datahelpers import SHARED_MNIST  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.delenv("COURSE_MNIST_MIRRORS", raising=False)
    return cache


@pytest.fixture(scope="session")
def shared_mnist() -> Path:
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"the real MNIST test split is not at {SHARED_MNIST} (shared/ must sit beside "
                    f"the repository)")
    return SHARED_MNIST


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


class _TruncatingHandler(_QuietHandler):
    """Announces the full Content-Length, sends half of the body, then closes the connection."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


class Server:
    def __init__(self, directory: Path, handler: type = _QuietHandler) -> None:
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator:
    """``serve(directory, truncate=False)`` -> base URL of a local server for that directory."""
    servers: list[Server] = []

    def start(directory: Path, truncate: bool = False) -> str:
        server = Server(directory, _TruncatingHandler if truncate else _QuietHandler)
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.close()
