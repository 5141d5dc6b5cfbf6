"""The edges of :mod:`station.audit.journal` a mutation run found unpinned (issue 24): the key's
16-byte floor, the read-only open's hint about the write-ahead log, the schema-version guards of
the read methods, and every connection closed when an open fails."""

from __future__ import annotations

import io
import logging
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from station.audit import (
    AuditError,
    AuditIntegrityError,
    AuditJournal,
    AuditKeyError,
    AuditRecord,
    AuditWriteError,
    ChainRestartRequiredError,
    JournalNotFoundError,
    JournalVanishedError,
)
from station.audit import journal as journal_module
from station.audit.anchor import Anchor, write_anchor
from station.audit.head import head_path_beside, read_head
from station.audit.vanish import FileIdentity, identify
from tests.audit.support import KEY, backdate, forget_head, make_record, raw

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
    with pytest.raises(AuditWriteError) as raised:
        AuditJournal.open(db_path, KEY)
    assert str(raised.value) == (
        "Could not open the audit journal: the file is damaged or is not an audit journal. "
        f"Journal: {db_path}"
    )
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


# ---------------------------------------------------------------- read-only opening, word for word


def test_read_only_open_of_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "audit.sqlite3"
    with pytest.raises(JournalNotFoundError) as raised:
        AuditJournal.open(missing, KEY, read_only=True)
    assert str(raised.value) == f"There is no audit journal at {missing}."


def test_read_only_open_of_a_non_database_says_what_and_where(db_path: Path) -> None:
    _not_a_database(db_path, with_wal=False)
    with pytest.raises(AuditError) as raised:
        AuditJournal.open(db_path, KEY, read_only=True)
    assert str(raised.value) == (
        "Could not open the audit journal: the file is damaged or is not an audit journal. "
        f"Journal: {db_path}"
    )


def test_read_only_open_of_an_unknown_layout_or_wrong_key_names_the_file(filled: Path) -> None:
    with pytest.raises(AuditKeyError) as wrong_key:
        AuditJournal.open(filled, b"\x07" * 32, read_only=True)
    assert f"does not belong to the journal {filled} " in str(wrong_key.value)
    with raw(filled) as conn:
        conn.execute("ALTER TABLE journal ADD COLUMN from_the_future TEXT")
    with pytest.raises(AuditWriteError) as unknown:
        AuditJournal.open(filled, KEY, read_only=True)
    assert str(unknown.value) == f"{filled} is not a station audit journal (or has an unknown layout)."


def test_read_only_with_a_wal_reads_it_and_still_refuses_to_write(db_path: Path) -> None:
    """With a -wal beside it the copy is opened ``mode=ro`` (not ``immutable``, which would not
    read the rows still in the WAL), and that is read-only all the same."""
    with AuditJournal.open(db_path, KEY) as writer:
        for i in range(3):
            writer.append(make_record(i))
        assert db_path.with_name(db_path.name + "-wal").stat().st_size > 0
        with AuditJournal.open(db_path, KEY, read_only=True) as reader:
            assert reader.verify().rows_checked == 3
            with pytest.raises(AuditWriteError, match="read-only"):
                reader.append(make_record(9))
        assert writer.verify().rows_checked == 3


def test_read_only_without_a_wal_creates_no_file_beside_the_journal(filled: Path) -> None:
    """No -wal: ``immutable``, so nothing (no -shm, no -wal) appears in the auditor's folder."""
    before = sorted(p.name for p in filled.parent.iterdir())
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        assert journal.verify().rows_checked == 10
        assert sorted(p.name for p in filled.parent.iterdir()) == before


# ---------------------------------------------------------------- reads, exactly


def test_reads_of_nothing_and_of_a_kind_never_written(filled: Path) -> None:
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        assert journal.rows_after(0, 0) == [] and journal.recent(0) == []
        assert journal.rows_after(0, -1) == [] and journal.recent(-1) == []
        assert journal.latest("never-written") is None
        assert journal.backlog(10).count == 0 and journal.backlog(10).oldest_recorded_at is None
        first = journal.rows_after(0, 1)[0]
        assert journal.backlog(0).oldest_recorded_at == first.recorded_at
        assert journal.backlog(0).count == 10


def test_export_refuses_an_unknown_format_by_name(filled: Path) -> None:
    refused = r"^unknown export format 'xml' \(use 'csv' or 'jsonl'\)$"
    with AuditJournal.open(filled, KEY, read_only=True) as journal, pytest.raises(ValueError, match=refused):
        journal.export("xml", io.StringIO())  # type: ignore[arg-type]


