"""A station process killed mid-append (power cut, task manager) leaves a journal that verifies."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from station.audit import AuditJournal
from tests.audit.support import KEY, make_record

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from pathlib import Path
from station.audit import AuditJournal, AuditRecord

path, key = Path(sys.argv[1]), bytes.fromhex(sys.argv[2])
with AuditJournal.open(path, key) as journal:
    i = 0
    while True:
        journal.append(AuditRecord(customer_ref=f"CUST-{i}", outcome="LIVE", score=0.5,
                                   notes="x" * 500))
        i += 1
        if i == 200:  # tell the test, then keep appending until killed
            print(i, flush=True)
"""


def _rows_committed(path: Path) -> int:
    """Rows visible to a separate read-only connection (0 until the schema exists)."""
    if not path.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.5)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or busy for a moment
        return 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_append_leaves_a_journal_that_verifies(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), KEY.hex()],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # Block until the child says 200 rows are committed (a line on its stdout), with a limit.
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready, "the appending child did not reach 200 rows within 30 s"
        assert child.stdout.readline().strip() == b"200", "the appending child died on its own"
        assert child.poll() is None
        seen = _rows_committed(db_path)
        assert seen >= 200
    finally:
        child.send_signal(signal.SIGKILL)
        _, stderr = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL, stderr.decode(errors="replace")

    with AuditJournal.open(db_path, KEY, create=False) as journal:
        report = journal.verify()
        assert report.ok, report.message
        assert report.rows_checked >= seen  # every row another reader saw committed survived
        assert journal.append(make_record()) == report.rows_checked + 1
        assert journal.verify().ok
