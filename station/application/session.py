"""One customer at the counter, from the first capture to one outcome: the customer session.

::

    READY ──capture──▶ VERIFYING ──LIVE──────────────────────────▶ CLOSED (verified)
      ▲                    │ ├─REVIEW──▶ REVIEW ──supervisor──────▶ CLOSED (verified | rejected)
      │                    │ └─SPOOF / RETRY / ERROR──▶ RESULT ──capture──▶ VERIFYING …
      └──── cancelled ─────┘                             └─limit reached──▶ CLOSED (attempts exhausted)

    any state but VERIFYING (and REVIEW, by policy) ──next customer / verdict timeout──▶ CLOSED

The rules a bank's branch manual asks for live here, not in a widget, so they hold whatever drives
them (the window, a benchmark's scripted day) and are tested without Qt:

* The customer reference is taken before the first capture and locked after it: a verdict can
  never sit beside another customer's reference.
* Every capture goes through the quality gate; an objection the operator overrides is noted on the
  attempt, one they let go is a call saved.
* Answered attempts (the service gave a verdict) count towards :attr:`SessionPolicy.max_attempts`;
  after that the operator is told to use the branch's manual identity check. Answers that never
  came (network down, cancelled) do not count: they are not the customer's doing.
* A LIVE closes the session: Space on it does not capture the same customer again.
* A REVIEW waits for a supervisor; the trusted side behind the verifier port checks their PIN and
  that they are not the operator who made the attempt (the session shows its typed refusal). By
  policy the next customer cannot be started until it is settled.
* A verdict clears itself after :attr:`SessionPolicy.verdict_timeout_s`, so a customer's face and
  verdict never stay on screen for the next person; the clearing is journaled.
* Where policy asks for it, the customer's consent comes first: no capture (and so no call) until
  the operator confirms the customer agreed to the notice; a refusal ends the session, journaled,
  with no call made. Every record carries the notice's version and the hash of its words.
* The customer may be spoken to in another language than the operator's (the customer
  instruction language, switched during the session): every attempt's record carries the language
  the customer was shown, and a switch is noted on the next attempt's record.
* Closing a session journals one ``session`` record with its outcome and how it ended.

The session reaches the trusted side only through the :class:`~station.application.port.VerifierPort`:
it encodes the frame in a worker thread and hands over a :class:`~station.application.port.Capture`;
follow-ups name the journaled attempt by its sequence. It never holds a secret or an identity
the trusted side has not confirmed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

import numpy as np

from station.application.attempt import UNEXPECTED_MESSAGE, AttemptReport
from station.application.background import Background
from station.application.consent import NOT_ASKED, Consent, ConsentNotice, ConsentRecord
from station.application.gate import GateVerdict, QualityGate
from station.application.kinds import ErrorKind, EventKind
from station.application.port import (
    Capture,
    DeskEvent,
    FacePick,
    LocalFailure,
    PickRefusedError,
    ReviewDecision,
    VerifierPort,
)
from station.application.readiness import NotReady
from station.core.decision import SeveralFacesPolicy
from station.core.encode import EncodeError, encode_jpeg
from station.core.models import OutcomeKind, RetryReason
from station.vision.quality import Instruction
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = [
    "KIND_SESSION",
    "MAX_REFERENCE_CHARS",
    "CaptureCheck",
    "CloseReason",
    "CustomerSession",
    "Phase",
    "Refusal",
    "SessionError",
    "SessionPolicy",
]

_log = logging.getLogger(__name__)

#: The journal record kind written when a session closes.
KIND_SESSION: Final = EventKind.SESSION
MAX_REFERENCE_CHARS: Final = 64

Clock = Callable[[], float]


class Phase(StrEnum):
    READY = "ready"
    VERIFYING = "verifying"
    #: A verdict is shown and the customer may be captured again.
    RESULT = "result"
    #: A REVIEW waits for a supervisor.
    REVIEW = "review"
    CLOSED = "closed"


class CloseReason(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected by a supervisor"
    ATTEMPTS_EXHAUSTED = "attempts exhausted"
    NEXT_CUSTOMER = "operator moved to the next customer"
    VERDICT_TIMEOUT = "verdict cleared after the timeout"
    SHUTDOWN = "station closed"
    CONSENT_REFUSED = "consent refused"
    NO_SUPERVISOR = "review left open: no supervisor can settle it on this station"


class Refusal(StrEnum):
    """Why a capture (or moving to the next customer) is not started."""

    BUSY = "busy"
    REVIEW_PENDING = "review_pending"
    CLOSED = "closed"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    CONSENT_NEEDED = "consent_needed"
    UNAVAILABLE = "unavailable"
    CAMERA_NOT_LIVE = "camera_not_live"
    NO_FRAME = "no_frame"
    NOT_READY = "not_ready"
    #: The audit journal cannot be written: nothing is sent that could not be kept.
    JOURNAL = "journal"
    #: A review action with no REVIEW waiting.
    NO_REVIEW = "no_review"
    #: A review action without a supervisor's id and PIN.
    NO_SUPERVISOR = "no_supervisor"


REFUSAL_MESSAGES: Final[dict[Refusal, str]] = {
    Refusal.BUSY: QT_TRANSLATE_NOOP(
        "Refusal", "A verification is in progress. Wait for it, or press Esc to cancel it."
    ),
    Refusal.REVIEW_PENDING: (
        QT_TRANSLATE_NOOP(
            "Refusal", "A supervisor must confirm or reject the REVIEW before the next customer."
        )
    ),
    Refusal.CLOSED: QT_TRANSLATE_NOOP(
        "Refusal", "This customer's verification is complete. Press Enter for the next customer."
    ),
    Refusal.ATTEMPTS_EXHAUSTED: (
        QT_TRANSLATE_NOOP(
            "Refusal",
            "No more attempts for this customer: follow the branch's manual identity check. "
            "Press Enter for the next customer.",
        )
    ),
    Refusal.NO_FRAME: QT_TRANSLATE_NOOP(
        "Refusal", "No camera picture yet. Check that the camera is connected, then try again."
    ),
    Refusal.CONSENT_NEEDED: QT_TRANSLATE_NOOP(
        "Refusal", "Read the notice to the customer first. F7: they agree. F8: they refuse."
    ),
    Refusal.NO_SUPERVISOR: QT_TRANSLATE_NOOP(
        "Refusal", "Review not recorded: the supervisor's PIN was not given."
    ),
}


#: The trusted side's reasons not to send, as the session's refusals.
_HOLD_REFUSALS: Final[dict[NotReady, Refusal]] = {
    NotReady.JOURNAL: Refusal.JOURNAL,
    NotReady.TOKEN: Refusal.UNAVAILABLE,
    NotReady.CLIENT: Refusal.UNAVAILABLE,
    NotReady.POLICY: Refusal.UNAVAILABLE,
    NotReady.CAMERA: Refusal.CAMERA_NOT_LIVE,
    NotReady.SERVICE: Refusal.UNAVAILABLE,
}


class SessionError(RuntimeError):
    """An action the session's state does not allow (a programming error, or a stale click)."""


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """The bank's rules for one customer's verification (machine policy or settings)."""

    #: Answered attempts per customer before the branch's manual identity check.
    max_attempts: int = 2
    #: Seconds a verdict stays on screen before it clears itself.
    verdict_timeout_s: float = 60.0
    #: An unresolved REVIEW blocks the next customer.
    review_blocks_next: bool = True
    #: How often the operator may keep one verdict for another timeout (0: never; WCAG 2.2.1).
    verdict_extensions: int = 10

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 10:
            raise ValueError(f"max_attempts must be between 1 and 10, got {self.max_attempts}")
        if not 5.0 <= self.verdict_timeout_s <= 3600.0:
            raise ValueError(f"verdict_timeout_s must be between 5 and 3600, got {self.verdict_timeout_s}")


