"""Rows reach a real rsyslog over TLS, parsed as RFC 5424 with our structured data."""

from __future__ import annotations

from pathlib import Path

from station.audit import AuditJournal
from station.ship import PayloadFormat, ShipState, event_id, status_text
from tests.ship.conftest import Pki
from tests.ship.relay import RsyslogRelay, wait_until
from tests.ship.support import STATION, fill, relay_config, running, shipper_for


def test_rows_arrive_parsed_with_msgid_structured_data_and_a_json_body(
    journal: AuditJournal, relay: RsyslogRelay, pki: Pki, tmp_path: Path
) -> None:
    fill(journal, 5)
    shipper = shipper_for(journal, relay_config(relay.port, pki.ca_pem), tmp_path / "audit.anchor")
    status = shipper.run_until_idle(timeout=30)
    assert status.state is ShipState.SHIPPED, status
    assert status_text(status) == "all shipped"
    received = relay.received()
    assert [r.sequence for r in received] == [1, 2, 3, 4, 5, 6]
    assert [r.msgid for r in received] == ["verification"] * 5 + ["heartbeat"]  # one at start-up
    first = received[0]
    assert first.msgid == "verification"
    assert first.app == "station"
    assert first.host == STATION
    journal_id = journal.journal_id
    assert journal_id is not None
    assert first.sd["eid"] == event_id(STATION, journal_id, 1)
    assert first.sd["station"] == STATION
    stored = journal.rows_after(0, 1)[0]
    assert first.sd["mac"] == stored.mac
    assert first.sd["prev"] == "0" * 64
    body = first.body()
    assert body["customer_ref"] == "CUST-00000"
    assert body["outcome"] == "LIVE"
    assert body["event_id"] == first.sd["eid"]
    cursor = journal.ship_cursor("syslog_tls")
    assert cursor is not None and cursor.acked_sequence == 6


def test_cef_bodies(journal: AuditJournal, relay: RsyslogRelay, pki: Pki) -> None:
    fill(journal, 2)
    config = relay_config(relay.port, pki.ca_pem, payload_format=PayloadFormat.CEF)
    shipper = shipper_for(journal, config)
    assert shipper.run_until_idle(timeout=30).state is ShipState.SHIPPED
    received = relay.received()
    assert [r.sequence for r in received] == [1, 2, 3]
    msg = received[1].msg
    assert msg.startswith("CEF:0|Station|station|")
    assert "|verification|verification LIVE|1|" in msg
    assert "cn1=2 cn1Label=sequence" in msg
    assert f"dvchost={STATION}" in msg


def test_a_running_shipper_picks_up_new_rows(journal: AuditJournal, relay: RsyslogRelay, pki: Pki) -> None:
    shipper = shipper_for(journal, relay_config(relay.port, pki.ca_pem))
    with running(shipper):
        fill(journal, 3)
        shipper.wake()
        wait_until(lambda: len(relay.sequences()) >= 4, 30, "the heartbeat and 3 rows at the relay")
        wait_until(lambda: shipper.status().state is ShipState.SHIPPED, 30, "the cursor to pass them")
    assert relay.sequences() == [1, 2, 3, 4]  # the start-up heartbeat first
