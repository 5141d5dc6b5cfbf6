"""One verification attempt end to end, for the customer session, ``station verify`` and the self-test.

submit (client) → decide (core) → record (audit) → :class:`AttemptReport`. No Qt here: the GUI
awaits :func:`run_attempt` on the qasync loop, the CLI on a plain asyncio loop. Errors become an
ERROR report with a plain explanation and what to do, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from station.api.client import LivenessClient, Verification
from station.api.errors import LivenessAPIError
from station.application.consent import NOT_ASKED, ConsentRecord
from station.application.kinds import ErrorKind, RecordKind, error_kind
from station.core.decision import DecisionPolicy, decide
from station.core.models import Outcome, OutcomeKind
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "CANCELLED_BEFORE_SENDING",
    "CANCELLED_BY_OPERATOR",
    "CANCELLED_MESSAGE",
    "JOURNAL_UNWRITABLE_MESSAGE",
    "UNEXPECTED_MESSAGE",
    "AttemptRecorder",
    "AttemptReport",
    "Submission",
    "SubmissionKind",
    "advice_for",
    "record_report",
    "run_attempt",
]

_log = logging.getLogger(__name__)


class SubmissionKind(StrEnum):
    IMAGE = "image"
    PDF = "pdf"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Submission:
    """What is sent: image or PDF bytes, or a link."""

    kind: SubmissionKind
    content: bytes = b""
    link: str | None = None
    filename: str = "capture.jpg"

    @property
    def sha256(self) -> str:
        data = self.link.encode() if self.kind is SubmissionKind.LINK and self.link else self.content
        return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class AttemptReport:
    """Everything one attempt produced: the outcome (or the error) and whether it is final."""

    kind: OutcomeKind
    message: str
    requested_at: datetime
    answered_at: datetime
    elapsed_ms: float
    submission_sha256: str
    api_host: str
    environment: str
    outcome: Outcome | None = None
    verification: Verification | None = None
    error: LivenessAPIError | None = None
    audit_sequence: int | None = None
    audit_error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    customer_ref: str | None = None
    #: ``verification`` for an attempt; ``review`` for a decision taken on it afterwards (a
    #: supervisor confirming a borderline score, the operator picking the customer's face).
    record_kind: RecordKind = RecordKind.VERIFICATION
    #: The customer session the attempt belongs to (see :mod:`station.application.session`).
    session_id: str | None = None
    #: For a ``review`` record: the journal sequence of the attempt it settles.
    settles_sequence: int | None = None
    #: For a supervisor's review: who settled it.
    supervisor_id: str | None = None
    #: The customer's consent behind the attempt (notice version and the hash of its words).
    consent: ConsentRecord = NOT_ASKED
    #: The customer instruction language (BCP 47: ``en``, ``hi``) the customer was shown.
    instruction_language: str | None = None
    #: Why an ERROR has no verdict (None for a verdict): what the banner decides on.
    error_kind: ErrorKind | None = None
    #: On an attempt's outcome: the journal sequence of its "attempt started" row.
    started_sequence: int | None = None
    #: The OS account of the process that asked for the attempt (the service's socket peer).
    caller_account: str | None = None

    @property
    def final(self) -> bool:
        """A verdict is final only once its audit record is written: a journal row exists.

        Fail closed by construction: a report that never went through a recorder has no
        sequence, so it is never final.
        """
        return self.audit_sequence is not None and self.audit_error is None

    def with_audit(self, sequence: int | None, error: str | None) -> AttemptReport:
        return replace(self, audit_sequence=sequence, audit_error=error)

    def reviewed(
        self, outcome: Outcome, message: str, note: str, supervisor_id: str | None = None
    ) -> AttemptReport:
        """A follow-up decision on this attempt (same request, same answer), to be journaled."""
        return replace(
            self,
            kind=outcome.kind,
            message=message,
            outcome=outcome,
            notes=(*self.notes, note),
            record_kind=RecordKind.REVIEW,
            settles_sequence=self.audit_sequence,
            supervisor_id=supervisor_id,
            audit_sequence=None,
            audit_error=None,
            started_sequence=None,  # a review settles the outcome row; it starts no paid call
            caller_account=None,
        )


CANCELLED_MESSAGE = QT_TRANSLATE_NOOP("Verdict", "Verification cancelled. Press Space to capture again.")
#: The operator's words for a fault in the station itself (the log has the rest).
UNEXPECTED_MESSAGE = QT_TRANSLATE_NOOP(
    "Details",
    "The verification could not be completed because of a fault in the station. "
    "Capture again; if it repeats, call IT support.",
)
#: The cancellation note when nobody said otherwise (``task.cancel()`` without a message).
CANCELLED_BY_OPERATOR = "cancelled by the operator"
#: The operator's words when the "attempt started" row cannot be written (nothing was sent).
JOURNAL_UNWRITABLE_MESSAGE = QT_TRANSLATE_NOOP(
    "Details",
    "The audit journal cannot be written, so nothing was sent to the service. "
    "Do not capture again: call IT support.",
)
#: The note on the outcome of an attempt cancelled while its "attempt started" row was written.
CANCELLED_BEFORE_SENDING = "cancelled before the request was sent"

#: Writes the report to the audit journal and returns its sequence; raises on failure.
AttemptRecorder = Callable[[AttemptReport], Awaitable[int]]


#: The plain explanation and what to do, per kind of error, for the details under the banner.
_ADVICE: Final[dict[ErrorKind, str]] = {
    ErrorKind.AUTH: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The station's access to the service was refused. Call IT support: the token needs renewing.",
        )
    ),
    ErrorKind.RATE_LIMITED: QT_TRANSLATE_NOOP(
        "Details", "The service is busy right now. Wait a minute, then capture again."
    ),
    ErrorKind.UNAVAILABLE: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The verification service is not available. Wait a minute and capture again; if it persists, call IT.",  # noqa: E501 - one literal for lupdate
        )
    ),
    ErrorKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "Details", "The service did not answer in time. Check the network, then capture again."
    ),
    ErrorKind.TLS: QT_TRANSLATE_NOOP(
        "Details", "The secure connection to the service failed. Do not retry; call IT support."
    ),
    ErrorKind.NETWORK: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The station cannot reach the service. Check the network cable or Wi-Fi, then capture again.",
        )
    ),
    ErrorKind.BAD_REQUEST: QT_TRANSLATE_NOOP(
        "Details", "The service refused the request. Capture again; if it repeats, call IT support."
    ),
    ErrorKind.CONFIGURATION: (
        QT_TRANSLATE_NOOP(
            "Details", "The service refused the request. Capture again; if it repeats, call IT support."
        )
    ),
    ErrorKind.BAD_RESPONSE: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The service gave an answer the station cannot read. Capture again; if it repeats, call IT.",
        )
    ),
    ErrorKind.OTHER: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The verification could not be completed. Capture again; if it repeats, call IT support.",
        )
    ),
}


def advice_for(error: BaseException) -> str:
    """A plain explanation and what to do, for the operator's ERROR banner: by the error's kind."""
    return _ADVICE.get(error_kind(error), UNEXPECTED_MESSAGE)


async def _submit(client: LivenessClient, submission: Submission) -> Verification:
    if submission.kind is SubmissionKind.IMAGE:
        return await client.verify_image(submission.content, submission.filename)
    if submission.kind is SubmissionKind.PDF:
        return await client.verify_pdf(submission.content, submission.filename)
    assert submission.link is not None
    return await client.verify_link(submission.link)


async def run_attempt(
    client: LivenessClient,
    submission: Submission,
    policy: DecisionPolicy,
    recorder: AttemptRecorder,
    notes: tuple[str, ...] = (),
    customer_ref: str | None = None,
    session_id: str | None = None,
    consent: ConsentRecord = NOT_ASKED,
    instruction_language: str | None = None,
    *,
    caller_account: str | None = None,
) -> AttemptReport:
    """Journal "attempt started", then submit, decide and record the outcome naming that row.

    A recorder is required: an attempt without a journal row is never final, and a request whose
    "attempt started" row cannot be written is never sent (an ERROR of kind
    :attr:`ErrorKind.JOURNAL_UNWRITABLE`, not final). ``caller_account`` is the OS account that
    asked for the attempt (the station service's socket peer), written in both rows.
    Cancellation propagates, after a record of the cancellation (the request may already have
    reached the service and been charged)."""
    requested_at = datetime.now(UTC)
    sha256 = submission.sha256  # hashed once: the audit record's proof of what was sent
    report = AttemptReport(
        kind=OutcomeKind.ERROR,  # not journaled for a started row; a fail-closed placeholder
        message="",
        requested_at=requested_at,
        answered_at=requested_at,
        elapsed_ms=0.0,
        submission_sha256=sha256,
        api_host=client.api_host,
        environment=client.environment.value,
        notes=notes,
        customer_ref=customer_ref,
        session_id=session_id,
        consent=consent,
        instruction_language=instruction_language,
        record_kind=RecordKind.ATTEMPT_STARTED,
        caller_account=caller_account,
    )
    started_sequence = await _record_started(recorder, report)
    if not isinstance(started_sequence, int):
        return started_sequence  # nothing was sent
    report = replace(report, record_kind=RecordKind.VERIFICATION, started_sequence=started_sequence)
    started = time.monotonic()
    try:
        verification = await _submit(client, submission)
    except asyncio.CancelledError as cancel:
        # The request may already have reached the service (and been charged): keep a record.
        # ``task.cancel(msg)`` says who stopped it (the operator, a signal, shutdown).
        why = str(cancel.args[0]) if cancel.args and cancel.args[0] else CANCELLED_BY_OPERATOR
        cancelled = _cancelled(report, started, why)
        with contextlib.suppress(Exception):
            await asyncio.shield(recorder(cancelled))
        raise
    except Exception as error:  # the client's errors, and any fault: an ERROR row, never a hang
        if isinstance(error, LivenessAPIError):
            failure: LivenessAPIError | None = error
        else:  # the client types every failure; should one slip through, still a typed row
            _log.warning("verification failed unexpectedly: %s", type(error).__name__)
            failure = LivenessAPIError(f"the verification failed unexpectedly ({type(error).__name__})")
        kind, message, outcome, answer = OutcomeKind.ERROR, advice_for(error), None, None
        fault: ErrorKind | None = error_kind(error)
        answered_at, elapsed_ms = datetime.now(UTC), (time.monotonic() - started) * 1000.0
    else:
        answer, failure, fault = verification, None, None
        answered_at, elapsed_ms = verification.answered_at, verification.elapsed_ms
        try:
            outcome = decide(verification.result, policy)
            kind, message = outcome.kind, outcome.message
        except Exception:  # the service answered (and charged): keep its answer, say it failed here
            _log.exception("the decision failed unexpectedly")
            outcome, kind, message, fault = None, OutcomeKind.ERROR, UNEXPECTED_MESSAGE, ErrorKind.UNEXPECTED
    report = replace(
        report,
        kind=kind,
        message=message,
        answered_at=answered_at,
        elapsed_ms=elapsed_ms,
        outcome=outcome,
        verification=answer,
        error=failure,
        error_kind=fault,
    )
    return await record_report(recorder, report)


async def _record_started(recorder: AttemptRecorder, started: AttemptReport) -> int | AttemptReport:
    """The "attempt started" row's sequence; or, when it cannot be written, the not-final ERROR
    to return instead of sending. A cancellation while the row is being written propagates once
    the write has ended, after a cancellation row naming it if it was written (the attempt is
    then closed: nothing was sent)."""
    writing = asyncio.ensure_future(recorder(started))
    try:
        return await asyncio.shield(writing)
    except asyncio.CancelledError as cancel:
        with contextlib.suppress(Exception):
            sequence = await writing
            why = str(cancel.args[0]) if cancel.args and cancel.args[0] else CANCELLED_BY_OPERATOR
            cancelled = replace(
                _cancelled(started, time.monotonic(), why),
                record_kind=RecordKind.VERIFICATION,
                started_sequence=sequence,
                notes=(*started.notes, why, CANCELLED_BEFORE_SENDING),
            )
            await recorder(cancelled)
        raise
    except Exception as exc:  # any failure to record means nothing goes out
        reason = str(exc) or type(exc).__name__
        _log.error("the attempt-started row could not be written; nothing sent: %s", reason)
        refused = replace(
            started,
            record_kind=RecordKind.VERIFICATION,
            message=JOURNAL_UNWRITABLE_MESSAGE,
            answered_at=datetime.now(UTC),
            error_kind=ErrorKind.JOURNAL_UNWRITABLE,
        )
        return refused.with_audit(None, reason)


def _cancelled(report: AttemptReport, started: float, why: str) -> AttemptReport:
    return replace(
        report,
        kind=OutcomeKind.ERROR,
        message=CANCELLED_MESSAGE,
        answered_at=datetime.now(UTC),
        elapsed_ms=(time.monotonic() - started) * 1000.0,
        notes=(*report.notes, why),
        error_kind=ErrorKind.CANCELLED,
    )


async def record_report(recorder: AttemptRecorder, report: AttemptReport) -> AttemptReport:
    """Journal ``report``; if that fails for any reason the report comes back not final, with why."""
    try:
        sequence = await recorder(report)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # any failure to record means fail closed
        return report.with_audit(None, str(exc) or type(exc).__name__)
    return report.with_audit(sequence, None)
