"""``station audit new-chain`` in a child process, as an administrator runs it: the PIN on stdin,
the station's own journal and key in the test's machine folders (never the real ones).

Issue 22, failure 2: after the journal was deleted a restart started "Audit record #1 … intact"
with 35 rows gone. Now the station refuses, and only this command (with the right PIN) starts a
new chain, whose first row records the old head.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from station.application.recording import open_journal
from station.audit import KIND_CHAIN_RESTARTED, AuditJournal, ChainRestartRequiredError, load_key
from station.config import resolve_station_settings
from tests.audit.support import make_record

REPO = Path(__file__).resolve().parents[2]


def _station(*argv: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "station", "audit", *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def deleted(admin_policy: str) -> tuple[Path, str, int, str]:
    """The station's own journal (in the test's machine data folder) with 35 rows, then deleted:
    its path, and the old journal's id, last row and MAC."""
    path = resolve_station_settings().settings.audit_db
    assert os.environ["STATION_MACHINE_DATA_DIR"] in str(path)  # the test's folder, never the real one
    with open_journal(path) as journal:
        for i in range(35):
            journal.append(make_record(i))
        old_id, (sequence, mac) = journal.journal_id or "", journal.head()  # type: ignore[misc]
    path.unlink()
    path.with_name(path.name + "-wal").unlink(missing_ok=True)
    with pytest.raises(ChainRestartRequiredError):  # the station itself refuses to start over it
        open_journal(path)
    return path, old_id, sequence, mac


def test_new_chain_with_the_right_pin_records_the_old_head(
    deleted: tuple[Path, str, int, str], admin_policy: str
) -> None:
    path, old_id, sequence, mac = deleted
    done = _station(
        "new-chain", "--reason", "INC-4711 journal deleted from a file dialog", stdin=f"{admin_policy}\n"
    )
    assert done.returncode == 0, done.stderr
    assert f"Row 1 records the old head: journal {old_id}, row {sequence}, MAC {mac}" in done.stdout
    with AuditJournal.open(path, load_key(), read_only=True) as journal:
        rows = list(reversed(journal.recent(10)))
    assert [row.record.kind for row in rows] == [KIND_CHAIN_RESTARTED, "pin"]
    notes = rows[0].record.notes or ""
    assert f"previous journal {old_id} ended at row {sequence} with MAC {mac}" in notes
    assert "the journal was deleted" in notes and "reason: INC-4711" in notes
    assert rows[1].record.notes == "administrator: PIN right (audit new-chain)"
    verified = _station("verify", stdin="")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact, 2 rows intact" in verified.stdout
    assert (
        "Chain restarted by an administrator (row 1): new chain started by the administrator"
        in verified.stdout
    )
    assert f"previous journal {old_id} ended at row {sequence}" in verified.stdout
    with open_journal(path) as journal:  # the station writes again, on the new chain
        assert journal.append(make_record(99)) == 3


def test_new_chain_with_a_wrong_pin_is_refused(deleted: tuple[Path, str, int, str]) -> None:
    path, _, _, _ = deleted
    done = _station("new-chain", "--reason", "trying", stdin="111999\n")
    assert done.returncode == 77
    assert "wrong administrator PIN" in done.stderr and "no new chain" in done.stderr
    assert not path.exists()
    with pytest.raises(ChainRestartRequiredError):
        open_journal(path)


def test_new_chain_over_an_intact_journal_starts_nothing(admin_policy: str) -> None:
    path = resolve_station_settings().settings.audit_db
    with open_journal(path) as journal:
        journal.append(make_record(1))
    done = _station("new-chain", "--reason", "why not", stdin=f"{admin_policy}\n")
    assert done.returncode == 1
    assert "nothing vanished" in done.stderr
    with AuditJournal.open(path, load_key(), read_only=True) as journal:
        assert [row.record.kind for row in journal.recent(10)][-1] == "verification"
        assert journal.recent(10)[-1].sequence == 1
