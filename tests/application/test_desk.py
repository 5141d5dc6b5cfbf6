"""The desk's own rules, without Qt: automatic capture (issue 23 (d)), the next customer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.api import LivenessClient
from station.application.attempt import AttemptReport
from station.application.consent import Consent, ConsentNotice
from station.application.desk import (
    FACE_KEYS,
    INTENT_KEYS,
    REVIEW_REFUSAL_MESSAGES,
    Desk,
    IdleScreen,
    Intent,
    RefusalScreen,
    refusal_screen,
)
from station.application.desk_state import Banner, BannerKind
from station.application.gate import QualityGate
from station.application.health import JournalState, Level, Part, PartHealth, journal_health
from station.application.kinds import ErrorKind
from station.application.port import Capture, InProcessVerifier, OperatorIdentity, ReviewRefusal
from station.application.recording import AttemptContext, JournalRecorder
from station.application.session import CaptureCheck, CloseReason, Phase, Refusal, SessionPolicy
from station.application.verdict_time import ExtensionRefusal
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.camera import CameraState, CameraStatus
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import PinHash, hash_pin
from station.vision.quality import Instruction, QualityAnalyser, QualityReport
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio

#: The supervisors' PIN hash (scrypt is slow on purpose: hashed once).
_HASHES: list[PinHash] = []


@pytest.fixture
def ready(frame: np.ndarray) -> QualityReport:
    report = QualityAnalyser().analyse(frame)
    assert report.ready
    return report


def supervisor_guard(journal: AuditJournal) -> PinGuard:
    """Two supervisors (never asked for their PIN here), with a ledger beside the journal."""
    if not _HASHES:
        _HASHES.append(hash_pin("736251"))
    people = People(None, {"sup2": _HASHES[0], "sup9": _HASHES[0]})
    return PinGuard(people, PinLedger(journal.path.parent / "pins.sqlite3"))


def consenting_desk(client: LivenessClient, journal: AuditJournal, clock: Clock) -> Desk:
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    desk = Desk(
        InProcessVerifier(Verifier(client, DecisionPolicy(), recorder)),
        gate=QualityGate(enabled=True),
        clock=clock,
        notice=ConsentNotice("v1", "We check that you are present. Do you agree?"),
    )
    desk.set_auto_capture(2.0)
    return desk


async def test_no_countdown_while_the_consent_notice_is_up(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    assert desk.session.consent_needed
    for _ in range(5):  # ten seconds of a ready picture behind the notice
        step = desk.quality_report(ready, station_ready=True, showing_verdict=False)
        assert step.progress is None and not step.fire
        clock.now += 2.0
    desk.session.give_consent()
    first = desk.quality_report(ready, station_ready=True, showing_verdict=False)
    assert first.progress == 0.0 and not first.fire  # the countdown starts at F7, from nothing
    clock.now += 1.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress == 0.5
    clock.now += 1.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).fire


async def test_no_countdown_while_the_station_is_not_ready_or_a_verdict_shows(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    assert desk.quality_report(ready, station_ready=False, showing_verdict=False).progress is None
    assert desk.quality_report(ready, station_ready=True, showing_verdict=True).progress is None
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress == 0.0
    assert desk.stop_auto_capture()
    clock.now += 5.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress is None


# -- the state the window draws ------------------------------------------------------------------


def plain_desk(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    *,
    supervisors: bool = True,
    **decision: float,
) -> Desk:
    """A desk on the in-process side, whose supervisors (``sup2`` / ``sup9``) can settle a REVIEW
    unless ``supervisors`` is False (none configured: the trusted side says so in its terms)."""
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    verifier = Verifier(client, DecisionPolicy(**decision), recorder)  # type: ignore[arg-type]
    return Desk(InProcessVerifier(verifier, supervisor_guard(journal) if supervisors else None), clock=clock)


async def test_the_state_says_which_actions_are_on_and_why_not(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = consenting_desk(client, journal, clock)
    state = desk.state()
    assert state.consent_needed and state.capture_refusal is Refusal.CONSENT_NEEDED
    assert "F7" in state.capture_reason
    assert not state.customer_on_screen and not state.next_enabled and state.next_reason == ""
    desk.session.give_consent()
    state = desk.state()
    assert state.capture_enabled and state.capture_reason == ""
    await desk.session.verify(frame)  # LIVE: the customer is done
    state = desk.state()
    assert state.phase is Phase.CLOSED and not state.capture_enabled
    assert "Press Enter for the next customer" in state.capture_reason
    assert state.reference_locked and state.next_enabled


async def test_a_review_blocks_the_next_customer_and_says_so(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, review_upper=0.999)
    await desk.session.verify(frame)
    state = desk.state()
    assert state.review_pending and state.capture_refusal is Refusal.REVIEW_PENDING
    assert not state.next_enabled and "supervisor must confirm" in state.next_reason
    assert desk.review_refusal(None) is Refusal.NO_SUPERVISOR
    assert desk.review_refusal("  ") is Refusal.NO_SUPERVISOR
    # Who may settle it is the trusted side's check (the PIN, not the operator): the desk asks.
    assert desk.review_refusal(" OP1 ") is None
    assert desk.review_refusal("sup2") is None


async def test_nothing_to_move_on_from_until_a_customer_is_on_screen(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    desk.session.set_reference("CIF-1")  # typed, not yet captured
    assert not desk.customer_on_screen
    assert desk.review_refusal("sup2") is Refusal.NO_REVIEW


async def test_a_review_nobody_can_settle_never_holds_the_counter(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    held = plain_desk(client, journal, clock, review_upper=0.999)
    await held.session.verify(frame)
    assert held.next_customer() is Refusal.REVIEW_PENDING  # supervisors exist: it must be settled
    await held.wait_idle()
    desk = plain_desk(client, journal, clock, supervisors=False, review_upper=0.999)
    assert not desk.supervisors_available  # the trusted side has none: it says so in its terms
    await desk.session.verify(frame)
    state = desk.state()
    assert state.review_unsettleable and state.next_enabled
    closing = desk.session
    assert desk.next_customer() is None
    assert closing.close_reason is CloseReason.NO_SUPERVISOR
    await desk.wait_idle()
    notes = [row.record.notes or "" for row in journal.recent(10) if row.record.kind == "session"]
    assert any("review left open: no supervisor can settle it" in note for note in notes)


async def test_a_judged_frame_is_never_sent_again(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    assert not desk.is_new_frame(None)  # no frame yet
    assert desk.is_new_frame(41)
    desk.frame_sent(41)
    assert not desk.is_new_frame(41)  # back to live, the old frame still on screen
    assert desk.is_new_frame(42)


# -- which screen the window draws -----------------------------------------------------------------


async def test_the_idle_screen_puts_a_bad_part_first_then_consent_then_the_guide(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = consenting_desk(client, journal, clock)
    assert desk.idle_screen(station_ready=False, showing_verdict=False) is IdleScreen.UNAVAILABLE
    assert desk.idle_screen(station_ready=True, showing_verdict=False) is IdleScreen.CONSENT
    desk.session.give_consent()
    assert desk.idle_screen(station_ready=True, showing_verdict=False) is IdleScreen.READY
    dark = QualityAnalyser().analyse(np.zeros_like(frame))
    assert not dark.ready
    desk.quality_report(dark, station_ready=True, showing_verdict=False)
    assert desk.guide_objection() is not None
    assert desk.idle_screen(station_ready=True, showing_verdict=False) is IdleScreen.GUIDE  # never Ready
    assert (
        desk.idle_screen(station_ready=True, showing_verdict=True) is IdleScreen.READY
    )  # not over a verdict
    assert desk.idle_screen(station_ready=False, showing_verdict=False) is IdleScreen.UNAVAILABLE


def test_each_refused_capture_has_its_screen() -> None:
    assert refusal_screen(Refusal.CONSENT_NEEDED) is RefusalScreen.IDLE
    assert refusal_screen(Refusal.NOT_READY) is RefusalScreen.NOT_READY
    for missing in (Refusal.CAMERA_NOT_LIVE, Refusal.NO_FRAME, Refusal.UNAVAILABLE, Refusal.JOURNAL):
        assert refusal_screen(missing) is RefusalScreen.UNAVAILABLE  # the reason becomes the banner
    for stays in (Refusal.BUSY, Refusal.CLOSED, Refusal.ATTEMPTS_EXHAUSTED, Refusal.REVIEW_PENDING, None):
        assert refusal_screen(stays) is RefusalScreen.NOTE  # the verdict stays, a note under it


async def test_space_over_a_verdict_first_goes_back_to_live_only_if_a_capture_could_follow(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, liveness_threshold=0.999)
    assert not desk.back_to_live_first(showing_verdict=False)
    await desk.session.verify(frame)  # SPOOF: one more attempt allowed
    assert desk.back_to_live_first(showing_verdict=True)
    assert desk.session.last_report is not None
    assert desk.verdict_text(desk.session.last_report).kind is OutcomeKind.SPOOF
    await desk.session.verify(frame)  # the second SPOOF: no more attempts
    assert not desk.back_to_live_first(showing_verdict=True)  # the verdict stays on screen
    assert desk.session.last_report is not None
    last = desk.verdict_text(desk.session.last_report)
    assert "try once more" not in (last.action + last.details).lower()


def test_every_intent_has_its_keys_and_no_key_means_two_things() -> None:
    assert set(INTENT_KEYS) == set(Intent)
    keys = [key for bound in INTENT_KEYS.values() for key in bound] + list(FACE_KEYS)
    assert len(keys) == len(set(keys))
    assert INTENT_KEYS[Intent.CAPTURE] == ("Space",) and INTENT_KEYS[Intent.CANCEL] == ("Esc",)
    assert set(INTENT_KEYS[Intent.NEXT_CUSTOMER]) == {"Return", "Enter"}  # both Enter keys
    assert (INTENT_KEYS[Intent.CONSENT_GIVEN], INTENT_KEYS[Intent.CONSENT_REFUSED]) == (("F7",), ("F8",))
    assert (INTENT_KEYS[Intent.CONFIRM_REVIEW], INTENT_KEYS[Intent.REJECT_REVIEW]) == (("F9",), ("F10",))
    assert tuple("123456789") == FACE_KEYS


async def test_the_guide_is_drawn_only_while_the_station_could_capture(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    desk.quality_report(ready, station_ready=True, showing_verdict=False)
    assert desk.guidance(station_ready=True, showing_verdict=False) is ready
    assert desk.guidance(station_ready=False, showing_verdict=False) is None  # never Ready when not
    assert desk.guidance(station_ready=True, showing_verdict=True) is None  # not over a verdict
    desk.gate.enabled = False
    assert desk.guidance(station_ready=True, showing_verdict=False) is None
    desk.gate.enabled = True
    desk.session.close(CloseReason.CONSENT_REFUSED)
    assert desk.guidance(station_ready=True, showing_verdict=False) is None  # F8: no green "Ready"


# -- the operator and the supervisor: only what the trusted side confirmed ----------------------------


async def test_the_desk_holds_the_operator_the_trusted_side_confirmed(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock)
    assert desk.operator is None and desk.operator_id is None
    confirmed = await desk.sign_in("  Op1 ")
    assert confirmed is not None and confirmed.operator_id == "op1"  # as the trusted side has it
    assert desk.operator is confirmed and desk.operator_id == "op1"
    report = await desk.session.verify(frame, sequence=3)
    assert report.final
    await desk.wait_idle()
    (row,) = [row for row in journal.recent(10) if row.record.kind == "verification"]
    assert row.record.operator_id == "op1"  # the trusted side recorded whom it confirmed
    assert await desk.sign_in("   ") is None  # refused: nobody is signed in at the desk
    assert desk.operator is None


def test_every_refusal_of_a_review_has_its_words() -> None:
    assert set(REVIEW_REFUSAL_MESSAGES) == set(ReviewRefusal)
    assert all(text.startswith("Review not recorded:") for text in REVIEW_REFUSAL_MESSAGES.values())


# -- the parts' health and the camera: the desk's one copy ------------------------------------------


async def test_the_desk_holds_the_health_and_a_bad_part_is_never_ready(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    assert desk.station_ready and desk.state().station_ready
    desk.show_part(journal_health(JournalState.MISSING))
    assert not desk.station_ready and not desk.state().station_ready
    assert desk.health.part(Part.JOURNAL).level is Level.BAD
    assert desk.idle_screen(station_ready=desk.station_ready, showing_verdict=False) is IdleScreen.UNAVAILABLE
    desk.show_part(journal_health(JournalState.WRITABLE))
    assert desk.station_ready
    desk.show_part(PartHealth(Part.SHIPPING, Level.WARN, "failing", "Call IT"))  # not a needed part
    assert desk.station_ready


async def test_a_camera_that_is_not_live_refuses_capture_with_its_own_words(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    assert desk.camera_live and desk.camera_problem == ""  # nothing said yet: its first frames count
    desk.camera_changed(CameraStatus(CameraState.LOST, "The camera stopped sending pictures."))
    assert not desk.camera_live and desk.state().camera_live is False
    assert desk.camera_problem == "The camera stopped sending pictures."
    check = desk.session.check_capture(
        has_frame=True, camera_live=desk.camera_live, camera_problem=desk.camera_problem
    )
    assert check.refusal is Refusal.CAMERA_NOT_LIVE
    assert check.message.startswith("The camera stopped sending pictures.")
    desk.camera_changed(CameraStatus(CameraState.LIVE, "Camera is live", fps=30.0))
    assert desk.camera_live and desk.camera_problem == ""


class RecordingPort(InProcessVerifier):
    """The real in-process port, keeping every capture the desk handed it."""

    def __init__(self, verifier: Verifier) -> None:
        super().__init__(verifier)
        self.seen: list[Capture] = []

    async def verify(self, capture: Capture) -> AttemptReport:
        self.seen.append(capture)
        return await super().verify(capture)


async def test_the_desk_hands_the_trusted_side_a_jpeg_and_the_facts_around_it(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    port = RecordingPort(Verifier(client, DecisionPolicy(), recorder, jpeg_quality=80))
    desk = Desk(port, clock=clock)
    desk.session.set_reference("CIF-7")
    report = await desk.session.verify(frame, ("a note",), sequence=42, camera_label="device:Desk cam")
    (capture,) = port.seen
    decoded = cv2.imdecode(np.frombuffer(capture.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == frame.shape  # encoded by the desk, off the loop
    assert (capture.frame_sequence, capture.camera_label) == (42, "device:Desk cam")
    assert (capture.session_id, capture.customer_ref) == (desk.session.id, "CIF-7")
    assert capture.notes == ("a note",)
    assert report.final and "frame 42" in report.notes  # the trusted side journaled which frame


# -- what the banner shows: the desk decides, the window words it -------------------------------------


async def test_the_banner_follows_the_counter(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, liveness_threshold=0.999)
    assert desk.state().banner == Banner()  # idle
    report = await desk.session.verify(frame)
    shown = desk.show_verdict(report)
    assert shown.kind is BannerKind.VERDICT and shown.report is report
    assert shown.verdict is not None and shown.verdict.kind is OutcomeKind.SPOOF
    assert desk.state().banner is shown
    busy = CaptureCheck(Refusal.BUSY, "busy")
    assert desk.capture_refused(busy) is RefusalScreen.NOTE and desk.banner is shown  # a note under it
    journal_down = CaptureCheck(Refusal.JOURNAL, "The audit journal cannot be written.")
    assert desk.capture_refused(journal_down) is RefusalScreen.UNAVAILABLE
    assert desk.banner == Banner(BannerKind.UNAVAILABLE, "The audit journal cannot be written.")
    dark = CaptureCheck(Refusal.NOT_READY, "Too dark", objection=Instruction.TOO_DARK)
    assert desk.capture_refused(dark) is RefusalScreen.NOT_READY
    assert desk.banner == Banner(BannerKind.NOT_READY, "Too dark", objection=Instruction.TOO_DARK)
    assert desk.capture_refused(CaptureCheck(Refusal.CONSENT_NEEDED, "F7")) is RefusalScreen.IDLE
    assert desk.banner == Banner()
    desk.show_verdict(report)
    clock.now += 60.0
    assert desk.clear_if_expired()
    assert desk.banner == Banner(BannerKind.CLEARED, cleared_after_s=60.0)  # says it cleared, and when
    desk.show_idle(BannerKind.CANCELLED)
    assert desk.banner.kind is BannerKind.CANCELLED
    assert desk.next_customer() is None and desk.banner == Banner()


async def test_a_refused_consent_is_its_own_banner_and_only_while_consent_is_asked(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = consenting_desk(client, journal, clock)
    assert desk.refuse_consent()
    assert desk.banner.kind is BannerKind.CONSENT_REFUSED and desk.session.closed
    assert not desk.refuse_consent()  # asked once


class SignInPort(InProcessVerifier):
    """The real in-process port, keeping what the desk asked it to confirm."""

    def __init__(self, verifier: Verifier) -> None:
        super().__init__(verifier)
        self.asked: list[tuple[str, str | None]] = []

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        self.asked.append((operator_id, secret))
        return await super().authenticate_operator(operator_id, secret)


async def test_sign_in_hands_the_secret_to_the_trusted_side_and_asks_nothing_for_nobody(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    port = SignInPort(Verifier(client, DecisionPolicy(), JournalRecorder(journal)))
    desk = Desk(port, clock=clock)
    assert await desk.sign_in("op1", "4711") is not None
    assert await desk.sign_in(None) is None and await desk.sign_in("") is None
    assert port.asked == [("op1", "4711")]


async def test_the_state_reports_the_pick_the_attempts_and_an_unsettleable_review_exactly(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("several_faces")
    recorder = JournalRecorder(journal, AttemptContext())
    verifier = Verifier(client, DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS), recorder)
    desk = Desk(InProcessVerifier(verifier), clock=clock)  # no supervisor can be checked here
    assert not desk.supervisors_available  # but no REVIEW is open: nothing is unsettleable
    state = desk.state()
    assert (state.face_pick_offered, state.attempts_left, state.review_unsettleable) == (False, 2, False)
    report = await desk.session.verify(frame)
    state = desk.state()
    assert (state.face_pick_offered, state.attempts_left) == (True, 1)  # an answer: it counts
    assert "Click the customer's face" in desk.verdict_text(report).action  # the pick is offered
    emulator.set_scenario("live")
    verifier.policy = DecisionPolicy(review_upper=0.999)
    assert desk.next_customer() is None
    reviewed = await desk.session.verify(frame)
    state = desk.state()
    assert state.review_unsettleable is True and state.attempts_left == 1
    words = desk.verdict_text(reviewed)
    assert "no supervisor" in (words.action + words.details).lower()


async def test_the_guide_change_is_reported_only_when_the_objection_changes(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    dark = QualityAnalyser().analyse(np.zeros_like(frame))
    assert desk.quality_report(dark, station_ready=True, showing_verdict=False).guide_changed is True
    assert desk.quality_report(dark, station_ready=True, showing_verdict=False).guide_changed is False
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).guide_changed is True
    clock.now += 2.0
    fired = desk.quality_report(ready, station_ready=True, showing_verdict=False)
    assert fired.fire and fired.progress is None and fired.guide_changed is False


async def test_a_verdict_clears_at_the_time_it_is_asked_about(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock)
    await desk.session.verify(frame)
    assert not desk.clear_if_expired()
    assert not desk.clear_if_expired(now=clock.now + 59.0)
    assert desk.clear_if_expired(now=clock.now + 60.0)  # the clock itself has not moved


async def test_closing_the_station_ends_the_session_unless_a_verification_is_in_flight(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock)
    await desk.session.verify(frame, sequence=1)
    closing = desk.session
    assert desk.next_customer() is None
    desk.session.set_reference("CIF-9")
    await desk.close()
    assert desk.session.close_reason is CloseReason.SHUTDOWN and closing.close_reason is CloseReason.VERIFIED
    busy = plain_desk(client, journal, clock)
    busy.session.phase = Phase.VERIFYING  # a verification in flight: closing must not end it here
    await busy.close()
    assert busy.session.phase is Phase.VERIFYING and busy.session.close_reason is None


async def test_a_frame_that_cannot_be_encoded_is_a_journaled_error_with_the_customers_consent(
    client: LivenessClient, journal: AuditJournal, clock: Clock, emulator: Emulator
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    report = await desk.session.verify(np.zeros((0, 0, 3), np.uint8), ("a note",))
    assert report.error_kind is ErrorKind.ENCODING and report.final  # a row, nothing sent
    assert report.message.startswith("The captured frame could not be encoded: not an 8-bit image")
    assert report.notes == ("a note",) and report.consent == desk.session.consent_record
    assert report.consent.consent is Consent.GIVEN
    assert report.requested_at.tzinfo is not None and report.requested_at == report.answered_at
    assert emulator.requests_received == 0


async def test_new_rules_apply_from_the_next_customer_and_auto_capture_starts_off(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, supervisors=False, liveness_threshold=0.999)
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress is None  # off
    desk.set_policy(SessionPolicy(max_attempts=1))
    assert desk.session.policy.max_attempts == 2  # this customer keeps the rules they began with
    assert desk.next_customer() is None
    assert desk.session.policy.max_attempts == 1
    spoof = await desk.session.verify(frame)
    assert not desk.supervisors_available  # no REVIEW is open: the words say nothing of supervisors
    words = desk.verdict_text(spoof)
    assert "supervisor" not in (words.action + words.details).lower()


async def test_f6_keeps_a_verdict_for_another_timeout_as_often_as_policy_allows_and_journals_it(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    """WCAG 2.2.1: the operator extends the verdict's time limit with one key, policy allowing."""
    desk = plain_desk(client, journal, clock)
    desk.set_policy(SessionPolicy(verdict_timeout_s=60.0, verdict_extensions=1))
    assert desk.next_customer() is None  # the new rules apply from the next customer on
    assert desk.keep_verdict().refusal is ExtensionRefusal.NO_VERDICT  # nothing on screen yet
    desk.show_verdict(await desk.session.verify(frame))
    kept = desk.keep_verdict()
    assert kept.granted and kept.left == 0
    assert not desk.clear_if_expired(now=clock.now + 100.0)  # 60 s + 60 s more
    assert desk.keep_verdict().refusal is ExtensionRefusal.LIMIT_REACHED
    assert desk.clear_if_expired(now=clock.now + 120.0)
    await desk.wait_idle()
    notes = [stored.record.notes or "" for stored in journal.recent(20)]
    assert any("verdict time extended by 60 s (1 of 1)" in note for note in notes), notes
    assert any("verdict time extension refused: limit reached" in note for note in notes), notes


async def test_a_policy_without_extensions_refuses_f6_and_the_verdict_clears_on_time(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock)
    desk.set_policy(SessionPolicy(verdict_timeout_s=60.0, verdict_extensions=0))
    assert desk.next_customer() is None  # the new rules apply from the next customer on
    desk.show_verdict(await desk.session.verify(frame))
    assert desk.keep_verdict().refusal is ExtensionRefusal.NOT_ALLOWED
    assert desk.clear_if_expired(now=clock.now + 60.0)
