"""How far each shipping target has been acknowledged, kept in the journal's own database.

The journal is the shipper's spool: nothing is copied to a queue that could be lost. A row in
``ship_cursor`` per target (``syslog_tls``, ``jsonl`` …) says the highest sequence known to have
reached it. Because it lives in the same SQLite file, a crash can never leave a cursor that
counts rows the journal does not have, and ``purge`` can see it, so an unshipped row is never
purged. A cursor only moves forward; the shipper's resend window rewinds only its in-memory send
position, never this table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from station.audit.records import GENESIS_MAC, format_timestamp, parse_timestamp

__all__ = ["ShipCursor", "advance", "lowest_acked", "read_cursor", "read_cursors", "register", "retire"]


@dataclass(frozen=True, slots=True)
class ShipCursor:
    """``acked_sequence`` (0: nothing yet) and its MAC, as of ``updated_at``."""

    target: str
    acked_sequence: int
    acked_mac: str
    updated_at: datetime


def _has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'ship_cursor'").fetchone()
    return row is not None


def read_cursors(conn: sqlite3.Connection) -> list[ShipCursor]:
    """Every registered target's cursor ([] for a version 1 journal opened read-only)."""
    if not _has_table(conn):
        return []
    rows = conn.execute(
        "SELECT target, acked_sequence, acked_mac, updated_at FROM ship_cursor ORDER BY target"
    ).fetchall()
    return [ShipCursor(str(r[0]), int(r[1]), str(r[2]), parse_timestamp(str(r[3]))) for r in rows]


def read_cursor(conn: sqlite3.Connection, target: str) -> ShipCursor | None:
    return next((c for c in read_cursors(conn) if c.target == target), None)


def register(conn: sqlite3.Connection, target: str) -> None:
    """Start tracking ``target`` at sequence 0 (no-op if it is tracked already)."""
    conn.execute(
        "INSERT OR IGNORE INTO ship_cursor (target, acked_sequence, acked_mac, updated_at) "
        "VALUES (?, 0, ?, ?)",
        (target, GENESIS_MAC, format_timestamp(datetime.now(UTC))),
    )


def advance(conn: sqlite3.Connection, target: str, sequence: int, mac: str) -> bool:
    """Move ``target``'s cursor forward to ``sequence``; False if it was already there or past."""
    cursor = conn.execute(
        "UPDATE ship_cursor SET acked_sequence = ?, acked_mac = ?, updated_at = ? "
        "WHERE target = ? AND acked_sequence < ?",
        (sequence, mac, format_timestamp(datetime.now(UTC)), target, sequence),
    )
    return cursor.rowcount == 1


def retire(conn: sqlite3.Connection, target: str) -> bool:
    """Stop tracking ``target`` (shipping to it was switched off for good); True if it was."""
    return conn.execute("DELETE FROM ship_cursor WHERE target = ?", (target,)).rowcount == 1


def lowest_acked(conn: sqlite3.Connection) -> int | None:
    """The lowest acknowledged sequence over all targets (None: no target is tracked)."""
    if not _has_table(conn):
        return None
    value = conn.execute("SELECT MIN(acked_sequence) FROM ship_cursor").fetchone()[0]
    return None if value is None else int(value)
