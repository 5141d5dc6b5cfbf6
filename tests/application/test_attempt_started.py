"""Issue 24: an "attempt started" row before every paid call, and no call without it.

Real emulator on loopback (its request counter is the proof of what was sent), real journal.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import numpy as np
import pytest

from station.api import AuthError, LivenessClient
from station.application.attempt import (
    CANCELLED_BEFORE_SENDING,
    CANCELLED_MESSAGE,
    UNEXPECTED_MESSAGE,
    AttemptRecorder,
    AttemptReport,
    Submission,
    SubmissionKind,
    advice_for,
    run_attempt,
)
from station.application.consent import Consent, ConsentNotice, ConsentRecord
from station.application.kinds import ErrorKind, RecordKind
from station.application.port import Capture, InProcessVerifier
from station.application.recording import AttemptContext, JournalRecorder
from station.application.verdict_text import verdict_text
from station.application.verifier import Verifier
from station.audit import AuditJournal, AuditRecord, AuditWriteError
from station.core.decision import DecisionPolicy
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import Emulator
from tests.application.conftest import KEY

pytestmark = pytest.mark.anyio

CONSENT = ConsentRecord.for_notice(Consent.GIVEN, ConsentNotice("2026-01", "I agree to a liveness check."))
CONTEXT = AttemptContext(
    station_id="branch-9-desk-2", operator_id="op-anna", camera_source="device:Logitech C920"
)


class StartedRowsFail(AuditJournal):
    """A real journal whose append refuses the "attempt started" rows (and writes the rest)."""

    def append(self, record: AuditRecord) -> int:
        if record.kind == RecordKind.ATTEMPT_STARTED:
            raise AuditWriteError("the disk is full")
        return super().append(record)


def _jpeg(frame: np.ndarray) -> Submission:
    return Submission(SubmissionKind.IMAGE, encode_jpeg(frame), filename="capture.jpg")


async def _attempt(
    client: LivenessClient,
    submission: Submission,
    recorder: AttemptRecorder,
    caller_account: str | None = None,
) -> AttemptReport:
    return await run_attempt(
        client,
        submission,
        DecisionPolicy(),
        recorder,
        customer_ref="CIF-1234",
        session_id="sess-7",
        consent=CONSENT,
        instruction_language="hi",
        caller_account=caller_account,
    )


async def test_no_request_goes_out_when_the_started_row_cannot_be_written(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, tmp_path: Path
) -> None:
    with StartedRowsFail.open(tmp_path / "audit.sqlite3", KEY) as journal:
        report = await _attempt(client, _jpeg(frame), JournalRecorder(journal, CONTEXT))
        assert journal.recent(10) == []  # and no outcome row either: nothing happened
    assert emulator.requests_received == 0
    assert report.kind is OutcomeKind.ERROR and report.record_kind is RecordKind.VERIFICATION
    assert report.error_kind is ErrorKind.JOURNAL_UNWRITABLE
    assert report.answered_at >= report.requested_at
    assert not report.final
    assert report.audit_error == "the disk is full"
    assert "journal cannot be written" in report.message and "call IT" in report.message
    banner = verdict_text(report)
    assert banner.headline == "NOT FINAL" and "the disk is full" in banner.details


async def test_the_port_sends_nothing_with_a_journal_that_cannot_write(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, tmp_path: Path
) -> None:
    """The issue's GUI case: a journal that takes no row (here, opened read-only), and the
    station's readiness does not notice. The port still sends nothing."""
    path = tmp_path / "audit.sqlite3"
    AuditJournal.open(path, KEY).close()
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        port = InProcessVerifier(Verifier(client, DecisionPolicy(), JournalRecorder(journal, CONTEXT)))
        report = await port.verify(Capture(encode_jpeg(frame), frame_sequence=3, session_id="s-1"))
    assert emulator.requests_received == 0
    assert report.error_kind is ErrorKind.JOURNAL_UNWRITABLE and not report.final


async def test_the_started_row_comes_first_and_the_outcome_names_it(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, journal: AuditJournal
) -> None:
    submission = _jpeg(frame)
    began = time.monotonic()
    report = await run_attempt(
        client,
        submission,
        DecisionPolicy(),
        JournalRecorder(journal, CONTEXT),
        notes=("frame 12",),
        customer_ref="CIF-1234",
        session_id="sess-7",
        consent=CONSENT,
        instruction_language="hi",
        caller_account="anna",
    )
    wall_ms = (time.monotonic() - began) * 1000.0
    outcome, started = journal.recent(2)
    assert emulator.requests_received == 1
    assert report.kind is OutcomeKind.LIVE and report.final
    assert (started.sequence, outcome.sequence) == (1, 2)
    row = started.record
    assert row.kind == "attempt_started"
    assert row.operator_id == "op-anna" and row.station_id == "branch-9-desk-2"
    assert row.customer_ref == "CIF-1234" and row.session_id == "sess-7"
    assert row.consent == "given" and row.consent_notice_version == "2026-01"
    assert row.consent_notice_sha256 == CONSENT.notice_sha256
    assert row.camera_source == "device:Logitech C920"
    assert row.image_sha256 == hashlib.sha256(submission.content).hexdigest()
    assert row.caller_account == "anna"
    assert row.api_host == client.api_host and row.instruction_language == "hi"
    assert row.environment == "sandbox" and row.notes == "frame 12"
    assert outcome.record.environment == "sandbox" and outcome.record.notes == "frame 12"
    assert report.verification is not None and report.answered_at == report.verification.answered_at
    assert 0.0 < report.elapsed_ms <= wall_ms
    assert row.outcome is None and row.responded_at is None and row.score is None
    assert outcome.record.kind == "verification" and outcome.record.started_sequence == 1
    assert outcome.record.caller_account == "anna"
    assert report.started_sequence == 1 and report.audit_sequence == 2
    assert journal.open_attempts() == []
    assert journal.verify().ok


