"""Proxy and TLS: a bank network's proxy and its own CA, on loopback only."""

from __future__ import annotations

import base64
import hashlib
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
import truststore

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
from station.api.trust import spki_sha256, system_store_locations
from tests.api.tls import InterceptingProxy, TLSService

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


#: Every variable an HTTP stack reads a proxy from; the client must read none of them.
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


async def test_proxy_from_environment_is_never_used(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The red team's route: ``HTTPS_PROXY`` pointed at their own proxy. The client goes direct."""
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"),
        base_url="https://station-service.invalid",
        retry=ONE_TRY,
        timeouts=QUICK,
    ) as client:
        with pytest.raises(NetworkError) as caught:
            await client.verify_image(b"\xff\xd8\xff")
    assert "proxy" not in caught.value.message  # it tried the service itself, whose name is .invalid
    assert proxy.requests == []


async def test_proxy_from_settings_is_used(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    network = NetworkSettings(proxy=proxy.url)
    async with LivenessClient(
        Credential(Environment.PRODUCTION, "tok"), retry=ONE_TRY, timeouts=QUICK, network=network
    ) as client:
        with pytest.raises(NetworkError):
            await client.verify_image(b"\xff\xd8\xff")
    assert proxy.requests == ["CONNECT kyc-api.surepass.app:443 HTTP/1.1"]


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


# -- the trust store is not the environment's ------------------------------------------------------


def _hashed_folder(ca: trustme.CA, folder: Path) -> Path:
    """A folder in OpenSSL's ``<subject hash>.0`` layout holding ``ca``: what SSL_CERT_DIR names."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to name a hashed CA folder")
    folder.mkdir()
    pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    subject_hash = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(pem)], capture_output=True, text=True, check=True
    ).stdout.strip()
    pem.rename(folder / f"{subject_hash}.0")
    return folder


@pytest.mark.parametrize(
    "variable", ["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]
)
async def test_a_ca_named_in_the_environment_is_not_trusted(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """``SSL_CERT_FILE=mitm-ca.pem`` made truststore (OpenSSL's default verify paths) trust the
    operator's CA on Linux. The client loads the machine store from fixed paths instead."""
    bundle = tmp_path / "mitm-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    value = _hashed_folder(ca, tmp_path / "hashed") if variable == "SSL_CERT_DIR" else bundle
    monkeypatch.setenv(variable, str(value))
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"), base_url=tls_service.url, retry=ONE_TRY, timeouts=QUICK
    ) as client:
        with pytest.raises(TLSError):
            await client.verify_image(b"\xff\xd8\xff")
    assert tls_service.requests == []  # the token never left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux store's own paths")
def test_the_linux_store_comes_from_fixed_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "operator.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    cafile, capath = system_store_locations()
    assert cafile is not None and not cafile.startswith(str(tmp_path))
    assert capath is None or not capath.startswith(str(tmp_path))


async def test_sslkeylogfile_is_not_honoured(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key log would let the operator decrypt a capture of the traffic (token included)."""
    keylog = tmp_path / "keys.log"
    monkeypatch.setenv("SSLKEYLOGFILE", str(keylog))
    bundle = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"),
        base_url=tls_service.url,
        retry=ONE_TRY,
        timeouts=QUICK,
        network=NetworkSettings(ca_bundle=bundle),
    ) as client:
        await client.verify_image(b"\xff\xd8\xff")
    assert not keylog.exists()


# -- the SPKI pin ----------------------------------------------------------------------------------


def _leaf_der(service: TLSService) -> bytes:
    return ssl.PEM_cert_to_DER_cert(service.certificate.cert_chain_pems[0].bytes().decode())


def test_the_pin_is_the_sha256_of_the_subject_public_key_info(tls_service: TLSService) -> None:
    """The small DER reader against cryptography's own SPKI encoding, for an RSA and an EC key."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    for der in (_leaf_der(tls_service), trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("a.example")
                .cert_chain_pems[0].bytes()):  # fmt: skip
        if der.startswith(b"-----"):
            der = ssl.PEM_cert_to_DER_cert(der.decode())
        spki = (
            x509.load_der_x509_certificate(der)
            .public_key()
            .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        )
        assert spki_sha256(der) == base64.b64encode(hashlib.sha256(spki).digest()).decode()


async def test_the_right_pin_is_accepted(tls_service: TLSService, ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    other = spki_sha256(ssl.PEM_cert_to_DER_cert(trustme.CA().cert_pem.bytes().decode()))
    network = NetworkSettings(
        ca_bundle=bundle, spki_pins=(other, "sha256/" + spki_sha256(_leaf_der(tls_service)))
    )
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"),
        base_url=tls_service.url,
        retry=ONE_TRY,
        timeouts=QUICK,
        network=network,
    ) as client:
        verification = await client.verify_image(b"\xff\xd8\xff")
    assert verification.result.client_id == "face_liveness_v5_YbookLSDhSoVRtsCRvtO"


async def test_a_wrong_pin_refuses_the_trusted_server_before_anything_is_sent(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path
) -> None:
    """The certificate is trusted (the bank's CA bundle): only the key differs from the pin. The
    handshake fails, nothing is retried, and the request (with the token) is never written."""
    bundle = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    wrong = spki_sha256(
        ssl.PEM_cert_to_DER_cert(ca.issue_cert("127.0.0.1").cert_chain_pems[0].bytes().decode())
    )
    retry = RetryPolicy(attempts=3, backoff_initial=0.01)
    async with LivenessClient(
        Credential(Environment.SANDBOX, "secret-token-never-sent"),
        base_url=tls_service.url,
        retry=retry,
        timeouts=QUICK,
        network=NetworkSettings(ca_bundle=bundle, spki_pins=(wrong,)),
    ) as client:
        with pytest.raises(TLSError, match="pinned") as caught:
            await client.verify_image(b"\xff\xd8\xff")
    assert caught.value.attempts == 1
    assert tls_service.connections == 1
    assert tls_service.requests == []


def test_a_malformed_pin_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="service_spki_pins"):
        build_ssl_context(None, ["not base64!"])
    with pytest.raises(ConfigurationError, match="SHA-256"):
        build_ssl_context(None, [base64.b64encode(b"short").decode()])


