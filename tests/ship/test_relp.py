"""RELP over TLS: a row counts as delivered only when the relay acknowledged its transaction.

Against a real rsyslog ``imrelp`` (Debian ``rsyslog-relp``) with mutual TLS, and, for the relay
that reads and drops, a small TLS server of the test's own that reads everything and never
answers (the one thing rsyslog cannot be made to do).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from station.audit import AuditJournal
from station.bench.fleet.received import read_arrivals
from station.bench.fleet.relay import Relay, RelaySettings
from station.ship import RelpTlsTarget, Shipper, ShipState, SyslogTlsTarget, TargetKind
from station.ship.config import ShipConfig
from station.ship.errors import ShipError
from station.ship.relp import IncompleteFrameError, parse_frame
from tests.audit.support import KEY
from tests.ship.conftest import Pki
from tests.ship.relay import wait_until
from tests.ship.support import STATION, fill, relay_config, running


@pytest.fixture
def client_pair(pki: Pki) -> tuple[Path, Path]:
    return pki.issue("station", "station.branch.bank.example")


@pytest.fixture
def relp_relay(rsyslogd: str, pki: Pki, tmp_path: Path) -> Iterator[Relay]:
    # Direct: the relay writes a message before it acknowledges it, so SIGKILL cannot lose an
    # acknowledged row (with an in-memory queue, "acknowledged" means only "queued").
    relay = Relay(
        rsyslogd, tmp_path / "relp", pki.cert, pki.key, pki.ca_pem, RelaySettings(relp=True, queue="Direct")
    )
    relay.start()
    yield relay
    relay.stop()


def _config(port: int, pki: Pki, client: tuple[Path, Path], **overrides: object) -> ShipConfig:
    return relay_config(
        port, pki.ca_pem, target=TargetKind.RELP_TLS, client_cert=client[0], client_key=client[1], **overrides
    )


def _sequences(relay: Relay) -> list[int]:
    return [a.seq for a in read_arrivals(relay.received) if a.station == STATION]


def _relp_shipper(journal: AuditJournal, config: ShipConfig, **kw: object) -> Shipper:
    return Shipper(journal, config, RelpTlsTarget(config), key=KEY, anchor_path=None, **kw)  # type: ignore[arg-type]


def test_relp_frames_parse_and_incomplete_ones_wait() -> None:
    assert parse_frame(b"1 rsp 6 200 OK\n2 rsp") == (1, b"rsp", b"200 OK", 15)
    assert parse_frame(b"0 serverclose 0\n") == (0, b"serverclose", b"", 16)
    for partial in (b"1 rsp", b"1 rsp 6 200", b"1 rsp 6 200 OK"):
        with pytest.raises(IncompleteFrameError):
            parse_frame(partial)
    for bad in (b"x rsp 6 200 OK\n", b"1 rsp 6 200 OKX", b"1 r-p 0\n"):
        with pytest.raises(ValueError, match="RELP"):
            parse_frame(bad)


def test_every_row_reaches_imrelp_and_the_cursor_follows_its_acknowledgements(
    journal: AuditJournal, relp_relay: Relay, pki: Pki, client_pair: tuple[Path, Path]
) -> None:
    assert relp_relay.relp_port is not None
    fill(journal, 300)
    shipper = _relp_shipper(journal, _config(relp_relay.relp_port, pki, client_pair), batch_size=64)
    status = shipper.run_until_idle(60)
    assert status.state is ShipState.SHIPPED, status
    assert status.acked_sequence == 301  # the rows and the start-up heartbeat
    cursor = journal.ship_cursor("relp_tls")
    assert cursor is not None and cursor.acked_sequence == 301
    assert _sequences(relp_relay) == list(range(1, 302))  # Direct queue: written before the ack


class _Swallower:
    """A TLS server that accepts, reads everything, and never answers: a relay that drops."""

    def __init__(self, pki: Pki) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(pki.cert), str(pki.key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.received = bytearray()
        self.lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._swallow, args=(raw,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _swallow(self, raw: socket.socket) -> None:
        with contextlib.suppress(OSError, ssl.SSLError):
            tls = self.context.wrap_socket(raw, server_side=True)
            with tls:
                while chunk := tls.recv(65536):
                    with self.lock:
                        self.received += chunk

    def bytes_seen(self) -> bytes:
        with self.lock:
            return bytes(self.received)

    def close(self) -> None:
        self._closing = True
        self.listener.close()


@pytest.fixture
def swallower(pki: Pki) -> Iterator[_Swallower]:
    server = _Swallower(pki)
    yield server
    server.close()


def test_a_relay_that_reads_and_drops_never_advances_the_cursor_under_relp(
    journal: AuditJournal, swallower: _Swallower, pki: Pki, client_pair: tuple[Path, Path]
) -> None:
    fill(journal, 50)
    config = _config(swallower.port, pki, client_pair, connect_timeout=timedelta(seconds=1))
    real = RelpTlsTarget(config)
    with pytest.raises(ShipError, match="did not acknowledge in time"):
        real.open()  # the RELP "open" itself is never answered
    assert b" open " in swallower.bytes_seen()
    shipper = _relp_shipper(journal, config, batch_size=20)
    for _ in range(3):
        shipper.step()
        status = shipper.status()
        assert status.state is ShipState.FAILING
        assert status.acked_sequence == 0
    cursor = journal.ship_cursor("relp_tls")
    assert cursor is not None and cursor.acked_sequence == 0
    assert status.waiting == 51


def test_plain_tls_syslog_counts_the_same_dropping_relay_as_shipped(
    journal: AuditJournal, swallower: _Swallower, pki: Pki
) -> None:
    """Why RELP: RFC 5425 has no acknowledgement, so the resend window passes and the cursor
    moves although the relay kept nothing."""
    fill(journal, 50)
    config = relay_config(swallower.port, pki.ca_pem)
    shipper = Shipper(journal, config, SyslogTlsTarget(config), key=KEY, anchor_path=None)
    status = shipper.run_until_idle(60)
    assert status.state is ShipState.SHIPPED and status.acked_sequence == 51
    wait_until(lambda: swallower.bytes_seen().count(b"[station@32473") == 51, 30, "all 51 frames read")


@pytest.mark.timeout(240)
def test_relp_loses_nothing_when_the_relay_is_killed_mid_window(
    journal: AuditJournal, relp_relay: Relay, pki: Pki, client_pair: tuple[Path, Path]
) -> None:
    assert relp_relay.relp_port is not None
    fill(journal, 3000)
    shipper = _relp_shipper(journal, _config(relp_relay.relp_port, pki, client_pair), batch_size=100)
    with running(shipper):
        wait_until(lambda: len(_sequences(relp_relay)) >= 500, 60, "500 records at the relay")
        relp_relay.kill()  # mid-window: frames sent, not all acknowledged
        killed_at = len(_sequences(relp_relay))
        wait_until(lambda: shipper.status().state is ShipState.FAILING, 60, "the shipper to notice")
        acked_when_down = shipper.status().acked_sequence
        relp_relay.start()
        wait_until(lambda: shipper.status().state is ShipState.SHIPPED, 120, "the backlog to drain")
    arrivals = _sequences(relp_relay)
    first = list(dict.fromkeys(arrivals))
    assert first == list(range(1, 3002)), "a row is missing or first arrived out of order"
    assert killed_at < 3001
    assert acked_when_down <= killed_at  # the cursor never ran ahead of what the relay had written
    assert shipper.status().acked_sequence == 3001


def test_relp_tls_needs_a_relay_and_builds_the_relp_target(pki: Pki) -> None:
    from station.ship import ShipConfigError, build_target

    with pytest.raises(ShipConfigError, match="relay_host: required"):
        ShipConfig(target=TargetKind.RELP_TLS, station_id=STATION)
    config = ShipConfig(target=TargetKind.RELP_TLS, station_id=STATION, relay_host="relay.bank.example")
    target = build_target(config)
    assert isinstance(target, RelpTlsTarget)
    assert target.name == "relp_tls" and not target.needs_resend_window
    assert not target.is_alive()
    with pytest.raises(ShipError, match="not connected"):
        target.send([])


def test_a_relay_restarted_while_the_session_is_idle_is_reconnected_without_a_failure(
    journal: AuditJournal, relp_relay: Relay, pki: Pki, client_pair: tuple[Path, Path]
) -> None:
    assert relp_relay.relp_port is not None
    fill(journal, 10)
    config = _config(relp_relay.relp_port, pki, client_pair)
    target = RelpTlsTarget(config)
    shipper = Shipper(journal, config, target, key=KEY, anchor_path=None)
    try:
        shipper.step()  # step(), not run_until_idle(): the session must stay open
        assert shipper.status().acked_sequence == 11  # RELP: acknowledged as soon as sent
        relp_relay.stop()  # closes the idle session
        relp_relay.start()
        fill(journal, 10, start=10)
        shipper.step()
        status = shipper.status()
    finally:
        target.close()
    assert status.state is ShipState.SHIPPED, status
    assert status.acked_sequence == 21 and status.errors_total == 0
    assert _sequences(relp_relay) == list(range(1, 22))
