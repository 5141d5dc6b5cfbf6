"""Appending and purging at their edges: the words of a refusal, the head that must match in
sequence *and* MAC, the purge of exactly one row, of nothing, and of a journal cut short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station import __version__
from station.audit import AuditIntegrityError, AuditJournal
from tests.audit.support import KEY, backdate, forget_head, make_record, raw


def _cut_message(path: Path, newest: str) -> str:
    return (
        f"The audit journal {path} ends at {newest} but its head record names row 10: rows were "
        "removed from the end. The station will not continue the chain over the gap. Run 'station "
        "audit verify', keep this file as evidence and start a new journal."
    )


def test_an_append_after_the_tail_was_cut_says_where_the_journal_ends(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 7")
    forget_head(filled)  # else opening refuses already (tests/audit/test_vanished.py)
    with AuditJournal.open(filled, KEY) as journal, pytest.raises(AuditIntegrityError) as refused:
        journal.append(make_record(11))
    assert str(refused.value) == _cut_message(filled, "row 7")


def test_an_append_after_every_row_was_deleted_says_there_is_no_row_at_all(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal")
    forget_head(filled)
    with AuditJournal.open(filled, KEY) as journal:
        with pytest.raises(AuditIntegrityError) as refused:
            journal.append(make_record(11))
        assert journal.head() is None  # nothing was appended
    assert str(refused.value) == _cut_message(filled, "no row at all")


def test_a_newest_row_with_the_heads_sequence_but_another_mac_is_not_chained_to(filled: Path) -> None:
    """The last row swapped for another with the same number: the sequence alone matches."""
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET mac = ? WHERE sequence = 10", ("f" * 64,))
    forget_head(filled)
    with AuditJournal.open(filled, KEY) as journal:
        with pytest.raises(AuditIntegrityError, match="rows were removed from the end"):
            journal.append(make_record(11))
        head = journal.head()
    assert head == (10, "f" * 64)


def test_purge_of_a_journal_cut_short_is_refused_before_anything_is_removed(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 8")
    forget_head(filled)
    with AuditJournal.open(filled, KEY) as journal:
        with pytest.raises(AuditIntegrityError) as refused:
            journal.purge(datetime.now(UTC) + timedelta(days=1))
        assert [r.sequence for r in journal.recent(100)] == list(range(8, 0, -1))
    assert str(refused.value).startswith(
        "Refusing to purge: the journal does not verify (row 9: rows cut off the end"
    )


def test_purge_of_an_empty_journal_removes_nothing_and_writes_no_checkpoint(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        assert journal.purge(datetime.now(UTC) + timedelta(days=1)) == 0
        assert journal.recent(10) == []


def test_purge_of_exactly_the_first_row_and_its_checkpoint(filled: Path) -> None:
    backdate(filled, {1: "2024-05-01T12:00:00.000000Z"})
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.purge(datetime(2024, 6, 1, tzinfo=UTC)) == 1
        rows = journal.recent(100)
        report = journal.verify()
    assert report.ok, report.message
    checkpoint = rows[0]
    assert [r.sequence for r in rows] == list(range(11, 1, -1))
    assert (checkpoint.purged_rows, checkpoint.purged_through) == (1, 1)
    assert checkpoint.record.app_version == __version__
    assert checkpoint.record.notes is not None and checkpoint.record.notes.startswith(
        "purge: removed 1 rows (sequences 1–1) recorded before 2024-06-01T00:00:00"
    )
