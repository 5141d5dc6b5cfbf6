"""The rules the window used to hold, now the desk's, without Qt (issue 23): which picture is on
screen (the live one or the judged one), whether the idle screen follows a part's health, the
camera's provenance in its health and its caption, the consent notice in the customer's words,
and everything the window draws coming out of one DeskState."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.camera_health import NOT_A_LIVE_CAMERA, NOT_A_LIVE_CAMERA_CAPTION
from station.application.consent import ConsentNotice
from station.application.desk import Desk, EscapeAnswer, RefusalScreen
from station.application.desk_state import Banner, BannerKind, IdleScreen
from station.application.gate import QualityGate
from station.application.health import JournalState, Level, Part, PartHealth, journal_health
from station.application.port import InProcessVerifier
from station.application.recording import AttemptContext, JournalRecorder
from station.application.session import CaptureCheck, Phase, Refusal
from station.application.verdict_time import ExtensionRefusal
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.camera import CameraState, CameraStatus
from station.core.decision import DecisionPolicy
from station.vision.quality import Instruction, QualityAnalyser
from tests.application.conftest import Clock
from tests.application.test_desk import plain_desk

pytestmark = pytest.mark.anyio

NOTICE = ConsentNotice("v1", "We check that you are present. Do you agree?")
LIVE = CameraStatus(CameraState.LIVE, "Camera is live", fps=30.0)


def noticing_desk(client: LivenessClient, journal: AuditJournal, clock: Clock) -> Desk:
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    port = InProcessVerifier(Verifier(client, DecisionPolicy(), recorder))
    return Desk(port, gate=QualityGate(enabled=True), clock=clock, notice=NOTICE)


async def test_the_judged_picture_is_held_until_the_operator_moves_on(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, liveness_threshold=0.999)
    state = desk.state()
    assert (state.picture_held, state.verifying, state.non_live_camera) == (False, False, False)
    assert desk.picture_held is False and desk.verifying is False and desk.non_live_camera is False
    desk.frame_sent(7)
    report = await desk.session.verify(frame, sequence=7)
    desk.show_verdict(report)
    assert desk.state().picture_held and desk.state().banner.kind is BannerKind.VERDICT
    assert desk.back_to_live_first()  # Space over the verdict: the live picture again, no capture
    assert desk.picture_held is False and not desk.back_to_live_first()
    desk.frame_sent(8)
    desk.show_idle(BannerKind.CANCELLED)  # Esc: the live picture again
    assert desk.picture_held is False
    desk.frame_sent(9)
    desk.show_idle()  # back to idle on its own never lets go of a held picture
    assert desk.picture_held
    assert desk.next_customer() is None
    assert desk.picture_held is False


async def test_a_refusal_by_the_gate_goes_back_to_the_live_picture_and_others_do_not(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    desk.picture_held = True
    gate = CaptureCheck(Refusal.NOT_READY, "Too dark", objection=Instruction.TOO_DARK)
    assert desk.capture_refused(gate) is RefusalScreen.NOT_READY and desk.picture_held is False
    desk.picture_held = True
    journal_refusal = CaptureCheck(Refusal.JOURNAL, "The journal cannot be written.")
    assert desk.capture_refused(journal_refusal) is RefusalScreen.UNAVAILABLE
    assert desk.picture_held
    assert desk.banner == Banner(BannerKind.UNAVAILABLE, "The journal cannot be written.")


async def test_a_verdict_held_picture_over_the_timeout_is_let_go(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, liveness_threshold=0.999)
    desk.frame_sent(1)
    desk.show_verdict(await desk.session.verify(frame, sequence=1))
    clock.now += desk.policy.verdict_timeout_s + 1
    assert desk.clear_if_expired()
    assert desk.picture_held is False and desk.banner.kind is BannerKind.CLEARED


async def test_the_idle_screen_follows_a_part_only_when_nothing_else_is_on_screen(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock)
    desk.banner = Banner(BannerKind.CANCELLED)
    assert desk.show_part(journal_health(JournalState.MISSING))  # idle: it follows, "Ready" no more
    assert desk.banner == Banner()
    missing = journal_health(JournalState.MISSING)
    state = desk.state()
    assert state.idle_screen is IdleScreen.UNAVAILABLE and not state.station_ready
    assert missing.fix and state.problem == missing.fix  # what is wrong and where to fix it
    desk.show_part(PartHealth(Part.JOURNAL, Level.BAD, "unreadable"))  # no fix known: the part's words
    assert desk.state().problem == "Journal: unreadable"
    desk.verifying = True
    assert not desk.show_part(journal_health(JournalState.WRITABLE))  # the clock's banner stays
    assert desk.station_ready  # the health itself is always kept
    desk.verifying = False
    desk.picture_held = True
    assert not desk.show_part(journal_health(JournalState.WRITABLE))  # a judged picture stays
    desk.picture_held = False
    for kind in (BannerKind.VERDICT, BannerKind.CONSENT_REFUSED):
        desk.banner = Banner(kind)
        assert not desk.show_part(journal_health(JournalState.WRITABLE))
        assert desk.banner.kind is kind  # an outcome is never replaced by the parts
    for kind in (BannerKind.NOT_READY, BannerKind.UNAVAILABLE, BannerKind.CLEARED):
        desk.banner = Banner(kind)
        assert desk.show_part(PartHealth(Part.SHIPPING, Level.GOOD, "idle"))
        assert desk.banner == Banner()
    assert desk.state().idle_screen is IdleScreen.READY and desk.state().problem == ""


async def test_a_picture_used_as_the_camera_is_never_reported_live(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    assert desk.camera_caption == ""  # nothing said yet
    assert desk.camera_changed(LIVE)  # a camera is taken as live unless the configuration says not
    assert desk.health.part(Part.CAMERA).level is Level.GOOD and desk.camera_caption == "Camera is live"
    assert not plain_desk(client, journal, clock).set_non_live_camera(True)  # no camera yet: nothing
    assert desk.set_non_live_camera(True)  # the configuration says it is a picture: at once
    camera = desk.health.part(Part.CAMERA)
    assert (camera.level, camera.word) == (Level.WARN, NOT_A_LIVE_CAMERA)
    assert desk.camera_caption == NOT_A_LIVE_CAMERA_CAPTION and desk.state().non_live_camera
    desk.camera_changed(LIVE)  # it keeps saying it is live: still not called live
    assert desk.health.part(Part.CAMERA).level is Level.WARN
    desk.camera_changed(CameraStatus(CameraState.LOST, "The camera stopped sending pictures."))
    assert desk.health.part(Part.CAMERA).level is Level.BAD
    assert desk.camera_caption == "The camera stopped sending pictures."


async def test_the_consent_notice_is_kept_in_the_words_the_customer_was_shown(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = noticing_desk(client, journal, clock)
    state = desk.state()
    assert state.notice == NOTICE.text and state.idle_screen is IdleScreen.CONSENT
    desk.set_customer_language("hi", lambda text: f"[hi] {text}")
    session = desk.session
    assert session.instruction_language == "hi"
    assert session.notice == ConsentNotice("v1", f"[hi] {NOTICE.text}")
    session.give_consent()
    assert desk.state().notice is None and desk.state().idle_screen is IdleScreen.READY
    plain = plain_desk(client, journal, clock)
    plain.set_customer_language("hi", lambda text: f"[hi] {text}")
    assert plain.session.notice is None and plain.session.instruction_language == "hi"


async def test_the_banner_is_redrawn_when_the_guide_changes_under_an_idle_banner_only(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = noticing_desk(client, journal, clock)
    desk.session.give_consent()
    ready = QualityAnalyser().analyse(frame)
    dark = QualityAnalyser().analyse((frame // 12).astype(np.uint8))
    assert ready.ready and not dark.ready
    assert desk.quality_report(dark).redraw_banner  # the objection appeared: the banner says it
    state = desk.state()
    assert state.idle_screen is IdleScreen.GUIDE and state.objection is dark.instruction
    assert not desk.quality_report(dark).redraw_banner  # the same objection: nothing to redraw
    desk.banner = Banner(BannerKind.VERDICT)
    step = desk.quality_report(ready)
    assert step.guide_changed and not step.redraw_banner  # a verdict is never replaced by the guide
    desk.banner = Banner(BannerKind.CANCELLED)
    desk.verifying = True
    step = desk.quality_report(dark)
    assert step.guide_changed and not step.redraw_banner and step.progress is None  # busy: no redraw
    desk.verifying = False
    assert desk.quality_report(ready).redraw_banner


async def test_a_state_is_busy_from_the_capture_even_before_the_session_says_so(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = plain_desk(client, journal, clock)
    assert not desk.state().busy
    desk.verifying = True  # the window's adapter started the attempt; the session has not yet
    state = desk.state()
    assert state.busy and state.verifying and state.phase is not Phase.VERIFYING


async def test_the_desk_answers_from_its_own_health_and_picture_when_not_told(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = noticing_desk(client, journal, clock)
    desk.session.give_consent()
    desk.set_auto_capture(2.0)
    ready = QualityAnalyser().analyse(frame)
    assert desk.quality_report(ready).progress == 0.0  # ready, nothing held: it counts
    assert desk.guidance() is ready
    desk.show_part(journal_health(JournalState.MISSING))
    assert desk.quality_report(ready).progress is None and desk.guidance() is None  # not ready
    desk.show_part(journal_health(JournalState.WRITABLE))
    desk.picture_held = True
    assert desk.quality_report(ready).progress is None and desk.guidance() is None  # a judged picture
    assert desk.guidance(showing_verdict=False) is ready  # as the caller says, when it says


async def test_a_guide_change_on_the_report_that_fires_is_reported_with_it(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = noticing_desk(client, journal, clock)
    desk.session.give_consent()
    desk.set_auto_capture(0.0)  # capture as soon as the picture is ready
    dark = QualityAnalyser().analyse((frame // 12).astype(np.uint8))
    assert not desk.quality_report(dark).fire
    step = desk.quality_report(QualityAnalyser().analyse(frame))
    assert step.fire and step.guide_changed and step.redraw_banner  # the objection went: redraw too


async def test_f6_is_for_the_verdict_on_screen_and_each_extension_is_the_policys_timeout(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = plain_desk(client, journal, clock, liveness_threshold=0.999)
    desk.set_policy(replace(desk.policy, verdict_timeout_s=45.0, verdict_extensions=2))
    assert desk.next_customer() is None
    desk.show_verdict(await desk.session.verify(frame))
    assert desk.verdict_time.policy.step_s == 45.0
    desk.show_idle()  # the verdict left the screen (Space went back to live): nothing to keep
    assert desk.keep_verdict().refusal is ExtensionRefusal.NO_VERDICT


async def test_esc_cancels_a_verification_else_stops_the_countdown_else_does_nothing(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = noticing_desk(client, journal, clock)
    desk.session.give_consent()
    desk.set_auto_capture(2.0)
    assert desk.quality_report(QualityAnalyser().analyse(frame)).progress == 0.0
    desk.verifying = True
    assert desk.escape() is EscapeAnswer.CANCEL  # the verification first; the countdown stays
    desk.verifying = False
    assert desk.escape() is EscapeAnswer.AUTO_CAPTURE_STOPPED
    assert desk.escape() is EscapeAnswer.NOTHING
    assert desk.quality_report(QualityAnalyser().analyse(frame)).progress is None  # off for this customer
