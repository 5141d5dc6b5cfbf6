"""The local copy of the off-box anchor: the last journal head the bank's SIEM has received.

Why
    The HMAC chain proves rows were not altered, but not that rows are still all there: a journal
    emptied, deleted, replaced by an older copy of itself, or with its newest rows cut off, is a
    chain that verifies. Once a head (sequence and MAC) has been shipped, the SIEM holds proof of
    it; the station keeps the same head in a small file beside its key (``audit.anchor``), so
    ``station audit verify`` can say on its own which of those happened (see
    :mod:`station.audit.continuity`).

The file
    One JSON object: ``format``, ``journal_id``, ``sequence``, ``mac``, ``target``,
    ``shipped_at`` and ``anchor_mac`` = HMAC-SHA256 with the journal's key over the canonical JSON
    of the other fields (sorted keys, compact, ASCII). Without the key nobody can forge or lower
    it; deleting it is possible, which is why the SIEM's copy is the one that counts. It only
    moves forward, and never from one journal to another (:func:`advance_anchor`): a station
    that finds its journal replaced keeps the anchor of the old one as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from station.audit.errors import AuditIntegrityError, AuditWriteError
from station.audit.files import NotASmallFileError
from station.audit.records import format_timestamp, parse_timestamp
from station.audit.sealed import SealedFileError, SealedFileProblem, read_sealed, write_sealed

__all__ = ["ANCHOR_FORMAT", "Anchor", "AnchorError", "advance_anchor", "read_anchor", "write_anchor"]

ANCHOR_FORMAT = "station-audit-anchor/1"


class AnchorError(AuditIntegrityError):
    """The anchor file exists but is unreadable, malformed, or was altered."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """A head the SIEM is known to hold: row ``sequence`` with ``mac`` of journal ``journal_id``."""

    journal_id: str
    sequence: int
    mac: str
    target: str
    shipped_at: datetime

    def _fields(self) -> dict[str, Any]:
        return {
            "format": ANCHOR_FORMAT,
            "journal_id": self.journal_id,
            "sequence": self.sequence,
            "mac": self.mac,
            "target": self.target,
            "shipped_at": format_timestamp(self.shipped_at),
        }


_FIELDS = ("format", "journal_id", "sequence", "mac", "target", "shipped_at")


def read_anchor(path: Path, key: bytes) -> Anchor | None:
    """The anchor at ``path``, or None if there is none. Raises :class:`AnchorError`."""
    altered = f"The audit anchor {path} was altered or belongs to another key: its MAC does not match."
    try:
        fields = read_sealed(path, key, label="anchor", names=_FIELDS)
    except SealedFileError as exc:
        if exc.problem is SealedFileProblem.UNREADABLE:
            raise AnchorError(f"The audit anchor {path} cannot be read: {exc.detail}") from exc
        if exc.problem is SealedFileProblem.MALFORMED:
            raise AnchorError(f"The audit anchor {path} is malformed ({exc.detail}).") from exc
        raise AnchorError(altered) from None
    if fields is None:
        return None
    if fields["format"] != ANCHOR_FORMAT:
        raise AnchorError(altered)
    try:
        return Anchor(
            journal_id=str(fields["journal_id"]),
            sequence=int(fields["sequence"]),
            mac=str(fields["mac"]),
            target=str(fields["target"]),
            shipped_at=parse_timestamp(str(fields["shipped_at"])),
        )
    except (TypeError, ValueError) as exc:
        raise AnchorError(f"The audit anchor {path} is malformed ({exc}).") from exc


def write_anchor(path: Path, key: bytes, anchor: Anchor) -> None:
    """Replace the anchor file atomically with ``anchor`` (mode 0600)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_sealed(path, key, label="anchor", fields=anchor._fields(), sync_folder=True)
    except (OSError, NotASmallFileError) as exc:
        raise AuditWriteError(f"Cannot write the audit anchor {path}: {exc}") from exc


def advance_anchor(path: Path, key: bytes, anchor: Anchor) -> bool:
    """Write ``anchor`` if it moves the same journal's anchor forward (or there is none yet).

    Returns False, writing nothing, if the stored anchor is at or past ``anchor.sequence`` or
    names another journal: an anchor never moves back and never jumps to a replacement journal.
    Raises :class:`AnchorError` if the stored anchor was altered (that is evidence too).
    """
    current = read_anchor(path, key)
    if current is not None and (
        current.journal_id != anchor.journal_id or current.sequence >= anchor.sequence
    ):
        return False
    write_anchor(path, key, anchor)
    return True
