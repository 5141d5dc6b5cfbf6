"""Starting a new chain over a vanished journal: an administrator's act, recorded in row 1.

A station refuses to write when its journal file is missing, empty, another chain, or lacks the
row its head file or anchor names (:mod:`station.audit.vanish`). ``station audit new-chain``
(after the administrator PIN) calls :func:`start_new_chain`, which

1. builds the new journal under a temporary name beside the old one, with row 1 of kind
   ``chain_restarted`` naming the old head (journal id, row, MAC, when it was written), what
   happened to the old file and the administrator's reason;
2. sets the old file aside (``audit-set-aside-<UTC time>.sqlite3``, its ``-wal`` with it), keeps
   a copy of the old head file (``audit.sqlite3.head.<old journal id>``) and moves an anchor that names
   the old journal to ``audit.anchor.<old journal id>`` (evidence, never deleted);
3. puts the new journal and its head file in place, in that order: if the machine stops half-way
   the station still refuses (the head file names the old chain), and the command can be run
   again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from station import __version__
from station.audit.anchor import read_anchor
from station.audit.errors import AuditError, ChainRestartRequiredError, JournalLoss, JournalNotFoundError
from station.audit.head import head_path_beside, read_head
from station.audit.journal import AuditJournal
from station.audit.records import (
    KIND_CHAIN_RESTARTED,
    AuditRecord,
    StoredRecord,
    fit_text,
    format_timestamp,
)
from station.audit.vanish import wal_path

__all__ = ["ChainRestart", "NothingToRestartError", "restart_row", "start_new_chain"]


class NothingToRestartError(AuditError):
    """The journal is where its head says it is (or there never was one): no new chain is needed."""


@dataclass(frozen=True, slots=True)
class ChainRestart:
    """What :func:`start_new_chain` did: the old head it recorded, and where the old files went."""

    finding: JournalLoss
    old_journal_id: str
    old_sequence: int
    old_mac: str
    new_journal_id: str
    #: The files found at the journal's path (the file, a -wal, a -shm), under their new names.
    set_aside: tuple[Path, ...]


def start_new_chain(
    path: Path,
    key: bytes,
    *,
    reason: str,
    station_id: str | None = None,
    administrator: str | None = None,
    anchor_file: Path | None = None,
    then: Sequence[AuditRecord] = (),
) -> ChainRestart:
    """Start a new chain at ``path`` whose row 1 records the vanished journal's head, followed by
    ``then`` (the administrator's PIN attempt, which had no journal to go to).

    Raises :class:`NothingToRestartError` if the journal at ``path`` opens as it is (nothing
    vanished) or there was never one, and :class:`AuditError` for anything that cannot be read.
    """
    path = Path(path).absolute()
    refusal = _refusal(path, key, anchor_file)
    head_path = head_path_beside(path)
    stamp = datetime.now(UTC)
    new_path = path.with_name(f".{path.name}.new-chain")
    new_head = head_path.with_name(f".{head_path.name}.new-chain")
    for leftover in (new_path, wal_path(new_path), new_path.with_name(new_path.name + "-shm"), new_head):
        leftover.unlink(missing_ok=True)  # a run the machine stopped half-way
    # A -wal left by a station that stopped without closing belongs to the old file: beside the
    # new journal SQLite would replay it into it. It steps aside with the file, whatever is left.
    found = [suffix for suffix in ("", "-wal", "-shm") if path.with_name(path.name + suffix).exists()]
    set_aside = _set_aside_name(path, stamp)
    moved = tuple(set_aside.with_name(set_aside.name + suffix) for suffix in found)
    aside = ", ".join(file.name for file in moved)
    notes = (
        f"new chain started by the administrator: the journal was {refusal.finding.value}; "
        f"previous journal {refusal.old_journal_id} ended at row {refusal.old_sequence} "
        f"with MAC {refusal.old_mac}{_written(head_path, key, refusal.old_journal_id)}; "
        f"old files {'set aside as ' + aside if aside else 'gone'}; reason: {reason.strip()}"
    )
    record = AuditRecord(
        kind=KIND_CHAIN_RESTARTED,
        requested_at=stamp,
        station_id=station_id,
        operator_id=administrator,
        outcome="RESTARTED",
        app_version=__version__,
        error_class=type(refusal).__name__,
        notes=fit_text("notes", notes),
    )
    with AuditJournal.open(new_path, key, head_file=new_head) as journal:
        journal.record_chain_restart(record)
        for row in then:
            journal.append(row)
        new_id = journal.journal_id or ""
    # Closed: the last connection folded the WAL into the file. Now the old files step aside.
    if head_path.exists():
        shutil.copy2(head_path, head_path.with_name(f"{head_path.name}.{refusal.old_journal_id}"))
    for suffix, target in zip(found, moved, strict=True):
        os.replace(path.with_name(path.name + suffix), target)
    os.replace(new_path, path)
    os.replace(new_head, head_path)
    if anchor_file is not None and anchor_file.exists():
        with contextlib.suppress(AuditError):
            anchor = read_anchor(anchor_file, key)
            if anchor is not None and anchor.journal_id == refusal.old_journal_id:
                os.replace(anchor_file, anchor_file.with_name(f"{anchor_file.name}.{anchor.journal_id}"))
    return ChainRestart(
        finding=refusal.finding,
        old_journal_id=refusal.old_journal_id,
        old_sequence=refusal.old_sequence,
        old_mac=refusal.old_mac,
        new_journal_id=new_id,
        set_aside=moved,
    )


def _refusal(path: Path, key: bytes, anchor_file: Path | None) -> ChainRestartRequiredError:
    """Why the station refuses this journal, with the old head; raises if it does not."""
    try:
        with AuditJournal.open(path, key, create=False, anchor_file=anchor_file):
            pass
    except ChainRestartRequiredError as exc:
        return exc
    except JournalNotFoundError as exc:
        raise NothingToRestartError(
            f"There is no audit journal at {path} and no head file or anchor names one: the station "
            "starts a journal there by itself. No new chain was started."
        ) from exc
    raise NothingToRestartError(
        f"The audit journal {path} is the one its head file names: nothing vanished, no new chain "
        "was started. Run 'station audit verify' to check it."
    )


def _written(head_path: Path, key: bytes, journal_id: str) -> str:
    try:
        head = read_head(head_path, key)
    except AuditError:
        return ""
    if head is None or head.journal_id != journal_id:
        return ""
    return f" (head written {format_timestamp(head.written_at)})"


def _set_aside_name(path: Path, stamp: datetime) -> Path:
    """``audit-set-aside-20261207T053000Z.sqlite3`` beside ``audit.sqlite3``."""
    return path.with_name(f"{path.stem}-set-aside-{stamp:%Y%m%dT%H%M%SZ}{path.suffix}")


def restart_row(journal: AuditJournal) -> StoredRecord | None:
    """The ``chain_restarted`` row this journal starts with (None: it started as a journal does)."""
    first = journal.rows_after(0, 1)
    if first and first[0].record.kind == KIND_CHAIN_RESTARTED:
        return first[0]
    return None
