"""Issue 24: an "attempt started" row with no outcome naming it is an *open attempt*, and
``station audit verify`` names each one (exit 3 when the chain is otherwise intact)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from station.audit import AuditJournal, AuditRecord, compute_mac
from station.commands.audit import add_arguments, run
from station.commands.exit_codes import AuditVerifyCode
from tests.audit.support import KEY, make_record, raw

REPO = Path(__file__).resolve().parents[2]
TOKEN = "open-attempt-token"


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


def _started(i: int, caller_account: str | None = None) -> AuditRecord:
    return AuditRecord(
        kind="attempt_started",
        requested_at=make_record(i).requested_at,
        operator_id=f"op-{i}",
        customer_ref=f"CIF-{i:04d}",
        image_sha256=make_record(i).image_sha256,
        caller_account=caller_account,
    )


@pytest.fixture
def mixed(db_path: Path) -> Path:
    """Rows: 1 started → 2 its outcome; 3 started, never answered; 4 an event; 5 started → 6
    a cancellation naming it; 7 started, never answered (with the caller's account)."""
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(_started(1))
        journal.append(make_record(1, started_sequence=1))
        journal.append(_started(3))
        journal.append(AuditRecord(kind="session", notes="closed"))
        journal.append(_started(5))
        journal.append(make_record(5, outcome="ERROR", started_sequence=5, notes="cancelled"))
        journal.append(_started(7, caller_account="kiosk"))
    return db_path


def test_the_journal_lists_started_rows_no_outcome_names(mixed: Path) -> None:
    with AuditJournal.open(mixed, KEY, read_only=True) as journal:
        found = journal.open_attempts()
    assert [row.sequence for row in found] == [3, 7]
    assert found[0].record.customer_ref == "CIF-0003" and found[1].record.caller_account == "kiosk"


def test_a_review_naming_a_started_row_in_settles_sequence_does_not_close_it(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(_started(1))
        journal.append(AuditRecord(kind="review", settles_sequence=1))
        assert [row.sequence for row in journal.open_attempts()] == [1]


def test_verify_names_each_open_attempt_and_exits_3(
    mixed: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _cli("verify", "--audit-db", str(mixed), "--key-file", str(key_file))
    out = capsys.readouterr().out
    assert code == AuditVerifyCode.OPEN_ATTEMPTS == 3
    assert f"Audit journal {mixed}: intact" in out
    assert "2 open attempt(s)" in out
    assert "row 3: started 2024-05-01T09:33:00.000000Z, operator op-3, customer CIF-0003" in out
    assert "row 7: started 2024-05-01T09:37:00.000000Z, operator op-7, customer CIF-0007" in out
    assert "caller account kiosk" in out
    assert "row 1:" not in out and "row 5:" not in out


def test_verify_exits_0_once_every_attempt_has_its_outcome(
    db_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(_started(1))
        journal.append(make_record(1, started_sequence=1))
    assert _cli("verify", "--audit-db", str(db_path), "--key-file", str(key_file)) == 0
    assert "open attempt" not in capsys.readouterr().out


def test_a_broken_chain_with_open_attempts_exits_1_and_still_lists_them(
    mixed: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw(mixed) as conn:
        conn.execute("UPDATE journal SET score = 0.99 WHERE sequence = 2")
    code = _cli("verify", "--audit-db", str(mixed), "--key-file", str(key_file))
    out = capsys.readouterr().out
    assert code == AuditVerifyCode.BROKEN == 1
    assert "BROKEN" in out and "row 2: MAC mismatch" in out
    assert "2 open attempt(s)" in out and "row 3: started" in out


def test_an_outcome_forged_to_close_an_open_attempt_breaks_the_chain(
    mixed: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hiding a paid call by pointing another row at its started row changes that row's MAC."""
    with raw(mixed) as conn:
        conn.execute("UPDATE journal SET started_sequence = 3 WHERE sequence = 4")
    assert _cli("verify", "--audit-db", str(mixed), "--key-file", str(key_file)) == 1
    assert "row 4: MAC mismatch" in capsys.readouterr().out


def test_the_export_carries_started_rows_and_the_link(mixed: Path, key_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    common = ("--audit-db", str(mixed), "--key-file", str(key_file))
    assert _cli("export", "--jsonl", "--out", str(out), *common) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in rows][:3] == ["attempt_started", "verification", "attempt_started"]
    assert rows[1]["started_sequence"] == 1 and rows[6]["caller_account"] == "kiosk"
    assert all(compute_mac(KEY, row) == row["mac"] for row in rows)
    csv_out = tmp_path / "export.csv"
    assert _cli("export", "--csv", "--out", str(csv_out), *common) == 0
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-2:] == ["started_sequence", "caller_account"]
