"""The application layer's view of a journal that vanished: a typed state, a verdict not final.

Before issue 22 the recorder kept writing to a deleted journal's orphaned file, and the verdict
was shown as final ("Audit record #36").
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from station.application.attempt import AttemptReport, record_report
from station.application.health import JournalState, Level, journal_health
from station.application.recording import JournalRecorder, UnavailableRecorder
from station.audit import AuditJournal
from station.core.models import OutcomeKind

KEY = b"j" * 32


def _report() -> AttemptReport:
    now = datetime.now(UTC)
    return AttemptReport(
        kind=OutcomeKind.ERROR,
        message="a local error",
        requested_at=now,
        answered_at=now,
        elapsed_ms=0.0,
        submission_sha256="",
        api_host="",
        environment="",
    )


def test_a_deleted_journal_is_missing_and_the_next_verdict_is_not_final(tmp_path: Path) -> None:
    with AuditJournal.open(tmp_path / "audit.sqlite3", KEY) as journal:
        recorder = JournalRecorder(journal)
        first = asyncio.run(record_report(recorder, _report()))
        assert first.final and recorder.journal_state() is JournalState.WRITABLE
        journal.path.unlink()
        assert recorder.journal_state() is JournalState.MISSING
        second = asyncio.run(record_report(recorder, _report()))
        assert not second.final
        assert second.audit_sequence is None
        assert "was deleted while the station had it open" in (second.audit_error or "")


def test_the_journal_part_of_the_health_strip() -> None:
    assert (journal_health(JournalState.WRITABLE).level, journal_health(JournalState.WRITABLE).word) == (
        Level.GOOD,
        "writable",
    )
    missing = journal_health(JournalState.MISSING)
    assert (missing.level, missing.word) == (Level.BAD, "missing")
    assert missing.fix.startswith("The audit journal file is missing")
    refused = UnavailableRecorder("cannot be opened: gone", JournalState.MISSING)
    assert refused.journal_state() is JournalState.MISSING
    cannot = journal_health(UnavailableRecorder("disk full").journal_state(), "disk full")
    assert (cannot.level, cannot.word) == (Level.BAD, "cannot write") and "(disk full)" in cannot.fix
