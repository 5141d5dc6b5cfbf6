"""Deleted, emptied, replaced, rolled back, truncated: each is caught and named.

The anchor here is written directly, as the shipper writes it once the SIEM has a head
(``tests/ship`` ships to a real rsyslog and checks the same cases end to end).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from station.audit import (
    Anchor,
    AnchorError,
    AuditIntegrityError,
    AuditJournal,
    BreakKind,
    Finding,
    advance_anchor,
    check_continuity,
    read_anchor,
    write_anchor,
)
from station.commands.audit import add_arguments, run
from tests.audit.support import KEY, forget_head, make_record, raw


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


@pytest.fixture
def anchored(tmp_path: Path, key_file: Path) -> tuple[Path, Path]:
    """A journal of 10 rows whose head (row 10) was shipped; the anchor sits beside the key."""
    path = tmp_path / "journal" / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        for i in range(10):
            journal.append(make_record(i))
        head = journal.head()
        journal_id = journal.journal_id
    assert head is not None and journal_id is not None
    anchor_file = key_file.with_name("audit.anchor")
    write_anchor(anchor_file, KEY, Anchor(journal_id, head[0], head[1], "syslog_tls", datetime.now(UTC)))
    return path, key_file


def _verify(path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = _cli("verify", "--audit-db", str(path), "--key-file", str(key_file))
    return code, capsys.readouterr().out


def _finding(path: Path, key_file: Path) -> Finding | None:
    return check_continuity(path, KEY, read_anchor(key_file.with_name("audit.anchor"), KEY)).finding


def test_an_intact_anchored_journal(anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path, key_file = anchored
    assert _finding(path, key_file) is None
    code, out = _verify(path, key_file, capsys)
    assert code == 0
    assert "Anchor: holds the anchored head (row 10 was shipped to syslog_tls" in out


def test_deleted(anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path, key_file = anchored
    path.unlink()
    path.with_name(path.name + "-wal").unlink(missing_ok=True)
    assert _finding(path, key_file) is Finding.DELETED
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "DELETED" in out
    assert "row 10 was shipped" in out


def test_emptied_to_zero_bytes(anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path, key_file = anchored
    path.write_bytes(b"")
    assert _finding(path, key_file) is Finding.EMPTIED
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "EMPTIED. The journal holds zero bytes" in out
    assert path.stat().st_size == 0  # verify wrote no schema into it


def test_emptied_by_deleting_every_row(
    anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, key_file = anchored
    with raw(path) as conn:
        conn.execute("DELETE FROM journal")
    assert _finding(path, key_file) is Finding.EMPTIED
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        report = journal.verify()
    assert report.ok is False
    assert (report.rows_checked, report.problems_total, report.head) == (0, 1, None)
    assert report.message == (
        "row 1: rows cut off the end (every row is gone, but the journal's head record names row 10)"
    )
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "every row is gone, but the journal's head record names row 10" in out
    assert "EMPTIED" in out


def test_replaced_by_a_new_journal(anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path, key_file = anchored
    path.unlink()
    forget_head(path)  # else the station refuses to start a new chain (tests/audit/test_vanished.py)
    with AuditJournal.open(path, KEY) as journal:  # what the station used to do: a new chain
        for i in range(12):
            journal.append(make_record(i))
    assert _finding(path, key_file) is Finding.REPLACED
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "REPLACED" in out
    assert "a new chain started" in out


def test_rolled_back_to_an_older_copy(
    anchored: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, key_file = anchored
    older = tmp_path / "older.sqlite3"
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        assert journal.verify().ok
    # An older copy: the same journal as it was at row 6 (rows 7-10 never happened there).
    with raw(path) as conn:
        conn.execute(f"VACUUM INTO '{older}'")
    with raw(older) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 6")
        conn.execute("DROP TRIGGER IF EXISTS head_forward_only")
        mac6 = conn.execute("SELECT mac FROM journal WHERE sequence = 6").fetchone()[0]
        conn.execute("UPDATE journal_head SET sequence = 6, mac = ?", (mac6,))
    shutil.copyfile(older, path)
    assert _finding(path, key_file) is Finding.ROLLED_BACK
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "ROLLED BACK. The journal ends at row 6, but row 10 was shipped" in out
    assert "intact" not in out  # its own chain verifies: only the anchor tells


def test_rolled_back_and_written_again(
    anchored: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, key_file = anchored
    older = tmp_path / "older.sqlite3"
    with raw(path) as conn:
        conn.execute(f"VACUUM INTO '{older}'")
    with raw(older) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 6")
        conn.execute("DROP TRIGGER IF EXISTS head_forward_only")
        mac6 = conn.execute("SELECT mac FROM journal WHERE sequence = 6").fetchone()[0]
        conn.execute("UPDATE journal_head SET sequence = 6, mac = ?", (mac6,))
    shutil.copyfile(older, path)
    forget_head(path)
    with AuditJournal.open(path, KEY) as journal:
        for i in range(6):
            journal.append(make_record(100 + i))  # rows 7-12 again, different content
        assert journal.verify().ok
    assert _finding(path, key_file) is Finding.ROLLED_BACK
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "Row 10 is not the row that was shipped" in out


def test_truncated_tail(anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path, key_file = anchored
    with raw(path) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 7")
    assert _finding(path, key_file) is Finding.TRUNCATED
    code, out = _verify(path, key_file, capsys)
    assert code == 1
    assert "row 8: rows cut off the end (rows 8–10 are gone; the journal's head record names row 10)" in out
    assert "TRUNCATED" in out


def test_the_last_row_cut_off_is_named(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 10")
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        report = journal.verify()
    assert [str(p) for p in report.problems] == [
        "row 10: rows cut off the end (row 10 is gone; the journal's head record names row 10)"
    ]


def test_truncation_is_caught_without_any_anchor_and_the_chain_is_not_continued(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence > 8")
    forget_head(filled)
    with AuditJournal.open(filled, KEY) as journal:
        report = journal.verify()
        assert report.reason is BreakKind.TRUNCATED
        assert (
            report.message
            == "row 9: rows cut off the end (rows 9–10 are gone; the journal's head record names row 10)"
        )
        with pytest.raises(AuditIntegrityError, match="rows were removed from the end"):
            journal.append(make_record(11))
        head = journal.head()
        assert head is not None and head[0] == 8  # nothing was appended


def test_an_altered_anchor_is_refused(
    anchored: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, key_file = anchored
    anchor_file = key_file.with_name("audit.anchor")
    anchor_file.write_text(anchor_file.read_text().replace('"sequence": 10', '"sequence": 3'))
    with pytest.raises(AnchorError, match="altered"):
        read_anchor(anchor_file, KEY)
    assert _cli("verify", "--audit-db", str(path), "--key-file", str(key_file)) == 1
    assert "was altered or belongs to another key" in capsys.readouterr().err


def test_the_anchor_moves_only_forward_and_never_to_another_journal(tmp_path: Path) -> None:
    anchor_file = tmp_path / "audit.anchor"
    now = datetime.now(UTC)
    assert advance_anchor(anchor_file, KEY, Anchor("j1", 5, "a" * 64, "syslog_tls", now))
    assert not advance_anchor(anchor_file, KEY, Anchor("j1", 4, "b" * 64, "syslog_tls", now))
    assert not advance_anchor(anchor_file, KEY, Anchor("j2", 50, "c" * 64, "syslog_tls", now))
    assert advance_anchor(anchor_file, KEY, Anchor("j1", 9, "d" * 64, "syslog_tls", now))
    stored = read_anchor(anchor_file, KEY)
    assert stored is not None and (stored.journal_id, stored.sequence) == ("j1", 9)


def test_purge_never_removes_an_unshipped_row(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        journal.register_ship_target("syslog_tls")
        head = journal.recent(10)
        row4 = next(r for r in head if r.sequence == 4)
        assert journal.advance_ship_cursor("syslog_tls", 4, row4.mac)
        assert not journal.advance_ship_cursor("syslog_tls", 3, "x")  # never backwards
        removed = journal.purge(datetime(2100, 1, 1, tzinfo=UTC))
        remaining = [r.sequence for r in journal.recent(100)]
        assert journal.verify().ok
    assert removed == 4
    assert remaining == [11, 10, 9, 8, 7, 6, 5]  # rows 5-10 wait for shipping; 11 is the checkpoint


def test_an_empty_schema_database_from_elsewhere_is_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    with pytest.raises(Exception, match="not a station audit journal"):
        AuditJournal.open(path, KEY, read_only=True)
