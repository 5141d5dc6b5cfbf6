"""From an attempt report to an audit record, written off the caller's thread.

The bridge between the verification flow and :mod:`station.audit`, so that neither knows the
other: the GUI and ``station verify`` both record through :class:`JournalRecorder`. The record
carries no token and no image, only the SHA-256 of what was submitted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol

from station import __version__
from station.application.attempt import AttemptReport
from station.application.consent import ConsentRecord
from station.application.health import JournalState
from station.application.kinds import RecordKind
from station.audit import AuditJournal, AuditRecord, AuditWriteError, load_or_create_key
from station.audit.paths import default_journal_path
from station.audit.records import fit_text

__all__ = [
    "AttemptContext",
    "JournalRecorder",
    "Recorder",
    "UnavailableRecorder",
    "open_journal",
    "record_for",
]


@dataclass(frozen=True, slots=True)
class AttemptContext:
    """Who, where and under which rules: written with every record."""

    station_id: str | None = None
    operator_id: str | None = None
    customer_ref: str | None = None
    #: The camera as it is journaled (``device:Logitech C920``, ``image:face.jpg``).
    camera_source: str | None = None
    #: The effective machine policy's SHA-256.
    policy_hash: str | None = None
    #: Development overrides in effect, comma-separated (None: none).
    dev_overrides: str | None = None


def record_for(report: AttemptReport, context: AttemptContext) -> AuditRecord:
    """The journal row for ``report``: the station's free text fitted to the journal's limits (a
    long exception message must not cost the row), everything from the service as it came."""
    if report.record_kind is RecordKind.ATTEMPT_STARTED:
        return _started_record(report, context)
    outcome, verification, error = report.outcome, report.verification, report.error
    result = outcome.result if outcome is not None else None
    primary = outcome.primary_face if outcome is not None else None
    return AuditRecord(
        kind=RecordKind(report.record_kind).value,
        requested_at=report.requested_at,
        responded_at=report.answered_at,
        station_id=context.station_id,
        operator_id=context.operator_id,
        customer_ref=report.customer_ref or context.customer_ref,
        environment=report.environment or None,
        api_host=report.api_host or None,
        client_id=result.client_id if result else (error.client_id if error else None),
        http_status=(verification.http_status if verification else (error.http_status if error else None)),
        message_code=result.message_code if result else (error.message_code if error else None),
        attempts=verification.attempts if verification else (error.attempts if error else None),
        outcome=report.kind.value,
        score=outcome.score if outcome else None,
        service_verdict=outcome.service_verdict.value if outcome and outcome.service_verdict else None,
        service_threshold=outcome.service_threshold if outcome else None,
        station_threshold=outcome.station_threshold if outcome else None,
        face_count=result.face_count if result else None,
        primary_detection_score=primary.detection_score if primary else None,
        antispoof_score=primary.antispoof_score if primary else None,
        image_sha256=report.submission_sha256 or None,
        app_version=__version__,
        error_class=type(error).__name__ if error else None,
        error_message=fit_text(
            "error_message", error.message if error else (None if outcome else report.message)
        ),
        notes=fit_text("notes", "; ".join(_notes(report)) or None),
        session_id=report.session_id,
        settles_sequence=report.settles_sequence,
        supervisor_id=report.supervisor_id,
        camera_source=context.camera_source,
        policy_hash=context.policy_hash,
        dev_overrides=context.dev_overrides,
        consent=report.consent.consent.value,
        consent_notice_version=report.consent.notice_version,
        consent_notice_sha256=report.consent.notice_sha256,
        instruction_language=report.instruction_language,
        started_sequence=report.started_sequence,
        caller_account=report.caller_account,
    )


def _started_record(report: AttemptReport, context: AttemptContext) -> AuditRecord:
    """The "attempt started" row: who, for which customer, with which consent, from which
    camera, what picture (its SHA-256) and where to — written before the request goes out, so
    it has no answer, outcome or error."""
    return AuditRecord(
        kind=RecordKind.ATTEMPT_STARTED.value,
        requested_at=report.requested_at,
        station_id=context.station_id,
        operator_id=context.operator_id,
        customer_ref=report.customer_ref or context.customer_ref,
        environment=report.environment or None,
        api_host=report.api_host or None,
        image_sha256=report.submission_sha256 or None,
        app_version=__version__,
        notes=fit_text("notes", "; ".join(report.notes) or None),
        session_id=report.session_id,
        camera_source=context.camera_source,
        policy_hash=context.policy_hash,
        dev_overrides=context.dev_overrides,
        consent=report.consent.consent.value,
        consent_notice_version=report.consent.notice_version,
        consent_notice_sha256=report.consent.notice_sha256,
        instruction_language=report.instruction_language,
        caller_account=report.caller_account,
    )


def _notes(report: AttemptReport) -> tuple[str, ...]:
    """The report's notes, and — when the station's rule and the service disagreed — both views."""
    disagreement = report.outcome.disagreement if report.outcome is not None else None
    return (*report.notes, disagreement) if disagreement else report.notes


class Recorder(Protocol):
    """Writes attempts and station events to the journal; each call returns the row's sequence
    and raises if nothing was written (the caller then fails closed)."""

    async def __call__(self, report: AttemptReport) -> int: ...

    def with_context(self, **changes: str | None) -> None:
        """Who and under which rules from now on (a new operator, a new policy, a new camera)."""
        ...

    async def record_event(
        self,
        kind: str,
        notes: str,
        *,
        outcome: str | None = None,
        customer_ref: str | None = None,
        consent: ConsentRecord | None = None,
    ) -> int: ...

    def journal_state(self) -> JournalState:
        """The journal's state now (may look at the disk: call it off the UI thread)."""
        ...


