"""The network check against loopback only: the emulator, a trustme TLS listener, a refusing proxy."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from station.api import Credential, Environment
from station.emulator import Emulator
from station.netcheck import (
    CHECK_BALANCE,
    CHECK_DNS,
    CHECK_PROXY,
    CHECK_TCP,
    CHECK_TLS,
    CheckResult,
    run_network_check,
)

pytestmark = pytest.mark.anyio

TOKEN = "netcheck-emulator-token-0123456789"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live", balance=420) as running:
        yield running


class TLSListener:
    """Completes TLS handshakes on 127.0.0.1 with a certificate from a private CA, then hangs up."""

    def __init__(self, ca: trustme.CA, *names: str) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(self.context)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            if self.stopping.is_set():
                conn.close()
                return
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.stopping.set()
        socket.create_connection(("127.0.0.1", self.port)).close()  # wakes accept()
        self.thread.join(5)
        self.sock.close()


class RefusingProxy:
    """Answers every CONNECT with 403 and remembers it: nothing leaves the machine."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            with conn:
                if self.stopping.is_set():
                    return
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    if data:  # the TCP step only opens and closes a connection
                        self.requests.append(data)
                        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    continue

    def close(self) -> None:
        self.stopping.set()
        socket.create_connection(("127.0.0.1", self.port)).close()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[TLSListener]:
    server = TLSListener(ca, "localhost", "127.0.0.1")
    yield server
    server.close()


@pytest.fixture
def proxy() -> Iterator[RefusingProxy]:
    server = RefusingProxy()
    yield server
    server.close()


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


async def test_everything_passes_against_the_emulator(emulator: Emulator) -> None:
    results = await run_network_check(
        f"http://localhost:{emulator.port}",
        Environment.SANDBOX,
        ca_bundle=None,
        proxy=None,
        credential=Credential(Environment.SANDBOX, TOKEN),
    )
    assert [r.name for r in results] == [CHECK_PROXY, CHECK_DNS, CHECK_TCP, CHECK_TLS, CHECK_BALANCE]
    checks = by_name(results)
    assert checks[CHECK_PROXY].ok is True
    assert checks[CHECK_PROXY].detail == "No proxy: the service is on this machine"
    assert checks[CHECK_DNS].ok is True
    assert checks[CHECK_DNS].detail.startswith("localhost is ")
    assert checks[CHECK_TCP].ok is True
    assert checks[CHECK_TCP].detail.startswith(f"Connected to localhost:{emulator.port} in ")
    assert checks[CHECK_TLS].ok is None
    assert "needs no TLS" in checks[CHECK_TLS].detail
    assert checks[CHECK_BALANCE].ok is True
    assert checks[CHECK_BALANCE].detail.startswith("420 credits left")
    assert all(TOKEN not in r.detail for r in results)


async def test_balance_skipped_without_a_token(emulator: Emulator) -> None:
    results = by_name(
        await run_network_check(
            emulator.base_url, Environment.PRODUCTION, ca_bundle=None, proxy=None, credential=None
        )
    )
    assert results[CHECK_BALANCE].ok is None
    assert results[CHECK_BALANCE].detail == "Skipped: no production token is enrolled"


async def test_a_refused_token(emulator: Emulator) -> None:
    results = by_name(
        await run_network_check(
            emulator.base_url,
            Environment.SANDBOX,
            ca_bundle=None,
            proxy=None,
            credential=Credential(Environment.SANDBOX, "wrong-token-value-xyz"),
        )
    )
    assert results[CHECK_BALANCE].ok is False
    assert results[CHECK_BALANCE].detail.startswith("The service refused the sandbox token")
    assert "wrong-token-value-xyz" not in results[CHECK_BALANCE].detail


async def test_name_lookup_failure() -> None:
    results = await run_network_check(
        "https://station-check.nonexistent.invalid",
        Environment.SANDBOX,
        ca_bundle=None,
        proxy=None,
        credential=None,
    )
    checks = by_name(results)
    assert checks[CHECK_DNS].ok is False
    assert checks[CHECK_DNS].detail == (
        "Name lookup failed for station-check.nonexistent.invalid: check the network cable or DNS"
    )
    for name in (CHECK_TCP, CHECK_TLS, CHECK_BALANCE):
        assert checks[name].ok is None
        assert checks[name].detail == "Skipped: the name lookup failed"


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    checks = by_name(
        await run_network_check(
            f"http://127.0.0.1:{port}", Environment.SANDBOX, ca_bundle=None, proxy=None, credential=None
        )
    )
    assert checks[CHECK_DNS].ok is True
    assert checks[CHECK_TCP].ok is False
    assert checks[CHECK_TCP].detail.startswith(f"Connection refused by 127.0.0.1:{port}")
    assert checks[CHECK_TLS].detail == "Skipped: the connection failed"


