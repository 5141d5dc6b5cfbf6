"""The verifier port: the one typed seam between the desk (the operator's session) and the trusted
side (policy, token, network call, decision, journal, PINs).

Two implementations satisfy :class:`VerifierPort`: :class:`InProcessVerifier` here (a checkout,
the demo, the tests) and the station service's client (:mod:`station.service`, issue 24) on an
installed station. The desk cannot tell which it has; one contract suite
(``tests/application/test_port_contract.py``) runs against each.

What crosses the port is data the trusted side can check, never a decision it must take on trust:

* a :class:`Capture` is a JPEG and the facts around it; the trusted side decides the verdict;
* a face pick and a review name a journaled attempt by its **journal sequence**: the trusted side
  looks the attempt up in what it itself decided (:class:`RecentAttempts`), so a caller cannot
  hand it a forged answer to settle;
* a review carries the supervisor's id and PIN: the trusted side checks the PIN, and that the
  supervisor is not the operator *it* recorded for the attempt, before it journals the decision;
* the operator is who the trusted side confirmed (:meth:`VerifierPort.authenticate_operator`), or,
  behind a socket, the caller's OS account; a name the desk merely shows is never evidence.

``readiness()`` and ``terms()`` never do I/O (the desk asks them on the UI thread): the service
client answers them from its last :meth:`VerifierPort.refresh`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final, Protocol

from station.application.attempt import AttemptReport, Submission, SubmissionKind, run_attempt
from station.application.consent import NOT_ASKED, ConsentRecord
from station.application.health import Level, Part, PartHealth, service_health
from station.application.kinds import ErrorKind, EventKind
from station.application.readiness import Readiness
from station.application.verifier import CONSENT_MISSING, Verifier
from station.core.decision import SeveralFacesPolicy, decide
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.core.models import Outcome, OutcomeKind, RetryReason
from station.security.identity import normalise_identity, same_person
from station.security.people import PinGuard
from station.security.pin import PinError
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = [
    "Capture",
    "CounterTerms",
    "DeskEvent",
    "FacePick",
    "InProcessVerifier",
    "LocalFailure",
    "OperatorIdentity",
    "PickRefusedError",
    "RecentAttempts",
    "ReviewDecision",
    "ReviewRefusal",
    "ReviewRefusedError",
    "ServiceCheck",
    "VerifierPort",
]


@dataclass(frozen=True, slots=True)
class Capture:
    """What the desk hands the trusted side for one attempt: the JPEG and the facts around it."""

    jpeg: bytes
    #: The camera frame's sequence number (the desk never sends the same judged frame twice).
    frame_sequence: int
    #: The customer session the attempt belongs to.
    session_id: str
    camera_label: str = ""
    customer_ref: str | None = None
    consent: ConsentRecord = NOT_ASKED
    instruction_language: str | None = None
    notes: tuple[str, ...] = ()
    #: The caller's OS account as the trusted side knows it (behind a socket: the kernel's word,
    #: set by the service whatever the client sent); on the attempt's rows.
    caller_account: str | None = None


@dataclass(frozen=True, slots=True)
class LocalFailure:
    """An attempt that failed in the desk before anything could be sent (the frame could not be
    encoded, a fault in the station): the trusted side journals it as an ERROR, nothing charged."""

    kind: ErrorKind
    message: str
    session_id: str
    customer_ref: str | None = None
    consent: ConsentRecord = NOT_ASKED
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FacePick:
    """The operator picked face ``face_index`` of a several-faces answer (journal sequence)."""

    attempt_sequence: int
    face_index: int


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A supervisor's decision on the REVIEW journaled as ``attempt_sequence``, with their own id
    and PIN (both checked by the trusted side)."""

    attempt_sequence: int
    supervisor_id: str
    secret: str
    confirm: bool

    def __repr__(self) -> str:  # the PIN never reaches a log or a traceback
        return (
            f"ReviewDecision(attempt_sequence={self.attempt_sequence}, "
            f"supervisor_id={self.supervisor_id!r}, confirm={self.confirm})"
        )


@dataclass(frozen=True, slots=True)
class DeskEvent:
    """A counter event the journal keeps that is not an attempt (a session closed, consent
    refused, a capture the quality gate stopped)."""

    kind: EventKind
    notes: str
    outcome: str | None = None
    customer_ref: str | None = None
    consent: ConsentRecord | None = None


