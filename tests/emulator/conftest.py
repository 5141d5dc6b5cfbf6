"""Fixtures for the emulator tests: a shared detector, a fresh emulator per test, a real client."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from station.emulator import Emulator
from station.resources import sample_path
from station.vision.faces import FaceDetector


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture
def emulator(detector: FaceDetector) -> Iterator[Emulator]:
    with Emulator(detector=detector) as running:
        yield running


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.base_url,
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=10.0,
        trust_env=False,
    ) as http:
        yield http


class _SampleHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        try:
            data = sample_path(name).read_bytes() if "/" not in name and name else None
        except FileNotFoundError:
            data = None
        status = 200 if data is not None else 404
        payload = data if data is not None else b"not found"
        self.send_response(status)
        self.send_header("Content-Type", "image/jpeg" if data is not None else "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sample_server() -> Iterator[str]:
    """A tiny loopback file server for the samples; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SampleHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def sample_bytes(name: str) -> bytes:
    return Path(sample_path(name)).read_bytes()
