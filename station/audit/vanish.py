"""A journal that vanishes is noticed: under a running station, and when it starts again.

Under a running station
    SQLite keeps writing to the file it opened, even after that file was deleted or another was
    put in its place, so a station once went on showing "Journal: writable" and final verdicts
    while every row went to an orphaned inode. The journal therefore records the identity of the
    file it opened (device, inode, the write-ahead log's inode) and the size it has seen, and
    before every write checks the path again (:func:`check_file`): no file, another inode, or a
    file shorter than it was is a vanished journal, and nothing more is written to it.

When the station starts
    A station restarted over a deleted journal used to start a new chain as if nothing was lost.
    Now, if the head file (:mod:`station.audit.head`) or the anchor names a journal, opening for
    writing checks that this journal is the one named and still holds the named row
    (:func:`judge_at_open`); if not, it refuses with :class:`ChainRestartRequiredError` naming
    the old head. Only an administrator's ``station audit new-chain`` starts a new chain, and its
    first row records the old head.
"""

from __future__ import annotations

import hmac
import os
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from station.audit.errors import ChainRestartRequiredError, JournalLoss
from station.audit.head import JournalHead
from station.audit.records import format_timestamp
from station.audit.schema import meta_value
from station.audit.writing import recorded_head

__all__ = ["FileIdentity", "check_file", "identify", "judge_at_open", "refuse_missing", "wal_path"]

_NEWEST = "SELECT sequence, mac FROM journal ORDER BY sequence DESC LIMIT 1"
_MAC_OF = "SELECT mac FROM journal WHERE sequence = ?"


def wal_path(path: Path) -> Path:
    """SQLite's write-ahead log beside the journal (``audit.sqlite3-wal``)."""
    return path.with_name(path.name + "-wal")


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """The journal file as it was opened: which file, the largest size seen, its WAL's inode."""

    device: int
    inode: int
    size: int
    wal_inode: int | None


def _wal_inode(path: Path) -> int | None:
    try:
        return os.stat(wal_path(path)).st_ino
    except FileNotFoundError:
        return None


def identify(path: Path) -> FileIdentity:
    """The identity of the file now at ``path``. Raises :class:`OSError` (no file)."""
    info = os.stat(path)
    return FileIdentity(info.st_dev, info.st_ino, info.st_size, _wal_inode(path))


def check_file(path: Path, known: FileIdentity) -> tuple[JournalLoss | None, FileIdentity]:
    """Is ``path`` still the file ``known`` describes? The finding (None: it is), and the identity
    to keep (the size only grows: the main file shrinks only by VACUUM, which the station never
    runs; a WAL created since is adopted)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return JournalLoss.DELETED, known
    if (info.st_dev, info.st_ino) != (known.device, known.inode):
        return JournalLoss.REPLACED, known
    if info.st_size < known.size:
        return (JournalLoss.EMPTIED if info.st_size == 0 else JournalLoss.TRUNCATED), known
    wal = _wal_inode(path)
    if known.wal_inode is not None and wal != known.wal_inode:
        # The WAL holds committed rows not yet copied into the main file: gone or swapped, they are lost.
        return (JournalLoss.DELETED if wal is None else JournalLoss.REPLACED), known
    return None, replace(known, size=max(known.size, info.st_size), wal_inode=wal)


def _refusal(
    path: Path, finding: JournalLoss, what: str, head: JournalHead, source: str
) -> ChainRestartRequiredError:
    return ChainRestartRequiredError(
        f"The audit journal {path} {what}, but {source} says journal {head.journal_id} ended at row "
        f"{head.sequence} (MAC {head.mac}, written {format_timestamp(head.written_at)}): the journal "
        f"was {finding.value}. The station will not start a new chain over it. Keep the folder as it "
        "is as evidence; an administrator starts a new chain with 'station audit new-chain', which "
        "records this head in the new journal.",
        finding,
        old_journal_id=head.journal_id,
        old_sequence=head.sequence,
        old_mac=head.mac,
    )


def refuse_missing(path: Path, head: JournalHead, source: str) -> ChainRestartRequiredError:
    """The refusal for a journal file that is not there at all."""
    return _refusal(path, JournalLoss.DELETED, "does not exist", head, source)


def judge_at_open(conn: sqlite3.Connection, version: int, path: Path, head: JournalHead, source: str) -> None:
    """Raise :class:`ChainRestartRequiredError` unless the journal open on ``conn`` is the one
    ``head`` names and still holds row ``head.sequence`` with ``head.mac`` (or a later purge
    removed it). Run inside the opening's write transaction, so no writer is half-way."""
    if version == 0:
        raise _refusal(path, JournalLoss.EMPTIED, "holds no journal", head, source)
    journal_id = meta_value(conn, "journal_id")
    if journal_id != head.journal_id:
        what = f"is another journal (id {journal_id or 'none: written by station 0.1.0'})"
        raise _refusal(path, JournalLoss.REPLACED, what, head, source)
    newest = conn.execute(_NEWEST).fetchone()
    if newest is None:
        raise _refusal(path, JournalLoss.EMPTIED, "holds no rows", head, source)
    last = int(newest[0])
    if last < head.sequence:
        own = recorded_head(conn)
        cut = own is not None and own.sequence > last
        finding = JournalLoss.TRUNCATED if cut else JournalLoss.ROLLED_BACK
        raise _refusal(path, finding, f"ends at row {last}", head, source)
    row = conn.execute(_MAC_OF, (head.sequence,)).fetchone()
    if row is not None and not hmac.compare_digest(str(row[0]), head.mac):
        raise _refusal(path, JournalLoss.ROLLED_BACK, f"holds another row {head.sequence}", head, source)
