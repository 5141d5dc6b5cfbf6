"""Someone with the file drops the triggers and edits rows: verify and the CLI name the row."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest

from station.audit import AuditJournal, BreakKind, VerifyReport
from station.commands.audit import add_arguments, run
from tests.audit.support import KEY, make_record, raw


def _verify(path: Path) -> VerifyReport:
    with AuditJournal.open(path, KEY, create=False) as journal:
        return journal.verify()


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


def _cli_verify(path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = _cli("verify", "--audit-db", str(path), "--key-file", str(key_file))
    return code, capsys.readouterr().out


def test_an_intact_journal_verifies(filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _verify(filled).ok
    code, out = _cli_verify(filled, key_file, capsys)
    assert code == 0
    assert "intact, 10 rows intact (sequences 1–10)" in out


def test_an_altered_score_is_a_mac_mismatch(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET score = 0.99, outcome = 'LIVE' WHERE sequence = 7")
    report = _verify(filled)
    assert not report.ok
    assert report.first_broken_sequence == 7
    assert report.reason is BreakKind.MAC_MISMATCH
    assert report.message == "row 7: MAC mismatch (row altered)"
    assert report.problems_total == 1  # the rows after it still link to its stored MAC
    code, out = _cli_verify(filled, key_file, capsys)
    assert code == 1
    assert "row 7: MAC mismatch (row altered)" in out


def test_a_deleted_middle_row_is_a_missing_row(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 4")
    report = _verify(filled)
    assert report.first_broken_sequence == 4
    assert report.reason is BreakKind.MISSING_ROW
    code, out = _cli_verify(filled, key_file, capsys)
    assert code == 1
    assert "row 4: missing row (row 4 is absent)" in out


def test_deleted_first_rows_are_missing(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence <= 2")
    report = _verify(filled)
    assert report.message.startswith("row 1: missing row (rows 1–2 are absent")


def test_a_forged_row_at_the_end_is_caught(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw(filled) as conn:
        conn.row_factory = sqlite3.Row
        last = dict(conn.execute("SELECT * FROM journal WHERE sequence = 10").fetchone())
        last.update(sequence=11, customer_ref="CUST-FORGED", prev_mac=last["mac"], mac="ab" * 32)
        names = ", ".join(last)
        marks = ", ".join("?" for _ in last)
        conn.execute(f"INSERT INTO journal ({names}) VALUES ({marks})", tuple(last.values()))
    report = _verify(filled)
    assert report.message == "row 11: MAC mismatch (row altered)"
    code, out = _cli_verify(filled, key_file, capsys)
    assert code == 1
    assert "row 11: MAC mismatch" in out


def test_a_replayed_row_in_place_of_a_deleted_one_is_caught(filled: Path) -> None:
    """Copy row 3 (with its valid MAC) over row 5: the MAC covers the sequence too."""
    with raw(filled) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM journal WHERE sequence = 3").fetchone())
        conn.execute("DELETE FROM journal WHERE sequence = 5")
        row["sequence"] = 5
        names = ", ".join(row)
        conn.execute(
            f"INSERT INTO journal ({names}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )
    assert _verify(filled).message == "row 5: MAC mismatch (row altered)"


def test_a_row_with_a_valid_mac_from_another_chain_is_a_chain_gap(filled: Path, tmp_path: Path) -> None:
    """Row 6 swapped for row 6 of another journal written with the same key."""
    other = tmp_path / "other.sqlite3"
    with AuditJournal.open(other, KEY) as journal:
        for i in range(6):
            journal.append(make_record(100 + i))
    with raw(other) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM journal WHERE sequence = 6").fetchone())
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 6")
        conn.execute(
            f"INSERT INTO journal ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    report = _verify(filled)
    assert report.first_broken_sequence == 6
    assert report.reason is BreakKind.CHAIN_GAP
    assert [p.sequence for p in report.problems] == [6, 7]  # row 7 no longer follows row 6
