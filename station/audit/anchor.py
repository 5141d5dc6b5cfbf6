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

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from station.audit.errors import AuditIntegrityError, AuditWriteError
from station.audit.files import NotASmallFileError, PrivateFileWriter, read_small_file
from station.audit.records import format_timestamp, parse_timestamp

__all__ = ["ANCHOR_FORMAT", "Anchor", "AnchorError", "advance_anchor", "read_anchor", "write_anchor"]

ANCHOR_FORMAT = "station-audit-anchor/1"
_MAX_BYTES = 4096


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


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, b"station audit anchor\n" + body, hashlib.sha256).hexdigest()


def read_anchor(path: Path, key: bytes) -> Anchor | None:
    """The anchor at ``path``, or None if there is none. Raises :class:`AnchorError`."""
    if not os.path.lexists(path):
        return None
    try:
        data, _, fd = read_small_file(path, _MAX_BYTES)
        os.close(fd)
        obj = json.loads(data.decode("ascii"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AnchorError(f"The audit anchor {path} cannot be read: {exc}") from exc
    try:
        fields = {k: obj[k] for k in ("format", "journal_id", "sequence", "mac", "target", "shipped_at")}
        stored_mac = str(obj["anchor_mac"])
        anchor = Anchor(
            journal_id=str(fields["journal_id"]),
            sequence=int(fields["sequence"]),
            mac=str(fields["mac"]),
            target=str(fields["target"]),
            shipped_at=parse_timestamp(str(fields["shipped_at"])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"The audit anchor {path} is malformed ({exc}).") from exc
    if fields["format"] != ANCHOR_FORMAT or not hmac.compare_digest(stored_mac, _mac(key, fields)):
        raise AnchorError(
            f"The audit anchor {path} was altered or belongs to another key: its MAC does not match."
        )
    return anchor


def write_anchor(path: Path, key: bytes, anchor: Anchor) -> None:
    """Replace the anchor file atomically with ``anchor`` (mode 0600)."""
    fields = anchor._fields()
    text = json.dumps({**fields, "anchor_mac": _mac(key, fields)}, sort_keys=True, indent=1) + "\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with PrivateFileWriter(path) as out:
            os.write(out.fd, text.encode("ascii"))
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
