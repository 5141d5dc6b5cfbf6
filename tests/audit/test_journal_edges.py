"""The edges of :mod:`station.audit.journal` a mutation run found unpinned (issue 24): the key's
16-byte floor, the read-only open's hint about the write-ahead log, the schema-version guards of
the read methods, and every connection closed when an open fails."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from station.audit import AuditError, AuditJournal, AuditKeyError, AuditWriteError
from station.audit import journal as journal_module
from station.audit.vanish import FileIdentity, identify
from tests.audit.support import KEY, make_record

WAL_HINT = "Its write-ahead log (-wal) must be readable too"


# ---------------------------------------------------------------- the key's floor


@pytest.mark.parametrize("read_only", [False, True])
def test_a_15_byte_key_is_refused(filled: Path, read_only: bool) -> None:
    with pytest.raises(AuditKeyError, match=r"^The audit key is too short \(need at least 16 bytes\)\.$"):
        AuditJournal.open(filled, KEY[:15], read_only=read_only)


def test_a_16_byte_key_is_enough(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY[:16]) as journal:
        assert journal.append(make_record(1)) == 1
    with AuditJournal.open(db_path, KEY[:16], read_only=True) as journal:
        assert journal.verify().ok


# ---------------------------------------------------------------- every connection closed


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """Every SQLite connection the journal opens, to check each is closed after a failure."""
    opened: list[sqlite3.Connection] = []
    real = journal_module._connect

    def recording(uri: str, busy_timeout: float) -> sqlite3.Connection:
        conn = real(uri, busy_timeout)
        opened.append(conn)
        return conn

    monkeypatch.setattr(journal_module, "_connect", recording)
    return opened


def _closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def _not_a_database(path: Path, *, with_wal: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not an SQLite database, just bytes in its place" * 20)
    if with_wal:
        path.with_name(path.name + "-wal").write_bytes(b"\0" * 64)
    return path


@pytest.mark.parametrize("with_wal", [False, True])
def test_read_only_open_of_a_non_database_closes_and_hints_only_with_a_wal(
    db_path: Path, connections: list[sqlite3.Connection], with_wal: bool
) -> None:
    _not_a_database(db_path, with_wal=with_wal)
    with pytest.raises(AuditError) as raised:
        AuditJournal.open(db_path, KEY, read_only=True)
    message = str(raised.value)
    assert str(db_path) in message
    assert (WAL_HINT in message) is with_wal
    if with_wal:
        assert message.endswith("copy the journal with its -wal and -shm files to a folder you can write to.")
    assert connections and all(_closed(conn) for conn in connections)


def test_read_only_open_with_the_wrong_key_closes(
    filled: Path, connections: list[sqlite3.Connection]
) -> None:
    with pytest.raises(AuditKeyError, match="does not belong"):
        AuditJournal.open(filled, b"\x07" * 32, read_only=True)
    assert connections and all(_closed(conn) for conn in connections)


def test_writing_open_of_a_non_database_closes(db_path: Path, connections: list[sqlite3.Connection]) -> None:
    _not_a_database(db_path, with_wal=False)
    with pytest.raises(AuditWriteError, match="open the audit journal"):
        AuditJournal.open(db_path, KEY)
    assert connections and all(_closed(conn) for conn in connections)


def test_writing_open_with_the_wrong_key_closes(filled: Path, connections: list[sqlite3.Connection]) -> None:
    with pytest.raises(AuditKeyError, match="does not belong"):
        AuditJournal.open(filled, b"\x07" * 32)
    assert connections and all(_closed(conn) for conn in connections)


def _identify_then(monkeypatch: pytest.MonkeyPatch, second: Callable[[FileIdentity], FileIdentity]) -> None:
    """The file's identity as found, then (the second look, after the schema) ``second`` of it."""
    real = identify
    calls: list[Path] = []

    def looking(path: Path) -> FileIdentity:
        calls.append(path)
        found = real(path)
        return found if len(calls) == 1 else second(found)

    monkeypatch.setattr(journal_module, "identify", looking)


def test_a_file_gone_while_being_opened_closes(
    filled: Path, connections: list[sqlite3.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone(_: FileIdentity) -> FileIdentity:
        raise FileNotFoundError(2, "No such file or directory")

    _identify_then(monkeypatch, gone)
    with pytest.raises(
        AuditWriteError, match=r"^Cannot open the audit journal .*: No such file or directory$"
    ):
        AuditJournal.open(filled, KEY)
    assert connections and all(_closed(conn) for conn in connections)


def test_a_file_replaced_while_being_opened_closes(
    filled: Path, connections: list[sqlite3.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    _identify_then(monkeypatch, lambda found: replace(found, inode=found.inode + 1))
    with pytest.raises(AuditWriteError, match="was replaced while it was being opened; nothing was written"):
        AuditJournal.open(filled, KEY)
    assert connections and all(_closed(conn) for conn in connections)


def test_a_successful_open_keeps_its_connection_until_close(
    filled: Path, connections: list[sqlite3.Connection]
) -> None:
    journal = AuditJournal.open(filled, KEY)
    (conn,) = connections
    assert not _closed(conn) and not journal.closed
    journal.close()
    journal.close()  # idempotent
    assert _closed(conn) and journal.closed
    with pytest.raises(AuditWriteError, match="is closed"):
        journal.append(make_record(1))


# ---------------------------------------------------------------- schema-version guards


def test_every_read_of_an_empty_file_opened_read_only_is_empty(db_path: Path) -> None:
    """Version 0 (no schema, and read-only never creates one): reads answer 'nothing', never an
    SQL error about a missing table."""
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with AuditJournal.open(db_path, KEY, read_only=True) as journal:
        assert journal.schema_version == 0
        assert journal.recent(5) == []
        assert journal.rows_after(0, 5) == []
        assert journal.latest("verification") is None
        assert journal.backlog(0).count == 0
        assert journal.head() is None
        assert journal.recorded_head() is None
        assert journal.verify().ok and journal.verify().rows_checked == 0
        assert journal.ship_cursors() == [] and journal.ship_cursor("siem") is None
        assert journal.open_attempts() == []
        assert journal.journal_id is None
        out = io.StringIO()
        assert journal.export("jsonl", out) == 0 and out.getvalue() == ""
    assert db_path.stat().st_size == 0


def test_reads_of_a_journal_with_rows(filled: Path) -> None:
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        assert journal.schema_version == 3
        assert [r.sequence for r in journal.recent(3)] == [10, 9, 8]
        assert [r.sequence for r in journal.rows_after(8, 5)] == [9, 10]
        latest = journal.latest("verification")
        assert latest is not None and latest.sequence == 10
        assert journal.backlog(7).count == 3
        head = journal.head()
        assert head is not None and head[0] == 10
        recorded = journal.recorded_head()
        assert recorded is not None and recorded.sequence == 10
        assert journal.journal_id is not None
