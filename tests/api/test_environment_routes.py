"""No environment route to the network: the red team's forged LIVE, replayed against a real
``station verify`` child process under a production machine policy.

The operator's attack: ``HTTPS_PROXY`` at an intercepting proxy of their own, and
``SSL_CERT_FILE`` (or ``SSL_CERT_DIR``, ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) at its CA. It
gave exit 0, LIVE, a client_id the proxy made up, and the production token in the proxy's hands.
Here the proxy and the interceptor are real servers on loopback that record what reaches them;
the policy is a real policy file in the test's own machine folder (never ``/etc/opt/station``).
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from station.api.trust import spki_sha256
from station.resources import sample_path
from tests.api.conftest import SECRET
from tests.api.tls import FORGED_CLIENT_ID, InterceptingProxy, TLSService
from tests.machine import write_machine_policy

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def mitm_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def interceptor(mitm_ca: trustme.CA) -> Iterator[InterceptingProxy]:
    proxy = InterceptingProxy(mitm_ca)
    yield proxy
    proxy.close()


@pytest.fixture
def service(mitm_ca: trustme.CA) -> Iterator[TLSService]:
    """An https service on loopback whose certificate only the operator's CA vouches for."""
    running = TLSService(mitm_ca)
    yield running
    running.close()


def production_policy(folder: Path, monkeypatch: pytest.MonkeyPatch, **entries: Any) -> Path:
    """A production machine policy in the test's own machine folders; returns the journal path.

    Short timeouts and one attempt: what is under test is where the request goes, not patience.
    """
    journal = folder / "data" / "audit.sqlite3"
    policy: dict[str, Any] = {
        "environment": "production",
        "retry_attempts": 1,
        "connect_timeout": 3,
        "read_timeout": 3,
        "deadline": 10,
        "audit_db": str(journal),
        # the back-office channel: without it a production station verify refuses a file at once
        "allow_document_verification": True,
        **entries,
    }
    write_machine_policy(folder / "config", policy)
    (folder / "data").mkdir()
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(folder / "config"))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(folder / "data"))
    return journal


def operator_environment(ca: trustme.CA, folder: Path, proxy: str | None) -> dict[str, str]:
    """The process environment the operator controls: the proxy and every CA variable."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in ("NO_PROXY",)}
    env["SUREPASS_PRODUCTION_TOKEN"] = SECRET
    bundle = folder / "mitm-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env[name] = str(bundle)
    openssl = shutil.which("openssl")
    if openssl is not None:  # SSL_CERT_DIR in OpenSSL's hashed layout
        hashed = folder / "mitm-ca.d"
        hashed.mkdir()
        subject_hash = subprocess.run(
            [openssl, "x509", "-hash", "-noout", "-in", str(bundle)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        shutil.copy(bundle, hashed / f"{subject_hash}.0")
        env["SSL_CERT_DIR"] = str(hashed)
    if proxy is not None:
        for name in PROXY_VARIABLES:
            env[name] = proxy
    return env


def station_verify(env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "station",
            "verify",
            str(sample_path("face.jpg")),
            "--json",
            "--consent-given",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def journal_rows(journal: Path) -> list[tuple[str | None, str | None]]:
    from station.audit import AuditJournal, load_key

    with AuditJournal.open(journal, load_key(), create=False) as opened:
        assert opened.verify().ok
        rows = opened.recent(50)[::-1]
        assert not opened.open_attempts()  # every "attempt started" row has its outcome
        return [(r.record.outcome, r.record.error_class) for r in rows if r.record.kind != "attempt_started"]


def test_the_operators_proxy_and_ca_never_see_the_request_nor_yield_live(
    interceptor: InterceptingProxy, mitm_ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's name is one no resolver knows (``.invalid``): the station, going direct as
    it must, cannot reach it. Through the operator's proxy it would have had a forged LIVE."""
    journal = production_policy(tmp_path / "machine", monkeypatch, base_url="https://station-service.invalid")
    code, out, err = station_verify(operator_environment(mitm_ca, tmp_path, interceptor.url))
    assert code == 5, (out, err)
    assert json.loads(out)["outcome"] == "ERROR"
    assert FORGED_CLIENT_ID not in out + err
    assert "Traceback" not in out + err
    assert interceptor.connections == 0
    assert interceptor.requests == []
    assert journal_rows(journal) == [("ERROR", "NetworkError")]


def test_the_operators_ca_is_not_trusted_as_the_service(
    service: TLSService, mitm_ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interceptor at the service's own address, vouched for only by the operator's CA."""
    journal = production_policy(tmp_path / "machine", monkeypatch, base_url=service.url)
    code, out, err = station_verify(operator_environment(mitm_ca, tmp_path, proxy=None))
    assert code == 5, (out, err)
    assert json.loads(out)["outcome"] == "ERROR"
    assert "Traceback" not in out + err
    assert service.requests == []  # the handshake failed: no request, no token
    assert journal_rows(journal) == [("ERROR", "TLSError")]


def test_the_policy_pin_refuses_a_trusted_certificate_with_another_key(
    service: TLSService, mitm_ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policy trusts the CA (``ca_bundle``) and pins a key: a certificate from that CA with
    another key is refused; the pinned one is accepted. Read from policy, as the station runs."""
    bank_ca = tmp_path / "bank-ca.pem"
    mitm_ca.cert_pem.write_to_path(str(bank_ca))
    other_key = spki_sha256(
        ssl.PEM_cert_to_DER_cert(mitm_ca.issue_cert("127.0.0.1").cert_chain_pems[0].bytes().decode())
    )
    right_key = spki_sha256(ssl.PEM_cert_to_DER_cert(service.certificate.cert_chain_pems[0].bytes().decode()))
    env = {**os.environ, "SUREPASS_PRODUCTION_TOKEN": SECRET}

    journal = production_policy(
        tmp_path / "wrong",
        monkeypatch,
        base_url=service.url,
        ca_bundle=str(bank_ca),
        service_spki_pins=other_key,
    )
    code, out, err = station_verify({**env, **_machine_env()})
    assert code == 5, (out, err)
    assert "Traceback" not in out + err
    assert service.requests == []
    assert journal_rows(journal) == [("ERROR", "TLSError")]

    journal = production_policy(
        tmp_path / "right",
        monkeypatch,
        base_url=service.url,
        ca_bundle=str(bank_ca),
        service_spki_pins=[right_key],
    )
    code, out, err = station_verify({**env, **_machine_env()})
    assert code == 0, (out, err)
    assert json.loads(out)["outcome"] == "LIVE"
    assert len(service.requests) == 1
    assert journal_rows(journal) == [("LIVE", None)]


def _machine_env() -> dict[str, str]:
    return {name: os.environ[name] for name in ("STATION_MACHINE_CONFIG_DIR", "STATION_MACHINE_DATA_DIR")}