async def test_caller_account_defaults_to_none(
    client: LivenessClient, frame: np.ndarray, journal: AuditJournal
) -> None:
    await _attempt(client, _jpeg(frame), JournalRecorder(journal, CONTEXT))
    assert [r.record.caller_account for r in journal.recent(2)] == [None, None]


async def test_a_service_error_names_its_started_row(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, journal: AuditJournal
) -> None:
    emulator.set_scenario("unauthorized")
    report = await _attempt(client, _jpeg(frame), JournalRecorder(journal, CONTEXT))
    outcome = journal.recent(1)[0].record
    assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.AUTH and report.final
    assert outcome.outcome == "ERROR" and outcome.started_sequence == 1
    assert outcome.error_class == "AuthError"
    assert report.message == advice_for(AuthError("refused"))
    assert report.answered_at >= report.requested_at and report.elapsed_ms >= 0.0
    assert journal.open_attempts() == []


async def test_a_cancel_without_words_is_the_operators(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, journal: AuditJournal
) -> None:
    emulator.set_scenario("hang")
    task = asyncio.ensure_future(_attempt(client, _jpeg(frame), JournalRecorder(journal, CONTEXT)))
    assert await asyncio.to_thread(emulator.wait_for_hanging, 1, 30.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    cancelled = journal.recent(1)[0].record
    assert cancelled.notes == "cancelled by the operator" and cancelled.started_sequence == 1


async def test_a_cancelled_request_names_its_started_row(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, journal: AuditJournal
) -> None:
    emulator.set_scenario("hang")
    inner = JournalRecorder(journal, CONTEXT)
    reports: list[AttemptReport] = []

    async def keeping(report: AttemptReport) -> int:
        reports.append(report)
        return await inner(report)

    began = time.monotonic()
    task = asyncio.ensure_future(_attempt(client, _jpeg(frame), keeping))
    assert await asyncio.to_thread(emulator.wait_for_hanging, 1, 30.0)
    assert len(journal.open_attempts()) == 1  # in flight: started, no outcome yet
    task.cancel("the operator pressed Esc")
    with pytest.raises(asyncio.CancelledError):
        await task
    wall_ms = (time.monotonic() - began) * 1000.0
    cancelled = journal.recent(1)[0].record
    assert cancelled.outcome == "ERROR" and cancelled.started_sequence == 1
    assert cancelled.notes is not None and "the operator pressed Esc" in cancelled.notes
    assert cancelled.error_message == CANCELLED_MESSAGE
    assert cancelled.responded_at is not None and cancelled.requested_at is not None
    assert cancelled.responded_at >= cancelled.requested_at
    assert journal.open_attempts() == []
    report = reports[-1]
    assert report.error_kind is ErrorKind.CANCELLED and report.kind is OutcomeKind.ERROR
    assert 0.0 < report.elapsed_ms <= wall_ms


async def test_a_cancel_while_the_started_row_is_written_sends_nothing_and_closes_it(
    client: LivenessClient, emulator: Emulator, frame: np.ndarray, journal: AuditJournal
) -> None:
    inner = JournalRecorder(journal, CONTEXT)
    writing, release = asyncio.Event(), asyncio.Event()

    async def slow_first_row(report: AttemptReport) -> int:
        if report.record_kind is RecordKind.ATTEMPT_STARTED:
            writing.set()
            await release.wait()
        return await inner(report)

    task = asyncio.ensure_future(
        run_attempt(client, _jpeg(frame), DecisionPolicy(), slow_first_row, customer_ref="CIF-5")
    )
    await writing.wait()
    task.cancel("shutdown")  # lands on the task while the row is still being written
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert emulator.requests_received == 0
    closing, started = journal.recent(2)
    assert started.record.kind == "attempt_started"
    assert closing.record.started_sequence == started.sequence
    assert closing.record.notes == f"shutdown; {CANCELLED_BEFORE_SENDING}"
    assert closing.record.outcome == "ERROR" and closing.record.error_message == CANCELLED_MESSAGE
    assert journal.open_attempts() == []


async def test_a_review_names_what_it_settles_not_a_started_row(
    client: LivenessClient, frame: np.ndarray, journal: AuditJournal
) -> None:
    report = await _attempt(client, _jpeg(frame), JournalRecorder(journal, CONTEXT), caller_account="anna")
    assert report.outcome is not None
    review = report.reviewed(report.outcome, "confirmed", "supervisor confirmed", "sup-1")
    assert review.settles_sequence == 2
    assert review.started_sequence is None and review.caller_account is None
    assert review.audit_sequence is None and review.audit_error is None and not review.final


def test_the_advice_follows_the_kind_of_error() -> None:
    assert advice_for(AuthError("refused")) == (
        "The station's access to the service was refused. Call IT support: the token needs renewing."
    )
    assert advice_for(RuntimeError("boom")) == UNEXPECTED_MESSAGE
