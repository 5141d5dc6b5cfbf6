"""The customer session on screen: what the operator sees when the rules of one customer hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.recording import AttemptContext, JournalRecorder
from station.application.session import Phase, SessionPolicy
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from tests.ui.conftest import close_station, journal_rows, start_station, supervisor
from tests.ui.test_station_flow import capture


def test_space_on_a_live_verdict_does_not_capture_the_customer_again(
    qtbot: QtBot, station: Station, journal: AuditJournal
) -> None:
    assert capture(qtbot, station).kind is OutcomeKind.LIVE
    qtbot.keyClick(station.window, Qt.Key.Key_Space)
    assert station.emulator is not None
    assert station.emulator.requests_received == 1
    assert station.window.banner.kind is OutcomeKind.LIVE
    assert "next customer" in station.window.statusBar().currentMessage()
    assert len(journal_rows(journal)[:10]) == 1


def test_the_reference_is_locked_under_its_verdict(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.customer_ref.setFocus()
    qtbot.keyClicks(window.customer_ref, "CIF-111")
    qtbot.keyClick(window.customer_ref, Qt.Key.Key_Return)
    capture(qtbot, station)
    assert window.customer_ref.isReadOnly()
    window.customer_ref.setFocus()
    qtbot.keyClicks(window.customer_ref, "CIF-222")  # typing into a locked field changes nothing
    assert window.customer_ref.text() == "CIF-111"
    assert station.controller.session.reference == "CIF-111"
    window.preview.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Return)  # next customer: a fresh, editable reference
    assert not window.customer_ref.isReadOnly()
    assert window.customer_ref.text() == ""


def test_enter_does_not_wipe_a_reference_just_typed(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.customer_ref.setFocus()
    qtbot.keyClicks(window.customer_ref, "CIF-0042")
    qtbot.keyClick(window.customer_ref, Qt.Key.Key_Return)  # ends typing
    qtbot.keyClick(window, Qt.Key.Key_Return)  # a second Enter: nothing to move on from
    assert window.customer_ref.text() == "CIF-0042"
    report = capture(qtbot, station)
    assert report.customer_ref == "CIF-0042"


@pytest.fixture
def spoofing(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        scenario="spoof",
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
    )
    yield running
    close_station(qtbot, running)


def test_attempts_are_limited_per_customer(qtbot: QtBot, spoofing: Station) -> None:
    window = spoofing.window
    assert capture(qtbot, spoofing).kind is OutcomeKind.SPOOF
    assert "No more attempts" not in window.banner.message_text
    assert capture(qtbot, spoofing).kind is OutcomeKind.SPOOF
    assert window.banner.message_text == "No more attempts. Use the branch's manual identity check."
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert spoofing.emulator is not None
    assert spoofing.emulator.requests_received == 2
    assert "manual identity check" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert capture(qtbot, spoofing).kind is OutcomeKind.SPOOF  # the next customer may try


@pytest.fixture
def reviewing(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
        supervisor_check=lambda _action: supervisor("sup2"),
    )
    yield running
    close_station(qtbot, running)


def test_a_review_must_be_settled_before_the_next_customer(qtbot: QtBot, reviewing: Station) -> None:
    window = reviewing.window
    assert capture(qtbot, reviewing).kind is OutcomeKind.REVIEW
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.banner.kind is OutcomeKind.REVIEW
    assert window.preview.is_frozen
    assert "supervisor must confirm or reject" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert reviewing.emulator is not None
    assert reviewing.emulator.requests_received == 1
    assert reviewing.controller.session.phase is Phase.REVIEW
    with qtbot.waitSignal(reviewing.controller.followup_recorded, timeout=5_000):
        window.confirm_button.click()
    assert window.banner.kind is OutcomeKind.LIVE
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert not window.preview.is_frozen


def test_a_supervisor_cannot_settle_their_own_attempt(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
        supervisor_check=lambda _action: supervisor("op1"),
    )
    try:
        assert capture(qtbot, running).kind is OutcomeKind.REVIEW
        with qtbot.waitSignal(running.controller.review_refused, timeout=5_000):
            running.window.confirm_button.click()  # the trusted side refuses: op1 made the attempt
        assert "own attempt" in running.window.statusBar().currentMessage()
        assert running.window.banner.kind is OutcomeKind.REVIEW
        assert len(journal_rows(journal)[:10]) == 1
    finally:
        close_station(qtbot, running)


def test_a_stale_verdict_clears_itself(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        session=SessionPolicy(verdict_timeout_s=5),
    )
    try:
        window = running.window
        window.customer_ref.setFocus()
        qtbot.keyClicks(window.customer_ref, "CIF-111")
        window.preview.setFocus()
        capture(qtbot, running)
        assert window.preview.is_frozen
        qtbot.waitUntil(lambda: not window.preview.is_frozen, timeout=20_000)
        assert window.banner.kind is None
        assert "cleared after 5 s" in window.banner.message_text
        assert window.customer_ref.text() == ""
        assert window.details.text() == ""

        def clearing() -> list[str]:
            return [
                r.record.customer_ref or ""
                for r in journal_rows(journal)[:5]
                if r.record.kind == "session" and "verdict cleared after 5 s" in (r.record.notes or "")
            ]

        qtbot.waitUntil(lambda: clearing() != [], timeout=5_000)
        assert clearing() == ["CIF-111"]
    finally:
        close_station(qtbot, running)


def test_trying_again_sends_the_customer_as_they_are_now_not_the_judged_picture(
    qtbot: QtBot, station: Station, journal: AuditJournal
) -> None:
    """After a SPOOF ("try once more") the first Space goes back to the live picture and sends
    nothing; the next one sends a new picture (once, the one already judged went again)."""
    emulator = station.emulator
    assert emulator is not None
    emulator.set_scenario("spoof")
    window = station.window
    first = capture(qtbot, station)
    assert first.kind is OutcomeKind.SPOOF and window.preview.is_frozen
    judged = window.preview.frozen_frame()
    sent = emulator.requests_received
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.preview.is_frozen  # the live customer again, with the guide
    assert window.banner.title_text == "Ready"
    assert emulator.requests_received == sent  # nothing sent on that press
    # Until the camera delivers a new frame, the judged one is not offered for capture at all.
    assert not window.has_new_frame() or window.preview.latest_frame() is not judged
    qtbot.waitUntil(window.has_new_frame, timeout=10_000)
    with qtbot.waitSignal(station.controller.finished, timeout=15_000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    second = finished.args[0]
    assert emulator.requests_received == sent + 1
    assert second.submission_sha256 and second.submission_sha256 != first.submission_sha256
    rows = [row.record for row in journal_rows(journal) if row.record.kind == "verification"]
    assert rows[0].image_sha256 != rows[1].image_sha256
