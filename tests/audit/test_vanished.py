"""The journal cannot vanish quietly: deleted, replaced or cut under an open journal, and a restart
over a journal that is gone, each on a real SQLite file.

Before this, SQLite went on writing to the deleted file's orphaned inode (the station showed
"Journal: writable" and final verdicts), and a restart started a new chain, "record #1", with
every row before it gone without a word.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from station.audit import (
    KIND_CHAIN_RESTARTED,
    Anchor,
    AuditJournal,
    ChainRestartRequiredError,
    JournalLoss,
    JournalVanishedError,
    write_anchor,
)
from station.audit.head import HeadFileError, JournalHead, head_path_beside, read_head, write_head
from station.audit.restart import NothingToRestartError, start_new_chain
from tests.audit.support import KEY, make_record


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _snapshot(path: Path) -> tuple[bytes, bytes]:
    """What a refused append must not change: the head file and the write-ahead log."""
    return head_path_beside(path).read_bytes(), _wal(path).read_bytes()


def _another_journal(tmp_path: Path, rows: int) -> Path:
    other = tmp_path / "elsewhere" / "audit.sqlite3"
    with AuditJournal.open(other, KEY) as journal:
        for i in range(rows):
            journal.append(make_record(100 + i))
    return other


# ---------------------------------------------------------------- under an open journal


def test_a_journal_deleted_under_the_station_refuses_the_next_append(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(10))
        assert journal.sync_head(10)  # the head file names row 11 before the file is deleted
        before = _snapshot(filled)
        filled.unlink()  # the file dialog's "Delete"
        assert journal.check_file() is JournalLoss.DELETED
        with pytest.raises(JournalVanishedError) as refused:
            journal.append(make_record(11))
        assert refused.value.finding is JournalLoss.DELETED
        assert "was deleted while the station had it open" in str(refused.value)
        assert journal.head() is not None and journal.head()[0] == 11  # type: ignore[index]
        assert _snapshot(filled) == before  # nothing went to the orphaned file
        with pytest.raises(JournalVanishedError):  # and nothing ever will
            journal.append(make_record(12))
    assert read_head(head_path_beside(filled), KEY).sequence == 11  # type: ignore[union-attr]


def test_a_journal_replaced_under_the_station_refuses_the_next_append(filled: Path, tmp_path: Path) -> None:
    other = _another_journal(tmp_path, 3)
    with AuditJournal.open(filled, KEY) as journal:
        before = head_path_beside(filled).read_bytes()
        os.replace(other, filled)
        with pytest.raises(JournalVanishedError) as refused:
            journal.append(make_record(11))
        assert refused.value.finding is JournalLoss.REPLACED
        assert head_path_beside(filled).read_bytes() == before
    with AuditJournal.open(filled, KEY, read_only=True) as placed:
        assert [r.sequence for r in placed.recent(10)] == [3, 2, 1]  # nothing written into it either


@pytest.mark.parametrize(("keep", "finding"), [(4096, JournalLoss.TRUNCATED), (0, JournalLoss.EMPTIED)])
def test_a_journal_cut_short_under_the_station_refuses_the_next_append(
    filled: Path, keep: int, finding: JournalLoss
) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        assert filled.stat().st_size > keep  # the closed journal's rows are in the main file
        before = _snapshot(filled)
        os.truncate(filled, keep)
        with pytest.raises(JournalVanishedError) as refused:
            journal.append(make_record(11))
        assert refused.value.finding is finding
        assert _snapshot(filled) == before
        assert filled.stat().st_size == keep


def test_a_write_ahead_log_deleted_under_the_station_refuses_the_next_append(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(10))  # row 11 is only in the -wal so far
        _wal(filled).unlink()
        with pytest.raises(JournalVanishedError) as refused:
            journal.append(make_record(11))
        assert refused.value.finding is JournalLoss.DELETED


def test_an_intact_journal_grows_and_keeps_its_head_outside(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        for i in range(300):  # enough pages for SQLite to checkpoint into the main file
            journal.append(make_record(i, notes="x" * 1500))
        assert journal.check_file() is None
        head = journal.head()
        assert journal.journal_id is not None
        assert journal.sync_head(10)  # the head file follows each commit on a thread of its own
        kept = read_head(head_path_beside(filled), KEY)
        assert kept is not None and (kept.journal_id, kept.sequence, kept.mac) == (
            journal.journal_id,
            *head,  # type: ignore[misc]
        )
    assert oct(head_path_beside(filled).stat().st_mode & 0o777) == "0o600"


# ---------------------------------------------------------------- a restart over a vanished journal


def test_a_restart_over_a_deleted_journal_refuses_to_start_a_new_chain(filled: Path) -> None:
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        old_id, old_head = journal.journal_id, journal.head()
    filled.unlink()
    _wal(filled).unlink(missing_ok=True)
    with pytest.raises(ChainRestartRequiredError) as refused:
        AuditJournal.open(filled, KEY)
    error = refused.value
    assert error.finding is JournalLoss.DELETED
    assert (error.old_journal_id, error.old_sequence, error.old_mac) == (old_id, *old_head)  # type: ignore[misc]
    assert f"ended at row 10 (MAC {old_head[1]}" in str(error)  # type: ignore[index]
    assert "station audit new-chain" in str(error)
    assert not filled.exists()  # no new file, no new chain


def test_a_restart_over_an_emptied_journal_leaves_it_empty(filled: Path) -> None:
    filled.write_bytes(b"")
    _wal(filled).unlink(missing_ok=True)
    with pytest.raises(ChainRestartRequiredError) as refused:
        AuditJournal.open(filled, KEY)
    assert refused.value.finding is JournalLoss.EMPTIED
    assert filled.stat().st_size == 0  # no schema written into it


def test_a_restart_over_a_replaced_journal_is_refused(filled: Path, tmp_path: Path) -> None:
    os.replace(_another_journal(tmp_path, 12), filled)  # more rows, valid MACs: another chain
    with pytest.raises(ChainRestartRequiredError) as refused:
        AuditJournal.open(filled, KEY)
    assert refused.value.finding is JournalLoss.REPLACED
    assert "is another journal" in str(refused.value)


def test_a_restart_over_an_older_copy_is_refused(filled: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.sqlite3"
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(10))
    import shutil

    with AuditJournal.open(filled, KEY, read_only=True):
        pass
    shutil.copyfile(filled, older)
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(11))
    os.replace(older, filled)
    _wal(filled).unlink(missing_ok=True)
    with pytest.raises(ChainRestartRequiredError) as refused:
        AuditJournal.open(filled, KEY)
    assert refused.value.finding is JournalLoss.ROLLED_BACK
    assert refused.value.old_sequence == 12


def test_a_head_one_row_behind_after_a_crash_is_accepted(filled: Path) -> None:
    """The head file follows the commit: a crash in between leaves it behind, which is fine."""
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        row9 = journal.rows_after(8, 1)[0]
        journal_id = journal.journal_id
    assert journal_id is not None
    write_head(head_path_beside(filled), KEY, JournalHead(journal_id, 9, row9.mac, datetime.now(UTC)))
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.append(make_record(10)) == 11


def test_an_altered_head_file_is_refused(filled: Path) -> None:
    head_file = head_path_beside(filled)
    document = json.loads(head_file.read_text())
    head_file.write_text(json.dumps({**document, "sequence": 3}))
    with pytest.raises(HeadFileError, match="altered"):
        AuditJournal.open(filled, KEY)


def test_the_anchor_alone_also_refuses_a_new_chain(filled: Path, tmp_path: Path) -> None:
    """Head file deleted with the journal: the anchor (the last head shipped) still says."""
    anchor_file = tmp_path / "audit.anchor"
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        sequence, mac = journal.head()  # type: ignore[misc]
        anchor = Anchor(journal.journal_id or "", sequence, mac, "syslog_tls", datetime.now(UTC))
    write_anchor(anchor_file, KEY, anchor)
    filled.unlink()
    head_path_beside(filled).unlink()
    AuditJournal.open(filled, KEY).close()  # without the anchor: a new chain, as before
    filled.unlink()
    with pytest.raises(ChainRestartRequiredError, match=r"the anchor .*\(shipped to syslog_tls\)"):
        AuditJournal.open(filled, KEY, anchor_file=anchor_file)


# ---------------------------------------------------------------- the administrator's new chain


def test_a_new_chain_records_the_old_head_in_its_first_row(filled: Path, tmp_path: Path) -> None:
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        old_id, (old_sequence, old_mac) = journal.journal_id, journal.head()  # type: ignore[misc]
    anchor_file = filled.with_name("audit.anchor")
    write_anchor(anchor_file, KEY, Anchor(old_id or "", 8, "a" * 64, "jsonl", datetime.now(UTC)))
    os.replace(_another_journal(tmp_path, 2), filled)
    restart = start_new_chain(
        filled,
        KEY,
        reason="journal deleted from the file dialog",
        station_id="desk-1",
        anchor_file=anchor_file,
    )
    assert (restart.finding, restart.old_journal_id, restart.old_sequence, restart.old_mac) == (
        JournalLoss.REPLACED,
        old_id,
        old_sequence,
        old_mac,
    )
    with AuditJournal.open(filled, KEY, anchor_file=anchor_file) as journal:  # the station opens it
        rows = journal.recent(10)
        assert journal.verify().ok
        assert journal.journal_id == restart.new_journal_id != old_id
        assert journal.append(make_record(1)) == 2
    first = rows[-1]
    assert (first.sequence, first.record.kind, first.record.outcome) == (1, KIND_CHAIN_RESTARTED, "RESTARTED")
    notes = first.record.notes or ""
    assert f"previous journal {old_id} ended at row {old_sequence} with MAC {old_mac}" in notes
    assert "the journal was replaced" in notes and "reason: journal deleted from the file dialog" in notes
    # The evidence stays: the file found in its place, the old head, the old anchor.
    (set_aside,) = restart.set_aside  # the file closed cleanly: no -wal, no -shm
    with AuditJournal.open(set_aside, KEY, read_only=True) as aside:
        assert aside.head() is not None and aside.head()[0] == 2  # type: ignore[index]
    kept = read_head(head_path_beside(filled).with_name(f"audit.sqlite3.head.{old_id}"), KEY)
    assert kept is not None and kept.sequence == old_sequence
    assert not anchor_file.exists() and anchor_file.with_name(f"audit.anchor.{old_id}").exists()


def test_a_new_chain_over_a_deleted_journal(filled: Path) -> None:
    filled.unlink()
    _wal(filled).unlink(missing_ok=True)
    restart = start_new_chain(filled, KEY, reason="deleted")
    assert restart.set_aside == () and restart.old_sequence == 10
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.recent(1)[0].record.kind == KIND_CHAIN_RESTARTED
    assert not list(filled.parent.glob(".*new-chain*"))  # no temporary file left


def test_a_write_ahead_log_left_behind_steps_aside_and_is_not_replayed_into_the_new_chain(
    filled: Path,
) -> None:
    """A station stopped without closing leaves audit.sqlite3-wal; beside a new journal SQLite
    would replay the old rows into it."""
    with AuditJournal.open(filled, KEY) as journal:
        for i in range(5):
            journal.append(make_record(20 + i))  # rows 11-15, only in the -wal
        stale = _wal(filled).read_bytes()
    _wal(filled).write_bytes(stale)  # as a crash leaves it
    filled.unlink()
    restart = start_new_chain(filled, KEY, reason="deleted after a crash")
    (wal,) = restart.set_aside
    assert wal.name.startswith("audit-set-aside-") and wal.name.endswith(".sqlite3-wal")
    assert wal.read_bytes() == stale
    assert "sqlite3-wal" in (restart_row_notes := _first_notes(filled)) and "set aside" in restart_row_notes
    with AuditJournal.open(filled, KEY) as journal:
        assert [r.sequence for r in journal.recent(10)] == [1]
        assert journal.verify().ok


def _first_notes(path: Path) -> str:
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        return journal.recent(1)[0].record.notes or ""


def test_no_new_chain_over_an_intact_journal(filled: Path) -> None:
    with pytest.raises(NothingToRestartError, match="nothing vanished"):
        start_new_chain(filled, KEY, reason="just because")
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        assert journal.recent(1)[0].sequence == 10


def test_the_reserved_kind_cannot_be_appended(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal, pytest.raises(ValueError, match="reserved"):
        journal.append(make_record(1, kind=KIND_CHAIN_RESTARTED))


def test_two_journals_in_one_folder_keep_their_own_heads(filled: Path) -> None:
    """The demo journal sits beside the real one: deleting one never blocks the other."""
    demo = filled.with_name("demo-audit.sqlite3")
    with AuditJournal.open(demo, KEY) as journal:
        journal.append(make_record(1))
    assert head_path_beside(demo) != head_path_beside(filled)
    demo.unlink()
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.append(make_record(11)) == 11
    with pytest.raises(ChainRestartRequiredError):
        AuditJournal.open(demo, KEY)


def test_the_head_file_follows_each_commit_off_the_appending_thread(filled: Path) -> None:
    """Issue 27: the append returns once the row is committed; the head file names it soon after
    (written by the keeper's thread, never ahead of the journal), and at the latest on close."""
    written: list[int] = []
    with AuditJournal.open(filled, KEY) as journal:
        keeper = journal._head_keeper
        write = keeper._write

        def on_the_keepers_thread(head: Any) -> None:
            written.append(threading.get_ident())
            write(head)

        keeper._write = on_the_keepers_thread
        for i in range(5):
            journal.append(make_record(11 + i))
            kept = read_head(head_path_beside(filled), KEY)
            assert kept is not None and kept.sequence <= 11 + i  # never ahead of the journal
        last = journal.head()
    kept = read_head(head_path_beside(filled), KEY)
    assert last is not None and kept is not None and (kept.sequence, kept.mac) == last  # closing waited
    assert written and threading.get_ident() not in written