def test_export_with_both_filters_keeps_rows_that_match_both(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        journal.append(make_record(3))  # CUST-00003 again, recorded now
        out = io.StringIO()
        since = journal.recent(1)[0].recorded_at
        assert journal.export("jsonl", out, since=since, customer_ref="CUST-00003") == 1
        assert journal.export("jsonl", io.StringIO(), customer_ref="CUST-00003") == 2
        assert journal.export("jsonl", io.StringIO(), since=since) == 1


def test_an_empty_file_exports_a_csv_header(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    out = io.StringIO()
    with AuditJournal.open(db_path, KEY, read_only=True) as journal:
        assert journal.export("csv", out) == 0
    assert out.getvalue().startswith("sequence,recorded_at,kind,")


# ---------------------------------------------------------------- shipping cursors


def test_ship_cursors_register_advance_and_retire(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.ship_cursors() == [] and journal.ship_cursor("siem") is None
        registered = journal.register_ship_target("siem")
        assert (registered.target, registered.acked_sequence) == ("siem", 0)
        row = journal.rows_after(3, 1)[0]
        assert journal.advance_ship_cursor("siem", row.sequence, row.mac)
        found = journal.ship_cursor("siem")
        assert found is not None and (found.acked_sequence, found.acked_mac) == (4, row.mac)
        assert [c.target for c in journal.ship_cursors()] == ["siem"]
        assert journal.ship_cursor("other") is None
        assert journal.retire_ship_target("siem")
        assert not journal.retire_ship_target("siem")
        assert journal.ship_cursors() == []


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("record this attempt", lambda j: j.append(make_record(1))),
        ("record this attempt", lambda j: j.record_chain_restart(AuditRecord(kind="chain_restarted"))),
        ("purge old rows", lambda j: j.purge(datetime.now(UTC))),
        ("register a shipping target", lambda j: j.register_ship_target("siem")),
        ("record shipping progress", lambda j: j.advance_ship_cursor("siem", 1, "0" * 64)),
        ("retire a shipping target", lambda j: j.retire_ship_target("siem")),
    ],
)
def test_a_closed_journal_names_what_could_not_be_done(
    filled: Path, action: str, call: Callable[[AuditJournal], object]
) -> None:
    journal = AuditJournal.open(filled, KEY)
    journal.close()
    with pytest.raises(AuditWriteError) as raised:
        call(journal)
    assert str(raised.value) == f"Cannot {action}: the audit journal {filled} is closed."


# ---------------------------------------------------------------- chain restarts and purges


def test_a_chain_restart_row_is_refused_with_reasons(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        with pytest.raises(ValueError, match=r"^a chain restart is recorded with kind 'chain_restarted'$"):
            journal.record_chain_restart(AuditRecord(kind="verification"))
        with pytest.raises(AuditWriteError) as not_empty:
            journal.record_chain_restart(AuditRecord(kind="chain_restarted"))
        assert str(not_empty.value) == f"The audit journal {filled} holds rows: no chain to start."


def test_a_purge_moves_the_head_file_to_its_checkpoint(filled: Path) -> None:
    backdate(filled, {i: f"2024-05-01T12:00:{i:02d}.000000Z" for i in range(1, 5)})
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.purge(datetime(2024, 6, 1, tzinfo=UTC)) == 4
        head = journal.head()
    kept = read_head(head_path_beside(filled), KEY)
    assert head is not None and kept is not None
    assert (kept.sequence, kept.mac) == head


# ---------------------------------------------------------------- failures and their words


def _failing_connect(monkeypatch: pytest.MonkeyPatch, error: sqlite3.Error) -> None:
    def refuse(uri: str, busy_timeout: float) -> sqlite3.Connection:
        raise error

    monkeypatch.setattr(journal_module, "_connect", refuse)


def test_a_read_only_open_sqlite_refuses_is_an_audit_error_naming_the_wait(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite failing before any connection exists: the plain sentence, with the configured wait."""
    _failing_connect(monkeypatch, sqlite3.OperationalError("database is locked"))
    with pytest.raises(AuditError) as raised:
        AuditJournal.open(filled, KEY, read_only=True, busy_timeout=2.5)
    assert str(raised.value) == (
        "Could not open the audit journal: the audit journal is locked by another program "
        f"(waited 2.5 s). Journal: {filled}"
    )


def test_a_chain_restart_over_a_cut_journal_names_the_file(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 10")
    forget_head(filled)  # the head file would refuse the open itself; the journal's own head stays
    with AuditJournal.open(filled, KEY) as journal, pytest.raises(AuditIntegrityError) as raised:
        journal.record_chain_restart(AuditRecord(kind="chain_restarted"))
    assert str(raised.value).startswith(f"The audit journal {filled} ends at row 9 but its head record")


def test_a_journal_deleted_under_the_station_says_what_to_do(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        filled.unlink()
        with pytest.raises(JournalVanishedError) as raised:
            journal.append(make_record(11))
    assert str(raised.value) == (
        f"Could not record this attempt: the audit journal {filled} was deleted while the station "
        "had it open. Nothing was recorded, and nothing more will be written to it. Keep the "
        "folder as it is as evidence and call IT: an administrator starts a new chain with "
        "'station audit new-chain'."
    )


def test_a_head_file_that_cannot_be_written_is_logged_and_the_row_kept(
    db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the head's folder should be")
    with AuditJournal.open(db_path, KEY, head_file=blocker / "audit.head") as journal:
        with caplog.at_level(logging.ERROR, logger="station.audit.journal"):
            assert journal.append(make_record(1)) == 1
        assert journal.verify().ok
    (logged,) = [r for r in caplog.records if r.name == "station.audit.journal"]
    assert logged.getMessage().startswith("the journal's head could not be kept outside it: ")
    assert str(blocker) in logged.getMessage()


def test_a_new_journal_folder_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "audit.sqlite3"
    with AuditJournal.open(path, KEY):
        pass
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_journal_that_cannot_be_created_says_why_and_what_to_check(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal's folder should be")
    path = blocker / "audit.sqlite3"
    with pytest.raises(AuditWriteError) as raised:
        AuditJournal.open(path, KEY)
    assert str(raised.value) == (
        f"Cannot create the audit journal {path}: File exists. "
        "Check that the folder exists, is a folder, and is writable."
    )


# ---------------------------------------------------------------- what opening checks, and says


def test_opening_with_the_wrong_key_names_the_journal(filled: Path) -> None:
    with pytest.raises(AuditKeyError) as raised:
        AuditJournal.open(filled, b"\x07" * 32)
    assert f"does not belong to the journal {filled} " in str(raised.value)


def test_a_cut_journal_is_refused_naming_it_and_the_head_file(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 10")
    with pytest.raises(ChainRestartRequiredError) as raised:
        AuditJournal.open(filled, KEY)
    assert str(raised.value).startswith(
        f"The audit journal {filled} ends at row 9, but the head file {head_path_beside(filled)} says"
    )


def test_a_cut_journal_without_its_head_file_is_refused_by_the_anchor(filled: Path, tmp_path: Path) -> None:
    anchor_file = tmp_path / "audit.anchor"
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        head = journal.head()
        assert head is not None
        anchor = Anchor(journal.journal_id or "", head[0], head[1], "syslog_tls", datetime.now(UTC))
    write_anchor(anchor_file, KEY, anchor)
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 10")
    forget_head(filled)
    with pytest.raises(ChainRestartRequiredError, match=r"the anchor .*\(shipped to syslog_tls\)"):
        AuditJournal.open(filled, KEY, anchor_file=anchor_file)


def test_a_journal_that_matches_its_anchor_opens(filled: Path, tmp_path: Path) -> None:
    anchor_file = tmp_path / "audit.anchor"
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        head = journal.head()
        assert head is not None
        anchor = Anchor(journal.journal_id or "", head[0], head[1], "syslog_tls", datetime.now(UTC))
    write_anchor(anchor_file, KEY, anchor)
    with AuditJournal.open(filled, KEY, anchor_file=anchor_file) as journal:
        assert journal.append(make_record(11)) == 11


def test_opening_an_unknown_layout_for_writing_names_the_file(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("ALTER TABLE journal ADD COLUMN from_the_future TEXT")
    with pytest.raises(AuditWriteError) as raised:
        AuditJournal.open(filled, KEY)
    assert str(raised.value) == f"{filled} is not a station audit journal (or has an unknown layout)."


def test_the_default_wait_for_a_lock_is_five_seconds(filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_connect(monkeypatch, sqlite3.OperationalError("database is locked"))
    with pytest.raises(AuditWriteError, match=r"locked by another program \(waited 5 s\)"):
        AuditJournal.open(filled, KEY)


def test_the_wait_for_a_lock_is_the_one_asked_for(filled: Path) -> None:
    """Another program holds the write lock: a 0.1 s wait gives up long before the default 5 s."""
    with raw(filled, drop_triggers=False) as other:
        other.execute("BEGIN IMMEDIATE")
        began = time.monotonic()
        with pytest.raises(AuditWriteError, match=r"waited 0.1 s"):
            AuditJournal.open(filled, KEY, busy_timeout=0.1)
        waited = time.monotonic() - began
        other.execute("ROLLBACK")
    assert waited < 2.5


def test_a_deleted_journal_whose_head_file_went_too_is_refused_by_the_anchor(
    filled: Path, tmp_path: Path
) -> None:
    anchor_file = tmp_path / "audit.anchor"
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        head = journal.head()
        assert head is not None
        anchor = Anchor(journal.journal_id or "", head[0], head[1], "syslog_tls", datetime.now(UTC))
    write_anchor(anchor_file, KEY, anchor)
    filled.unlink()
    forget_head(filled)
    with pytest.raises(ChainRestartRequiredError) as raised:
        AuditJournal.open(filled, KEY, anchor_file=anchor_file)
    assert str(raised.value).startswith(
        f"The audit journal {filled} does not exist, but the anchor {anchor_file}"
    )
    assert not filled.exists()
