"""Whom the shipper trusts as the relay: the policy's CA bundle or the machine's store, never the
operator's ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (issue 22: the client's fix, applied to the relay)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from station.ship.config import ShipConfig, TargetKind
from station.ship.tls import relay_context
from tests.api.tls import TLSService


@pytest.fixture
def relay() -> Iterator[tuple[TLSService, trustme.CA]]:
    ca = trustme.CA()
    service = TLSService(ca)
    try:
        yield service, ca
    finally:
        service.close()


def _handshake(context: ssl.SSLContext, port: int) -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost"),
    ):
        pass


def _config(ca_bundle: Path | None = None) -> ShipConfig:
    return ShipConfig(
        target=TargetKind.SYSLOG_TLS, station_id="st-1", relay_host="localhost", ca_bundle=ca_bundle
    )


def test_the_operators_ca_variables_do_not_make_a_relay_trusted(
    relay: tuple[TLSService, trustme.CA], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ca = relay
    rogue = tmp_path / "operator-ca.pem"
    ca.cert_pem.write_to_path(str(rogue))
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    monkeypatch.setenv("SSL_CERT_FILE", str(rogue))
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed))
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(relay_context(_config()), service.port)


def test_the_policys_ca_bundle_is_trusted_and_no_key_log_is_written(
    relay: tuple[TLSService, trustme.CA], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ca = relay
    bundle = tmp_path / "relay-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    key_log = tmp_path / "keys.log"
    monkeypatch.setenv("SSLKEYLOGFILE", str(key_log))
    _handshake(relay_context(_config(bundle)), service.port)
    assert not key_log.exists()
