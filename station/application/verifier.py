"""The parts one verification needs on the trusted side, in one place: the service client, the
decision policy, the journal recorder and the JPEG quality the desk encodes at.

Settings change while the station runs (a new token, a new threshold): the composition root swaps
the parts here and every later attempt uses them. The desk never calls this object: it reaches it
through the in-process :class:`~station.application.port.InProcessVerifier` (the verifier port),
which runs the attempt (the request awaited on the caller's loop, the journal write in a worker
thread) and refuses, with nothing sent, whenever :meth:`Verifier.readiness` says so.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from station.api.client import LivenessClient
from station.application.attempt import (
    AttemptReport,
    record_report,
)
from station.application.background import Background
from station.application.consent import Consent, ConsentRecord
from station.application.health import JournalState, journal_health
from station.application.kinds import ErrorKind, EventKind
from station.application.readiness import NO_TOKEN_FIX, POLICY_STOP_FIX, Hold, NotReady, Readiness
from station.application.recording import Recorder, UnavailableRecorder
from station.core.decision import DecisionPolicy
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.core.models import OutcomeKind
from station.words import QT_TRANSLATE_NOOP

__all__ = ["CONSENT_MISSING", "Verifier"]

#: The trusted side's own refusal when policy asks for consent and none was given.
CONSENT_MISSING = QT_TRANSLATE_NOOP(
    "Refusal", "Read the notice to the customer first. F7: they agree. F8: they refuse."
)

_log = logging.getLogger(__name__)

_OPERATOR_WORDS = {NotReady.TOKEN: NO_TOKEN_FIX, NotReady.POLICY: POLICY_STOP_FIX}


class Verifier:
    """Runs attempts with the current parts; records station events in the background."""

    def __init__(
        self,
        client: LivenessClient | None,
        policy: DecisionPolicy,
        recorder: Recorder,
        *,
        jpeg_quality: int = DEFAULT_JPEG_QUALITY,
        unavailable_reason: str = "",
    ) -> None:
        self.client = client
        self.policy = policy
        self.recorder = recorder
        self.jpeg_quality = jpeg_quality
        #: Why there is no client (no token enrolled, a refused base URL…), in the operator's words.
        self.unavailable_reason = unavailable_reason
        #: The camera as the journal names it (``device:Logitech C920``, ``image:face.jpg``).
        self.camera_label = ""
        #: Why captures from this camera are refused ("" if they are not): not a live camera.
        self.camera_refusal = ""
        #: Why there is no client, as a kind (no token, or a policy that stopped verification).
        self.unavailable_kind = NotReady.CLIENT
        #: Policy asks for the customer's consent: nothing is sent without it, whoever asks.
        self.consent_required = False
        #: The longest one verification may take (the client's deadline), for the screen; None: unknown.
        self.deadline_s: float | None = None
        #: Why the journal cannot be written now ("" if it can), beyond a journal never opened.
        self.journal_problem = ""
        #: The journal file's state as last checked (a vanished journal refuses captures).
        self.journal_state = JournalState.WRITABLE
        #: The journal writes started and not awaited (events), until they end.
        self._background = Background()

    def swap_client(
        self,
        client: LivenessClient | None,
        unavailable_reason: str = "",
        unavailable_kind: NotReady = NotReady.CLIENT,
    ) -> LivenessClient | None:
        """Use another client from the next attempt on; returns the old one for closing."""
        old, self.client = self.client, client
        self.unavailable_reason = unavailable_reason
        self.unavailable_kind = unavailable_kind
        return old

    def consent_allows(self, consent: ConsentRecord) -> bool:
        """Whether an attempt with ``consent`` may be sent (policy asks: only once given)."""
        return not self.consent_required or consent.consent is Consent.GIVEN

    def readiness(self) -> Readiness:
        """What the trusted side would refuse a capture for now: each reason, with its words."""
        holds: list[Hold] = []
        journal = self._journal_words()
        if journal:
            holds.append(Hold(NotReady.JOURNAL, journal))
        if self.client is None:
            # The operator's words for the kinds they cannot fix (the raw reason, CLI advice
            # included, is for the log): no token, a policy that stopped verification.
            reason = _OPERATOR_WORDS.get(self.unavailable_kind) or self.unavailable_reason
            holds.append(
                Hold(
                    self.unavailable_kind,
                    reason or QT_TRANSLATE_NOOP("Refusal", "The station is not configured."),
                )
            )
        if self.camera_refusal:
            holds.append(Hold(NotReady.CAMERA, self.camera_refusal))
        return Readiness(tuple(holds))

    def _journal_words(self) -> str:
        """Why the journal cannot take the next row, in the operator's words ("" if it can)."""
        recorder = self.recorder
        if isinstance(recorder, UnavailableRecorder):
            return journal_health(recorder.state, recorder.reason).fix
        if self.journal_state is not JournalState.WRITABLE:
            return journal_health(self.journal_state, self.journal_problem).fix
        if self.journal_problem:
            return journal_health(JournalState.CANNOT_WRITE, self.journal_problem).fix
        return ""

    async def record(self, report: AttemptReport) -> AttemptReport:
        """Journal a report :func:`run_attempt` did not: local failures and follow-up decisions."""
        return await record_report(self.recorder, report)

    def local_error(
        self, message: str, session_id: str | None = None, kind: ErrorKind = ErrorKind.UNEXPECTED
    ) -> AttemptReport:
        """An ERROR that never reached the service (nothing was sent, nothing charged)."""
        now = datetime.now(UTC)
        return AttemptReport(
            kind=OutcomeKind.ERROR,
            message=message,
            requested_at=now,
            answered_at=now,
            elapsed_ms=0.0,
            submission_sha256="",
            api_host=self.client.api_host if self.client else "",
            environment=self.client.environment.value if self.client else "",
            session_id=session_id,
            error_kind=kind,
        )

    def record_event_soon(
        self,
        kind: EventKind,
        notes: str,
        *,
        outcome: str | None = None,
        customer_ref: str | None = None,
        consent: ConsentRecord | None = None,
    ) -> None:
        """Journal a station event without waiting for it (a failure is logged: the event is
        evidence of a call saved or a session closed, never a verdict)."""

        async def write() -> None:
            try:
                await self.recorder.record_event(
                    kind, notes, outcome=outcome, customer_ref=customer_ref, consent=consent
                )
            except Exception as exc:  # the journal's own failure is reported by the next attempt
                _log.error("the %s event could not be journaled: %s", kind, exc)

        self._background.spawn(write(), f"the {kind} event")

    async def wait_idle(self) -> None:
        """For shutdown: let every journal write under way finish."""
        await self._background.wait_idle()