async def test_the_pin_holds_through_an_intercepting_proxy(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path
) -> None:
    """A proxy that policy names and whose CA policy trusts still cannot stand in for a pinned
    service: the tunnel opens, the handshake fails on the key, and no request goes through."""
    mitm = trustme.CA()
    interceptor = InterceptingProxy(mitm)
    try:
        bundle = tmp_path / "inspection-ca.pem"
        mitm.cert_pem.write_to_path(str(bundle))
        network = NetworkSettings(
            ca_bundle=bundle, proxy=interceptor.url, spki_pins=(spki_sha256(_leaf_der(tls_service)),)
        )
        async with LivenessClient(
            Credential(Environment.PRODUCTION, "secret-token-never-sent"),
            retry=ONE_TRY,
            timeouts=QUICK,
            network=network,
        ) as client:
            with pytest.raises(TLSError, match="pinned"):
                await client.verify_image(b"\xff\xd8\xff")
        assert interceptor.tunnels == [b"CONNECT kyc-api.surepass.app:443 HTTP/1.1"]
        assert interceptor.requests == []
    finally:
        interceptor.close()


async def test_the_pin_holds_on_truststores_context_too(
    tls_service: TLSService, ca: trustme.CA, tmp_path: Path
) -> None:
    """Windows and macOS use truststore's context, which wraps an ``ssl.SSLContext`` and verifies
    with the OS after the handshake: the pin is checked after that, on the same connection."""
    bundle = tmp_path / "bank-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    right = spki_sha256(_leaf_der(tls_service))
    wrong = spki_sha256(
        ssl.PEM_cert_to_DER_cert(ca.issue_cert("127.0.0.1").cert_chain_pems[0].bytes().decode())
    )
    for pin, refused in ((wrong, True), (right, False)):
        context = build_ssl_context(bundle, [pin], platform="win32")
        assert isinstance(context, truststore.SSLContext)
        async with httpx.AsyncClient(verify=context, trust_env=False) as http:
            if refused:
                with pytest.raises(httpx.ConnectError) as caught:
                    await http.post(tls_service.url, content=b"{}")
                assert "pinned" in str(caught.value)
            else:
                assert (await http.post(tls_service.url, content=b"{}")).status_code == 200
    assert len(tls_service.requests) == 1