async def test_tls_trusted_with_the_ca_bundle(tls_server: TLSListener, ca_file: Path) -> None:
    checks = by_name(
        await run_network_check(
            f"https://localhost:{tls_server.port}",
            Environment.SANDBOX,
            ca_bundle=ca_file,
            proxy=None,
            credential=None,
        )
    )
    assert checks[CHECK_TCP].ok is True
    assert checks[CHECK_TLS].ok is True, checks[CHECK_TLS].detail
    assert "certificate trusted" in checks[CHECK_TLS].detail


async def test_tls_not_trusted_without_the_ca_bundle(tls_server: TLSListener) -> None:
    checks = by_name(
        await run_network_check(
            f"https://localhost:{tls_server.port}",
            Environment.SANDBOX,
            ca_bundle=None,
            proxy=None,
            credential=None,
        )
    )
    assert checks[CHECK_TLS].ok is False
    assert checks[CHECK_TLS].detail == "Certificate not trusted: configure the bank's CA bundle"
    assert checks[CHECK_BALANCE].detail == "Skipped: the secure connection failed"


async def test_tls_certificate_for_another_name(ca: trustme.CA, ca_file: Path) -> None:
    server = TLSListener(ca, "other.example")
    try:
        checks = by_name(
            await run_network_check(
                f"https://localhost:{server.port}",
                Environment.SANDBOX,
                ca_bundle=ca_file,
                proxy=None,
                credential=None,
            )
        )
    finally:
        server.close()
    assert checks[CHECK_TLS].ok is False
    assert checks[CHECK_TLS].detail.startswith("The certificate is for another name")


async def test_unreadable_ca_bundle(tls_server: TLSListener, tmp_path: Path) -> None:
    checks = by_name(
        await run_network_check(
            f"https://localhost:{tls_server.port}",
            Environment.SANDBOX,
            ca_bundle=tmp_path / "missing.pem",
            proxy=None,
            credential=None,
        )
    )
    assert checks[CHECK_TLS].ok is False
    assert "missing.pem does not exist" in checks[CHECK_TLS].detail


async def test_proxy_from_settings_is_masked_and_used(proxy: RefusingProxy) -> None:
    url = f"http://teller:Pr0xyPassw0rd@127.0.0.1:{proxy.port}"
    results = await run_network_check(
        None,
        Environment.SANDBOX,
        ca_bundle=None,
        proxy=url,
        credential=Credential(Environment.SANDBOX, TOKEN),
    )
    checks = by_name(results)
    assert checks[CHECK_PROXY].detail == f"Proxy http://***@127.0.0.1:{proxy.port} (from settings)"
    assert checks[CHECK_DNS].detail.startswith("the proxy 127.0.0.1 is 127.0.0.1")
    assert checks[CHECK_TCP].ok is True
    assert checks[CHECK_TLS].ok is False
    assert checks[CHECK_TLS].detail == "Through the proxy: the proxy refused the tunnel: HTTP 403"
    assert checks[CHECK_BALANCE].ok is None
    assert all("Pr0xyPassw0rd" not in r.detail for r in results)
    assert proxy.requests[0].startswith(b"CONNECT sandbox.surepass.app:443 HTTP/1.1\r\n")
    assert b"Proxy-Authorization: Basic " in proxy.requests[0]


async def test_the_environment_proxy_is_never_used(
    proxy: RefusingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like the client, the check takes its proxy from settings only: ``HTTPS_PROXY`` is ignored."""
    for name in PROXY_VARS:
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    checks = by_name(
        await run_network_check(
            "https://api.nonexistent.invalid",
            Environment.SANDBOX,
            ca_bundle=None,
            proxy=None,
            credential=None,
        )
    )
    assert checks[CHECK_PROXY].detail == "No proxy"
    assert checks[CHECK_DNS].ok is False  # it looked up the service itself, not the proxy
    assert proxy.requests == []


async def test_a_refused_base_url() -> None:
    results = await run_network_check(
        "http://api.bank.example", Environment.SANDBOX, ca_bundle=None, proxy=None, credential=None
    )
    assert len(results) == 1
    assert results[0].ok is False
    assert "plain http:// is only allowed to this machine" in results[0].detail
