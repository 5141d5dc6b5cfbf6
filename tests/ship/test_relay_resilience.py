"""At least once, never lost: relay killed mid-batch, a backlog drained, bad certificates,
the shipper itself SIGKILLed 20 times. Every case against a real rsyslog over TLS."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from station.audit import AuditJournal
from station.ship import Shipper, ShipState, SyslogTlsTarget, status_text
from tests.audit.support import KEY, make_record
from tests.ship.conftest import Pki, RelayFactory
from tests.ship.relay import RsyslogRelay, wait_until
from tests.ship.support import STATION, fill, relay_config, running, shipper_for

REPO = Path(__file__).resolve().parents[2]


def _first_arrivals(sequences: list[int]) -> list[int]:
    seen: set[int] = set()
    order = []
    for seq in sequences:
        if seq not in seen:
            seen.add(seq)
            order.append(seq)
    return order


def _assert_complete_and_in_order(relay: RsyslogRelay, last: int) -> None:
    arrivals = relay.sequences()
    first = _first_arrivals(arrivals)
    assert sorted(first) == list(range(1, last + 1)), "a sequence number never arrived"
    assert first == sorted(first), "sequence numbers first arrived out of order"


def _head(journal: AuditJournal) -> int:
    head = journal.head()
    assert head is not None
    return head[0]


@pytest.mark.timeout(240)
def test_rsyslogd_killed_mid_batch_and_restarted_loses_nothing(
    journal: AuditJournal, relay: RsyslogRelay, pki: Pki
) -> None:
    total = 3000
    killed = threading.Event()
    writer_done = threading.Event()

    def writer() -> None:
        """Half the rows, then (once the relay is dead) the other half: the shipper must meet
        the dead relay whatever the machine's speed."""
        try:
            for i in range(total):
                if i == total // 2:
                    killed.wait(120)
                journal.append(make_record(i, notes="n" * 200))
        finally:
            writer_done.set()

    shipper = shipper_for(journal, relay_config(relay.port, pki.ca_pem), batch_size=100)
    with running(shipper):
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        wait_until(lambda: len(relay.sequences()) >= 600, 60, "600 records at the relay")
        relay.kill()  # whatever rsyslogd had queued in memory is gone
        killed_at = len(relay.sequences())
        killed.set()
        wait_until(lambda: shipper.status().state is ShipState.FAILING, 60, "the shipper to notice")
        relay.start()
        assert writer_done.wait(120), "the writer did not finish"
        thread.join(10)
        last = _head(journal)
        wait_until(lambda: set(range(1, last + 1)) <= set(relay.sequences()), 120, f"all {last} rows")
    _assert_complete_and_in_order(relay, last)
    assert killed_at < last  # the kill really happened mid-stream
    assert shipper.status().errors_total >= 1


@pytest.mark.timeout(240)
def test_a_backlog_of_2000_drains_in_order_once_the_relay_is_up(
    journal: AuditJournal, make_relay: RelayFactory, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    relay = make_relay()  # not started: the relay is down
    shipper = shipper_for(journal, relay_config(relay.port, pki.ca_pem))
    with running(shipper):
        fill(journal, 2000)
        wait_until(lambda: shipper.status().waiting >= 2000, 30, "the status to count the backlog")
        down = shipper.status()
        assert down.state is ShipState.FAILING
        assert down.last_error == f"relay 127.0.0.1:{relay.port} refused the connection"
        assert status_text(down) == down.last_error
        started = time.monotonic()
        relay.start()
        last = _head(journal)
        wait_until(lambda: set(range(1, last + 1)) <= set(relay.sequences()), 120, f"all {last} rows")
        drained = time.monotonic() - started
        wait_until(lambda: shipper.status().state is ShipState.SHIPPED, 60, "the cursor to catch up")
    _assert_complete_and_in_order(relay, last)
    with capsys.disabled():
        rate = last / drained
        print(f"\nbacklog of {last} rows drained in {drained:.2f} s ({rate:.0f} records/s, backoff included)")


def _bad_relay(make_relay: RelayFactory, pki: Pki, case: str) -> RsyslogRelay:
    if case == "wrong CA":
        other = trustme.CA().issue_cert("127.0.0.1", "localhost")
        cert, key = pki.folder / "other-ca.pem", pki.folder / "other-ca.key"
        other.cert_chain_pems[0].write_to_path(str(cert))
        other.private_key_pem.write_to_path(str(key))
    elif case == "expired":
        cert, key = pki.issue("expired", "127.0.0.1", not_after=datetime.now(UTC) - timedelta(days=1))
    else:
        cert, key = pki.issue("wrong-host", "relay.bank.example")
    return make_relay(
        case.replace(" ", "-"), cert=cert, key=key
    )  # "wrong host name…": a cert for another name


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("wrong CA", "the relay's certificate is not signed by a trusted CA"),
        ("expired", "the relay's certificate has expired"),
        ("wrong host name", "the relay's certificate is not for 127.0.0.1"),
    ],
)
def test_a_relay_with_a_bad_certificate_gets_nothing_and_nothing_is_lost(
    journal: AuditJournal, make_relay: RelayFactory, pki: Pki, case: str, why: str
) -> None:
    fill(journal, 20)
    bad = _bad_relay(make_relay, pki, case)
    bad.start()
    host = "localhost" if case.endswith("by name") else "127.0.0.1"
    config = relay_config(bad.port, pki.ca_pem, relay_host=host)
    status = shipper_for(journal, config).run_until_idle(timeout=30)
    assert status.state is ShipState.FAILING
    assert status_text(status) == why
    assert bad.received() == []  # not one byte of a record went out
    cursor = journal.ship_cursor("syslog_tls")
    assert cursor is not None and cursor.acked_sequence == 0
    good = make_relay("good")
    good.start()
    fixed = shipper_for(journal, relay_config(good.port, pki.ca_pem)).run_until_idle(timeout=60)
    assert fixed.state is ShipState.SHIPPED, fixed
    _assert_complete_and_in_order(good, _head(journal))


