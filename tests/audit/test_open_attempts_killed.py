"""Issue 24: a station killed (SIGKILL) while its request is at the service leaves an open
attempt, and ``station audit verify`` names it. A real child process, a real hanging emulator."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.audit import AuditJournal, load_key
from station.commands.audit import add_arguments, run
from station.commands.exit_codes import AuditVerifyCode
from station.emulator import Emulator
from station.resources import sample_path

REPO = Path(__file__).resolve().parents[2]
TOKEN = "open-attempt-token"


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="station audit")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


@pytest.fixture
def hanging_service() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="hang") as running:
        yield running


def _started_rows(path: Path) -> int:
    """``attempt_started`` rows another reader sees committed."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=2)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal WHERE kind = 'attempt_started'").fetchone()[0])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_request_leaves_an_open_attempt_that_verify_names(
    hanging_service: Emulator, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**os.environ, "SUREPASS_SANDBOX_TOKEN": TOKEN, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "station", "verify", str(sample_path("face.jpg")), "--json"]
    options = ["--base-url", hanging_service.base_url, "--timeout", "120", "--audit-db", str(db_path)]
    with subprocess.Popen(
        [*command, *options], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        try:
            # The request reaching the service means its started row was committed before it.
            assert hanging_service.wait_for_hanging(1, timeout=60), "the request never arrived"
            assert _started_rows(db_path) == 1
            child.send_signal(signal.SIGKILL)
            _, err = child.communicate(timeout=60)
        finally:
            child.kill()
    assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
    assert hanging_service.requests_received == 1

    code = _cli("verify", "--audit-db", str(db_path))  # the station's own key, as the child used
    out = capsys.readouterr().out
    assert code == AuditVerifyCode.OPEN_ATTEMPTS, out
    assert "intact" in out and "1 open attempt(s)" in out
    assert "row 1: started " in out and "customer (none)" in out
    with AuditJournal.open(db_path, load_key(), read_only=True) as journal:
        (row,) = journal.open_attempts()
    assert row.record.operator_id and f"operator {row.record.operator_id}," in out
