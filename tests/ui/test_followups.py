"""Decisions taken after the answer: a supervisor's review, the operator's pick among faces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.attempt import AttemptReport
from station.application.desk import SupervisorCredentials
from station.application.port import ReviewRefusal
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.models import OutcomeKind
from tests.ui.conftest import close_station, journal_rows, start_station, supervisor
from tests.ui.test_station_flow import capture


@pytest.fixture
def answers() -> list[SupervisorCredentials | None]:
    return []


@pytest.fixture
def reviewing(
    qtbot: QtBot, journal: AuditJournal, answers: list[SupervisorCredentials | None]
) -> Iterator[Station]:
    def asked(reason: str) -> SupervisorCredentials | None:
        return answers.pop(0)

    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999, several_faces=SeveralFacesPolicy.OPERATOR_PICKS),
        supervisor_check=asked,
    )
    yield running
    close_station(qtbot, running)


def followup(qtbot: QtBot, station: Station, action: object) -> AttemptReport:
    with qtbot.waitSignal(station.controller.followup_recorded, timeout=5_000) as recorded:
        action()  # type: ignore[operator]
    report = recorded.args[0]
    assert isinstance(report, AttemptReport)
    return report


def test_review_band_needs_a_supervisor(
    qtbot: QtBot, reviewing: Station, journal: AuditJournal, answers: list[SupervisorCredentials | None]
) -> None:
    window = reviewing.window
    report = capture(qtbot, reviewing)
    assert report.kind is OutcomeKind.REVIEW
    assert window.banner.title_text == "REVIEW"
    assert window.confirm_button.isVisible()
    # A missing PIN changes nothing and records nothing.
    answers.append(None)
    window.confirm_button.click()
    assert window.banner.kind is OutcomeKind.REVIEW
    assert len(journal_rows(journal)[:10]) == 1
    # A wrong one is refused by the trusted side, and the window says why; the REVIEW stays.
    answers.append(supervisor("sup2", "000000"))
    with qtbot.waitSignal(reviewing.controller.review_refused, timeout=5_000) as refused:
        window.confirm_button.click()
    assert refused.args == [ReviewRefusal.WRONG_SECRET]
    assert "id or PIN is wrong" in window.statusBar().currentMessage()
    assert window.banner.kind is OutcomeKind.REVIEW and window.confirm_button.isVisible()
    assert [row.record.kind for row in journal_rows(journal)[:10] if row.record.kind != "pin"] == [
        "verification"
    ]
    # The operator cannot settle their own attempt, whatever PIN they know.
    answers.append(supervisor(" OP1 "))
    with qtbot.waitSignal(reviewing.controller.review_refused, timeout=5_000) as refused:
        window.confirm_button.click()
    assert refused.args == [ReviewRefusal.OWN_ATTEMPT]
    assert window.banner.kind is OutcomeKind.REVIEW
    answers.append(supervisor("sup2"))
    confirmed = followup(qtbot, reviewing, window.confirm_button.click)
    assert confirmed.kind is OutcomeKind.LIVE
    assert window.banner.kind is OutcomeKind.LIVE
    assert not window.confirm_button.isVisible()
    review, attempt = journal_rows(journal)[:2]
    assert attempt.record.outcome == "REVIEW"
    assert review.record.kind == "review"
    assert review.record.outcome == "LIVE"
    assert review.record.client_id == attempt.record.client_id
    assert f"attempt #{attempt.sequence}" in (review.record.notes or "")
    assert "supervisor sup2 confirmed" in (review.record.notes or "")


def test_supervisor_can_reject(
    qtbot: QtBot, reviewing: Station, journal: AuditJournal, answers: list[SupervisorCredentials | None]
) -> None:
    capture(qtbot, reviewing)
    answers.append(supervisor("sup2"))
    rejected = followup(qtbot, reviewing, reviewing.window.reject_button.click)
    assert rejected.kind is OutcomeKind.SPOOF
    assert journal_rows(journal)[:1][0].record.outcome == "SPOOF"


def test_operator_picks_the_customers_face(qtbot: QtBot, reviewing: Station, journal: AuditJournal) -> None:
    assert reviewing.emulator is not None
    reviewing.emulator.set_scenario("several_faces")
    window = reviewing.window
    report = capture(qtbot, reviewing)
    assert report.kind is OutcomeKind.RETRY
    assert "Click the customer's face" in window.banner.message_text
    boxes = window.preview.drawn_boxes()
    assert len(boxes) == 2
    second = boxes[1]
    centre = QPointF(second.x + second.width / 2, second.y + second.height / 2).toPoint()
    picked = followup(
        qtbot, reviewing, lambda: qtbot.mouseClick(window.preview, Qt.MouseButton.LeftButton, pos=centre)
    )
    assert picked.outcome is not None
    assert picked.outcome.primary_face == report.outcome.result.faces[1]  # type: ignore[union-attr]
    assert picked.kind in (OutcomeKind.LIVE, OutcomeKind.REVIEW, OutcomeKind.SPOOF)
    stored = journal_rows(journal)[:1][0].record
    assert stored.kind == "review"
    assert "operator picked face 2 of 2" in (stored.notes or "")


def test_picking_is_off_by_default(qtbot: QtBot, station: Station) -> None:
    assert station.emulator is not None
    station.emulator.set_scenario("several_faces")
    capture(qtbot, station)
    assert "Click the customer's face" not in station.window.banner.message_text
