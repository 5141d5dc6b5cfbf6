"""Proxy and TLS: a bank network's proxy and its own CA, on loopback only."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from station.api import (
    ConfigurationError,
    Credential,
    Environment,
    LivenessClient,
    NetworkError,
    NetworkSettings,
    RetryPolicy,
    Timeouts,
    TLSError,
)
from station.api.client import build_ssl_context
from tests.api.contract import CONTRACT_EXAMPLE

pytestmark = pytest.mark.anyio
ONE_TRY = RetryPolicy(attempts=1)
QUICK = Timeouts(connect=2, read=2, write=2, deadline=5)


class RecordingProxy:
    """Answers every CONNECT with 403 and remembers what was asked: nothing leaves the machine."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data.split(b"\r\n", 1)[0].decode())
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(2)


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    running = RecordingProxy()
    yield running
    running.close()


async def test_proxy_from_environment_is_used(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"), retry=ONE_TRY, timeouts=QUICK
    ) as client:
        with pytest.raises(NetworkError, match="proxy"):
            await client.verify_image(b"\xff\xd8\xff")
    assert proxy.requests == ["CONNECT sandbox.surepass.app:443 HTTP/1.1"]


async def test_proxy_from_settings_is_used(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    network = NetworkSettings(proxy=proxy.url)
    async with LivenessClient(
        Credential(Environment.PRODUCTION, "tok"), retry=ONE_TRY, timeouts=QUICK, network=network
    ) as client:
        with pytest.raises(NetworkError):
            await client.verify_image(b"\xff\xd8\xff")
    assert proxy.requests == ["CONNECT kyc-api.surepass.app:443 HTTP/1.1"]


class TLSService:
    """A loopback HTTPS server with a certificate from a private CA, answering the contract's example."""

    def __init__(self, ca: trustme.CA) -> None:
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(self.context)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        body = json.dumps(CONTRACT_EXAMPLE).encode()
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(raw, server_side=True) as conn:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += conn.recv(65536)
                    head, _, rest = data.partition(b"\r\n\r\n")
                    length = next(
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                    while len(rest) < length:
                        rest += conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
            except (ssl.SSLError, OSError):
                raw.close()

    def close(self) -> None:
        self.sock.close()
        self.thread.join(2)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_service(ca: trustme.CA) -> Iterator[TLSService]:
    service = TLSService(ca)
    yield service
    service.close()


async def test_untrusted_certificate_is_a_tls_error_not_retried(tls_service: TLSService) -> None:
    retry = RetryPolicy(attempts=3, backoff_initial=0.01)
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"), base_url=tls_service.url, retry=retry, timeouts=QUICK
    ) as client:
        with pytest.raises(TLSError) as caught:
            await client.verify_image(b"\xff\xd8\xff")
    assert caught.value.attempts == 1
    assert "CA bundle" in str(caught.value)


async def test_corporate_ca_bundle_is_trusted(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"),
        base_url=tls_service.url,
        retry=ONE_TRY,
        timeouts=QUICK,
        network=NetworkSettings(ca_bundle=bundle),
    ) as client:
        verification = await client.verify_image(b"\xff\xd8\xff")
    assert verification.result.client_id == "face_liveness_v5_YbookLSDhSoVRtsCRvtO"


def test_missing_or_broken_ca_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        build_ssl_context(tmp_path / "nope.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match="could not be loaded"):
        build_ssl_context(junk)