@dataclass(frozen=True, slots=True)
class CounterTerms:
    """What the desk must know of the trusted side's rules to run the counter (never a secret)."""

    several_faces: SeveralFacesPolicy = SeveralFacesPolicy.RETRY
    consent_required: bool = False
    #: The longest one verification may take, for the screen; None: unknown.
    deadline_s: float | None = None
    #: The JPEG quality the desk encodes captures at.
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    #: Whether any supervisor can settle a REVIEW here, from the trusted side's own supervisor
    #: list (False: none configured, or the list cannot be read). A REVIEW then never blocks the
    #: next customer, and the screen says to call IT.
    supervisors_available: bool = True


class ReviewRefusal(StrEnum):
    OWN_ATTEMPT = "own_attempt"
    WRONG_SECRET = "wrong_secret"  # noqa: S105 - a refusal's name, not a secret
    NOT_A_REVIEW = "not_a_review"
    #: No supervisor can be checked here (none configured, PINs locked out or unreadable).
    CANNOT_CHECK = "cannot_check"


class ReviewRefusedError(Exception):
    def __init__(self, refusal: ReviewRefusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal


class PickRefusedError(Exception):
    """No face pick is open for that attempt, or there is no such face."""


@dataclass(frozen=True, slots=True)
class OperatorIdentity:
    """An operator the trusted side has confirmed (the desk holds only this, never a secret)."""

    operator_id: str


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """What the trusted side found when it asked the liveness service for its credit balance with
    its own client and token: the service part of the health strip, and the balance (None: not
    read) for the fleet's heartbeat."""

    health: PartHealth
    balance: float | None = None


class VerifierPort(Protocol):
    """See the module docstring."""

    def readiness(self) -> Readiness:
        """Each reason the trusted side would refuse a capture now (empty: ready). No I/O."""
        ...

    def terms(self) -> CounterTerms:
        """The trusted side's rules the desk runs the counter by. No I/O."""
        ...

    async def refresh(self) -> Readiness:
        """Ask the trusted side again (the service client's only way to learn a change)."""
        ...

    async def check_service(self) -> ServiceCheck:
        """Have the trusted side read the liveness service's balance with its own client (the
        desk has no token and no client of its own): the service part of the health strip."""
        ...

    async def verify(self, capture: Capture) -> AttemptReport:
        """Send ``capture``, decide and journal; refused (an ERROR, nothing sent) when not ready."""
        ...

    async def record_failure(self, failure: LocalFailure) -> AttemptReport:
        """Journal an attempt that failed before anything was sent (not final if it cannot)."""
        ...

    async def pick_face(self, pick: FacePick) -> AttemptReport:
        """Decide a several-faces answer on the face the operator picked, and journal it;
        :class:`PickRefusedError` if that attempt offers no pick or has no such face."""
        ...

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        """Check the supervisor's PIN and that they are not the attempt's operator, then journal
        the decision; :class:`ReviewRefusedError` if refused (nothing journaled but the PIN attempt)."""
        ...

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        """The operator as the trusted side confirms them (and records from now on), or None."""
        ...

    async def record_event(self, event: DeskEvent) -> None:
        """Journal a counter event; a failure is logged by the trusted side, never raised."""
        ...

    async def wait_idle(self) -> None:
        """For shutdown: every journal write under way has finished."""
        ...


#: How many of its own attempts the trusted side keeps for a pick or a review.
RECENT_ATTEMPTS: Final = 64


@dataclass(frozen=True, slots=True)
class _Kept:
    report: AttemptReport
    operator_id: str | None


class RecentAttempts:
    """The journaled attempts this trusted side decided, by journal sequence, with the operator it
    recorded for each: what a pick or a review may refer to (nothing a caller hands in)."""

    def __init__(self, limit: int = RECENT_ATTEMPTS) -> None:
        self._limit = limit
        self._kept: OrderedDict[int, _Kept] = OrderedDict()

    def keep(self, report: AttemptReport, operator_id: str | None) -> None:
        sequence = report.audit_sequence
        if sequence is None or not report.final:
            return
        self._kept[sequence] = _Kept(report, operator_id)
        while len(self._kept) > self._limit:
            self._kept.popitem(last=False)

    def find(self, sequence: int) -> tuple[AttemptReport, str | None] | None:
        kept = self._kept.get(sequence)
        return (kept.report, kept.operator_id) if kept is not None else None

    def settle(self, sequence: int) -> None:
        """The attempt was decided once more (picked, reviewed): it cannot be settled again."""
        self._kept.pop(sequence, None)


def _offers_pick(report: AttemptReport, several_faces: SeveralFacesPolicy) -> bool:
    outcome = report.outcome
    return (
        report.kind is OutcomeKind.RETRY
        and outcome is not None
        and outcome.retry_reason is RetryReason.SEVERAL_FACES
        and several_faces is SeveralFacesPolicy.OPERATOR_PICKS
    )


class InProcessVerifier:
    """The trusted side in the caller's own process: the :class:`Verifier`'s parts, and the
    station's PIN guard for supervisors (None: no supervisor can be checked here)."""

    def __init__(self, verifier: Verifier, pins: PinGuard | None = None) -> None:
        self.verifier = verifier
        self.pins = pins
        self.recent = RecentAttempts()
        self._operator: str | None = None

    @property
    def operator_id(self) -> str | None:
        """The operator this side confirmed last (None: nobody signed in)."""
        return self._operator

    def readiness(self) -> Readiness:
        return self.verifier.readiness()

    def terms(self) -> CounterTerms:
        verifier = self.verifier
        return CounterTerms(
            several_faces=verifier.policy.several_faces,
            consent_required=verifier.consent_required,
            deadline_s=verifier.deadline_s,
            jpeg_quality=verifier.jpeg_quality,
            supervisors_available=self.pins is not None and bool(self.pins.people.supervisors),
        )

    async def refresh(self) -> Readiness:
        return self.readiness()

    async def check_service(self) -> ServiceCheck:
        client = self.verifier.client
        if client is None:
            hold = self.readiness().first  # the operator's words, not the CLI's advice
            fix = hold.message if hold is not None else self.verifier.unavailable_reason
            not_configured = QT_TRANSLATE_NOOP("Health", "not configured")
            return ServiceCheck(PartHealth(Part.SERVICE, Level.BAD, not_configured, fix))
        try:
            balance = await client.balance()
        except Exception as exc:  # any failure is the service's health, never a crash
            return ServiceCheck(service_health(None, exc))
        return ServiceCheck(service_health(balance, None), balance)

    async def verify(self, capture: Capture) -> AttemptReport:
        verifier = self.verifier
        client = verifier.client
        hold = verifier.readiness().first
        if hold is not None or client is None or not verifier.consent_allows(capture.consent):
            message = (
                hold.message
                if hold is not None
                else QT_TRANSLATE_NOOP("Refusal", "The station is not configured.")
            )
            if hold is None and client is not None:
                message = CONSENT_MISSING
            refused = replace(
                verifier.local_error(message, capture.session_id, ErrorKind.NOT_READY),
                customer_ref=capture.customer_ref,
                consent=capture.consent,
                notes=capture.notes,
            )
            return await verifier.record(refused)
        report = await run_attempt(
            client,
            Submission(SubmissionKind.IMAGE, capture.jpeg, filename="capture.jpg"),
            verifier.policy,
            verifier.recorder,
            notes=(*capture.notes, f"frame {capture.frame_sequence}"),
            customer_ref=capture.customer_ref,
            session_id=capture.session_id,
            consent=capture.consent,
            instruction_language=capture.instruction_language,
            caller_account=capture.caller_account,
        )
        self.recent.keep(report, self._operator)
        return report

    async def record_failure(self, failure: LocalFailure) -> AttemptReport:
        report = replace(
            self.verifier.local_error(failure.message, failure.session_id, failure.kind),
            customer_ref=failure.customer_ref,
            consent=failure.consent,
            notes=failure.notes,
        )
        try:
            return await self.verifier.record(report)
        except Exception as exc:  # the recorder's own fault: not final, with why
            return report.with_audit(None, str(exc) or type(exc).__name__)

    async def pick_face(self, pick: FacePick) -> AttemptReport:
        found = self.recent.find(pick.attempt_sequence)
        policy = self.verifier.policy
        if found is None or not _offers_pick(found[0], policy.several_faces):
            raise PickRefusedError("No face pick is open for that attempt.")
        if found[1] != self._operator:  # only the operator who made it (both as confirmed: normalised)
            raise PickRefusedError("Only the operator who made the attempt may pick the customer's face.")
        pending = found[0]
        assert pending.outcome is not None  # _offers_pick checked it
        result = pending.outcome.result
        if not 0 <= pick.face_index < len(result.faces):
            raise PickRefusedError(f"There is no face {pick.face_index + 1}.")
        face = result.faces[pick.face_index]
        outcome = decide(result, policy, chosen_face=face)
        box = face.bbox
        note = (
            f"operator picked face {pick.face_index + 1} of {len(result.faces)} "
            f"(box {box.x},{box.y} {box.width}x{box.height}) on attempt #{pending.audit_sequence}"
        )
        recorded = await self.verifier.record(pending.reviewed(outcome, outcome.message, note))
        if recorded.final:
            self.recent.settle(pick.attempt_sequence)
            self.recent.keep(recorded, found[1])  # a pick may end in a REVIEW to settle
        return recorded

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        found = self.recent.find(decision.attempt_sequence)
        pending = found[0] if found is not None else None
        if pending is None or pending.kind is not OutcomeKind.REVIEW or pending.outcome is None:
            raise ReviewRefusedError(ReviewRefusal.NOT_A_REVIEW, "There is no journaled REVIEW to settle.")
        operator = found[1] if found is not None else None
        if same_person(decision.supervisor_id, operator):
            raise ReviewRefusedError(
                ReviewRefusal.OWN_ATTEMPT, "A supervisor cannot settle a review of their own attempt."
            )
        await self._check_supervisor(decision)
        supervisor = normalise_identity(decision.supervisor_id)
        kind = OutcomeKind.LIVE if decision.confirm else OutcomeKind.SPOOF
        outcome: Outcome = replace(pending.outcome, kind=kind)
        who = Phrase(QT_TRANSLATE_NOOP("Details", "supervisor {supervisor}"), supervisor=supervisor)
        if decision.confirm:
            message = Phrase(
                QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. You may continue with the customer."),
                who=who,
            )
        else:
            message = Phrase(
                QT_TRANSLATE_NOOP("Details", "Rejected by {who}. Follow the branch's manual identity check."),
                who=who,
            )
        note = (
            f"{who} {'confirmed' if decision.confirm else 'rejected'} review of attempt "
            f"#{pending.audit_sequence} (score {pending.outcome.score})"
        )
        recorded = await self.verifier.record(pending.reviewed(outcome, message, note, supervisor))
        if recorded.final:
            self.recent.settle(decision.attempt_sequence)
        return recorded

    async def _check_supervisor(self, decision: ReviewDecision) -> None:
        pins = self.pins
        if pins is None:
            raise ReviewRefusedError(
                ReviewRefusal.CANNOT_CHECK, "No supervisor can be checked on this station."
            )
        action = "confirm a review" if decision.confirm else "reject a review"
        try:
            # The ledger fsyncs and hashing is slow on purpose: never on the caller's loop.
            right, _left = await asyncio.to_thread(
                pins.check_supervisor, decision.supervisor_id, decision.secret, action
            )
        except PinError as exc:
            raise ReviewRefusedError(ReviewRefusal.CANNOT_CHECK, str(exc)) from exc
        if not right:
            raise ReviewRefusedError(ReviewRefusal.WRONG_SECRET, "The supervisor's id or PIN is wrong.")

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        """Operators sign in with their id alone on this station (operator PINs for a shared
        kiosk account are checked by the station service): the identity is taken as people
        compare it, and recorded on every row from now on."""
        identity = normalise_identity(operator_id)
        if not identity:
            return None
        self._operator = identity
        self.verifier.recorder.with_context(operator_id=identity)
        return OperatorIdentity(identity)

    async def record_event(self, event: DeskEvent) -> None:
        self.verifier.record_event_soon(
            event.kind,
            event.notes,
            outcome=event.outcome,
            customer_ref=event.customer_ref,
            consent=event.consent,
        )

    async def wait_idle(self) -> None:
        await self.verifier.wait_idle()
