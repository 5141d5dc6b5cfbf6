"""Fixtures for the shipping tests: a throwaway CA, certificates, a journal, a real rsyslog.

The rsyslog tests need the Debian packages ``rsyslog`` and ``rsyslog-gnutls``
(``packaging/dev.py test`` installs them when it can). Without them the tests are skipped with
that message, except under ``CI=true``, where they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import trustme

from station.audit import AuditJournal
from tests.audit.support import KEY
from tests.ship.relay import RsyslogRelay

# packaging/ is not a package: load the module that knows (and installs) the Debian packages.
_spec = importlib.util.spec_from_file_location(
    "system_packages", Path(__file__).resolve().parents[2] / "packaging" / "system_packages.py"
)
assert _spec is not None and _spec.loader is not None
_system_packages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_system_packages)
RSYSLOG_PACKAGES: tuple[str, ...] = _system_packages.RSYSLOG_PACKAGES
missing_rsyslog: Callable[[], list[str]] = _system_packages.missing_rsyslog
rsyslogd_path: Callable[[], str | None] = _system_packages.rsyslogd_path


@pytest.fixture(autouse=True)
def _no_real_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@dataclass(frozen=True)
class Pki:
    """A CA and a relay certificate for 127.0.0.1, as PEM files."""

    ca_pem: Path
    cert: Path
    key: Path
    ca: trustme.CA
    folder: Path

    def issue(self, name: str, *identities: str, not_after: datetime | None = None) -> tuple[Path, Path]:
        leaf = self.ca.issue_cert(*identities, not_after=not_after)
        cert, key = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        return cert, key


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    ca_pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    cert, key = folder / "relay.pem", folder / "relay.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    return Pki(ca_pem, cert, key, ca, folder)


@pytest.fixture(scope="session")
def rsyslogd() -> str:
    missing = missing_rsyslog()
    path = rsyslogd_path()
    if missing or path is None:
        message = (
            f"needs the Debian packages {' '.join(missing or RSYSLOG_PACKAGES)}: "
            f"apt-get install {' '.join(RSYSLOG_PACKAGES)} (python3 packaging/dev.py test does it as root)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


RelayFactory = Callable[..., RsyslogRelay]


@pytest.fixture
def make_relay(rsyslogd: str, pki: Pki, tmp_path: Path) -> Iterator[RelayFactory]:
    """Build relays (not started); every one is stopped at the end of the test."""
    relays: list[RsyslogRelay] = []

    def make(
        name: str = "relay",
        cert: Path | None = None,
        key: Path | None = None,
        port: int | None = None,
        client_ca: Path | None = None,
    ) -> RsyslogRelay:
        relay = RsyslogRelay(
            rsyslogd, tmp_path / name, cert or pki.cert, key or pki.key, pki.ca_pem, port, client_ca=client_ca
        )
        relays.append(relay)
        return relay

    yield make
    for relay in relays:
        relay.stop()


@pytest.fixture
def relay(make_relay: RelayFactory) -> RsyslogRelay:
    running = make_relay()
    running.start()
    return running


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "audit.sqlite3"


@pytest.fixture
def journal(journal_path: Path) -> Iterator[AuditJournal]:
    with AuditJournal.open(journal_path, KEY) as opened:
        yield opened


def long_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)
