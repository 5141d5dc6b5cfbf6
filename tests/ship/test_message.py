"""RFC 5424 messages, octet-counting frames under 2 KB, stable event ids, JSON and CEF bodies."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from station.audit import AuditJournal, AuditRecord
from station.ship import PayloadFormat, ShippedEvent, event_id
from station.ship.payload import MAX_FRAME_BYTES, cef_body, encode_frame
from station.ship.rfc5424 import frame, message, structured_data
from tests.audit.support import KEY, make_record

_HEADER = re.compile(
    r"<(?P<pri>\d{1,3})>1 (?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) "
    r"(?P<host>\S+) station - (?P<msgid>\S{1,32}) "
)


def _event(
    journal: AuditJournal, record: AuditRecord, station: str = "branch 42/desk\u00e91"
) -> ShippedEvent:
    journal.append(record)
    stored = journal.recent(1)[0]
    journal_id = journal.journal_id
    assert journal_id is not None
    return ShippedEvent.from_stored(stored, station_id=station, journal_id=journal_id)


@pytest.fixture
def journal(tmp_path: Path) -> AuditJournal:
    return AuditJournal.open(tmp_path / "audit.sqlite3", KEY)


def test_event_ids_are_uuid5_stable_and_distinct() -> None:
    a = event_id("st-1", "j-1", 7)
    assert uuid.UUID(a).version == 5
    assert a == event_id("st-1", "j-1", 7)
    assert len({a, event_id("st-2", "j-1", 7), event_id("st-1", "j-2", 7), event_id("st-1", "j-1", 8)}) == 4


def test_the_header_structured_data_and_framing(journal: AuditJournal) -> None:
    event = _event(journal, make_record(1, outcome="SPOOF"))
    framed = encode_frame(event, PayloadFormat.JSON)
    length, _, msg = framed.partition(b" ")
    assert int(length) == len(msg)
    text = msg.decode()
    match = _HEADER.match(text)
    assert match, text
    assert match["pri"] == str(13 * 8 + 5)  # log audit, notice for a SPOOF
    assert match["msgid"] == "verification"
    assert match["host"] == "branch_42/desk_1"  # printable ASCII in the header …
    assert 'station="branch 42/desk\u00e91"' in text  # … the exact id in the structured data
    assert f'eid="{event.event_id}"' in text
    assert f'mac="{event.mac}" prev="{event.prev_mac}"]' in text
    assert msg.isascii() or "\u00e9" in text  # only the SD may carry UTF-8
    body = json.loads(text.split("] ", 1)[1])
    assert body["event_id"] == event.event_id
    assert body["score"] == 0.91
    assert "mac" not in body and "token" not in json.dumps(body).lower()


def test_structured_data_escapes_quote_backslash_and_bracket(journal: AuditJournal) -> None:
    event = _event(journal, make_record(1), station='a"b\\c]d')
    assert structured_data(event).startswith('[station@32473 station="a\\"b\\\\c\\]d" ')


def test_a_newline_in_a_field_never_splits_the_message(journal: AuditJournal) -> None:
    event = _event(journal, make_record(1, notes="line one\nline two\r\n"))
    msg = message(event, json.dumps(event.fields, ensure_ascii=True))
    assert b"\n" not in msg and b"\r" not in msg
    assert frame(b"abc") == b"3 abc"


@pytest.mark.parametrize("fmt", list(PayloadFormat))
def test_the_longest_row_still_fits_in_a_frame_and_says_what_was_trimmed(
    journal: AuditJournal, fmt: PayloadFormat
) -> None:
    event = _event(
        journal,
        make_record(
            1,
            notes="N" * 2048,
            error_message="\u00e9" * 1024,
            customer_ref="C" * 256,
            client_id="K" * 256,
            camera_source="device:" + "x" * 500,
        ),
    )
    framed = encode_frame(event, fmt)
    assert len(framed) <= MAX_FRAME_BYTES < 2048
    text = framed.decode()
    assert event.mac in text and event.event_id in text  # never trimmed
    if fmt is PayloadFormat.JSON:
        body = json.loads(text.split("] ", 1)[1])
        assert {"notes", "error_message"} <= set(body["trimmed"])
        assert body["notes"].endswith("…") and len(body["notes"]) > 100  # shortened, not emptied
        assert body["error_message"].endswith("…") and len(body["error_message"]) > 20  # 6 bytes each in JSON
        assert body["sequence"] == 1
    else:
        assert "reason=trimmed " in text


def test_a_short_row_is_not_trimmed(journal: AuditJournal) -> None:
    event = _event(journal, make_record(1))
    assert b"trimmed" not in encode_frame(event, PayloadFormat.JSON)


def test_cef_escapes_pipes_equals_and_newlines(journal: AuditJournal) -> None:
    event = _event(journal, make_record(1, operator_id="op|=7", notes="a=b\nc", error_message=None))
    body = cef_body(event, event.fields)
    assert body.startswith("CEF:0|Station|station|")
    extension = body.split("|", 7)[7]  # pipes need no escape in the extension
    assert "suser=op|\\=7" in extension
    assert "msg=a\\=b\\nc" in extension
    assert "\n" not in body


def test_cef_carries_the_started_row_and_the_callers_os_account(journal: AuditJournal) -> None:
    """An outcome names its "attempt started" row, and every row the OS account of the caller:
    the SIEM needs both to pair a paid call with its outcome and to see who was at the keyboard."""
    event = _event(journal, make_record(1, started_sequence=1, caller_account="branch\\clerk7"))
    extension = cef_body(event, event.fields).split("|", 7)[7]
    assert "flexNumber1=1 flexNumber1Label=startedSequence" in extension
    assert "suid=branch\\\\clerk7" in extension
    plain = _event(journal, make_record(2))
    assert "flexNumber1" not in cef_body(plain, plain.fields)


def test_a_chain_restarted_row_is_a_warning_for_the_siem(tmp_path: Path) -> None:
    """Row 1 of a chain an administrator started over a vanished journal: rows were lost on the
    PC, so it goes out as a warning (syslog) and severity 8 (CEF), not as routine."""
    from station.audit import KIND_CHAIN_RESTARTED

    with AuditJournal.open(tmp_path / "new.sqlite3", KEY) as journal:
        journal.record_chain_restart(
            AuditRecord(
                kind=KIND_CHAIN_RESTARTED, outcome="RESTARTED", notes="previous journal j ended at row 35"
            )
        )
        event = ShippedEvent.from_stored(journal.recent(1)[0], station_id="st-1", journal_id="j-2")
    text = encode_frame(event, PayloadFormat.JSON).partition(b" ")[2].decode()
    match = _HEADER.match(text)
    assert match, text
    assert (match["pri"], match["msgid"]) == (str(13 * 8 + 4), KIND_CHAIN_RESTARTED)
    assert cef_body(event, event.fields).split("|")[6] == "8"
