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
      missing or forged row (:mod:`station.audit.chain`).
    * A head record written with every row catches rows cut off the end with SQL; an anchor kept
      off the journal (:mod:`station.audit.anchor`, the last head shipped to the bank's SIEM)
      catches a journal emptied, deleted, replaced, or rolled back to an older copy.
    * :meth:`AuditJournal.purge` removes old rows (retention) that every shipping target has
      acknowledged, and appends a signed *checkpoint* row naming how many rows went, the last
      removed sequence and that row's MAC, so the rest of the chain still verifies.

Read-only
    ``read_only=True`` never writes to the journal, not even a schema into an empty file: an
    auditor's read-only copy verifies and exports. Without a ``-wal`` file beside it the database
    is opened ``immutable`` (no lock or shared-memory file is created, so it works on read-only
    media); with one, SQLite needs to read the WAL and opens it ``mode=ro``.

Threads
    One :class:`AuditJournal` holds one SQLite connection, opened with ``check_same_thread=False``
    and guarded by a lock, so it may be created on one thread and used from another (the GUI calls
    it from a worker thread, never the UI thread: an append waits up to ``busy_timeout`` seconds
    for a lock and fsyncs). Calls from several threads are serialised, not parallel. Several
    processes may open the same file; SQLite's locking keeps sequences unique.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO

from station.audit import cursor as ship_cursor
from station.audit.anchor import read_anchor
from station.audit.chain import BreakKind, Head, Problem, VerifyReport, verify_rows
from station.audit.cursor import ShipCursor
from station.audit.errors import (
    AuditError,
    AuditKeyError,
    AuditWriteError,
    JournalLoss,
    JournalNotFoundError,
    JournalVanishedError,
)
from station.audit.export import ExportFormat, write_rows
from station.audit.head import JournalHead, head_path_beside, read_head, write_head
from station.audit.head_keeper import HeadKeeper
from station.audit.records import (
    KIND_ATTEMPT_STARTED,
    KIND_CHAIN_RESTARTED,
    RESERVED_KINDS,
    AuditRecord,
    StoredRecord,
    format_timestamp,
    parse_timestamp,
)
from station.audit.schema import check_key, layout_version, meta_value, prepare_for_writing
from station.audit.sqlite_errors import RECORD_ACTION, explain
from station.audit.vanish import FileIdentity, check_file, identify, judge_at_open, refuse_missing
from station.audit.writing import insert, next_link, purge_rows, recorded_head

__all__ = ["AuditJournal", "Backlog", "BreakKind", "Problem", "VerifyReport"]

_log = logging.getLogger(__name__)

# The statements, fixed text all (every value is a bound parameter). Kept here rather than inline
# so a mutation run does not count an upper- or lower-cased keyword as a behaviour to pin.
_NEWEST = "SELECT * FROM journal ORDER BY sequence DESC LIMIT ?"
_AFTER = "SELECT * FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?"
_LATEST_OF_KIND = "SELECT * FROM journal WHERE kind = ? ORDER BY sequence DESC LIMIT 1"
_BACKLOG = "SELECT COUNT(*), MIN(recorded_at) FROM journal WHERE sequence > ?"
_HEAD = "SELECT sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1"
_ALL = "SELECT * FROM journal ORDER BY sequence"
#: "attempt started" rows that no row names in ``started_sequence``.
_OPEN_ATTEMPTS = (
    "SELECT * FROM journal WHERE kind = ? AND sequence NOT IN "
    "(SELECT started_sequence FROM journal WHERE started_sequence IS NOT NULL) ORDER BY sequence"
)
_SINCE = "recorded_at >= ?"
_CUSTOMER = "customer_ref = ?"
_EXPORT_SQL: dict[tuple[str, ...], str] = {
    (): _ALL,
    (_SINCE,): "SELECT * FROM journal WHERE recorded_at >= ? ORDER BY sequence",
    (_CUSTOMER,): "SELECT * FROM journal WHERE customer_ref = ? ORDER BY sequence",
    (_SINCE, _CUSTOMER): (
        "SELECT * FROM journal WHERE recorded_at >= ? AND customer_ref = ? ORDER BY sequence"
    ),
}


def _export_sql(conditions: tuple[str, ...]) -> str:
    """The export's statement for these conditions (a fixed table: no SQL is built from text)."""
    return _EXPORT_SQL[conditions]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Rows after a sequence: how many, and when the oldest was recorded (None if none)."""

    count: int
    oldest_recorded_at: datetime | None


class AuditJournal:
    """An open audit journal. Create with :meth:`open`; use as a context manager or ``close()``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        key: bytes,
        busy_timeout: float,
        version: int,
        *,
        head_path: Path | None = None,
        identity: FileIdentity | None = None,
    ) -> None:
        """Private: use :meth:`open`."""
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._key = key
        self._busy_timeout = busy_timeout
        self._version = version
        self._lock = threading.RLock()
        #: Where every committed append leaves the new head (None: opened read-only).
        self._head_path = head_path
        #: The file this connection writes to (None: opened read-only, nothing to guard).
        self._identity = identity
        #: How the file went, once noticed: from then on nothing more is written.
        self._lost: JournalLoss | None = None
        self._journal_id = meta_value(conn, "journal_id") if identity is not None else None
        #: Writes each committed head into the head file off the appending thread.
        self._head_keeper: HeadKeeper[Head] = HeadKeeper(self._write_head)

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
        head_file: Path | None = None,
        anchor_file: Path | None = None,
    ) -> AuditJournal:
        """Open (and by default create) the journal at ``path`` with the HMAC ``key``.

        For writing: creates the parent directory (0700), the file (0600 on POSIX) and the
        schema, or upgrades a journal written by station 0.1.0 (:mod:`station.audit.schema`).
        ``create=False`` raises :class:`JournalNotFoundError` for a missing file. ``read_only``
        opens without writing anything (see the module docstring); appends then fail with
        :class:`AuditWriteError`. Raises :class:`AuditWriteError` if it cannot be opened,
        :class:`AuditKeyError` if the key is not the one the journal was created with.

        The head file (``head_file``, default :func:`~station.audit.head.head_path_beside`) and,
        if given, the anchor (``anchor_file``) say which journal stood here last: if this file is
        missing, empty, another chain, or lacks the row they name, opening for writing raises
        :class:`ChainRestartRequiredError` naming the old head instead of starting a new chain
        (:mod:`station.audit.vanish`; only ``station audit new-chain`` starts one).
        """
        if len(key) < 16:
            raise AuditKeyError("The audit key is too short (need at least 16 bytes).")
        path = Path(path).absolute()
        if read_only:
            return cls._open_read_only(path, key, busy_timeout)
        head_path = head_path_beside(path) if head_file is None else Path(head_file).absolute()
        if not path.exists():
            known = _known_heads(key, head_path, anchor_file)
            if known:
                raise refuse_missing(path, *known[0])
            if not create:
                raise JournalNotFoundError(f"There is no audit journal at {path}.")
            _create_file(path)

        conn: sqlite3.Connection | None = None
        try:
            before = identify(path)
            conn = _connect(path.as_uri() + "?mode=rw", busy_timeout)
            _judge(conn, path, key, head_path, anchor_file)  # before anything is written
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise AuditWriteError(f"The audit journal {path} cannot use WAL mode ({mode}).")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA secure_delete = ON")  # purged customer data is overwritten
            prepare_for_writing(conn, key, path)
            version = layout_version(conn, path)
            identity = identify(path)
            if (identity.device, identity.inode) != (before.device, before.inode):
                raise AuditWriteError(
                    f"The audit journal {path} was replaced while it was being opened; nothing was written."
                )
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise AuditWriteError(explain(exc, path, busy_timeout, "open the audit journal")) from exc
        except OSError as exc:
            if conn is not None:
                conn.close()
            raise AuditWriteError(f"Cannot open the audit journal {path}: {exc.strerror or exc}") from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path, key, busy_timeout, version, head_path=head_path, identity=identity)

    @classmethod
    def _open_read_only(cls, path: Path, key: bytes, busy_timeout: float) -> AuditJournal:
        if not path.is_file():
            raise JournalNotFoundError(f"There is no audit journal at {path}.")
        has_wal = path.with_name(path.name + "-wal").exists()
        uri = path.as_uri() + ("?mode=ro" if has_wal else "?mode=ro&immutable=1")
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(uri, busy_timeout)
            version = layout_version(conn, path)
            check_key(conn, key, path)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            hint = (
                " Its write-ahead log (-wal) must be readable too: copy the journal with its -wal "
                "and -shm files to a folder you can write to."
                if has_wal
                else ""
            )
            raise AuditError(explain(exc, path, busy_timeout, "open the audit journal") + hint) from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path, key, busy_timeout, version)

    @property
    def key(self) -> bytes:
        """The HMAC key this journal was opened with (the shipper signs nothing, but its own
        connection must check the same chain)."""
        return self._key

    @property
    def path(self) -> Path:
        return self._path

    @property
    def closed(self) -> bool:
        return self._conn is None

    @property
    def head_path(self) -> Path | None:
        """The head file every committed append moves (None: opened read-only)."""
        return self._head_path

    def check_file(self) -> JournalLoss | None:
        """None while the file at :attr:`path` is still the one this journal writes; else how it
        went (deleted, replaced, truncated…). Once lost, always lost: the health check's answer."""
        with self._lock:
            if self._identity is not None and self._lost is None:
                self._lost, self._identity = check_file(self._path, self._identity)
            return self._lost

    @property
    def schema_version(self) -> int:
        """The layout: 3 once opened for writing; 1 or 2 for an older journal opened read-only
        (0: an empty file, read-only)."""
        return self._version

    @property
    def journal_id(self) -> str | None:
        """The random id that tells this journal from one started in its place (None before v2)."""
        with self._lock, self._read_transaction() as conn:
            return meta_value(conn, "journal_id")

    def close(self) -> None:
        """Close the connection (idempotent), once the head file names the last committed row.
        SQLite checkpoints the WAL on the last close."""
        with self._lock:
            self._head_keeper.close()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def sync_head(self, timeout: float | None = None) -> bool:
        """Wait until the head file names the last committed row (it follows each commit on a
        thread of its own, :mod:`station.audit.head_keeper`). False if ``timeout`` passed first."""
        return self._head_keeper.flush(timeout)

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
        or :class:`AuditIntegrityError` (rows were cut off the end) if the row was not
        committed; then nothing was recorded.
        """
        if record.kind in RESERVED_KINDS:
            raise ValueError(f"kind {record.kind!r} is reserved for rows the journal writes itself")
        columns = record.to_columns()
        with self._lock, self._write_transaction(RECORD_ACTION, moves_head=True) as conn:
            sequence, prev_mac = next_link(conn, self._path)
            insert(conn, self._key, sequence, prev_mac, columns)
        return sequence

    def record_chain_restart(self, record: AuditRecord) -> int:
        """Row 1 of a new chain: the administrator's ``chain_restarted`` row naming the old head
        (:mod:`station.audit.restart`). Refused on a journal that already holds rows."""
        if record.kind != KIND_CHAIN_RESTARTED:
            raise ValueError(f"a chain restart is recorded with kind {KIND_CHAIN_RESTARTED!r}")
        with self._lock, self._write_transaction(RECORD_ACTION, moves_head=True) as conn:
            sequence, prev_mac = next_link(conn, self._path)
            if sequence != 1:
                raise AuditWriteError(f"The audit journal {self._path} holds rows: no chain to start.")
            insert(conn, self._key, sequence, prev_mac, record.to_columns())
        return sequence

    def purge(self, older_than: datetime) -> int:
        """Remove the oldest rows recorded before ``older_than``; return how many were removed.

        Rows go only as a prefix of the chain (stopping at the first row recorded at or after the
        cutoff, and at the first row a shipping target has not acknowledged), and a signed
        checkpoint row is appended that names the count, the last removed sequence and its MAC.
        Refuses (:class:`AuditIntegrityError`) if the chain does not verify, since purging would
        destroy the evidence. Nothing is removed if no row qualifies (and no checkpoint written).
        """
        with self._lock, self._write_transaction("purge old rows", moves_head=True) as conn:
            keep_after = ship_cursor.lowest_acked(conn)
            return purge_rows(conn, self._key, self._path, older_than, keep_after)

    # ------------------------------------------------------------------ reading

    def recent(self, n: int) -> list[StoredRecord]:
        """The ``n`` newest rows, newest first."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return []
            rows = conn.execute(_NEWEST, (max(n, 0),)).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def rows_after(self, sequence: int, limit: int) -> list[StoredRecord]:
        """Up to ``limit`` rows with a sequence above ``sequence``, oldest first (for shipping)."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return []
            rows = conn.execute(_AFTER, (sequence, max(limit, 0))).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def latest(self, kind: str) -> StoredRecord | None:
        """The newest row of ``kind`` (e.g. the last verification, for a heartbeat)."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return None
            row = conn.execute(_LATEST_OF_KIND, (kind,)).fetchone()
        return None if row is None else StoredRecord.from_row(row)

    def backlog(self, after_sequence: int) -> Backlog:
        """How many rows follow ``after_sequence`` and when the oldest of them was recorded."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return Backlog(0, None)
            count, oldest = conn.execute(_BACKLOG, (after_sequence,)).fetchone()
        return Backlog(int(count), None if oldest is None else parse_timestamp(str(oldest)))

    def open_attempts(self) -> list[StoredRecord]:
        """The ``attempt_started`` rows no row names in ``started_sequence``, oldest first.

        Each is a paid call whose outcome was never recorded: the process stopped (SIGKILL,
        power cut) between sending and journaling the answer — or the call is still under way
        in a running station. Journals before schema version 3 have none."""
        with self._lock, self._read_transaction() as conn:
            if self._version < 3:
                return []
            rows = conn.execute(_OPEN_ATTEMPTS, (KIND_ATTEMPT_STARTED,)).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def head(self) -> tuple[int, str] | None:
        """Sequence and MAC of the newest row: the value to anchor outside the station."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return None
            row = conn.execute(_HEAD).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def recorded_head(self) -> Head | None:
        """The head record the journal keeps beside its rows (None before schema version 2)."""
        with self._lock, self._read_transaction() as conn:
            return recorded_head(conn)  # None without a head table (before version 2, or empty)

    def verify(self) -> VerifyReport:
        """Check every row's MAC and the chain, from the start (or the latest checkpoint), and
        that the newest row is the one the journal's head record names."""
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return VerifyReport(ok=True, rows_checked=0)
            rows = conn.execute(_ALL)
            return verify_rows(self._key, rows, recorded_head(conn))

    def export(
        self, fmt: ExportFormat, out: TextIO, since: datetime | None = None, customer_ref: str | None = None
    ) -> int:
        """Write rows (all columns, MACs included) recorded at or after ``since`` (and, with
        ``customer_ref``, only that customer's: a customer's request to see their records); return count.

        CSV has a header row and formula-like text cells neutralised; JSONL is one object per
        row with the exact stored values, so an auditor holding the key can recompute each MAC
        (:mod:`station.audit.export`). Open ``out`` with ``newline=""`` for CSV.
        """
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown export format {fmt!r} (use 'csv' or 'jsonl')")
        conditions: list[str] = []
        params: list[str] = []
        if since is not None:
            conditions.append(_SINCE)
            params.append(format_timestamp(since))
        if customer_ref is not None:
            conditions.append(_CUSTOMER)
            params.append(customer_ref)
        # Only fixed text is joined here; every value is a bound parameter.
        sql = _export_sql(tuple(conditions))
        with self._lock, self._read_transaction() as conn:
            if not self._version:
                return write_rows(fmt, [], out)
            return write_rows(fmt, conn.execute(sql, tuple(params)), out)

    # ------------------------------------------------------------------ shipping cursors

    def ship_cursors(self) -> list[ShipCursor]:
        """Every shipping target's acknowledged position."""
        with self._lock, self._read_transaction() as conn:
            return ship_cursor.read_cursors(conn)  # [] without a cursor table

    def ship_cursor(self, target: str) -> ShipCursor | None:
        with self._lock, self._read_transaction() as conn:
            return ship_cursor.read_cursor(conn, target)  # None without a cursor table

    def register_ship_target(self, target: str) -> ShipCursor:
        """Track ``target`` from sequence 0 if it is new; from now on purge keeps what it lacks."""
        with self._lock, self._write_transaction("register a shipping target") as conn:
            ship_cursor.register(conn, target)
            found = ship_cursor.read_cursor(conn, target)
        assert found is not None
        return found

    def advance_ship_cursor(self, target: str, sequence: int, mac: str) -> bool:
        """Record that ``target`` has every row up to ``sequence``; never moves backwards."""
        with self._lock, self._write_transaction("record shipping progress") as conn:
            return ship_cursor.advance(conn, target, sequence, mac)

    def retire_ship_target(self, target: str) -> bool:
        """Stop tracking ``target``, so purge no longer waits for it."""
        with self._lock, self._write_transaction("retire a shipping target") as conn:
            return ship_cursor.retire(conn, target)

    # ------------------------------------------------------------------ internals

    def _connection(self, action: str) -> sqlite3.Connection:
        if self._conn is None:
            raise AuditWriteError(f"Cannot {action}: the audit journal {self._path} is closed.")
        return self._conn

    @contextmanager
    def _write_transaction(self, action: str, *, moves_head: bool = False) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, only while the file at the path is still the one
        open (checked before, and again under the write lock). With ``moves_head`` the head file
        follows the commit: a crash in between leaves it one row behind, never ahead."""
        conn = self._connection(action)
        self._refuse_if_lost(action)
        head: Head | None = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._refuse_if_lost(action)
                previous = recorded_head(conn) if moves_head else None
                yield conn
                if moves_head:
                    head = recorded_head(conn)
                    head = None if head == previous else head
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise AuditWriteError(explain(exc, self._path, self._busy_timeout, action)) from exc
        if head is not None:
            self._keep_head(head)

    def _refuse_if_lost(self, action: str) -> None:
        """Raise :class:`JournalVanishedError` if the open file is no longer the one at the path."""
        lost = self.check_file()
        if lost is not None:
            raise JournalVanishedError(
                f"Could not {action}: the audit journal {self._path} was {lost.value} while the station "
                "had it open. Nothing was recorded, and nothing more will be written to it. Keep the "
                "folder as it is as evidence and call IT: an administrator starts a new chain with "
                "'station audit new-chain'.",
                lost,
            )

    def _keep_head(self, head: Head) -> None:
        """Hand the committed head to the keeper, which writes it into the head file while the
        caller goes on (the row is durable already)."""
        if self._head_path is None or self._journal_id is None:
            return
        self._head_keeper.submit(head)

    def _write_head(self, head: Head) -> None:
        """The keeper's write. The row is recorded whatever happens here: a failure is logged and
        the next append writes the head again."""
        if self._head_path is None or self._journal_id is None:
            return
        try:
            write_head(
                self._head_path,
                self._key,
                JournalHead(self._journal_id, head.sequence, head.mac, datetime.now(UTC)),
            )
        except AuditWriteError as exc:
            _log.error("the journal's head could not be kept outside it: %s", exc)

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
            raise AuditError(explain(exc, self._path, self._busy_timeout, "read the audit journal")) from exc


def _known_heads(key: bytes, head_path: Path, anchor_file: Path | None) -> list[tuple[JournalHead, str]]:
    """The heads kept outside the journal: the head file's, then the anchor's (each with where
    it was read). An altered or unreadable one raises: that is evidence too."""
    known: list[tuple[JournalHead, str]] = []
    head = read_head(head_path, key)
    if head is not None:
        known.append((head, f"the head file {head_path}"))
    anchor = read_anchor(anchor_file, key) if anchor_file is not None else None
    if anchor is not None:
        shipped = JournalHead(anchor.journal_id, anchor.sequence, anchor.mac, anchor.shipped_at)
        known.append((shipped, f"the anchor {anchor_file} (shipped to {anchor.target})"))
    return known


def _judge(
    conn: sqlite3.Connection, path: Path, key: bytes, head_path: Path, anchor_file: Path | None
) -> None:
    """Is this the journal the heads kept outside it name? Read only (not even WAL mode is set
    yet, so an empty file stays empty and a file put in the journal's place stays as found); the
    key is checked first, so a wrong key is named as such."""
    conn.execute("BEGIN")
    try:
        version = layout_version(conn, path)
        if version:
            check_key(conn, key, path)
        for head, source in _known_heads(key, head_path, anchor_file):
            judge_at_open(conn, version, path, head, source)
    finally:
        conn.execute("ROLLBACK")


def _connect(uri: str, busy_timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _create_file(path: Path) -> None:
    """Create the journal file 0600 (before SQLite does, with the umask's mode)."""
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
