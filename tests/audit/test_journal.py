"""The journal on real SQLite files: schema, appends, export, purge, fail-closed writes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import stat
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.audit import (
    AuditJournal,
    AuditKeyError,
    AuditRecord,
    AuditWriteError,
    JournalNotFoundError,
    compute_mac,
)
from station.audit.records import COLUMN_NAMES
from tests.audit.support import KEY, backdate, make_record, raw


def test_append_returns_sequences_and_the_chain_verifies(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        assert [journal.append(make_record(i)) for i in range(5)] == [1, 2, 3, 4, 5]
        report = journal.verify()
    assert report.ok
    assert report.rows_checked == 5
    assert (report.first_sequence, report.last_sequence) == (1, 5)
    assert report.first_broken_sequence is None


def test_a_journal_with_no_rows_yet_verifies_as_empty(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        report = journal.verify()
    assert report.ok is True
    assert (report.rows_checked, report.problems, report.problems_total, report.head) == (0, (), 0, None)
    assert report.message == "journal is empty"


def test_records_round_trip_with_chained_macs(db_path: Path) -> None:
    error_attempt = AuditRecord(
        kind="verification",
        requested_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        station_id="branch-042-desk-1",
        outcome="ERROR",
        error_class="ConnectTimeout",
        error_message="no answer from the service within 10 s",
        notes="quality gate overridden: too_dark",
    )
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(make_record(0, score=1))  # an int score is stored (and MAC'd) as 1.0
        journal.append(error_attempt)
        newest, oldest = journal.recent(2)
        assert journal.recent(0) == []
    assert newest.record == error_attempt
    assert newest.record.score is None
    assert newest.record.http_status is None
    assert oldest.record == make_record(0, score=1.0)
    assert oldest.prev_mac == "0" * 64
    assert newest.prev_mac == oldest.mac
    assert newest.recorded_at.tzinfo is not None
    assert not newest.is_checkpoint


def test_pragmas_wal_full_and_a_strict_table(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        conn = journal._conn  # the journal's own connection: synchronous is per connection
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with raw(filled, drop_triggers=False) as conn:
        strict = conn.execute("SELECT strict FROM pragma_table_list WHERE name = 'journal'")
        assert strict.fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="cannot store TEXT value in REAL"):
            conn.execute(
                "INSERT INTO journal (sequence, recorded_at, kind, score, prev_mac, mac)"
                " VALUES (99, 'x', 'verification', 'high', 'p', 'm')"
            )


def test_timestamps_are_utc_iso8601_with_z(filled: Path) -> None:
    with raw(filled, drop_triggers=False) as conn:
        recorded, requested, responded = conn.execute(
            "SELECT recorded_at, requested_at, responded_at FROM journal WHERE sequence = 1"
        ).fetchone()
    assert requested == "2024-05-01T09:30:00.000000Z"
    assert responded == "2024-05-01T09:30:00.420000Z"
    assert recorded.endswith("Z")
    assert datetime.fromisoformat(recorded.replace("Z", "+00:00")).tzinfo is not None


def test_triggers_refuse_update_and_delete_through_a_normal_connection(filled: Path) -> None:
    with raw(filled, drop_triggers=False) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            conn.execute("UPDATE journal SET score = 0.99 WHERE sequence = 3")
        with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
            conn.execute("DELETE FROM journal WHERE sequence = 3")
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            conn.execute("UPDATE meta SET value = 'x' WHERE name = 'key_id'")
        assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 10


def test_open_creates_parent_and_a_0600_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        journal.append(make_record())
        assert journal.path == path
    assert path.is_file()
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_record_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="time zone"):
        AuditRecord(requested_at=datetime(2024, 5, 1, 9, 30))
    with pytest.raises(ValueError, match="finite"):
        AuditRecord(score=float("nan"))
    with pytest.raises(TypeError, match="http_status"):
        AuditRecord(http_status="200")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SHA-256"):
        AuditRecord(image_sha256="not-a-digest")


def test_checkpoint_kind_is_reserved(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal, pytest.raises(ValueError, match="reserved"):
        journal.append(AuditRecord(kind="checkpoint"))


def test_a_wrong_key_is_refused_before_anything_is_written(filled: Path) -> None:
    with pytest.raises(AuditKeyError, match="does not belong"):
        AuditJournal.open(filled, b"\x01" * 32)


def test_missing_journal_is_not_created_when_create_is_false(tmp_path: Path) -> None:
    with pytest.raises(JournalNotFoundError, match="no audit journal"):
        AuditJournal.open(tmp_path / "nope.sqlite3", KEY, create=False)
    assert not (tmp_path / "nope.sqlite3").exists()


def test_one_worker_thread_at_a_time(db_path: Path) -> None:
    """Opened on this thread, used from workers (as the GUI does): calls are serialised."""
    with AuditJournal.open(db_path, KEY) as journal:
        errors: list[BaseException] = []

        def work(offset: int) -> None:
            try:
                for i in range(20):
                    journal.append(make_record(offset + i))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n * 100,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert errors == []
        report = journal.verify()
    assert report.ok
    assert report.rows_checked == 60


# ---------------------------------------------------------------------- export


def _export(path: Path, fmt: str, since: datetime | None = None) -> str:
    out = io.StringIO(newline="")
    with AuditJournal.open(path, KEY) as journal:
        journal.export(fmt, out, since=since)  # type: ignore[arg-type]
    return out.getvalue()


def test_export_csv_has_every_column_and_macs(filled: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(filled, "csv"))))
    assert len(rows) == 10
    assert tuple(rows[0]) == COLUMN_NAMES
    assert rows[0]["sequence"] == "1"
    assert rows[9]["sequence"] == "10"
    assert rows[3]["customer_ref"] == "CUST-00003"
    assert rows[3]["error_class"] == ""  # NULL
    assert rows[4]["prev_mac"] == rows[3]["mac"]


def test_export_jsonl_lets_an_auditor_recompute_each_mac(filled: Path) -> None:
    lines = _export(filled, "jsonl").splitlines()
    assert len(lines) == 10
    prev = "0" * 64
    for line in lines:
        row = json.loads(line)
        assert row["prev_mac"] == prev
        assert compute_mac(KEY, row) == row["mac"]
        prev = row["mac"]


def test_export_since_filters_by_recorded_date(filled: Path) -> None:
    backdate(filled, {i: f"2024-05-0{1 + i // 4}T12:00:00.000000Z" for i in range(1, 11)})
    since = datetime(2024, 5, 2, tzinfo=UTC)
    jsonl = [json.loads(line) for line in _export(filled, "jsonl", since).splitlines()]
    assert [row["sequence"] for row in jsonl] == list(range(4, 11))
    rows = list(csv.DictReader(io.StringIO(_export(filled, "csv", since))))
    assert [int(r["sequence"]) for r in rows] == list(range(4, 11))
    assert _export(filled, "jsonl", datetime(2030, 1, 1, tzinfo=UTC)) == ""


# ---------------------------------------------------------------------- purge


def test_purge_leaves_a_signed_checkpoint_and_the_chain_verifies(filled: Path) -> None:
    backdate(filled, {i: f"2024-05-01T12:00:{i:02d}.000000Z" for i in range(1, 5)})
    with AuditJournal.open(filled, KEY) as journal:
        removed = journal.purge(datetime(2024, 6, 1, tzinfo=UTC))
        assert removed == 4
        journal.append(make_record(99))
        report = journal.verify()
        rows = journal.recent(100)
        assert journal.purge(datetime(2024, 6, 1, tzinfo=UTC)) == 0  # nothing old is left
    assert report.ok, report.message
    assert (report.first_sequence, report.last_sequence) == (5, 12)
    checkpoint = rows[1]
    assert checkpoint.sequence == 11
    assert checkpoint.is_checkpoint
    assert checkpoint.record.kind == "checkpoint"
    assert (checkpoint.purged_rows, checkpoint.purged_through) == (4, 4)
    assert checkpoint.purged_through_mac == rows[-1].prev_mac  # row 5 followed row 4
    assert "removed 4 rows" in (checkpoint.record.notes or "")


def _purged_through_4(filled: Path, backup: Path | None = None) -> None:
    """Rows 1-4 purged: checkpoint row 11 accounts for them. ``backup``: a copy taken just before."""
    backdate(filled, {i: f"2024-05-01T12:00:{i:02d}.000000Z" for i in range(1, 5)})
    if backup is not None:
        with raw(filled) as conn:
            conn.execute(f"VACUUM INTO '{backup}'")
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.purge(datetime(2024, 6, 1, tzinfo=UTC)) == 4


def _verify_problems(path: Path) -> list[str]:
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        return [str(p) for p in journal.verify().problems]


def test_rows_missing_after_a_checkpoint_are_named_with_it(filled: Path) -> None:
    _purged_through_4(filled)
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 5")
    assert _verify_problems(filled) == [
        "row 5: missing row (row 5 is absent; checkpoint row 11 purged rows up to 4)"
    ]
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 6")
    assert _verify_problems(filled) == [
        "row 5: missing row (rows 5–6 are absent; checkpoint row 11 purged rows up to 4)"
    ]


def test_a_purged_row_put_back_from_a_backup_is_out_of_place(filled: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    _purged_through_4(filled, backup)
    with raw(backup) as conn:
        conn.row_factory = sqlite3.Row
        row4 = dict(conn.execute("SELECT * FROM journal WHERE sequence = 4").fetchone())
    with raw(filled) as conn:
        conn.execute(
            f"INSERT INTO journal ({', '.join(row4)}) VALUES ({', '.join('?' * len(row4))})",
            tuple(row4.values()),
        )
    assert _verify_problems(filled) == [
        "row 4: chain gap (row is present but checkpoint row 11 purged rows up to 4)"
    ]


def test_the_first_row_after_a_checkpoint_must_follow_the_purged_row(filled: Path, tmp_path: Path) -> None:
    """Row 5 swapped for row 5 of another journal written with the same key (its MAC is valid)."""
    other = tmp_path / "other.sqlite3"
    with AuditJournal.open(other, KEY) as journal:
        for i in range(5):
            journal.append(make_record(100 + i))
    with raw(other) as conn:
        conn.row_factory = sqlite3.Row
        row5 = dict(conn.execute("SELECT * FROM journal WHERE sequence = 5").fetchone())
    _purged_through_4(filled)
    with raw(filled) as conn:
        conn.execute("DELETE FROM journal WHERE sequence = 5")
        conn.execute(
            f"INSERT INTO journal ({', '.join(row5)}) VALUES ({', '.join('?' * len(row5))})",
            tuple(row5.values()),
        )
    assert _verify_problems(filled) == [
        "row 5: chain gap (does not follow the purged row's MAC; checkpoint row 11 purged rows up to 4)",
        "row 6: chain gap (does not follow row 5)",
    ]


def test_purge_of_everything_and_purge_again(filled: Path) -> None:
    future = datetime.now(UTC) + timedelta(days=1)
    with AuditJournal.open(filled, KEY) as journal:
        assert journal.purge(future) == 10
        assert [r.sequence for r in journal.recent(10)] == [11]
        journal.append(make_record(1))
        assert journal.purge(future) == 2  # the first checkpoint and row 12 go too
        assert [r.sequence for r in journal.recent(10)] == [13]
        journal.append(make_record(2))
        report = journal.verify()
    assert report.ok, report.message


def test_purge_refuses_to_destroy_evidence_of_tampering(filled: Path) -> None:
    with raw(filled) as conn:
        conn.execute("UPDATE journal SET score = 0.1 WHERE sequence = 2")
    with AuditJournal.open(filled, KEY) as journal:
        with pytest.raises(Exception, match=r"Refusing to purge.*row 2: MAC mismatch"):
            journal.purge(datetime.now(UTC) + timedelta(days=1))
        assert len(journal.recent(100)) == 10


def test_a_tampered_checkpoint_is_caught(filled: Path) -> None:
    backdate(filled, {i: f"2024-05-01T12:00:{i:02d}.000000Z" for i in range(1, 5)})
    with AuditJournal.open(filled, KEY) as journal:
        journal.purge(datetime(2024, 6, 1, tzinfo=UTC))
    # Hide two more deleted rows by editing the checkpoint's count and anchor.
    with raw(filled) as conn:
        mac6 = conn.execute("SELECT mac FROM journal WHERE sequence = 6").fetchone()[0]
        conn.execute("DELETE FROM journal WHERE sequence IN (5, 6)")
        conn.execute(
            "UPDATE journal SET purged_rows = 6, purged_through = 6, "
            "purged_through_mac = ? WHERE sequence = 11",
            (mac6,),
        )
    with AuditJournal.open(filled, KEY) as journal:
        report = journal.verify()
    assert not report.ok
    assert "row 11: MAC mismatch (row altered)" in [str(p) for p in report.problems]
    # With its only checkpoint forged, nothing accounts for the rows before the first one left.
    assert report.first_broken_sequence == 1
    assert report.message.startswith("row 1: missing row (rows 1–6 are absent")


# ---------------------------------------------------------------------- fail closed


def test_append_on_a_read_only_journal_raises_a_clear_error(filled: Path) -> None:
    with AuditJournal.open(filled, KEY, read_only=True) as journal:
        with pytest.raises(AuditWriteError, match="read-only") as info:
            journal.append(make_record(50))
        assert "Nothing was recorded" in str(info.value)
        assert isinstance(info.value.__cause__, sqlite3.Error)
        assert journal.verify().rows_checked == 10


def test_append_while_another_program_holds_the_lock(filled: Path) -> None:
    with (
        AuditJournal.open(filled, KEY, busy_timeout=0.1) as journal,
        raw(filled, drop_triggers=False) as other,
    ):
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(AuditWriteError, match="locked by another program"):
            journal.append(make_record(50))
        other.execute("ROLLBACK")
        assert journal.append(make_record(51)) == 11  # usable again once the lock is gone
        assert journal.verify().ok


def test_append_when_the_disk_is_full(filled: Path) -> None:
    with AuditJournal.open(filled, KEY) as journal:
        assert journal._conn is not None
        pages = journal._conn.execute("PRAGMA page_count").fetchone()[0]
        journal._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL

        def fill_the_disk() -> None:
            for i in range(200):
                journal.append(make_record(i, notes="x" * 2000))

        with pytest.raises(AuditWriteError, match="disk holding the audit journal is full"):
            fill_the_disk()
        report = journal.verify()
    assert report.ok  # whatever committed is intact; the failed row left nothing behind


def test_open_where_the_parent_is_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("I am a file")
    with pytest.raises(AuditWriteError, match="Cannot create the audit journal"):
        AuditJournal.open(blocker / "audit.sqlite3", KEY)


def test_append_after_close_raises_audit_write_error(db_path: Path) -> None:
    journal = AuditJournal.open(db_path, KEY)
    journal.close()
    journal.close()  # idempotent
    assert journal.closed
    with pytest.raises(AuditWriteError, match="closed"):
        journal.append(make_record())


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE journal (x TEXT)")
    with pytest.raises(AuditWriteError, match="not a station audit journal"):
        AuditJournal.open(path, KEY)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(os.urandom(4096))
    with pytest.raises(AuditWriteError, match="damaged or is not an audit journal"):
        AuditJournal.open(garbage, KEY)
