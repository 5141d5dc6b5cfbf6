"""``station audit verify|export|purge`` through add_arguments() and run(), on real files."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.audit import AuditJournal, AuditRecord
from station.commands.audit import add_arguments, run
from tests.audit.support import KEY, backdate, days_ago, make_record, raw


@pytest.fixture(autouse=True)
def _administrator(admin_policy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Purge needs the administrator PIN: the tests give it on stdin, as a script would."""
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{admin_policy}\n" * 20))


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


def _age(path: Path, days_by_sequence: dict[int, int]) -> None:
    """Backdate rows by N days and re-sign the chain, as if they had been written back then."""
    backdate(path, {seq: days_ago(days) for seq, days in days_by_sequence.items()})


def test_missing_journal_is_a_clear_message_not_a_traceback(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "audit.sqlite3"
    for argv in (["verify"], ["export", "--csv"], ["purge", "--older-than", "30"]):
        assert _cli(*argv, "--audit-db", str(missing), "--key-file", str(key_file)) == 1
        err = capsys.readouterr().err
        assert f"There is no audit journal at {missing}" in err
        assert "Traceback" not in err
    assert not missing.parent.exists()


def test_env_var_locates_the_journal_and_options_go_before_or_after(
    filled: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATION_AUDIT_DB", str(filled))
    assert _cli("verify", "--key-file", str(key_file)) == 0
    assert str(filled) in capsys.readouterr().out
    monkeypatch.setenv("STATION_AUDIT_DB", str(filled.parent / "elsewhere.sqlite3"))
    assert _cli("--audit-db", str(filled), "--key-file", str(key_file), "verify") == 0


def test_missing_or_wrong_key_is_a_clear_message(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No keyring (conftest installs keyring's fail backend) and no key file: say so.
    assert _cli("verify", "--audit-db", str(filled), "--key-file", str(tmp_path / "none")) == 1
    assert "There is no audit key file" in capsys.readouterr().err
    wrong = tmp_path / "wrong.key"
    wrong.write_text("11" * 32)
    assert _cli("verify", "--audit-db", str(filled), "--key-file", str(wrong)) == 1
    err = capsys.readouterr().err
    assert "does not belong to the journal" in err
    assert "Traceback" not in err


def test_export_csv_and_jsonl_to_stdout(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    assert _cli("export", "--csv", *common) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [int(r["sequence"]) for r in rows] == list(range(1, 11))
    assert "Exported 10 rows to stdout" in captured.err
    assert _cli("export", "--jsonl", *common) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["sequence"] for line in lines] == list(range(1, 11))


def test_export_since_to_a_file(
    filled: Path, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _age(filled, {i: 40 for i in range(1, 7)})
    since = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d")
    out = tmp_path / "export.csv"
    assert (
        _cli(
            "export",
            "--csv",
            "--since",
            since,
            "--out",
            str(out),
            "--audit-db",
            str(filled),
            "--key-file",
            str(key_file),
        )
        == 0
    )
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["sequence"]) for r in rows] == [7, 8, 9, 10]
    if sys.platform != "win32":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600  # customer references inside
    out_jsonl = tmp_path / "export.jsonl"
    assert (
        _cli(
            "export",
            "--jsonl",
            "--since",
            since,
            "--out",
            str(out_jsonl),
            "--audit-db",
            str(filled),
            "--key-file",
            str(key_file),
        )
        == 0
    )
    assert len(out_jsonl.read_text(encoding="utf-8").splitlines()) == 4
    assert "Exported 4 rows" in capsys.readouterr().err


def test_bad_since_is_a_usage_error(filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _cli("export", "--csv", "--since", "31/05/2024", "--audit-db", str(filled))
    assert info.value.code == 2
    assert "not a date like 2024-05-31" in capsys.readouterr().err


def test_purge_prints_the_count_and_the_chain_still_verifies(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _age(filled, {i: 100 for i in range(1, 5)})
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    assert _cli("purge", "--older-than", "90", *common) == 0
    assert "Removed 4 rows" in capsys.readouterr().out
    assert _cli("purge", "--older-than", "90", *common) == 0
    assert "Removed 0 rows" in capsys.readouterr().out
    assert _cli("verify", *common) == 0
    assert "sequences 5–11" in capsys.readouterr().out
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(77))
    assert _cli("verify", *common) == 0


def test_purge_of_a_broken_journal_is_refused(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _age(filled, {i: 100 for i in range(1, 5)})
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET customer_ref = 'X' WHERE sequence = 3")
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    assert _cli("purge", "--older-than", "90", *common) == 1  # would destroy the evidence
    err = capsys.readouterr().err
    assert "Refusing to purge" in err
    assert "row 3: MAC mismatch" in err
    assert _cli("verify", *common) == 1
    assert "row 3: MAC mismatch (row altered)" in capsys.readouterr().out


def test_tampered_checkpoint_found_by_the_cli(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _age(filled, {i: 100 for i in range(1, 5)})
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    assert _cli("purge", "--older-than", "90", *common) == 0
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET purged_rows = 1 WHERE sequence = 11")
    capsys.readouterr()
    assert _cli("verify", *common) == 1
    assert "row 11: MAC mismatch (row altered)" in capsys.readouterr().out


def test_purge_needs_a_positive_number_of_days(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _cli("purge", "--older-than", "0", "--audit-db", str(filled))
    assert "1 or more" in capsys.readouterr().err


def _station_pin_rows() -> list[str]:
    """The notes of the ``pin`` rows in the station's own journal (its settings' ``audit_db``)."""
    from station.audit import load_key
    from station.config import resolve_station_settings

    station_journal = resolve_station_settings().settings.audit_db
    if not station_journal.exists():
        return []
    with AuditJournal.open(station_journal, load_key(), read_only=True) as journal:
        rows = journal.recent(50)
    return [row.record.notes or "" for row in reversed(rows) if row.record.kind == "pin"]


def test_purge_needs_the_administrator_pin_and_every_attempt_is_in_the_stations_journal(
    filled: Path,
    key_file: Path,
    admin_policy: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Failure 3 of issue 22: the wrong PINs went into the copy named by --audit-db, and the attempt
    that started the lockout and those made while locked were not journaled at all."""
    _age(filled, {i: 100 for i in range(1, 5)})
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    for given in ("", "111999\n", "111998\n", "111997\n", "111996\n", "111995\n", f"{admin_policy}\n"):
        monkeypatch.setattr("sys.stdin", io.StringIO(given))
        assert _cli("purge", "--older-than", "90", *common) == 77
    err = capsys.readouterr().err
    assert "nothing removed" in err
    assert "Too many wrong PINs" in err
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        rows = journal.recent(20)
    assert not any(row.is_checkpoint for row in rows)  # nothing was purged
    assert not any(row.record.kind == "pin" for row in rows)  # never in the file named on the command line
    assert _station_pin_rows() == [
        *["administrator: PIN wrong (audit purge)"] * 4,
        "administrator: PIN wrong, lockout started (audit purge)",
        "administrator: PIN refused while locked out (audit purge)",
        "administrator: PIN refused while locked out (audit purge)",  # even the right one
    ]


def test_a_right_pin_is_journaled_too_and_an_unjournaled_attempt_purges_nothing(
    filled: Path,
    key_file: Path,
    admin_policy: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _age(filled, {i: 100 for i in range(1, 5)})
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{admin_policy}\n"))
    assert _cli("purge", "--older-than", "90", *common) == 0
    assert _station_pin_rows() == ["administrator: PIN right (audit purge)"]
    # The station's journal cannot be written: the PIN attempt would go unrecorded, so no purge.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal's folder should be")
    monkeypatch.setenv("STATION_AUDIT_DB", str(blocker / "audit.sqlite3"))
    _age(filled, {5: 100})
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{admin_policy}\n"))
    capsys.readouterr()
    assert _cli("purge", "--older-than", "90", *common) == 77
    assert "the PIN attempt could not be journaled" in capsys.readouterr().err


def test_purge_never_goes_below_the_policys_retention(
    filled: Path, key_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    policy = next(Path(os.environ["STATION_MACHINE_CONFIG_DIR"]).rglob("10-test.json"))
    document = json.loads(policy.read_text())
    policy.write_text(json.dumps({**document, "audit_retention_days": 365}))
    common = ("--audit-db", str(filled), "--key-file", str(key_file))
    assert _cli("purge", "--older-than", "90", *common) == 64
    err = capsys.readouterr().err
    assert "below the retention this station keeps (365 days" in err
    assert "machine policy" in err


def test_export_one_customers_records(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        for ref in ("CIF-1", "CIF-2", "CIF-1", None):
            journal.append(AuditRecord(kind="verification", customer_ref=ref, outcome="LIVE"))
    common = ("--audit-db", str(path), "--key-file", str(key_file))
    assert _cli("export", "--jsonl", "--customer-ref", "CIF-1", *common) == 0
    out = capsys.readouterr().out
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["sequence"] for row in rows] == [1, 3]
    assert {row["customer_ref"] for row in rows} == {"CIF-1"}
