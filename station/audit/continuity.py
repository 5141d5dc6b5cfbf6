"""Is the journal on disk still the one whose head was shipped? Deleted, emptied, replaced,
rolled back or truncated, said in one word and one sentence.

The anchor (:mod:`station.audit.anchor`) records the last head the SIEM received; the journal
keeps its own head record beside its rows (:mod:`station.audit.schema`). Together they tell:

========== =====================================================================================
deleted    no journal file at all
emptied    the file is there but holds no rows (zero bytes, or every row removed)
replaced   a different journal (another ``journal_id``) stands in its place: a new chain
truncated  rows the anchor or the journal's own head record names were cut off the end
rolled back the file is an older copy of itself (its own head record agrees with its last row),
           or it was rolled back and written again, so the anchored row now has another MAC
========== =====================================================================================

Everything here opens the journal read-only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from station.audit.anchor import Anchor
from station.audit.journal import AuditJournal

__all__ = ["Continuity", "Finding", "check_continuity", "compare_with_anchor"]


class Finding(StrEnum):
    DELETED = "deleted"
    EMPTIED = "emptied"
    REPLACED = "replaced"
    ROLLED_BACK = "rolled back"
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class Continuity:
    """``finding`` is None when the journal still holds the anchored head (or nothing is anchored)."""

    finding: Finding | None
    message: str

    @property
    def ok(self) -> bool:
        return self.finding is None


def _shipped(anchor: Anchor) -> str:
    return f"row {anchor.sequence} was shipped to {anchor.target} on {anchor.shipped_at:%Y-%m-%d %H:%M} UTC"


def check_continuity(path: Path, key: bytes, anchor: Anchor | None) -> Continuity:
    """Compare the journal at ``path`` with ``anchor`` (read-only). Raises :class:`AuditError`
    only for a file that cannot be read at all or a wrong key."""
    if anchor is None:
        return Continuity(None, "no anchor yet (nothing has been shipped from this journal)")
    if not path.exists():
        return Continuity(
            Finding.DELETED, f"the journal {path} is gone, but {_shipped(anchor)}: the journal was deleted"
        )
    with AuditJournal.open(path, key, read_only=True) as journal:
        return compare_with_anchor(journal, anchor)


def compare_with_anchor(journal: AuditJournal, anchor: Anchor) -> Continuity:
    """The same check on an open journal (the shipper uses it before moving the anchor)."""
    head = journal.head()
    if head is None:
        size = "zero bytes" if journal.path.stat().st_size == 0 else "no rows"
        return Continuity(
            Finding.EMPTIED, f"the journal holds {size}, but {_shipped(anchor)}: the journal was emptied"
        )
    journal_id = journal.journal_id
    if journal_id != anchor.journal_id:
        return Continuity(
            Finding.REPLACED,
            f"this is another journal (id {journal_id or 'none: written by station 0.1.0'}) than the one "
            f"anchored (id {anchor.journal_id}), whose {_shipped(anchor)}: the journal was replaced and "
            "a new chain started",
        )
    last, _ = head
    if last < anchor.sequence:
        recorded = journal.recorded_head()
        if recorded is not None and recorded.sequence > last:
            return Continuity(
                Finding.TRUNCATED,
                f"the journal ends at row {last}, but its own head record names row {recorded.sequence} "
                f"and {_shipped(anchor)}: rows {last + 1}–{max(recorded.sequence, anchor.sequence)} "
                "were cut off the end",
            )
        return Continuity(
            Finding.ROLLED_BACK,
            f"the journal ends at row {last}, but {_shipped(anchor)}: the journal was rolled back to an "
            "older copy of itself",
        )
    rows = journal.rows_after(anchor.sequence - 1, 1)
    if rows and rows[0].sequence == anchor.sequence:
        if not hmac.compare_digest(rows[0].mac, anchor.mac):
            return Continuity(
                Finding.ROLLED_BACK,
                f"row {anchor.sequence} is not the row that was shipped ({_shipped(anchor)}): the journal "
                "was rolled back to an older copy and written again",
            )
        return Continuity(None, f"holds the anchored head ({_shipped(anchor)})")
    return Continuity(None, f"row {anchor.sequence} was purged after it was shipped ({_shipped(anchor)})")
