"""The JSONL spool target (append-only, unique first lines) and ``station ship`` itself."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from station.audit import AuditJournal
from station.commands.audit import add_arguments
from station.commands.audit import run as audit_run
from station.ship import JsonlTarget, ShipConfig, Shipper, ShipState, TargetKind
from tests.audit.support import KEY, backdate
from tests.ship.support import STATION, fill

REPO = Path(__file__).resolve().parents[2]


def _jsonl_shipper(journal: AuditJournal, folder: Path, prom: Path | None = None) -> Shipper:
    config = ShipConfig(
        target=TargetKind.JSONL, station_id=STATION, jsonl_dir=folder, prometheus_textfile=prom
    )
    return Shipper(journal, config, JsonlTarget(folder, STATION), key=KEY, anchor_path=None)


def _lines(folder: Path) -> list[dict[str, object]]:
    return [
        json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()
    ]


def test_rows_are_appended_after_a_unique_header_line(journal: AuditJournal, tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    fill(journal, 3)
    assert _jsonl_shipper(journal, folder).run_until_idle(30).state is ShipState.SHIPPED
    (path,) = folder.glob("*.jsonl")
    first_bytes = path.read_bytes()
    fill(journal, 2, start=3)
    assert _jsonl_shipper(journal, folder).run_until_idle(30).state is ShipState.SHIPPED
    assert path.read_bytes().startswith(first_bytes)  # appended, never rewritten
    lines = _lines(folder)
    assert lines[0]["type"] == "file_header"
    records = [line for line in lines if line["type"] == "audit_record"]
    assert [r["sequence"] for r in records] == [1, 2, 3, 4, 5, 6]  # 4: the start-up heartbeat
    assert records[0]["fields"]["customer_ref"] == "CUST-00000"  # type: ignore[index]
    cursor = journal.ship_cursor("jsonl")
    assert cursor is not None and cursor.acked_sequence == 6


def test_two_files_never_start_alike(tmp_path: Path) -> None:
    target = JsonlTarget(tmp_path, STATION)
    target.open()
    first = tmp_path / "a.jsonl"
    second = tmp_path / "b.jsonl"
    from station.ship.jsonl import _header

    first.write_bytes(_header(STATION))
    second.write_bytes(_header(STATION))
    assert first.read_bytes()[:256] != second.read_bytes()[:256]


def test_a_line_cut_short_by_a_crash_stays_alone(journal: AuditJournal, tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    fill(journal, 2)
    _jsonl_shipper(journal, folder).run_until_idle(30)
    (path,) = folder.glob("*.jsonl")
    with path.open("ab") as fh:
        fh.write(b'{"type":"audit_record","seq')  # a crash in the middle of a write
    fill(journal, 1, start=2)
    _jsonl_shipper(journal, folder).run_until_idle(30)
    lines = path.read_text().splitlines()
    assert lines[-2] == '{"type":"audit_record","seq'
    assert json.loads(lines[-1])["sequence"] == 4


def test_the_prometheus_textfile(journal: AuditJournal, tmp_path: Path) -> None:
    prom = tmp_path / "textfile" / "station.prom"
    fill(journal, 4)
    assert _jsonl_shipper(journal, tmp_path / "spool", prom).run_until_idle(30).state is ShipState.SHIPPED
    samples = {
        sample.name: sample
        for family in text_string_to_metric_families(prom.read_text())
        for sample in family.samples
    }
    assert samples["station_ship_unshipped_records"].value == 0
    assert samples["station_ship_unshipped_records"].labels == {"station": STATION, "target": "jsonl"}
    assert samples["station_ship_acked_sequence"].value == 5
    assert samples["station_audit_head_sequence"].value == 5
    assert samples["station_ship_up"].value == 1
    assert samples["station_last_verification_timestamp_seconds"].value > 0
    assert not list(prom.parent.glob("*.tmp*"))  # written atomically
    assert prom.read_text().endswith("\n")


def _station(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "station", "ship", *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_station_ship_once_to_a_spool_folder(
    journal: AuditJournal, journal_path: Path, tmp_path: Path
) -> None:
    fill(journal, 3)
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    result = _station(
        "--once", "--target", "jsonl", "--jsonl-dir", str(tmp_path / "spool"), "--station-id", STATION,
        "--audit-db", str(journal_path), "--key-file", str(key_file),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "all shipped (acknowledged up to row 4)" in result.stdout
    assert (tmp_path / "audit.anchor").exists()  # the anchor beside the key file
    assert len([x for x in _lines(tmp_path / "spool") if x["type"] == "audit_record"]) == 4


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["--target", "off"], 0, "shipping is off"),
        (["--once"], 0, "shipping is off"),  # the station's settings: off unless policy says where
        (["--once", "--target", "syslog_tls"], 64, "relay_host"),
        (["--target", "jsonl"], 64, "jsonl_dir: required"),
        (["--relay-host", "r", "--resend-window", "abc"], 64, "not a positive number of seconds"),
    ],
)
def test_station_ship_usage(argv: list[str], code: int, text: str) -> None:
    result = _station(*argv)
    assert result.returncode == code
    assert text in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_station_ship_without_a_journal(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    result = _station(
        "--once",
        "--target",
        "syslog_tls",
        "--relay-host",
        "127.0.0.1",
        "--audit-db",
        str(tmp_path / "none.sqlite3"),
        "--key-file",
        str(key_file),
    )
    assert result.returncode == 1
    assert "There is no audit journal" in result.stderr
    assert "Traceback" not in result.stderr


def test_purge_keeps_unshipped_rows_until_the_target_is_forgotten(
    journal: AuditJournal,
    journal_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    admin_policy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{admin_policy}\n" * 5))
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    fill(journal, 3)
    _jsonl_shipper(journal, tmp_path / "spool").run_until_idle(30)  # rows 1-4 shipped
    fill(journal, 2, start=3)  # rows 5-6 are not
    backdate(journal_path, {seq: f"2020-01-01T00:00:0{seq}.000000Z" for seq in range(1, 7)})  # all old

    def purge() -> int:
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        common = ["--audit-db", str(journal_path), "--key-file", str(key_file)]
        return audit_run(parser.parse_args(["purge", "--older-than", "30", *common]))

    assert purge() == 0
    assert "2 rows are not yet shipped to jsonl: purge never removes those." in capsys.readouterr().out
    assert [r.sequence for r in journal.recent(10)][::-1] == [5, 6, 7]  # 7: the checkpoint
    result = _station(
        "--forget-target", "jsonl", "--audit-db", str(journal_path), "--key-file", str(key_file)
    )
    assert result.returncode == 0, result.stderr
    assert "jsonl no longer tracked" in result.stdout
    assert journal.ship_cursor("jsonl") is None
    assert purge() == 0
    assert [r.sequence for r in journal.recent(10)] == [8, 7]  # rows 5-6 went; 7 is a recent checkpoint


def _machine_policy(folder: Path, monkeypatch: pytest.MonkeyPatch, **entries: object) -> None:
    """A real managed policy file (root-owned, as the tests and CI run as root)."""
    managed = folder / "policies" / "managed"
    managed.mkdir(parents=True)
    for part in (folder / "policies", managed):
        part.chmod(0o755)
    policy = managed / "20-fleet.json"
    policy.write_text(json.dumps({name: str(value) if isinstance(value, Path) else value
                                  for name, value in entries.items()}))  # fmt: skip
    policy.chmod(0o644)
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(folder))


def _key_file(tmp_path: Path) -> Path:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    return key_file


def test_station_ship_ships_where_the_machine_policy_says(
    journal: AuditJournal, journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled ``station ship --once`` needs no options: it reads the policy the GUI reads."""
    spool = tmp_path / "spool"
    _machine_policy(
        tmp_path / "machine", monkeypatch,
        ship_target="jsonl", ship_jsonl_dir=spool, station_id=STATION, audit_db=journal_path,
    )  # fmt: skip
    fill(journal, 3)
    result = _station("--once", "--key-file", str(_key_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert [x["sequence"] for x in _lines(spool) if x["type"] == "audit_record"] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "argv",
    [
        ["--target", "off"],
        ["--jsonl-dir", "elsewhere"],
        ["--station-id", "someone-else"],
    ],
)
def test_on_a_production_station_options_cannot_redirect_or_stop_shipping(
    journal: AuditJournal,
    journal_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    spool = tmp_path / "spool"
    _machine_policy(
        tmp_path / "machine", monkeypatch, environment="production",
        ship_target="jsonl", ship_jsonl_dir=spool, station_id=STATION, audit_db=journal_path,
    )  # fmt: skip
    fill(journal, 2)
    if argv[0] == "--jsonl-dir":
        argv = [argv[0], str(tmp_path / argv[1])]
    result = _station("--once", "--key-file", str(_key_file(tmp_path)), *argv)
    assert result.returncode == 64, result.stdout + result.stderr
    assert argv[0] in result.stderr
    assert "refused" in result.stderr
    assert not spool.exists()  # refused before anything was shipped, anywhere
    assert not (tmp_path / "elsewhere").exists()
    assert "Traceback" not in result.stderr


def test_forgetting_a_target_needs_the_os_administrator(
    journal: AuditJournal,
    journal_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Forgetting a target lets purge drop rows it never received: not an operator's call."""
    from station.cli import main

    fill(journal, 2)
    _jsonl_shipper(journal, tmp_path / "spool").run_until_idle(30)
    monkeypatch.setattr("station.commands.ship.is_os_administrator", lambda: False)
    argv = ["ship", "--forget-target", "jsonl", "--audit-db", str(journal_path)]
    code = main([*argv, "--key-file", str(_key_file(tmp_path))])
    assert code == 77
    assert "administrator rights" in capsys.readouterr().err
    assert journal.ship_cursor("jsonl") is not None  # still tracked
