"""Someone with the file drops the triggers and edits rows: verify and the CLI name the row."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from station.audit import AuditJournal, BreakKind, Head, VerifyReport, compute_mac
from station.audit.chain import verify_rows
from station.commands.audit import add_arguments, run
from tests.audit.support import KEY, forget_head, make_record, raw


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


def _rows(path: Path) -> list[dict[str, Any]]:
    """Every stored row, as ``verify`` reads them."""
    with raw(path, drop_triggers=False) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM journal ORDER BY sequence")]


def _replace_row(path: Path, row: dict[str, Any]) -> None:
    with raw(path) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = ?", (row["sequence"],))
        conn.execute(
            f"INSERT INTO journal ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )


def _row_of_another_journal(tmp_path: Path, sequence: int) -> dict[str, Any]:
    """Row ``sequence`` of another journal written with the same key: its own MAC is valid."""
    other = tmp_path / "other.sqlite3"
    with AuditJournal.open(other, KEY) as journal:
        for i in range(sequence):
            journal.append(make_record(100 + i))
    return _rows(other)[sequence - 1]


def test_an_intact_journal_verifies(filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _verify(filled)
    assert report.ok is True
    assert (report.rows_checked, report.problems, report.problems_total) == (10, (), 0)
    assert report.first_broken is None and report.reason is None
    assert report.message == "10 rows intact (sequences 1–10)"
    # The head is what the shipper sends off the box as the anchor: the newest row and its MAC.
    assert report.head == Head(10, _rows(filled)[-1]["mac"])
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


def test_several_deleted_middle_rows_are_named_as_a_range(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence IN (4, 5, 6)")
    report = _verify(filled)
    assert [str(p) for p in report.problems] == ["row 4: missing row (rows 4–6 are absent)"]


def test_deleted_first_rows_are_missing(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence <= 2")
    report = _verify(filled)
    assert report.message == (
        "row 1: missing row (rows 1–2 are absent; no valid checkpoint accounts for purged rows)"
    )
    assert report.problems_total == 1


def test_a_deleted_first_row_is_missing(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 1")
    report = _verify(filled)
    assert [str(p) for p in report.problems] == [
        "row 1: missing row (row 1 is absent; no valid checkpoint accounts for purged rows)"
    ]


def test_an_altered_link_of_the_first_row_is_one_problem(filled: Path) -> None:
    """Row 1's MAC covers its link to the start: the edit is named once, as the altered row."""
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET prev_mac = ? WHERE sequence = 1", ("ab" * 32,))
    report = _verify(filled)
    assert [str(p) for p in report.problems] == ["row 1: MAC mismatch (row altered)"]
    assert report.problems_total == 1


def test_a_first_row_signed_with_the_key_but_not_starting_the_chain(filled: Path) -> None:
    """Someone holding the key rebuilt row 1 on another chain: its MAC holds, its link does not."""
    rows = _rows(filled)
    rows[0]["prev_mac"] = "cd" * 32
    rows[0]["mac"] = compute_mac(KEY, rows[0])
    report = verify_rows(KEY, rows)
    assert [str(p) for p in report.problems] == [
        "row 1: chain gap (does not follow the start of the journal; "
        "no valid checkpoint accounts for purged rows)",
        "row 2: chain gap (does not follow row 1)",
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [("score", b"\x00\x01"), ("score", float("nan")), ("customer_ref", b"CUST")],
    ids=["blob", "nan", "blob-in-text"],
)
def test_a_value_of_the_wrong_type_is_an_altered_row_not_a_crash(
    filled: Path, column: str, value: object
) -> None:
    """A blob or NaN forced into a row (by a tool that ignores the table's types) has no MAC form."""
    rows = _rows(filled)
    rows[2][column] = value
    report = verify_rows(KEY, rows)
    assert report.ok is False
    assert [str(p) for p in report.problems] == ["row 3: MAC mismatch (row altered)"]


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
    assert [str(p) for p in report.problems] == [
        "row 6: chain gap (does not follow row 5)",
        "row 7: chain gap (does not follow row 6)",  # row 7 no longer follows row 6
    ]


def test_the_last_row_swapped_for_another_is_not_the_recorded_head(filled: Path, tmp_path: Path) -> None:
    """Row 10 swapped for row 10 of another journal (valid MAC): the head record names the real one."""
    _replace_row(filled, _row_of_another_journal(tmp_path, 10))
    forget_head(filled)  # else opening for writing refuses already (tests/audit/test_vanished.py)
    report = _verify(filled)
    assert [str(p) for p in report.problems] == [
        "row 10: chain gap (does not follow row 9)",
        "row 10: rows cut off the end (the last row is not the one the journal's head record names)",
    ]
    assert [p.kind for p in report.problems] == [BreakKind.CHAIN_GAP, BreakKind.TRUNCATED]
