"""The window draws a DeskState and nothing else (issue 23): the counter's view is built with no
desk, no controller and no port, and each screen is drawn from a `DeskState` value made here.

Every screen: live (Ready), the guide's objection, a part that is bad, the consent notice, a refused
consent, each verdict, a REVIEW (with and without a supervisor who can settle it), the refusals
(not ready, unavailable), cancelled, cleared after a timeout, and verifying."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from station.application.attempt import AttemptReport
from station.application.desk_state import Banner, BannerKind, DeskState, IdleScreen
from station.application.session import REFUSAL_MESSAGES, Phase, Refusal
from station.application.verdict_text import VerdictText
from station.core.models import OutcomeKind
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.window_view import CounterView
from station.vision.quality import Instruction

#: The live counter, nothing on screen: what a new customer sees.
LIVE = DeskState(
    phase=Phase.READY,
    consent_needed=False,
    reference_locked=False,
    capture_refusal=None,
    next_refusal=None,
    customer_on_screen=False,
    review_pending=False,
    review_unsettleable=False,
    face_pick_offered=False,
    attempts_left=2,
)
NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


def report(kind: OutcomeKind) -> AttemptReport:
    return AttemptReport(kind, f"{kind.value} message", NOW, NOW, 812.0, "ab" * 32, "api.example", "sandbox")


def verdict(kind: OutcomeKind, action: str, details: str = "") -> Banner:
    words = VerdictText(kind.value.upper(), action, details, kind=kind)
    return Banner(BannerKind.VERDICT, verdict=words, report=report(kind))


def judged(kind: OutcomeKind, action: str, **fields: object) -> DeskState:
    """A verdict on screen: the reference locked, the judged picture held, a customer to move on."""
    state = replace(
        LIVE,
        phase=Phase.RESULT,
        reference_locked=True,
        customer_on_screen=True,
        picture_held=True,
        attempts_left=1,
        banner=verdict(kind, action, f"Details of the {kind.value} verdict."),
    )
    return replace(state, **fields)  # type: ignore[arg-type]


@pytest.fixture
def view(qtbot: QtBot) -> CounterView:
    pressed: list[str] = []
    slots = tuple(
        lambda name=name: pressed.append(name) for name in ("capture", "cancel", "next", "ok", "no")
    )
    shown = CounterView(Languages(), HistoryPanel(None), slots, environment="sandbox", demo=False)
    qtbot.addWidget(shown)
    shown.retranslate_view()
    return shown


def actions(view: CounterView) -> tuple[bool, bool, bool, int]:
    """Capture, Next customer, Cancel enabled; which action row (0: Cancel, 1: the review's)."""
    return (
        view.capture_button.isEnabled(),
        view.next_button.isEnabled(),
        view.cancel_button.isEnabled(),
        view.action_row.currentIndex(),
    )


def test_live_is_ready_with_capture_on_and_nothing_to_move_on_from(view: CounterView) -> None:
    view.draw(LIVE)
    assert view.banner.kind is None and view.banner.title_text == "Ready"
    assert "press Space" in view.banner.message_text
    assert actions(view) == (True, False, False, 0)
    assert view.capture_button.toolTip() == "" and not view.customer_ref.isReadOnly()
    assert view.preview.notice is None and view.details.text() == ""


def test_the_guides_objection_and_a_bad_part_replace_ready(view: CounterView) -> None:
    view.draw(replace(LIVE, idle_screen=IdleScreen.GUIDE, objection=Instruction.TOO_DARK))
    assert view.banner.title_text != "Ready" and "dark" in view.banner.message_text.lower()
    problem = "No token is enrolled: IT runs station token enrol."
    view.draw(replace(LIVE, idle_screen=IdleScreen.UNAVAILABLE, problem=problem, station_ready=False))
    assert view.banner.title_text != "Ready" and view.banner.message_text == problem


def test_the_consent_notice_and_its_refusal(view: CounterView) -> None:
    notice = "We check that you are present. Do you agree?"
    asking = replace(
        LIVE,
        consent_needed=True,
        capture_refusal=Refusal.CONSENT_NEEDED,
        idle_screen=IdleScreen.CONSENT,
        notice=notice,
    )
    view.draw(asking)
    assert view.preview.notice == notice
    assert view.banner.title_text == "Consent" and "F7" in view.banner.message_text
    assert actions(view) == (False, False, False, 0)
    assert view.capture_button.toolTip() == REFUSAL_MESSAGES[Refusal.CONSENT_NEEDED]  # off says why
    refused = replace(
        LIVE,
        phase=Phase.CLOSED,
        capture_refusal=Refusal.CLOSED,
        customer_on_screen=True,
        reference_locked=True,
        banner=Banner(BannerKind.CONSENT_REFUSED),
    )
    view.draw(refused)
    assert view.preview.notice is None
    assert view.banner.kind is OutcomeKind.ERROR and view.banner.title_text == "NO CONSENT"
    assert "manual identity check" in view.banner.message_text
    assert actions(view) == (False, True, False, 0)


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        (OutcomeKind.LIVE, "You may continue with the customer."),
        (OutcomeKind.SPOOF, "Liveness not confirmed. Try once more, then the manual identity check."),
        (OutcomeKind.RETRY, "Ask the customer to face the camera and capture again."),
        (OutcomeKind.ERROR, "The service did not answer. Capture again."),
    ],
)
def test_each_verdict_is_drawn_with_its_words_and_details(
    view: CounterView, kind: OutcomeKind, action: str
) -> None:
    view.draw(judged(kind, action))
    assert view.banner.kind is kind
    assert view.banner.title_text == kind.value.upper() and view.banner.message_text == action
    assert f"Details of the {kind.value} verdict." in view.details.text()
    assert actions(view) == (True, True, False, 0)
    assert view.customer_ref.isReadOnly() and not view.customer_ref.isEnabled()  # looks locked