def test_mutual_tls(journal: AuditJournal, make_relay: RelayFactory, pki: Pki) -> None:
    """A relay that demands a client certificate refuses the station without one."""
    fill(journal, 3)
    relay = make_relay("mtls", client_ca=pki.ca_pem)
    relay.start()
    config = relay_config(relay.port, pki.ca_pem)
    target = SyslogTlsTarget(config, refusal_probe_s=10)  # rsyslog hangs up well within 10 s
    refused = Shipper(journal, config, target, key=KEY, anchor_path=None).run_until_idle(timeout=30)
    assert refused.state is ShipState.FAILING
    assert (
        status_text(refused)
        == "relay hung up after the TLS handshake (does it require a client certificate?)"
    )
    outsider = trustme.CA().issue_cert(STATION)  # a client certificate from a CA the relay does not trust
    cert, key = pki.folder / "outsider.pem", pki.folder / "outsider.key"
    outsider.cert_chain_pems[0].write_to_path(str(cert))
    outsider.private_key_pem.write_to_path(str(key))
    config = relay_config(relay.port, pki.ca_pem, client_cert=cert, client_key=key)
    target = SyslogTlsTarget(config, refusal_probe_s=10)
    refused = Shipper(journal, config, target, key=KEY, anchor_path=None).run_until_idle(timeout=30)
    assert status_text(refused) == "relay refused the certificate"
    assert relay.received() == []
    cert, key = pki.issue("station-client", STATION)
    config = relay_config(relay.port, pki.ca_pem, client_cert=cert, client_key=key)
    accepted = shipper_for(journal, config).run_until_idle(timeout=60)
    assert accepted.state is ShipState.SHIPPED, accepted
    _assert_complete_and_in_order(relay, _head(journal))


@pytest.mark.timeout(300)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_shipper_sigkilled_20_times_mid_batch_loses_nothing(
    journal: AuditJournal, journal_path: Path, relay: RsyslogRelay, pki: Pki, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text(KEY.hex() + "\n")
    key_file.chmod(0o600)
    command = [
        sys.executable, "-m", "station", "ship",
        "--target", "syslog_tls",
        "--relay-host", "127.0.0.1", "--relay-port", str(relay.port), "--ca-bundle", str(pki.ca_pem),
        "--resend-window", "1", "--backoff-cap", "1", "--station-id", STATION,
        "--audit-db", str(journal_path), "--key-file", str(key_file),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(20)
    for round_ in range(20):
        fill(journal, 150, start=round_ * 150)
        before = len(relay.sequences())
        wanted = before + rng.randint(1, 150)  # kill after a random part of this round arrived
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_until(
                lambda: len(relay.sequences()) >= wanted or child.poll() is not None,  # noqa: B023
                60,
                f"round {round_}: the shipper to send",
            )
        finally:
            child.send_signal(signal.SIGKILL)
            _, stderr = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, stderr.decode(errors="replace")
    final = subprocess.run(
        [*command, "--once"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert final.returncode == 0, final.stdout + final.stderr
    assert "all shipped" in final.stdout
    _assert_complete_and_in_order(relay, _head(journal))
