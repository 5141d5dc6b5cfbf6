"""Consent on screen: the notice over the picture, F7 to agree, F8 to refuse (no call, journaled)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.consent import ConsentNotice
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from tests.ui.conftest import close_station, journal_rows, start_station
from tests.ui.test_station_flow import capture

NOTICE = ConsentNotice("bank-2026-12", "We take one picture of your face to confirm you are here in person.")


@pytest.fixture
def asking(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot, recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")), journal=journal
    )
    running.controller.desk.notice = NOTICE
    running.controller.next_customer()
    yield running
    close_station(qtbot, running)


def test_the_notice_comes_first_and_f7_lets_the_capture_go(
    qtbot: QtBot, asking: Station, journal: AuditJournal
) -> None:
    window = asking.window
    assert window.preview.notice == NOTICE.text
    assert window.banner.title_text == "Consent"
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert asking.emulator is not None and asking.emulator.requests_received == 0
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert window.preview.notice is None
    report = capture(qtbot, asking)
    assert report.kind is OutcomeKind.LIVE
    assert journal_rows(journal)[0].record.consent == "given"


def test_f8_records_a_refusal_and_no_call_is_made(
    qtbot: QtBot, asking: Station, journal: AuditJournal
) -> None:
    window = asking.window
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.banner.title_text == "NO CONSENT"
    assert window.preview.notice is None
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert asking.emulator is not None and asking.emulator.requests_received == 0
    qtbot.waitUntil(lambda: any(r.record.kind == "session" for r in journal_rows(journal)), timeout=5_000)
    (closing,) = [r for r in journal_rows(journal) if r.record.kind == "session"]
    assert closing.record.consent == "refused"
    assert closing.record.consent_notice_sha256 == NOTICE.sha256
    qtbot.keyClick(window, Qt.Key.Key_Return)  # the next customer is asked again
    assert window.preview.notice == NOTICE.text