def test_going_back_to_live_takes_the_judged_details_and_picture_away(view: CounterView) -> None:
    frame = np.zeros((120, 160, 3), np.uint8)
    view.preview.freeze(frame, None, None)
    view.draw(judged(OutcomeKind.SPOOF, "Try once more."))
    assert view.preview.is_frozen and view.details.text()
    view.draw(replace(LIVE, reference_locked=True, customer_on_screen=True))
    assert not view.preview.is_frozen  # the desk no longer holds the picture: the live one again
    assert view.details.text() == "" and view.banner.title_text == "Ready"


def test_a_review_shows_the_supervisors_actions_unless_nobody_can_settle_it(view: CounterView) -> None:
    waiting = judged(
        OutcomeKind.REVIEW,
        "A supervisor must confirm or reject this result (F9 / F10).",
        phase=Phase.REVIEW,
        review_pending=True,
        capture_refusal=Refusal.REVIEW_PENDING,
        next_refusal=Refusal.REVIEW_PENDING,
    )
    view.draw(waiting)
    assert view.banner.kind is OutcomeKind.REVIEW
    assert actions(view) == (False, False, False, 1)  # Confirm / Reject in Cancel's place
    assert view.next_button.toolTip() == REFUSAL_MESSAGES[Refusal.REVIEW_PENDING]
    unsettleable = replace(
        waiting,
        review_unsettleable=True,
        next_refusal=None,
        banner=verdict(OutcomeKind.REVIEW, "No supervisor can settle this here. Call IT."),
    )
    view.draw(unsettleable)
    assert "Call IT" in view.banner.message_text
    assert actions(view) == (False, True, False, 0)  # the counter moves on; no F9 / F10 buttons


def test_the_refusals_say_why_on_the_banner(view: CounterView) -> None:
    view.draw(replace(LIVE, banner=Banner(BannerKind.NOT_READY, "Too dark", objection=Instruction.TOO_DARK)))
    assert "Space again" in view.banner.detail_text
    journal = "The journal cannot be written: nothing is sent. Call IT."
    view.draw(replace(LIVE, banner=Banner(BannerKind.UNAVAILABLE, journal)))
    assert view.banner.message_text == journal and view.banner.kind is None
    view.draw(replace(LIVE, capture_refusal=Refusal.BUSY, next_refusal=Refusal.BUSY, customer_on_screen=True))
    assert not view.capture_button.isEnabled() and not view.next_button.isEnabled()
    assert view.capture_button.toolTip() == REFUSAL_MESSAGES[Refusal.BUSY]  # off says why
    assert view.capture_button.accessibleDescription() == REFUSAL_MESSAGES[Refusal.BUSY]


def test_cancelled_cleared_and_verifying(view: CounterView) -> None:
    view.draw(replace(LIVE, banner=Banner(BannerKind.CANCELLED)))
    assert "cancelled" in view.banner.message_text.lower()
    view.draw(replace(LIVE, banner=Banner(BannerKind.CLEARED, cleared_after_s=90.0)))
    assert "90" in view.banner.message_text
    view.banner.show_busy(1.0, "Verifying…", 10.0)
    view.draw(replace(LIVE, verifying=True, picture_held=True, reference_locked=True))
    assert view.banner.title_text.startswith("Verifying")  # the clock's banner stays
    assert actions(view) == (False, False, True, 0)