class JournalRecorder:
    """A :class:`Recorder` writing to one journal, in a worker thread."""

    def __init__(self, journal: AuditJournal, context: AttemptContext | None = None) -> None:
        self.journal = journal
        self.context = context or AttemptContext()
        #: Called after every row written (the shipper wakes up to ship it).
        self.on_written: list[Callable[[], None]] = []

    async def _append(self, record: AuditRecord) -> int:
        # The append fsyncs (synchronous=FULL) and may wait on a lock: never on the caller's loop.
        sequence = await asyncio.to_thread(self.journal.append, record)
        for listener in self.on_written:
            listener()
        return sequence

    def with_context(self, **changes: str | None) -> None:
        self.context = replace(self.context, **changes)

    def journal_state(self) -> JournalState:
        """MISSING once the file the journal writes was deleted, replaced or cut (a stat)."""
        return JournalState.WRITABLE if self.journal.check_file() is None else JournalState.MISSING

    async def record_event(
        self,
        kind: str,
        notes: str,
        *,
        outcome: str | None = None,
        customer_ref: str | None = None,
        consent: ConsentRecord | None = None,
    ) -> int:
        """A station event that is not an attempt (a capture the quality gate stopped, a customer
        session closing, say)."""
        record = AuditRecord(
            kind=kind,
            requested_at=datetime.now(UTC),
            station_id=self.context.station_id,
            operator_id=self.context.operator_id,
            customer_ref=customer_ref,
            outcome=outcome,
            app_version=__version__,
            notes=fit_text("notes", notes),
            camera_source=self.context.camera_source,
            policy_hash=self.context.policy_hash,
            dev_overrides=self.context.dev_overrides,
            consent=consent.consent.value if consent else None,
            consent_notice_version=consent.notice_version if consent else None,
            consent_notice_sha256=consent.notice_sha256 if consent else None,
        )
        return await self._append(record)

    async def __call__(self, report: AttemptReport) -> int:
        return await self._append(record_for(report, self.context))


def open_journal(path: Path | None = None, *, anchor_file: Path | None = None) -> AuditJournal:
    """The station's journal (``path``, else ``STATION_AUDIT_DB``, else the platform data dir),
    with its HMAC key from the keyring or the key file. Raises :class:`AuditError`, and
    :class:`~station.audit.ChainRestartRequiredError` where the head file or ``anchor_file``
    names a journal that is gone (no new chain is started quietly)."""
    return AuditJournal.open(path or default_journal_path(), load_or_create_key(), anchor_file=anchor_file)


class UnavailableRecorder:
    """Stands in when the journal cannot be opened: every attempt then fails closed, with why."""

    def __init__(self, reason: str, state: JournalState = JournalState.CANNOT_WRITE) -> None:
        self.reason = reason
        self.state = state

    def journal_state(self) -> JournalState:
        return self.state

    async def __call__(self, report: AttemptReport) -> int:
        raise AuditWriteError(self.reason)

    def with_context(self, **changes: str | None) -> None:
        """Nothing is written anyway."""

    async def record_event(
        self,
        kind: str,
        notes: str,
        *,
        outcome: str | None = None,
        customer_ref: str | None = None,
        consent: ConsentRecord | None = None,
    ) -> int:
        raise AuditWriteError(self.reason)


#: Why the window writes no row itself on an installed station: its trusted side is the service.
KEPT_BY_THE_SERVICE: Final = "the journal is the station service's: this process writes none of it"


class ServiceKeepsTheJournal(UnavailableRecorder):
    """The window's recorder when its trusted side is the station service: the journal is the
    service's, and this process neither opens nor writes it (a row is asked of the service through
    the verifier port). Its state is the service's business: the port's readiness reports a journal
    that cannot be written (``NotReady.JOURNAL``), so here it looks writable and refuses any row."""

    def __init__(self) -> None:
        super().__init__(KEPT_BY_THE_SERVICE, JournalState.WRITABLE)
