"""Ship to a real rsyslog, then tamper: ``station audit verify`` names each case on its own, the
shipper refuses to move the anchor, and the heartbeat lets the SIEM see the head move back."""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.audit import AuditJournal, read_anchor
from station.commands.audit import add_arguments
from station.commands.audit import run as audit_run
from station.ship import FleetFacts, ShipState, status_text
from tests.audit.support import KEY, forget_head, make_record, raw
from tests.ship.conftest import Pki
from tests.ship.relay import RsyslogRelay, wait_until
from tests.ship.support import fill, relay_config, running, shipper_for


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "machine" / "audit.key"  # the anchor goes beside it
    path.parent.mkdir()
    path.write_text(KEY.hex() + "\n")
    path.chmod(0o600)
    return path


def _verify(journal_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    code = audit_run(
        parser.parse_args(["verify", "--audit-db", str(journal_path), "--key-file", str(key_file)])
    )
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _ship(journal_path: Path, relay: RsyslogRelay, pki: Pki, key_file: Path) -> ShipState:
    with AuditJournal.open(journal_path, KEY) as journal:
        shipper = shipper_for(
            journal, relay_config(relay.port, pki.ca_pem), key_file.with_name("audit.anchor")
        )
        status = shipper.run_until_idle(timeout=60)
    return status.state


@pytest.fixture
def shipped(journal_path: Path, relay: RsyslogRelay, pki: Pki, key_file: Path, tmp_path: Path) -> Path:
    """10 rows shipped (plus the start-up heartbeat); a copy of the journal as it was at row 6."""
    with AuditJournal.open(journal_path, KEY) as journal:
        fill(journal, 6)
        with raw(journal_path) as conn:
            conn.execute(f"VACUUM INTO '{tmp_path / 'older.sqlite3'}'")
        fill(journal, 4, start=6)
    assert _ship(journal_path, relay, pki, key_file) is ShipState.SHIPPED
    anchor = read_anchor(key_file.with_name("audit.anchor"), KEY)
    assert anchor is not None and anchor.sequence == 11
    return journal_path


def test_the_anchor_follows_the_shipped_head(
    shipped: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(shipped, key_file, capsys)
    assert code == 0, out
    assert "Anchor: holds the anchored head (row 11 was shipped to syslog_tls" in out


@pytest.mark.parametrize("case", ["deleted", "emptied", "truncated", "rolled back"])
def test_each_tamper_case_is_named_by_audit_verify(
    shipped: Path, key_file: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if case == "deleted":
        shipped.unlink()
    elif case == "emptied":
        shipped.write_bytes(b"")
    elif case == "truncated":
        with raw(shipped) as conn:
            conn.execute("DELETE FROM journal WHERE sequence > 8")
    else:
        shutil.copyfile(tmp_path / "older.sqlite3", shipped)
    code, out = _verify(shipped, key_file, capsys)
    assert code == 1
    assert f"{case.upper()}." in out
    assert "row 11 was shipped to syslog_tls" in out


def test_after_a_rollback_the_shipper_keeps_the_anchor_and_the_siem_sees_the_head_go_back(
    shipped: Path, relay: RsyslogRelay, pki: Pki, key_file: Path, tmp_path: Path
) -> None:
    shutil.copyfile(tmp_path / "older.sqlite3", shipped)  # rows 1-6: the copy taken before row 7
    forget_head(shipped)  # else the station refuses to open it at all (tests/audit/test_vanished.py)
    with AuditJournal.open(shipped, KEY) as journal:
        fill(journal, 2, start=50)  # rows 7-8 again, other content
        config = relay_config(relay.port, pki.ca_pem, heartbeat_interval=timedelta(seconds=1))
        shipper = shipper_for(journal, config, key_file.with_name("audit.anchor"))
        with running(shipper):
            wait_until(
                lambda: shipper.status().state is ShipState.INTEGRITY, 60, "the rollback to be noticed"
            )
            status = shipper.status()
    assert status_text(status) == "journal rolled back since it was last shipped"
    anchor = read_anchor(key_file.with_name("audit.anchor"), KEY)
    assert anchor is not None and anchor.sequence == 11  # not moved back, not moved on
    heads = [
        json.loads(r.body()["notes"])["head_sequence"] for r in relay.received() if r.msgid == "heartbeat"
    ]
    assert heads[0] == 10  # the start-up heartbeat of the first shipment: rows 1-10 existed
    assert min(heads[1:]) < 10  # after the rollback the SIEM sees the head move backwards


def test_heartbeats_carry_health_and_the_head(
    journal: AuditJournal, relay: RsyslogRelay, pki: Pki, tmp_path: Path
) -> None:
    fill(journal, 3)
    journal.append(make_record(9, requested_at=datetime(2024, 5, 1, tzinfo=UTC)))
    facts = FleetFacts(policy_hash="sha256:" + "ab" * 32, credit_balance=412.5)
    prom = tmp_path / "textfile" / "station.prom"
    config = relay_config(
        relay.port, pki.ca_pem, heartbeat_interval=timedelta(seconds=1), prometheus_textfile=prom
    )
    shipper = shipper_for(journal, config, facts=lambda: facts)
    with running(shipper):
        wait_until(lambda: sum(r.msgid == "heartbeat" for r in relay.received()) >= 3, 60, "three heartbeats")
    beats = [r for r in relay.received() if r.msgid == "heartbeat"]
    health = json.loads(beats[0].body()["notes"])
    assert health["head_sequence"] == 4
    assert len(health["head_mac"]) == 64
    assert health["policy_hash"] == facts.policy_hash
    assert health["credit_balance"] == 412.5
    assert health["unshipped"] == 4  # nothing had been shipped when the first heartbeat was written
    assert health["last_verification_at"] is not None
    assert beats[0].body()["policy_hash"] == facts.policy_hash
    later = json.loads(beats[2].body()["notes"])
    assert later["head_sequence"] > health["head_sequence"]
    text = prom.read_text()
    assert 'station_ship_unshipped_records{station="branch-042-desk-1",target="syslog_tls"}' in text
    assert "station_credit_balance" in text


def test_purge_after_shipping_removes_only_acknowledged_rows(
    journal: AuditJournal, relay: RsyslogRelay, pki: Pki
) -> None:
    fill(journal, 5)
    assert (
        shipper_for(journal, relay_config(relay.port, pki.ca_pem)).run_until_idle(60).state
        is ShipState.SHIPPED
    )
    fill(journal, 5, start=5)  # rows 7-11, not shipped
    removed = journal.purge(datetime.now(UTC) + timedelta(days=1))
    assert removed == 6  # rows 1-5 and the heartbeat
    assert [r.sequence for r in journal.recent(100)][::-1] == [7, 8, 9, 10, 11, 12]
    assert journal.verify().ok
