"""Appending a row and purging old ones: the only two ways the journal table changes.

Both run inside the caller's ``BEGIN IMMEDIATE`` transaction. Every row written also moves
``journal_head`` (schema version 2) in that transaction, and an append first checks that the
head still names the newest row: if rows were cut off the end, the station refuses to continue
the chain over the gap (the verdict is then not final, as for any failed write) instead of
silently hiding the cut under new rows.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from station.audit.chain import Head, verify_rows
from station.audit.errors import AuditIntegrityError
from station.audit.records import (
    COLUMN_NAMES,
    GENESIS_MAC,
    KIND_CHECKPOINT,
    AuditRecord,
    compute_mac,
    format_timestamp,
)
from station.audit.schema import NO_DELETE_TRIGGER

__all__ = ["insert", "next_link", "purge_rows", "recorded_head"]

_INSERT = (  # built only from the fixed column list, never from data
    f"INSERT INTO journal ({', '.join(COLUMN_NAMES)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + name for name in COLUMN_NAMES)})"
)
_SET_HEAD = (
    "INSERT INTO journal_head (id, sequence, mac) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, mac = excluded.mac"
)
# The statements live here, not in the functions: SQL keywords and names are case-insensitive, so
# a mutation tool's upper- and lower-case variants of a statement inside a function are equivalent
# mutants; constants at module level are not mutated.
_HEAD = "SELECT sequence, mac FROM journal_head WHERE id = 1"
_NEWEST = "SELECT sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1"
_ALL_ROWS = "SELECT * FROM journal ORDER BY sequence"
_FIRST_KEPT = "SELECT MIN(sequence) FROM journal WHERE recorded_at >= ?"
_RANGE = "SELECT MIN(sequence), MAX(sequence) FROM journal"
_COUNT_THROUGH = "SELECT COUNT(*) FROM journal WHERE sequence <= ?"
_MAC_OF = "SELECT mac FROM journal WHERE sequence = ?"
_DROP_DELETE_GUARD = "DROP TRIGGER IF EXISTS journal_no_delete"
_DELETE_THROUGH = "DELETE FROM journal WHERE sequence <= ?"


def recorded_head(conn: sqlite3.Connection) -> Head | None:
    """The head the journal recorded with its last write (None before schema version 2)."""
    try:
        row = conn.execute(_HEAD).fetchone()
    except sqlite3.OperationalError:  # a version 1 journal opened read-only
        return None
    return None if row is None else Head(int(row[0]), str(row[1]))


def next_link(conn: sqlite3.Connection, path: Path) -> tuple[int, str]:
    """The next sequence and the MAC it must chain to; refuses if the tail was cut off."""
    row = conn.execute(_NEWEST).fetchone()
    head = recorded_head(conn)
    if head is not None and (
        row is None or int(row[0]) != head.sequence or not hmac.compare_digest(str(row[1]), head.mac)
    ):
        newest = "no row at all" if row is None else f"row {row[0]}"
        raise AuditIntegrityError(
            f"The audit journal {path} ends at {newest} but its head record names row "
            f"{head.sequence}: rows were removed from the end. The station will not continue the "
            "chain over the gap. Run 'station audit verify', keep this file as evidence and "
            "start a new journal."
        )
    if row is None:
        return 1, GENESIS_MAC
    return int(row[0]) + 1, str(row[1])


def insert(
    conn: sqlite3.Connection,
    key: bytes,
    sequence: int,
    prev_mac: str,
    columns: Mapping[str, Any],
    *,
    purged_rows: int | None = None,
    purged_through: int | None = None,
    purged_through_mac: str | None = None,
) -> str:
    """Insert one signed row and move the head to it; return its MAC."""
    row: dict[str, Any] = dict(columns)
    row.update(
        sequence=sequence,
        recorded_at=format_timestamp(datetime.now(UTC)),
        purged_rows=purged_rows,
        purged_through=purged_through,
        purged_through_mac=purged_through_mac,
        prev_mac=prev_mac,
    )
    mac = compute_mac(key, row)
    row["mac"] = mac
    conn.execute(_INSERT, row)
    conn.execute(_SET_HEAD, (sequence, mac))
    return mac


def purge_rows(
    conn: sqlite3.Connection, key: bytes, path: Path, older_than: datetime, keep_after: int | None
) -> int:
    """Remove the oldest rows recorded before ``older_than`` and leave a signed checkpoint.

    Rows go only as a prefix of the chain, never past ``keep_after`` (the lowest sequence every
    shipping target has acknowledged: an unshipped row is never purged). Refuses
    (:class:`AuditIntegrityError`) if the chain does not verify, since purging would destroy the
    evidence. Returns how many rows went (0: nothing removed, no checkpoint written).
    """
    cutoff = format_timestamp(older_than)
    report = verify_rows(key, conn.execute(_ALL_ROWS), recorded_head(conn))
    if not report.ok:
        raise AuditIntegrityError(f"Refusing to purge: the journal does not verify ({report.message}).")
    keep = conn.execute(_FIRST_KEPT, (cutoff,)).fetchone()[0]
    first, last = conn.execute(_RANGE).fetchone()
    if first is None:
        return 0
    through = last if keep is None else keep - 1
    if keep_after is not None:
        through = min(through, keep_after)
    if through < first:
        return 0
    removed = int(conn.execute(_COUNT_THROUGH, (through,)).fetchone()[0])
    through_mac = conn.execute(_MAC_OF, (through,)).fetchone()[0]
    # Before deleting: the tail may go too. The chain verified above, head included, so the
    # refusal inside next_link (whose message names the path) cannot happen here.
    sequence, prev_mac = next_link(conn, path)  # pragma: no mutate
    # DDL is transactional in SQLite: the trigger is back before anyone else can see.
    conn.execute(_DROP_DELETE_GUARD)
    conn.execute(_DELETE_THROUGH, (through,))
    conn.execute(NO_DELETE_TRIGGER)
    checkpoint = AuditRecord(
        kind=KIND_CHECKPOINT,  # app_version: the record's default, this station's version
        notes=f"purge: removed {removed} rows (sequences {first}–{through}) recorded before {cutoff}",
    )
    insert(
        conn,
        key,
        sequence,
        prev_mac,
        checkpoint.to_columns(),
        purged_rows=removed,
        purged_through=through,
        purged_through_mac=through_mac,
    )
    return removed