@dataclass(frozen=True, slots=True)
class CaptureCheck:
    """Whether a press of Capture starts a verification now, and if not, why."""

    refusal: Refusal | None = None
    message: str = ""
    #: Notes for the attempt's audit record (a quality-gate override).
    notes: tuple[str, ...] = ()
    #: The gate's instruction when it objected (``refusal is NOT_READY``).
    objection: Instruction | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


class CustomerSession:
    """One customer's verification; see the module docstring for the rules."""

    def __init__(
        self,
        port: VerifierPort,
        gate: QualityGate,
        policy: SessionPolicy | None = None,
        *,
        clock: Clock = time.monotonic,
        session_id: str | None = None,
        notice: ConsentNotice | None = None,
        background: Background | None = None,
    ) -> None:
        self.id = session_id or uuid.uuid4().hex[:16]
        #: The notice the customer must agree to first; None: policy does not ask for consent.
        self.notice = notice
        self.consent: Consent | None = None if notice is not None else Consent.NOT_ASKED
        self.policy = policy or SessionPolicy()
        self._port = port
        #: Where journal events go without being awaited (the desk's, shared by its sessions).
        self._background = background or Background()
        self._gate = gate
        self._clock = clock
        self.phase = Phase.READY
        self._reference: str | None = None
        #: Captures sent to the service (or tried): the first one locks the reference.
        self.attempts_started = 0
        #: Attempts the service answered: these count towards the limit.
        self.attempts_answered = 0
        #: The latest verdict (an attempt or a follow-up decision on it).
        self.last_report: AttemptReport | None = None
        #: The answered attempt a REVIEW or a face pick is about.
        self._pending: AttemptReport | None = None  # pragma: no mutate (read only after verify() sets it)
        self.close_reason: CloseReason | None = None
        self._verdict_since: float | None = None
        #: The customer instruction language (BCP 47), as the view shows it; None: not said.
        self.instruction_language: str | None = None
        #: Language switches not yet written with an attempt.
        self._language_notes: list[str] = []

    # -- the reference ------------------------------------------------------------------------

    @property
    def reference(self) -> str | None:
        return self._reference

    @property
    def reference_locked(self) -> bool:
        return self.attempts_started > 0 or self.phase is Phase.CLOSED

    def set_reference(self, text: str | None) -> None:
        """Take the customer reference; refused (:class:`SessionError`) once the first capture is sent."""
        value = (text or "").strip()[:MAX_REFERENCE_CHARS] or None
        if value == self._reference:
            return
        if self.reference_locked:
            raise SessionError("the customer reference is locked after the first capture")
        self._reference = value

    # -- capture --------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.phase is Phase.CLOSED

    @property
    def attempts_left(self) -> int:
        return max(0, self.policy.max_attempts - self.attempts_answered)

    def check_capture(
        self, *, has_frame: bool, camera_live: bool = True, camera_problem: str = ""
    ) -> CaptureCheck:
        """What a press of Capture does now. Consults the quality gate last (its objection is
        the only refusal the operator may override by pressing again)."""
        refusal = self._state_refusal()
        if refusal is not None:
            return CaptureCheck(refusal, REFUSAL_MESSAGES[refusal])
        hold = self._port.readiness().first
        if hold is not None:
            return CaptureCheck(_HOLD_REFUSALS[hold.reason], hold.message)
        if not camera_live:
            message = (
                Phrase(
                    QT_TRANSLATE_NOOP(
                        "Refusal", "{problem} Wait until the live picture is back, then capture."
                    ),
                    problem=camera_problem,
                )
                if camera_problem
                else QT_TRANSLATE_NOOP("Refusal", "Wait until the live picture is back, then capture.")
            )
            return CaptureCheck(Refusal.CAMERA_NOT_LIVE, message)
        if not has_frame:
            return CaptureCheck(Refusal.NO_FRAME, REFUSAL_MESSAGES[Refusal.NO_FRAME])
        verdict = self._gate.on_capture()
        latest = self._gate.latest
        if verdict is GateVerdict.OBJECT and latest is not None:  # it objects only to a report it has
            return CaptureCheck(Refusal.NOT_READY, latest.text, objection=self._gate.objection)
        overridden = self._gate.overridden() if verdict is GateVerdict.OVERRIDE else None
        if overridden is not None:
            return CaptureCheck(notes=(f"quality gate overridden: {overridden.value}",))
        self.let_go_objection()
        return CaptureCheck()

    def state_refusal(self) -> Refusal | None:
        """Why the session's state alone refuses another capture now (None: it would allow one)."""
        return self._state_refusal()

    def _state_refusal(self) -> Refusal | None:
        if self.phase is Phase.VERIFYING:
            return Refusal.BUSY
        if self.phase is Phase.REVIEW:
            return Refusal.REVIEW_PENDING
        if self.phase is Phase.CLOSED:
            if self.close_reason is CloseReason.ATTEMPTS_EXHAUSTED:
                return Refusal.ATTEMPTS_EXHAUSTED
            return Refusal.CLOSED
        if self.consent is None:
            return Refusal.CONSENT_NEEDED
        return None

    # -- consent ---------------------------------------------------------------------------------

    @property
    def consent_needed(self) -> bool:
        return self.consent is None and self.phase is Phase.READY

    @property
    def consent_record(self) -> ConsentRecord:
        if self.notice is None or self.consent is None:
            return NOT_ASKED
        return ConsentRecord.for_notice(self.consent, self.notice)

    def give_consent(self) -> None:
        """The operator confirms the customer agreed to the notice: captures may start."""
        if not self.consent_needed:
            raise SessionError("no consent is being asked for now")
        self.consent = Consent.GIVEN

    def refuse_consent(self) -> None:
        """The customer refused: the session ends (journaled), and no call is ever made."""
        if not self.consent_needed:
            raise SessionError("no consent is being asked for now")
        self.consent = Consent.REFUSED
        self.phase = Phase.CLOSED
        self.close_reason = CloseReason.CONSENT_REFUSED
        self._event(
            KIND_SESSION,
            f"session {self.id} closed: consent refused; no capture, no call",
            outcome="CONSENT_REFUSED",
            consent=self.consent_record,
        )

    # -- the customer's language ------------------------------------------------------------------

    def set_instruction_language(self, language: str, notice: ConsentNotice | None = None) -> None:
        """The language the customer is spoken to in from now on. A switch during the session is
        noted on the next attempt's record; ``notice`` is the consent notice in the words now shown
        (its hash is what the records carry), taken only while consent is still being asked."""
        if notice is not None and self.consent_needed:
            self.notice = notice
        previous, self.instruction_language = self.instruction_language, language
        if previous is not None and previous != language:
            self._language_notes.append(
                f"customer instruction language changed from {previous} to {language}"
            )

    def let_go_objection(self) -> None:
        """The operator moved on from a gate objection without overriding it: a call saved."""
        objection = self._gate.let_go()
        if objection is not None:
            self._event(
                EventKind.QUALITY_GATE,
                f"capture stopped by the quality gate ({objection.value}) and not overridden; "
                f"calls saved this shift: {self._gate.calls_saved}",
            )

    def _event(
        self,
        kind: EventKind,
        notes: str,
        *,
        outcome: str | None = None,
        consent: ConsentRecord | None = None,
    ) -> None:
        """Journal a counter event through the port, without waiting for it."""
        event = DeskEvent(kind, notes, outcome=outcome, customer_ref=self._reference, consent=consent)
        self._background.spawn(self._port.record_event(event), f"the {kind} event")

    async def verify(
        self,
        frame: np.ndarray,
        notes: tuple[str, ...] = (),
        *,
        sequence: int = 0,  # pragma: no mutate (any number: the trusted side only journals it)
        camera_label: str = "",  # pragma: no mutate (any label: the trusted side only journals it)
    ) -> AttemptReport:
        """Verify ``frame`` (frame number ``sequence`` of the camera ``camera_label``) for this
        customer, after :meth:`check_capture` allowed it. Never wedged: any fault ends the attempt
        as an ERROR."""
        if self._state_refusal() is not None:
            raise SessionError(f"cannot capture in the {self.phase.value} state")
        before = self.phase
        self.phase = Phase.VERIFYING
        self.attempts_started += 1
        self._pending = None
        notes, self._language_notes = (*notes, *self._language_notes), []
        try:
            try:
                report = await self._send(frame, notes, sequence, camera_label)
            except asyncio.CancelledError:
                raise
            except Exception:  # never wedged: any fault ends the attempt as a journaled ERROR
                _log.exception("the verification failed unexpectedly")
                report = await self.record_failure(ErrorKind.UNEXPECTED, UNEXPECTED_MESSAGE, notes)
        finally:
            if self.phase is Phase.VERIFYING:
                self.phase = before  # cancelled (or failed past every net): nothing new on screen
        if report.outcome is not None:
            self.attempts_answered += 1
        self._show(report)
        return report

    async def _send(
        self, frame: np.ndarray, notes: tuple[str, ...], sequence: int, camera_label: str
    ) -> AttemptReport:
        """Encode off the UI thread, then hand the trusted side the capture."""
        try:
            jpeg = await asyncio.to_thread(encode_jpeg, frame, self._port.terms().jpeg_quality)
        except EncodeError as exc:
            return await self.record_failure(
                ErrorKind.ENCODING,
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "The captured frame could not be encoded: {error}"),
                    error=str(exc),
                ),
                notes,
            )
        capture = Capture(
            jpeg,
            frame_sequence=sequence,
            session_id=self.id,
            camera_label=camera_label,
            customer_ref=self._reference,
            consent=self.consent_record,
            instruction_language=self.instruction_language,
            notes=notes,
        )
        return await self._port.verify(capture)

    async def record_failure(
        self, kind: ErrorKind, message: str, notes: tuple[str, ...] = ()
    ) -> AttemptReport:
        """The ERROR row for an attempt that failed in the desk; not final if even that fails."""
        failure = LocalFailure(
            kind, message, self.id, customer_ref=self._reference, consent=self.consent_record, notes=notes
        )
        try:
            return await self._port.record_failure(failure)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the port's own fault: shown as not final, with why
            _log.exception("the error row could not be written")
            return _unrecorded(failure, str(exc) or type(exc).__name__)

    def _show(self, report: AttemptReport) -> None:
        """A new verdict (or an error) on screen: decide where the session goes from here."""
        self.last_report = report
        self._verdict_since = self._clock()
        if not report.final:
            # Not recorded: never final, whatever the service said. The operator is told to call IT.
            self.phase = Phase.RESULT
        elif report.kind is OutcomeKind.LIVE:
            self._close(CloseReason.VERIFIED)
            return
        elif report.kind is OutcomeKind.REVIEW:
            self._pending = report
            self.phase = Phase.REVIEW
            return
        elif self._offers_face_pick(report):
            self._pending = report
            self.phase = Phase.RESULT
            return
        else:
            self.phase = Phase.RESULT
        if self.attempts_left == 0:
            self._close(CloseReason.ATTEMPTS_EXHAUSTED)

    # -- follow-up decisions ----------------------------------------------------------------------

    def _offers_face_pick(self, report: AttemptReport) -> bool:
        outcome = report.outcome
        return (
            outcome is not None
            and outcome.retry_reason is RetryReason.SEVERAL_FACES
            and self._port.terms().several_faces is SeveralFacesPolicy.OPERATOR_PICKS
        )

    @property
    def face_pick_offered(self) -> bool:
        return self.phase is Phase.RESULT and self._pending is not None

    @property
    def review_pending(self) -> bool:
        return self.phase is Phase.REVIEW

    async def pick_face(self, index: int) -> AttemptReport:
        """The operator picked face ``index`` of a several-faces answer: the trusted side decides
        on that face alone and journals it."""
        pending = self._pending if self.face_pick_offered else None
        if pending is None or pending.outcome is None:
            raise SessionError("no face pick is offered now")
        assert pending.audit_sequence is not None  # offered only on a final (journaled) answer
        if not 0 <= index < len(pending.outcome.result.faces):
            raise SessionError(f"there is no face {index + 1}")
        self._pending = None
        try:
            recorded = await self._port.pick_face(FacePick(pending.audit_sequence, index))
        except PickRefusedError as exc:
            raise SessionError(str(exc)) from exc
        self._show(recorded)
        return recorded

    async def settle_review(self, *, confirmed: bool, supervisor_id: str, secret: str) -> AttemptReport:
        """A supervisor confirms or rejects the REVIEW with their own id and PIN. The trusted side
        checks both, and that they are not the attempt's operator; its refusal
        (:class:`~station.application.port.ReviewRefusedError`) leaves the REVIEW open, and so does
        a decision that cannot be journaled."""
        pending = self._pending if self.phase is Phase.REVIEW else None
        if pending is None or pending.outcome is None:
            raise SessionError("no review is waiting")
        assert pending.audit_sequence is not None  # a REVIEW waits only once it was journaled
        decision = ReviewDecision(pending.audit_sequence, supervisor_id, secret, confirmed)
        recorded = await self._port.settle_review(decision)
        self.last_report = recorded
        self._verdict_since = self._clock()
        if recorded.final:
            self._close(CloseReason.VERIFIED if confirmed else CloseReason.REJECTED)
        return recorded

    # -- the end ----------------------------------------------------------------------------------

    def move_on_refusal(self) -> Refusal | None:
        """Why the next customer cannot be started now, or None."""
        if self.phase is Phase.VERIFYING:
            return Refusal.BUSY
        if self.phase is Phase.REVIEW and self.policy.review_blocks_next:
            return Refusal.REVIEW_PENDING
        return None

    @property
    def has_verdict(self) -> bool:
        return self.last_report is not None

    def verdict_expired(self, now: float | None = None) -> bool:
        """True once a verdict has been on screen for the policy's timeout (a REVIEW excepted:
        it waits for a supervisor)."""
        if self._verdict_since is None or self.phase in (Phase.VERIFYING, Phase.REVIEW):
            return False
        now = self._clock() if now is None else now
        return now - self._verdict_since >= self.policy.verdict_timeout_s

    def close(self, reason: CloseReason) -> None:
        """End the session (the operator moved on, the verdict timed out, the station closes)."""
        if self.phase is Phase.VERIFYING:
            raise SessionError("cannot close while a verification is in flight")
        if self.phase is Phase.CLOSED:
            if reason is CloseReason.VERDICT_TIMEOUT:
                self._journal_note(f"verdict cleared after {self.policy.verdict_timeout_s:g} s")
            return
        self._close(reason)

    @property
    def outcome(self) -> OutcomeKind | None:
        """The session's one outcome: the last verdict (after any review or face pick)."""
        return self.last_report.kind if self.last_report is not None else None

    def _close(self, reason: CloseReason) -> None:
        self.let_go_objection()
        self.phase = Phase.CLOSED
        self.close_reason = reason
        if self.attempts_started == 0:
            return  # nobody was verified: nothing to journal
        outcome = self.outcome
        self._event(
            KIND_SESSION,
            f"session {self.id} closed: {reason.value}; "
            f"{self.attempts_answered} answered of {self.attempts_started} attempt(s)",
            outcome=outcome.value if outcome is not None else None,
            consent=self.consent_record,
        )

    def journal_note(self, text: str) -> None:
        """A note on this session's record (only for a session that sent something)."""
        self._journal_note(text)

    @property
    def now(self) -> float:
        """The session's clock now (the verdict timeout's)."""
        return self._clock()

    def _journal_note(self, text: str) -> None:
        if self.attempts_started:
            self._event(KIND_SESSION, f"session {self.id}: {text}")


def _unrecorded(failure: LocalFailure, why: str) -> AttemptReport:
    """The ERROR for ``failure`` when the trusted side could not even take it: never final."""
    now = datetime.now(UTC)
    return AttemptReport(
        kind=OutcomeKind.ERROR,
        message=failure.message,
        requested_at=now,
        answered_at=now,
        elapsed_ms=0.0,
        submission_sha256="",
        api_host="",
        environment="",
        session_id=failure.session_id,
        error_kind=failure.kind,
        notes=failure.notes,
        customer_ref=failure.customer_ref,
        consent=failure.consent,
        audit_error=why,
    )
