"""The tamper-evident audit journal: every verification attempt, in an HMAC-chained SQLite table.

Why it is built this way
    * One SQLite file, WAL mode, ``synchronous=FULL``, each append its own ``BEGIN IMMEDIATE``
      transaction: once :meth:`AuditJournal.append` returns, the row survives a crash or power
      cut. If it cannot commit it raises :class:`AuditWriteError` and the caller must not show
      the verdict as final (the station fails closed).
    * A STRICT table, and triggers that abort UPDATE and DELETE: honest mistakes (a stray
      ``UPDATE`` in a maintenance shell) are refused outright.
    * Each row's ``mac`` is HMAC-SHA256 over all its columns and the previous row's MAC (see
      :mod:`station.audit.records`), with a key kept outside the database
      (:mod:`station.audit.keys`). Anyone who edits the file directly can defeat the triggers,
      but cannot produce valid MACs: :meth:`AuditJournal.verify` finds the first altered,
      missing or forged row.
    * :meth:`AuditJournal.purge` removes old rows (retention) and appends a signed *checkpoint*
      row naming how many rows went, the last removed sequence and that row's MAC, so the rest
      of the chain still verifies and a tampered checkpoint is still caught.

What the chain cannot prove on its own
    Removing the *newest* rows (truncating the tail), or replacing the whole file with an older
    copy, leaves a chain that verifies. Only an anchor kept elsewhere (e.g. the head sequence and
    MAC from :meth:`AuditJournal.head` printed on a daily report or sent to a server) detects it.

Threads
    One :class:`AuditJournal` holds one SQLite connection, opened with ``check_same_thread=False``
    and guarded by a lock, so it may be created on one thread and used from another (the GUI calls
    it from a worker thread, never the UI thread: an append waits up to ``busy_timeout`` seconds
    for a lock and fsyncs). Calls from several threads are serialised, not parallel. Several
    processes may open the same file; SQLite's locking keeps sequences unique.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, TextIO

from station import __version__
from station.audit.errors import (
    AuditError,
    AuditIntegrityError,
    AuditKeyError,
    AuditWriteError,
    JournalNotFoundError,
)
from station.audit.records import (
    COLUMN_NAMES,
    COLUMNS,
    GENESIS_MAC,
    KIND_CHECKPOINT,
    AuditRecord,
    StoredRecord,
    compute_mac,
    format_timestamp,
)

__all__ = ["AuditJournal", "BreakKind", "Problem", "VerifyReport"]

SCHEMA_VERSION = "1"
_MAX_PROBLEMS = 100

_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS journal (\n    "
    + ",\n    ".join(f"{name} {decl}" for name, decl in COLUMNS)
    + "\n) STRICT"
)
_CREATE_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"
_NO_DELETE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal BEGIN "
    "SELECT RAISE(ABORT, 'audit journal rows cannot be deleted (use: station audit purge)'); END"
)
_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal BEGIN "
    "SELECT RAISE(ABORT, 'audit journal rows cannot be changed'); END",
    _NO_DELETE_TRIGGER,
    "CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'audit journal metadata cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'audit journal metadata cannot be deleted'); END",
)
_INSERT = (  # built only from the fixed column list, never from data
    f"INSERT INTO journal ({', '.join(COLUMN_NAMES)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + name for name in COLUMN_NAMES)})"
)

# Primary SQLite result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


class BreakKind(StrEnum):
    """Why a row fails verification."""

    MAC_MISMATCH = "MAC mismatch (row altered)"
    MISSING_ROW = "missing row"
    CHAIN_GAP = "chain gap"


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in the chain, at ``sequence``; ``detail`` says what was expected."""

    sequence: int
    kind: BreakKind
    detail: str = ""

    def __str__(self) -> str:
        text = f"row {self.sequence}: {self.kind.value}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of :meth:`AuditJournal.verify`. ``problems`` is sorted; at most 100 are kept."""

    ok: bool
    rows_checked: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    problems: tuple[Problem, ...] = ()
    problems_total: int = 0

    @property
    def first_broken(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def first_broken_sequence(self) -> int | None:
        return self.problems[0].sequence if self.problems else None

    @property
    def reason(self) -> BreakKind | None:
        return self.problems[0].kind if self.problems else None

    @property
    def message(self) -> str:
        """One line for a person: "row 17: MAC mismatch (row altered)" or an all-clear."""
        if self.ok:
            if self.rows_checked == 0:
                return "journal is empty"
            return f"{self.rows_checked} rows intact (sequences {self.first_sequence}–{self.last_sequence})"
        return str(self.problems[0])


class AuditJournal:
    """An open audit journal. Create with :meth:`open`; use as a context manager or ``close()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, key: bytes, busy_timeout: float) -> None:
        """Private: use :meth:`open`."""
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._key = key
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ opening and closing

    @classmethod
    def open(
        cls,
        path: Path,
        key: bytes,
        *,
        create: bool = True,
        read_only: bool = False,
        busy_timeout: float = 5.0,
    ) -> AuditJournal:
        """Open (and by default create) the journal at ``path`` with the HMAC ``key``.

        Creates the parent directory (0700) and the file (0600 on POSIX) and the schema.
        ``create=False`` raises :class:`JournalNotFoundError` for a missing file; ``read_only``
        opens it with SQLite's ``mode=ro`` (appends then fail with :class:`AuditWriteError`).
        Raises :class:`AuditWriteError` if it cannot be opened, :class:`AuditKeyError` if the key
        is not the one the journal was created with.
        """
        if len(key) < 16:
            raise AuditKeyError("The audit key is too short (need at least 16 bytes).")
        path = Path(path).absolute()
        if not path.exists():
            if read_only or not create:
                raise JournalNotFoundError(f"There is no audit journal at {path}.")
            _create_file(path)
        conn: sqlite3.Connection | None = None
        try:
            uri = path.as_uri() + ("?mode=ro" if read_only else "?mode=rw")
            conn = sqlite3.connect(
                uri, uri=True, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA trusted_schema = OFF")
            if not read_only:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise AuditWriteError(f"The audit journal {path} cannot use WAL mode ({mode}).")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA secure_delete = ON")  # purged customer data is overwritten
            if not read_only:
                _create_schema(conn, key)
            _check_schema(conn, path)
            _check_key(conn, key, path)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise AuditWriteError(_explain(exc, path, busy_timeout, "open the audit journal")) from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        if not read_only and sys.platform != "win32":
            with suppress(OSError):
                os.chmod(path, 0o600)
        return cls(conn, path, key, busy_timeout)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        """Close the connection (idempotent). SQLite checkpoints the WAL on the last close."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def append(self, record: AuditRecord) -> int:
        """Commit ``record`` as the next row and return its sequence number.

        Raises :class:`AuditWriteError` (disk full, database locked, read-only, closed journal)
        if the row was not committed; then nothing was recorded.
        """
        if record.kind == KIND_CHECKPOINT:
            raise ValueError("kind 'checkpoint' is reserved for the rows purge writes")
        columns = record.to_columns()
        with self._lock, self._write_transaction("record this attempt") as conn:
            sequence, prev_mac = _next_link(conn)
            _insert(conn, self._key, sequence, prev_mac, columns)
        return sequence

    def purge(self, older_than: datetime) -> int:
        """Remove the oldest rows recorded before ``older_than``; return how many were removed.

        Rows go only as a prefix of the chain (stopping at the first row recorded at or after
        the cutoff), and a signed checkpoint row is appended that names the count, the last
        removed sequence and its MAC. Refuses (:class:`AuditIntegrityError`) if the chain does
        not verify, since purging would destroy the evidence. Nothing is removed if no row is
        old enough (and then no checkpoint is written).
        """
        cutoff = format_timestamp(older_than)
        with self._lock, self._write_transaction("purge old rows") as conn:
            report = _verify_rows(self._key, conn.execute("SELECT * FROM journal ORDER BY sequence"))
            if not report.ok:
                raise AuditIntegrityError(
                    f"Refusing to purge: the journal does not verify ({report.message})."
                )
            keep = conn.execute(
                "SELECT MIN(sequence) FROM journal WHERE recorded_at >= ?", (cutoff,)
            ).fetchone()[0]
            bounds = conn.execute("SELECT MIN(sequence), MAX(sequence) FROM journal").fetchone()
            first, last = bounds[0], bounds[1]
            if first is None:
                return 0
            through = last if keep is None else keep - 1
            if through < first:
                return 0
            removed = conn.execute("SELECT COUNT(*) FROM journal WHERE sequence <= ?", (through,)).fetchone()[
                0
            ]
            through_mac = conn.execute("SELECT mac FROM journal WHERE sequence = ?", (through,)).fetchone()[0]
            sequence, prev_mac = _next_link(conn)  # before deleting: the tail may go too
            # DDL is transactional in SQLite: the trigger is back before anyone else can see.
            conn.execute("DROP TRIGGER journal_no_delete")
            conn.execute("DELETE FROM journal WHERE sequence <= ?", (through,))
            conn.execute(_NO_DELETE_TRIGGER)
            checkpoint = AuditRecord(
                kind=KIND_CHECKPOINT,
                app_version=__version__,
                notes=(
                    f"purge: removed {removed} rows (sequences {first}–{through}) recorded before {cutoff}"
                ),
            )
            _insert(
                conn,
                self._key,
                sequence,
                prev_mac,
                checkpoint.to_columns(),
                purged_rows=removed,
                purged_through=through,
                purged_through_mac=through_mac,
            )
        return int(removed)

    # ------------------------------------------------------------------ reading

    def recent(self, n: int) -> list[StoredRecord]:
        """The ``n`` newest rows, newest first."""
        with self._lock, self._read_transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM journal ORDER BY sequence DESC LIMIT ?", (max(n, 0),)
            ).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def head(self) -> tuple[int, str] | None:
        """Sequence and MAC of the newest row: the value to anchor outside the station."""
        with self._lock, self._read_transaction() as conn:
            row = conn.execute("SELECT sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1").fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def verify(self) -> VerifyReport:
        """Check every row's MAC and the chain, from the start (or the latest checkpoint)."""
        with self._lock, self._read_transaction() as conn:
            return _verify_rows(self._key, conn.execute("SELECT * FROM journal ORDER BY sequence"))

    def export(self, fmt: Literal["csv", "jsonl"], out: TextIO, since: datetime | None = None) -> int:
        """Write rows (all columns, MACs included) recorded at or after ``since``; return count.

        CSV has a header row; JSONL is one object per row. Both carry the stored values, so an
        auditor holding the key can recompute each MAC (:func:`station.audit.records.compute_mac`).
        Open ``out`` with ``newline=""`` for CSV.
        """
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown export format {fmt!r} (use 'csv' or 'jsonl')")
        sql = "SELECT * FROM journal"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " WHERE recorded_at >= ?"
            params = (format_timestamp(since),)
        sql += " ORDER BY sequence"
        count = 0
        with self._lock, self._read_transaction() as conn:
            cursor = conn.execute(sql, params)
            if fmt == "csv":
                writer = csv.writer(out)
                writer.writerow(COLUMN_NAMES)
                for row in cursor:
                    writer.writerow(["" if row[name] is None else row[name] for name in COLUMN_NAMES])
                    count += 1
            else:
                for row in cursor:
                    out.write(
                        json.dumps({name: row[name] for name in COLUMN_NAMES}, ensure_ascii=False) + "\n"
                    )
                    count += 1
        return count

    # ------------------------------------------------------------------ internals

    def _connection(self, action: str) -> sqlite3.Connection:
        if self._conn is None:
            raise AuditWriteError(f"Cannot {action}: the audit journal {self._path} is closed.")
        return self._conn

    @contextmanager
    def _write_transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        conn = self._connection(action)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise AuditWriteError(_explain(exc, self._path, self._busy_timeout, action)) from exc

    @contextmanager
    def _read_transaction(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot (WAL readers never block the writer)."""
        conn = self._connection("read the journal")
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise AuditError(_explain(exc, self._path, self._busy_timeout, "read the audit journal")) from exc


# ---------------------------------------------------------------------- helpers


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process created it first
    except OSError as exc:
        raise AuditWriteError(
            f"Cannot create the audit journal {path}: {exc.strerror or exc}. "
            "Check that the folder exists, is a folder, and is writable."
        ) from exc
    os.close(fd)


def _create_schema(conn: sqlite3.Connection, key: bytes) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_CREATE_TABLE)
        conn.execute(_CREATE_META)
        for trigger in _TRIGGERS:
            conn.execute(trigger)
        conn.executemany(
            "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
            [
                ("schema_version", SCHEMA_VERSION),
                ("key_id", _key_id(key)),
                ("created_at", format_timestamp(datetime.now(UTC))),
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    names = tuple(row["name"] for row in conn.execute("PRAGMA table_info(journal)"))
    if names != COLUMN_NAMES:
        raise AuditWriteError(f"{path} is not a station audit journal (or has an unknown layout).")


def _key_id(key: bytes) -> str:
    """A public fingerprint of the key, stored in ``meta`` to catch a wrong key early."""
    return hmac.new(key, b"station audit key id", hashlib.sha256).hexdigest()[:16]


def _check_key(conn: sqlite3.Connection, key: bytes, path: Path) -> None:
    row = conn.execute("SELECT value FROM meta WHERE name = 'key_id'").fetchone()
    if row is not None and not hmac.compare_digest(str(row[0]), _key_id(key)):
        raise AuditKeyError(
            f"The audit key does not belong to the journal {path} (key id {_key_id(key)}, "
            f"journal expects {row[0]}). Nothing was written. Use the key this journal was "
            "created with (--key-file, or the station account's keyring)."
        )


def _next_link(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1").fetchone()
    if row is None:
        return 1, GENESIS_MAC
    return int(row[0]) + 1, str(row[1])


def _insert(
    conn: sqlite3.Connection,
    key: bytes,
    sequence: int,
    prev_mac: str,
    columns: Mapping[str, Any],
    *,
    purged_rows: int | None = None,
    purged_through: int | None = None,
    purged_through_mac: str | None = None,
) -> None:
    row: dict[str, Any] = dict(columns)
    row.update(
        sequence=sequence,
        recorded_at=format_timestamp(datetime.now(UTC)),
        purged_rows=purged_rows,
        purged_through=purged_through,
        purged_through_mac=purged_through_mac,
        prev_mac=prev_mac,
    )
    row["mac"] = compute_mac(key, row)
    conn.execute(_INSERT, row)


def _verify_rows(key: bytes, rows: Iterable[Mapping[str, Any]]) -> VerifyReport:
    problems: list[Problem] = []
    checked = 0
    first: Mapping[str, Any] | None = None
    prev: Mapping[str, Any] | None = None
    anchor: Mapping[str, Any] | None = None  # the newest checkpoint whose own MAC is valid
    for row in rows:
        checked += 1
        seq = row["sequence"]
        try:
            mac_ok = hmac.compare_digest(compute_mac(key, row), str(row["mac"]))
        except (TypeError, ValueError):  # a value of the wrong type was forced into the row
            mac_ok = False
        if prev is None:
            first = row
        elif seq != prev["sequence"] + 1:
            missing = (
                f"row {prev['sequence'] + 1} is absent"
                if seq == prev["sequence"] + 2
                else f"rows {prev['sequence'] + 1}–{seq - 1} are absent"
            )
            problems.append(Problem(prev["sequence"] + 1, BreakKind.MISSING_ROW, missing))
        if not mac_ok:
            problems.append(Problem(seq, BreakKind.MAC_MISMATCH))
        elif prev is not None and seq == prev["sequence"] + 1 and row["prev_mac"] != prev["mac"]:
            problems.append(Problem(seq, BreakKind.CHAIN_GAP, f"does not follow row {prev['sequence']}"))
        if mac_ok and row["purged_through"] is not None:
            anchor = row
        prev = row
    if first is None:
        return VerifyReport(ok=True, rows_checked=0)
    assert prev is not None
    problems.extend(_check_start(first, anchor, {p.sequence for p in problems}))
    problems.sort(key=lambda p: p.sequence)
    return VerifyReport(
        ok=not problems,
        rows_checked=checked,
        first_sequence=int(first["sequence"]),
        last_sequence=int(prev["sequence"]),
        problems=tuple(problems[:_MAX_PROBLEMS]),
        problems_total=len(problems),
    )


def _check_start(
    first: Mapping[str, Any], anchor: Mapping[str, Any] | None, reported: set[int]
) -> list[Problem]:
    """The first row must be row 1 (after genesis) or follow the newest valid checkpoint."""
    seq = int(first["sequence"])
    if anchor is None:
        expected, expected_mac = 1, GENESIS_MAC
        basis = "no valid checkpoint accounts for purged rows"
    else:
        expected, expected_mac = int(anchor["purged_through"]) + 1, anchor["purged_through_mac"]
        basis = f"checkpoint row {anchor['sequence']} purged rows up to {expected - 1}"
    if seq > expected:
        span = f"row {expected} is" if seq == expected + 1 else f"rows {expected}–{seq - 1} are"
        return [Problem(expected, BreakKind.MISSING_ROW, f"{span} absent; {basis}")]
    if seq < expected:
        return [Problem(seq, BreakKind.CHAIN_GAP, f"row is present but {basis}")]
    if first["prev_mac"] != expected_mac and seq not in reported:
        what = "the start of the journal" if anchor is None else "the purged row's MAC"
        return [Problem(seq, BreakKind.CHAIN_GAP, f"does not follow {what}; {basis}")]
    return []


def _explain(exc: sqlite3.Error, path: Path, busy_timeout: float, action: str) -> str:
    """A plain-language sentence for an operator; the SQLite text stays in ``__cause__``."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    not_recorded = " Nothing was recorded." if action == "record this attempt" else ""
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        reason = f"the audit journal is locked by another program (waited {busy_timeout:g} s)"
    elif primary == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        reason = "the audit journal is read-only (file permissions, a read-only disk or mount)"
    elif primary == _SQLITE_FULL or "full" in text:
        reason = "the disk holding the audit journal is full"
    elif primary == _SQLITE_IOERR:
        reason = "the disk reported an input/output error"
    elif primary == _SQLITE_CANTOPEN:
        reason = "the audit journal file cannot be opened (missing folder or no permission)"
    elif primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        reason = "the file is damaged or is not an audit journal"
    else:
        reason = f"SQLite reported: {exc}"
    return f"Could not {action}: {reason}.{not_recorded} Journal: {path}"
