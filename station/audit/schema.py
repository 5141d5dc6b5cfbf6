"""The journal's tables, their guards, and the in-place upgrade from station 0.1.0's layout.

Schema versions (``meta.schema_version``)
    1. station 0.1.0: ``journal`` (STRICT) and ``meta``, with triggers refusing UPDATE/DELETE.
    2. adds the columns of :data:`~station.audit.records.V2_COLUMNS` to ``journal`` (appended
       with ``ALTER TABLE … ADD COLUMN``, NULL in old rows, so their MACs stay valid: see
       :mod:`station.audit.records`); ``journal_head``, the sequence and MAC of the newest row,
       written in the same transaction as every row, so rows cut off the tail with SQL leave a
       head that names them; ``ship_cursor``, how far each shipping target has been acknowledged,
       in the same database so that a cursor and the rows it counts can never disagree after a
       crash; and ``meta.journal_id``, a random id that tells this journal from a new one started
       in its place.
    3. adds :data:`~station.audit.records.V3_COLUMNS` to ``journal``: ``started_sequence`` (an
       attempt's outcome row names its ``attempt_started`` row) and ``caller_account`` (the OS
       account that asked for the attempt). Appended the same way, NULL in old rows, left out
       of the MAC when NULL: every version 1 and 2 row keeps its MAC.

The upgrade runs in one ``BEGIN IMMEDIATE`` transaction when a journal is opened for writing
(never when it is opened read-only), so a crash leaves the old version or the new one, never a
mix; a version 1 journal goes to 2 and then 3 in that one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import uuid
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from station.audit.errors import AuditKeyError, AuditWriteError
from station.audit.records import (
    COLUMN_NAMES,
    COLUMNS,
    V1_COLUMN_NAMES,
    V2_COLUMN_NAMES,
    V2_COLUMNS,
    V3_COLUMNS,
    format_timestamp,
)

__all__ = [
    "NO_DELETE_TRIGGER",
    "SCHEMA_VERSION",
    "check_key",
    "key_id",
    "layout_version",
    "meta_value",
    "prepare_for_writing",
]

SCHEMA_VERSION = 3

_CREATE_JOURNAL = (
    "CREATE TABLE journal (\n    " + ",\n    ".join(f"{name} {decl}" for name, decl in COLUMNS) + "\n) STRICT"
)
_CREATE_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"
_CREATE_HEAD = (
    "CREATE TABLE journal_head (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "sequence INTEGER NOT NULL, mac TEXT NOT NULL) STRICT"
)
_CREATE_CURSOR = (
    "CREATE TABLE ship_cursor (target TEXT PRIMARY KEY, acked_sequence INTEGER NOT NULL, "
    "acked_mac TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT"
)
NO_DELETE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal BEGIN "
    "SELECT RAISE(ABORT, 'audit journal rows cannot be deleted (use: station audit purge)'); END"
)
_META_NO_UPDATE = (
    "CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'audit journal metadata cannot be changed'); END"
)
_V1_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal BEGIN "
    "SELECT RAISE(ABORT, 'audit journal rows cannot be changed'); END",
    NO_DELETE_TRIGGER,
    _META_NO_UPDATE,
    "CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'audit journal metadata cannot be deleted'); END",
)
_V2_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS head_forward_only BEFORE UPDATE ON journal_head "
    "WHEN NEW.sequence <= OLD.sequence BEGIN "
    "SELECT RAISE(ABORT, 'the journal head only moves forward'); END",
    "CREATE TRIGGER IF NOT EXISTS head_no_delete BEFORE DELETE ON journal_head BEGIN "
    "SELECT RAISE(ABORT, 'the journal head cannot be deleted'); END",
)


def layout_version(conn: sqlite3.Connection, path: Path) -> int:
    """0 for a database with no journal yet, else 1, 2 or 3; refuses anything else.

    Versions 2 and 3 must say so in ``meta`` too: a table with the right columns and another
    declared version is not one this station wrote."""
    names = tuple(row[1] for row in conn.execute("PRAGMA table_info(journal)"))
    if not names:
        tables = conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()[0]
        if tables:
            raise AuditWriteError(f"{path} is not a station audit journal (or has an unknown layout).")
        return 0
    if names == V1_COLUMN_NAMES:
        return 1
    for version, layout in ((2, V2_COLUMN_NAMES), (SCHEMA_VERSION, COLUMN_NAMES)):
        if names == layout and meta_value(conn, "schema_version") == str(version):
            return version
    raise AuditWriteError(f"{path} is not a station audit journal (or has an unknown layout).")


def meta_value(conn: sqlite3.Connection, name: str) -> str | None:
    """One value of the ``meta`` table, or None (no row, or no table)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def prepare_for_writing(conn: sqlite3.Connection, key: bytes, path: Path) -> None:
    """Create the schema in an empty database, or upgrade a version 1 journal; check the key.

    Guards (triggers) someone dropped are put back. One ``BEGIN IMMEDIATE`` transaction: a
    second process opening the same new file waits, then finds the schema in place. The key is
    checked before anything changes, so a wrong key never upgrades (or touches) a journal.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = layout_version(conn, path)
        if version == 0:
            _create(conn, key)
        else:
            check_key(conn, key, path)
            if version == 1:
                _upgrade_from_1(conn)
            if version < SCHEMA_VERSION:
                _upgrade_to_3(conn)
            for trigger in (*_V1_TRIGGERS, *_V2_TRIGGERS):  # put back any guard someone dropped
                conn.execute(trigger)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _create(conn: sqlite3.Connection, key: bytes) -> None:
    conn.execute(_CREATE_JOURNAL)
    conn.execute(_CREATE_META)
    conn.execute(_CREATE_HEAD)
    conn.execute(_CREATE_CURSOR)
    for trigger in (*_V1_TRIGGERS, *_V2_TRIGGERS):
        conn.execute(trigger)
    now = format_timestamp(datetime.now(UTC))
    conn.executemany(
        "INSERT INTO meta (name, value) VALUES (?, ?)",
        [
            ("schema_version", str(SCHEMA_VERSION)),
            ("key_id", key_id(key)),
            ("journal_id", str(uuid.uuid4())),
            ("created_at", now),
        ],
    )


def _upgrade_from_1(conn: sqlite3.Connection) -> None:
    for name, decl in V2_COLUMNS:  # names and types from a fixed list, never from data
        conn.execute(f"ALTER TABLE journal ADD COLUMN {name} {decl}")
    conn.execute(_CREATE_HEAD)
    conn.execute(
        "INSERT INTO journal_head (id, sequence, mac) "
        "SELECT 1, sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1"
    )
    conn.execute(_CREATE_CURSOR)
    for trigger in _V2_TRIGGERS:
        conn.execute(trigger)
    _declare_version(conn, 2)
    conn.executemany(
        "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
        [("journal_id", str(uuid.uuid4())), ("upgraded_at", format_timestamp(datetime.now(UTC)))],
    )


def _upgrade_to_3(conn: sqlite3.Connection) -> None:
    for name, decl in V3_COLUMNS:  # names and types from a fixed list, never from data
        conn.execute(f"ALTER TABLE journal ADD COLUMN {name} {decl}")
    _declare_version(conn, 3)
    conn.execute(
        "INSERT OR IGNORE INTO meta (name, value) VALUES ('upgraded_to_3_at', ?)",
        (format_timestamp(datetime.now(UTC)),),
    )


def _declare_version(conn: sqlite3.Connection, version: int) -> None:
    # meta refuses UPDATE by trigger; DDL is transactional, so the guard is back before commit.
    conn.execute("DROP TRIGGER meta_no_update")
    conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(version),))
    conn.execute(_META_NO_UPDATE)


def key_id(key: bytes) -> str:
    """A public fingerprint of the key, stored in ``meta`` to catch a wrong key early."""
    return hmac.new(key, b"station audit key id", hashlib.sha256).hexdigest()[:16]


def check_key(conn: sqlite3.Connection, key: bytes, path: Path) -> None:
    """Raise :class:`AuditKeyError` if the journal was created with another key."""
    stored = meta_value(conn, "key_id")
    if stored is not None and not hmac.compare_digest(stored, key_id(key)):
        raise AuditKeyError(
            f"The audit key does not belong to the journal {path} (key id {key_id(key)}, "
            f"journal expects {stored}). Nothing was written. Use the key this journal was "
            "created with (--key-file, or the station account's keyring)."
        )
