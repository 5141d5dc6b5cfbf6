"""The verifier port: the one typed seam between the desk (the operator's session) and the trusted
side (policy, token, network call, decision, journal, PINs).

Two implementations are meant to satisfy :class:`VerifierPort`: :class:`InProcessVerifier` here (a
checkout, the demo, the tests) and, later, the station service's client (issue 24). The desk cannot
tell which it has; one contract suite (``tests/application/test_port_contract.py``) runs against
each.

The trusted side owns identities and secrets: a supervisor's review is settled by
:meth:`VerifierPort.settle_review` with the supervisor's PIN, which the trusted side checks itself,
together with "the supervisor is not the operator", before it journals the decision.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from station.application.attempt import AttemptReport, Submission, SubmissionKind, run_attempt
from station.application.consent import NOT_ASKED, ConsentRecord
from station.application.kinds import ErrorKind
from station.application.readiness import Readiness
from station.application.verifier import CONSENT_MISSING, Verifier
from station.core.models import Outcome, OutcomeKind
from station.security.identity import normalise_identity, same_person
from station.security.people import PinGuard
from station.security.pin import PinError

__all__ = [
    "Capture",
    "InProcessVerifier",
    "OperatorIdentity",
    "ReviewDecision",
    "ReviewRefusal",
    "ReviewRefusedError",
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


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A supervisor's decision on a REVIEW, with their own id and PIN (checked by the trusted side)."""

    attempt: AttemptReport
    supervisor_id: str
    secret: str
    confirm: bool
    #: The operator who made the attempt (the trusted side refuses the same person).
    operator_id: str | None


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


@dataclass(frozen=True, slots=True)
class OperatorIdentity:
    """An operator the trusted side has confirmed (the desk holds only this, never a secret)."""

    operator_id: str


class VerifierPort(Protocol):
    """See the module docstring."""

    def readiness(self) -> Readiness:
        """Each reason the trusted side would refuse a capture now (empty: ready)."""
        ...

    async def verify(self, capture: Capture) -> AttemptReport:
        """Send ``capture``, decide and journal; refused (an ERROR, nothing sent) when not ready."""
        ...

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        """Check the supervisor's PIN and that they are not the operator, then journal the
        decision; :class:`ReviewRefusedError` if refused (nothing journaled but the PIN attempt)."""
        ...

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        """The operator as the trusted side confirms them, or None."""
        ...


class InProcessVerifier:
    """The trusted side in the operator's own process: the :class:`Verifier`'s parts, and the
    station's PIN guard for supervisors (None: no supervisor can be checked here)."""

    def __init__(self, verifier: Verifier, pins: PinGuard | None = None) -> None:
        self.verifier = verifier
        self.pins = pins

    def readiness(self) -> Readiness:
        return self.verifier.readiness()

    async def verify(self, capture: Capture) -> AttemptReport:
        verifier = self.verifier
        client = verifier.client
        hold = verifier.readiness().first
        if hold is not None or client is None or not verifier.consent_allows(capture.consent):
            message = hold.message if hold is not None else "The station is not configured."
            if hold is None and client is not None:
                message = CONSENT_MISSING
            refused = replace(
                verifier.local_error(message, capture.session_id, ErrorKind.NOT_READY),
                customer_ref=capture.customer_ref,
                consent=capture.consent,
                notes=capture.notes,
            )
            return await verifier.record(refused)
        return await run_attempt(
            client,
            Submission(SubmissionKind.IMAGE, capture.jpeg, filename="capture.jpg"),
            verifier.policy,
            verifier.recorder,
            notes=(*capture.notes, f"frame {capture.frame_sequence}"),
            customer_ref=capture.customer_ref,
            session_id=capture.session_id,
            consent=capture.consent,
            instruction_language=capture.instruction_language,
        )

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        pending = decision.attempt
        if pending.kind is not OutcomeKind.REVIEW or pending.outcome is None or not pending.final:
            raise ReviewRefusedError(ReviewRefusal.NOT_A_REVIEW, "There is no journaled REVIEW to settle.")
        if same_person(decision.supervisor_id, decision.operator_id):
            raise ReviewRefusedError(
                ReviewRefusal.OWN_ATTEMPT, "A supervisor cannot settle a review of their own attempt."
            )
        await self._check_supervisor(decision)
        supervisor = normalise_identity(decision.supervisor_id)
        kind = OutcomeKind.LIVE if decision.confirm else OutcomeKind.SPOOF
        outcome: Outcome = replace(pending.outcome, kind=kind)
        who = f"supervisor {supervisor}"
        if decision.confirm:
            message = f"Confirmed live by {who}. You may continue with the customer."
        else:
            message = f"Rejected by {who}. Follow the branch's manual identity check."
        note = (
            f"{who} {'confirmed' if decision.confirm else 'rejected'} review of attempt "
            f"#{pending.audit_sequence} (score {pending.outcome.score})"
        )
        return await self.verifier.record(pending.reviewed(outcome, message, note, supervisor))

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
        """Operators sign in with their id alone on this station (no operator PINs yet): the
        identity is taken as people compare it."""
        identity = normalise_identity(operator_id)
        return OperatorIdentity(identity) if identity else None
