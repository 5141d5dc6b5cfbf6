"""The operator's desk: one customer session at a time, the shift's quality gate, the port.

The window, the self-test and the benchmark's scripted day all drive this one object: capture,
next customer, clear a stale verdict. It owns what outlives a customer (the gate's count of calls
saved this shift, the signed-in operator as the trusted side confirmed them, the session rules)
and starts each new session with them. It reaches the trusted side only through the
:class:`~station.application.port.VerifierPort`, and owns the one :class:`Background` its sessions
start their journal events in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from station.application.attempt import AttemptReport
from station.application.auto_capture import AutoCapture
from station.application.background import Background
from station.application.camera_health import camera_caption, camera_health
from station.application.consent import ConsentNotice
from station.application.desk_state import Banner, BannerKind, DeskState, IdleScreen
from station.application.gate import QualityGate
from station.application.health import Health, PartHealth
from station.application.port import OperatorIdentity, ReviewRefusal, VerifierPort
from station.application.session import (
    CaptureCheck,
    Clock,
    CloseReason,
    CustomerSession,
    Phase,
    Refusal,
    SessionPolicy,
)
from station.application.verdict_text import VerdictText, verdict_text
from station.application.verdict_time import Extension, ExtensionPolicy, VerdictTime
from station.camera import CameraState, CameraStatus
from station.vision.quality import Instruction, QualityReport
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "FACE_KEYS",
    "INTENT_KEYS",
    "REFUSAL_SCREENS",
    "REVIEW_REFUSAL_MESSAGES",
    "AutoCaptureStep",
    "Desk",
    "EscapeAnswer",
    "IdleScreen",
    "Intent",
    "RefusalScreen",
    "SupervisorCredentials",
    "refusal_screen",
]


class Intent(StrEnum):
    """What the operator (or a supervisor) asks of the counter; the value names the action."""

    CAPTURE = "Capture"
    CUSTOMER_LANGUAGE = "Customer language"
    CANCEL = "Cancel"
    NEXT_CUSTOMER = "Next customer"
    CONSENT_GIVEN = "Customer agrees"
    CONSENT_REFUSED = "Customer refuses"
    CONFIRM_REVIEW = "Supervisor confirms"
    REJECT_REVIEW = "Supervisor rejects"
    KEEP_VERDICT = "Keep the verdict longer"


#: The counter's keyboard: each intent's keys, by their portable names. Keyboard alone drives the
#: station, and a key means one thing whatever has focus (Esc even after a menu closed).
INTENT_KEYS: Final[Mapping[Intent, tuple[str, ...]]] = {
    Intent.CAPTURE: ("Space",),
    Intent.CUSTOMER_LANGUAGE: ("F2",),
    Intent.CANCEL: ("Esc",),
    Intent.NEXT_CUSTOMER: ("Return", "Enter"),
    Intent.CONSENT_GIVEN: ("F7",),
    Intent.CONSENT_REFUSED: ("F8",),
    Intent.CONFIRM_REVIEW: ("F9",),
    Intent.REJECT_REVIEW: ("F10",),
    Intent.KEEP_VERDICT: ("F6",),
}
#: Among several faces, face *n* (1..9) is picked with the digit key *n*, without the mouse.
FACE_KEYS: Final[tuple[str, ...]] = tuple(str(number) for number in range(1, 10))


class EscapeAnswer(StrEnum):
    """What Esc did."""

    #: A verification was in flight: it is cancelled.
    CANCEL = "cancel"
    #: An automatic capture was counting down: it is off for this customer.
    AUTO_CAPTURE_STOPPED = "auto_capture_stopped"
    NOTHING = "nothing"


class RefusalScreen(StrEnum):
    """How the screen answers a refused capture."""

    #: The consent notice is up: the idle screen (the notice and its banner) again.
    IDLE = "idle"
    #: The quality gate objects: back to the live picture, the objection for the customer and
    #: "press Space again to capture anyway".
    NOT_READY = "not_ready"
    #: Something the station needs is missing (camera, picture, service, journal): the reason
    #: becomes the banner.
    UNAVAILABLE = "unavailable"
    #: Busy, closed, attempts exhausted, a REVIEW waits: the verdict stays, a note goes under it.
    NOTE = "note"


#: Each capture refusal's screen; any other refusal is a note under what is shown.
REFUSAL_SCREENS: Final[Mapping[Refusal, RefusalScreen]] = {
    Refusal.CONSENT_NEEDED: RefusalScreen.IDLE,
    Refusal.NOT_READY: RefusalScreen.NOT_READY,
    Refusal.CAMERA_NOT_LIVE: RefusalScreen.UNAVAILABLE,
    Refusal.NO_FRAME: RefusalScreen.UNAVAILABLE,
    Refusal.UNAVAILABLE: RefusalScreen.UNAVAILABLE,
    Refusal.JOURNAL: RefusalScreen.UNAVAILABLE,
}


def refusal_screen(refusal: Refusal | None) -> RefusalScreen:
    """How the screen answers a capture refused for ``refusal``."""
    if refusal is None:
        return RefusalScreen.NOTE
    return REFUSAL_SCREENS.get(refusal, RefusalScreen.NOTE)


#: Before the first verdict: F6 is refused (no verdict) before the policy is read.
_NO_EXTENSIONS: Final = ExtensionPolicy(0)  # pragma: no mutate (never read: see above)


def _unheard(_text: str) -> None:
    """Nothing to journal before the first verdict."""


#: The banners that show the idle screen (which one: :meth:`Desk.idle_screen`).
_IDLE_BANNERS: Final = frozenset({BannerKind.IDLE, BannerKind.CLEARED, BannerKind.CANCELLED})
#: The banners that show an outcome for this customer (a verdict, a refused consent): the parts'
#: health does not replace them.
_OUTCOME_BANNERS: Final = frozenset({BannerKind.VERDICT, BannerKind.CONSENT_REFUSED})


@dataclass(frozen=True, slots=True)
class SupervisorCredentials:
    """What a supervisor typed to settle a REVIEW: passed on to the trusted side, never checked
    or kept by the desk."""

    supervisor_id: str
    secret: str

    def __repr__(self) -> str:  # the PIN never reaches a log or a traceback
        return f"SupervisorCredentials(supervisor_id={self.supervisor_id!r})"


#: The trusted side's refusals of a supervisor's decision, in the operator's words (one table).
REVIEW_REFUSAL_MESSAGES: Final[Mapping[ReviewRefusal, str]] = {
    ReviewRefusal.OWN_ATTEMPT: (
        QT_TRANSLATE_NOOP(
            "Refusal", "Review not recorded: a supervisor cannot settle a review of their own attempt."
        )
    ),
    ReviewRefusal.WRONG_SECRET: QT_TRANSLATE_NOOP(
        "Refusal", "Review not recorded: the supervisor's id or PIN is wrong."
    ),
    ReviewRefusal.NOT_A_REVIEW: QT_TRANSLATE_NOOP(
        "Refusal", "Review not recorded: there is no REVIEW waiting for this customer."
    ),
    ReviewRefusal.CANNOT_CHECK: (
        QT_TRANSLATE_NOOP(
            "Refusal", "Review not recorded: no supervisor's PIN can be checked on this station. Call IT."
        )
    ),
}


@dataclass(frozen=True, slots=True)
class AutoCaptureStep:
    """What automatic capture does after one quality report."""

    #: 0..1 while counting down (the ring on the picture), None when not counting.
    progress: float | None = None
    #: Capture now.
    fire: bool = False
    #: The guide's objection changed (appeared, went, or another): the idle banner follows it.
    guide_changed: bool = False
    #: The banner must be drawn again: the guide changed while an idle banner shows.
    redraw_banner: bool = False


class Desk:
    def __init__(
        self,
        port: VerifierPort,
        *,
        gate: QualityGate | None = None,
        policy: SessionPolicy | None = None,
        clock: Clock = time.monotonic,
        notice: ConsentNotice | None = None,
        background: Background | None = None,
    ) -> None:
        self.port = port
        #: The one owner of the work the desk and its sessions do not wait for.
        self.background = background or Background()
        #: The operator the trusted side confirmed (:meth:`sign_in`); None: nobody signed in.
        self.operator: OperatorIdentity | None = None
        #: The consent notice new sessions ask about (None: policy does not ask).
        self.notice = notice
        self.gate = gate or QualityGate()
        self.policy = policy or SessionPolicy()
        self._clock = clock
        #: The extensions of the verdict on screen (a new one with every verdict).
        self.verdict_time = VerdictTime(_NO_EXTENSIONS, note=_unheard)  # pragma: no mutate (never read)
        #: The camera sequence number of the frame last sent: a judged picture is never sent again
        #: (after "try once more" the live picture shows the old frame for a moment).
        self.judged_sequence: int | None = None  # pragma: no mutate (no frame number equals "" either)
        #: Off unless policy turns it on (:meth:`set_auto_capture`).
        self.auto_capture = AutoCapture(None, clock)  # pragma: no mutate (off: its clock is never read)
        #: The station's parts as last reported (the health strip draws it; "Ready" only when no
        #: part a verification needs is bad): the one copy, here.
        self.health = Health()
        #: What the camera said last (None: nothing yet; its first frames may come a moment before).
        self.camera: CameraStatus | None = None
        #: The configuration says the camera is a picture or a file, not a live camera: never
        #: reported as live, whatever it says (:meth:`set_non_live_camera`).
        self.non_live_camera = False
        #: What the banner shows while no verification runs (the window draws it, keeps no copy).
        self.banner = Banner()
        #: A captured picture is on screen instead of the live one (from the capture until the
        #: operator goes back to live, cancels, or the next customer comes).
        self.picture_held = False
        #: A verification is in flight (the window's adapter says when it starts and ends).
        self.verifying = False
        self.session = self._new_session()

    def _new_session(self) -> CustomerSession:
        return CustomerSession(
            self.port,
            self.gate,
            self.policy,
            clock=self._clock,
            notice=self.notice,
            background=self.background,
        )

    @property
    def supervisors_available(self) -> bool:
        """Whether any supervisor can settle a REVIEW here, as the trusted side counts its own
        supervisors (False: none configured, or unreadable). A REVIEW then never blocks the next
        customer, and the screen says so."""
        return self.port.terms().supervisors_available

    @property
    def operator_id(self) -> str | None:
        """The confirmed operator's id (what the screen shows), or None."""
        return self.operator.operator_id if self.operator is not None else None

    # -- what the station's parts report ------------------------------------------------------

    def show_part(self, part: PartHealth) -> bool:
        """One part's health changed (the supervisor, a call, the camera, the configuration).
        True when the idle screen follows it (nothing judged, in flight or refused is on screen):
        the banner is the idle one again, "Ready" or what is now wrong."""
        self.health = self.health.with_part(part)
        if self.banner.kind in _OUTCOME_BANNERS or self.verifying or self.picture_held:
            return False
        self.banner = Banner()
        return True

    @property
    def station_ready(self) -> bool:
        """No part a verification needs is bad."""
        return self.health.ready

    def camera_changed(self, status: CameraStatus) -> bool:
        """The camera's new state, and its part of the health (never "live" for a picture used as
        the camera). True when the idle screen follows it (see :meth:`show_part`)."""
        self.camera = status
        return self.show_part(camera_health(status, live_camera=not self.non_live_camera))

    def set_non_live_camera(self, non_live: bool) -> bool:
        """The configuration says whether the camera is a picture or a file (not live); the
        camera's health follows at once. True when the idle screen follows it."""
        self.non_live_camera = non_live
        return self.camera is not None and self.camera_changed(self.camera)

    @property
    def camera_caption(self) -> str:
        """The chip over the picture: the camera's state, never "live" for a picture ("" before
        the camera said anything)."""
        camera = self.camera
        return camera_caption(camera, live_camera=not self.non_live_camera) if camera is not None else ""

    def set_customer_language(self, tag: str, words: Callable[[str], str]) -> None:
        """The customer's language: the session (and so every record) knows it and the exact words
        of the consent notice as shown (``words`` puts a text in that language)."""
        notice = self.notice
        localized = ConsentNotice(notice.version, words(notice.text)) if notice is not None else None
        self.session.set_instruction_language(tag, localized)

    @property
    def camera_live(self) -> bool:
        """The camera has said it is live (or has said nothing yet)."""
        return self.camera is None or self.camera.state is CameraState.LIVE

    @property
    def camera_problem(self) -> str:
        """What the camera said when it is not live, in the operator's words ("" if it is)."""
        return self.camera.message if self.camera is not None and not self.camera_live else ""

    def state(self) -> DeskState:
        """The counter now, for the window to draw (it keeps no copy)."""
        session = self.session
        problem = self.health.problem
        notice = session.notice.text if session.consent_needed and session.notice is not None else None
        return DeskState(
            idle_screen=self.idle_screen(station_ready=problem is None),
            problem=(problem.fix or f"{problem.part.value}: {problem.word}") if problem is not None else "",
            objection=self.guide_objection(),
            notice=notice,
            picture_held=self.picture_held,
            non_live_camera=self.non_live_camera,
            verifying=self.verifying,
            phase=session.phase,
            consent_needed=session.consent_needed,
            reference_locked=session.reference_locked,
            capture_refusal=session.state_refusal(),
            next_refusal=self._move_on_refusal(),
            customer_on_screen=self.customer_on_screen,
            review_pending=session.review_pending,
            review_unsettleable=session.review_pending and not self.supervisors_available,
            face_pick_offered=session.face_pick_offered,
            attempts_left=session.attempts_left,
            station_ready=self.station_ready,
            camera_live=self.camera_live,
            banner=self.banner,
        )

    # -- what the banner shows -----------------------------------------------------------------

    def show_idle(self, kind: BannerKind = BannerKind.IDLE) -> None:
        """Back to the idle screen (IDLE, or CANCELLED after Esc: the live picture again)."""
        self.banner = Banner(kind)
        if kind is BannerKind.CANCELLED:
            self.picture_held = False

    def show_verdict(self, report: AttemptReport) -> Banner:
        """A verdict (or a follow-up decision) for this customer, in words for the session as it
        now stands. It has its own extensions of the timeout, from none."""
        self.banner = Banner(BannerKind.VERDICT, verdict=self.verdict_text(report), report=report)
        session = self.session
        policy = ExtensionPolicy(session.policy.verdict_extensions, session.policy.verdict_timeout_s)
        self.verdict_time = VerdictTime(policy, note=session.journal_note)
        return self.banner

    def keep_verdict(self) -> Extension:
        """F6: keep the verdict on screen for another timeout, if policy allows (journaled either
        way; WCAG 2.2.1)."""
        on_screen = self.banner.kind is BannerKind.VERDICT and self.session.has_verdict
        return self.verdict_time.extend(verdict_on_screen=on_screen)

    def capture_refused(self, check: CaptureCheck) -> RefusalScreen:
        """A refused capture: the banner its screen asks for (a NOTE leaves the banner as it is)."""
        screen = refusal_screen(check.refusal)
        if screen is RefusalScreen.IDLE:
            self.banner = Banner()
        elif screen is RefusalScreen.NOT_READY:
            self.banner = Banner(BannerKind.NOT_READY, check.message, objection=check.objection)
            self.picture_held = False  # the customer as they are now, to fix what the gate saw
        elif screen is RefusalScreen.UNAVAILABLE:
            self.banner = Banner(BannerKind.UNAVAILABLE, check.message)
        return screen

    def refuse_consent(self) -> bool:
        """F8: the customer refused the notice (False: no consent is being asked)."""
        if not self.session.consent_needed:
            return False
        self.session.refuse_consent()
        self.banner = Banner(BannerKind.CONSENT_REFUSED)
        return True

    def back_to_live_first(self, *, showing_verdict: bool | None = None) -> bool:
        """Space with a verdict on screen only goes back to the live picture (when a capture
        could follow): the next capture is of the customer as they are now, never the picture
        already judged again."""
        if self._held(showing_verdict) and self.session.state_refusal() is None:
            self.picture_held = False
            return True
        return False

    def verdict_text(self, report: AttemptReport) -> VerdictText:
        """The banner's words for ``report`` as this customer's session now stands (a face pick
        offered, attempts exhausted, a REVIEW nobody here can settle)."""
        session = self.session
        return verdict_text(
            report,
            face_pick_offered=session.face_pick_offered,
            attempts_exhausted=session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED,
            review_unsettleable=not self.supervisors_available,  # read for a REVIEW only
        )

    def is_new_frame(self, sequence: int | None) -> bool:
        """Whether the frame numbered ``sequence`` may be sent: never the one already judged."""
        return sequence is not None and sequence != self.judged_sequence

    def frame_sent(self, sequence: int) -> None:
        """A capture of frame ``sequence`` started: it is not offered again, and it stays on
        screen (not the live picture) until the operator moves on."""
        self.judged_sequence = sequence
        self.picture_held = True

    @property
    def customer_on_screen(self) -> bool:
        """Something to move on from: a verdict, a reference locked by a capture (or a closed
        session), or a gate objection the operator may let go. A reference just typed is not: Enter
        then only ends the typing."""
        session = self.session
        return session.has_verdict or session.reference_locked or self.gate.objection is not None

    def review_refusal(self, supervisor_id: str | None) -> Refusal | None:
        """Why the desk does not even ask the trusted side to settle the REVIEW (None: it asks).
        Who may settle it (their PIN, not the attempt's operator) is the trusted side's check."""
        if not self.session.review_pending:
            return Refusal.NO_REVIEW
        if supervisor_id is None or not supervisor_id.strip():
            return Refusal.NO_SUPERVISOR
        return None

    def _move_on_refusal(self) -> Refusal | None:
        refusal = self.session.move_on_refusal()
        if refusal is Refusal.REVIEW_PENDING and not self.supervisors_available:
            return None  # nobody could ever settle it: it must not hold the counter
        return refusal

    def next_customer(self) -> Refusal | None:
        """Close this customer's session and start the next one; why not, if it may not."""
        refusal = self._move_on_refusal()
        if refusal is not None:
            return refusal
        unsettleable = self.session.review_pending
        self.session.close(CloseReason.NO_SUPERVISOR if unsettleable else CloseReason.NEXT_CUSTOMER)
        self._next_session(Banner())
        return None

    def clear_if_expired(self, now: float | None = None) -> bool:
        """Close a session whose verdict has been on screen too long (its extensions added);
        True if it was cleared."""
        now = self.session.now if now is None else now
        if not self.session.verdict_expired(self.verdict_time.shifted(now)):
            return False
        timeout = self.session.policy.verdict_timeout_s
        self.session.close(CloseReason.VERDICT_TIMEOUT)
        self._next_session(Banner(BannerKind.CLEARED, cleared_after_s=timeout))
        return True

    def _next_session(self, banner: Banner) -> None:
        """A new customer: a new session, the live picture, no countdown, ``banner``."""
        self.session = self._new_session()
        self.auto_capture.reset()
        self.picture_held = False
        self.banner = banner

    # -- automatic capture ---------------------------------------------------------------------

    def set_auto_capture(self, hold_s: float | None) -> None:
        """Policy: capture by itself once the picture has been ready ``hold_s`` seconds (None: off)."""
        if hold_s != self.auto_capture.hold_s:
            self.auto_capture = AutoCapture(hold_s, self._clock)

    def escape(self) -> EscapeAnswer:
        """Esc: cancel the verification in flight (the caller cancels it), else stop an automatic
        capture's countdown for this customer."""
        if self.verifying:
            return EscapeAnswer.CANCEL
        return EscapeAnswer.AUTO_CAPTURE_STOPPED if self.stop_auto_capture() else EscapeAnswer.NOTHING

    def stop_auto_capture(self) -> bool:
        """Esc: no automatic capture for this customer; True if a countdown was running."""
        return self.auto_capture.stop()

    def quality_report(
        self, report: QualityReport, *, station_ready: bool | None = None, showing_verdict: bool | None = None
    ) -> AutoCaptureStep:
        """A new report from the guide: the gate keeps it, and the countdown runs only while a
        capture could start now and the customer can see it coming. Never while the consent notice
        is up (the customer has not agreed), a verdict is on screen, a verification is in flight,
        a REVIEW waits, or the station is not ready; after any of those it starts again from 0."""
        before = self.guide_objection()
        self.gate.update(report)
        changed = self.guide_objection() != before
        redraw = changed and self.banner.kind in _IDLE_BANNERS and not self.verifying
        may_count = (
            (self.station_ready if station_ready is None else station_ready)
            and self.gate.enabled
            and not self._held(showing_verdict)
            and self.session.state_refusal() is None
            and self.session.phase is Phase.READY
        )
        progress = self.auto_capture.progress(may_count and report.ready)
        if progress is None or progress < 1.0:
            return AutoCaptureStep(progress, guide_changed=changed, redraw_banner=redraw)
        self.auto_capture.reset()
        return AutoCaptureStep(fire=True, guide_changed=changed, redraw_banner=redraw)

    def idle_screen(self, *, station_ready: bool, showing_verdict: bool | None = None) -> IdleScreen:
        """Which idle banner: a bad part first (before any paid call), then the consent notice,
        then the guide's objection (not over a judged picture), else Ready."""
        if not station_ready:
            return IdleScreen.UNAVAILABLE
        if self.session.consent_needed and self.session.notice is not None:
            return IdleScreen.CONSENT
        if self.guide_objection() is not None and not self._held(showing_verdict):
            return IdleScreen.GUIDE
        return IdleScreen.READY

    def guidance(
        self, *, station_ready: bool | None = None, showing_verdict: bool | None = None
    ) -> QualityReport | None:
        """The guide to draw on the live picture, or None: it never says Ready while the station
        is not, nor once the session closed (F8, the last attempt), nor over a judged picture."""
        ready = self.station_ready if station_ready is None else station_ready
        if not (self.gate.enabled and ready and not self.session.closed and not self._held(showing_verdict)):
            return None
        return self.gate.latest

    def _held(self, showing_verdict: bool | None) -> bool:
        """A judged picture is on screen: as the caller says, else as the desk knows it."""
        return self.picture_held if showing_verdict is None else showing_verdict

    def guide_objection(self) -> Instruction | None:
        """What the guide objects to in the live picture now (None: ready, or the gate is off)."""
        latest = self.gate.latest
        if not self.gate.enabled or latest is None or latest.ready:
            return None
        return latest.instruction

    async def sign_in(self, operator_id: str | None, secret: str | None = None) -> OperatorIdentity | None:
        """A new operator, as the trusted side confirms them: it records their id on every row
        from now on (and a supervisor may not review their own attempt). The desk keeps only the
        returned identity; a refusal leaves nobody signed in."""
        confirmed = await self.port.authenticate_operator(operator_id, secret) if operator_id else None
        self.operator = confirmed
        return confirmed

    def set_policy(self, policy: SessionPolicy) -> None:
        """New rules apply from the next customer on; the current session keeps its own."""
        self.policy = policy

    async def close(self) -> None:
        """The station closes: end the session (if nothing is in flight) and finish journal writes."""
        if self.session.move_on_refusal() is not Refusal.BUSY:
            self.session.close(CloseReason.SHUTDOWN)
        await self.wait_idle()

    async def wait_idle(self) -> None:
        """Until every journal write the desk started (and the trusted side's) has finished."""
        await self.background.wait_idle()
        await self.port.wait_idle()
