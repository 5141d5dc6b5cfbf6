"""The journal's last head kept outside it: ``audit.sqlite3.head`` beside the journal and its key.

Why
    The journal records its own head (:mod:`station.audit.writing`), but a journal file deleted,
    emptied or replaced takes that record with it, and a station restarted over the gap used to
    start a new chain ("Audit record #1 … intact") as if nothing had been lost. So every committed
    append also writes the new head (journal id, sequence, MAC) into a small file beside the
    journal: a station that finds no journal, an empty one, another chain or fewer rows where its
    head file says a journal stood refuses to write (see :mod:`station.audit.vanish`) until an
    administrator starts a new chain that records the old head.

The file
    One JSON object: ``format``, ``journal_id``, ``sequence``, ``mac``, ``written_at`` and
    ``head_mac`` = HMAC-SHA256 with the journal's key over the canonical JSON of the other fields.
    Without the key nobody can forge or lower it; it is written whole to a private file and
    renamed over the old one (:class:`~station.audit.files.PrivateFileWriter`) right after each
    commit: a crash in between leaves it one row behind the journal, never ahead (rows past the
    head are accepted, since their MACs chain on from it), and two processes appending at once
    can at worst leave it a row behind.
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

__all__ = ["HEAD_FORMAT", "HeadFileError", "JournalHead", "head_path_beside", "read_head", "write_head"]

HEAD_FORMAT = "station-audit-head/1"
_FIELDS = ("format", "journal_id", "sequence", "mac", "written_at")


class HeadFileError(AuditIntegrityError):
    """The head file exists but is unreadable, malformed, or was altered (that is evidence too)."""


@dataclass(frozen=True, slots=True)
class JournalHead:
    """Row ``sequence`` with ``mac`` was the newest of journal ``journal_id`` at ``written_at``."""

    journal_id: str
    sequence: int
    mac: str
    written_at: datetime

    def __str__(self) -> str:
        return (
            f"journal {self.journal_id}, row {self.sequence}, MAC {self.mac}, "
            f"last written {format_timestamp(self.written_at)}"
        )

    def _fields(self) -> dict[str, Any]:
        return {
            "format": HEAD_FORMAT,
            "journal_id": self.journal_id,
            "sequence": self.sequence,
            "mac": self.mac,
            "written_at": format_timestamp(self.written_at),
        }


def head_path_beside(journal: Path) -> Path:
    """``audit.sqlite3.head`` for ``audit.sqlite3``: the journal's own head file, in its folder
    (where the key and the anchor of the machine's journal live too); named after the whole file
    name, so two journals in one folder (``audit.sqlite3``, ``demo-audit.sqlite3``) never share one."""
    return journal.with_name(journal.name + ".head")


def read_head(path: Path, key: bytes) -> JournalHead | None:
    """The head at ``path``, or None if there is no file. Raises :class:`HeadFileError`."""
    altered = f"The audit head file {path} was altered or belongs to another key: its MAC does not match."
    try:
        fields = read_sealed(path, key, label="head", names=_FIELDS)
    except SealedFileError as exc:
        if exc.problem is SealedFileProblem.ALTERED:
            raise HeadFileError(altered) from None
        raise HeadFileError(f"The audit head file {path} cannot be read or is malformed: {exc}") from exc
    if fields is None:
        return None
    if fields["format"] != HEAD_FORMAT:
        raise HeadFileError(altered)
    try:
        return JournalHead(
            journal_id=str(fields["journal_id"]),
            sequence=int(fields["sequence"]),
            mac=str(fields["mac"]),
            written_at=parse_timestamp(str(fields["written_at"])),
        )
    except (TypeError, ValueError) as exc:
        raise HeadFileError(f"The audit head file {path} cannot be read or is malformed: {exc}") from exc


def write_head(path: Path, key: bytes, head: JournalHead) -> None:
    """Replace the head file atomically with ``head`` (mode 0600). Raises :class:`AuditWriteError`."""
    try:
        # The file's bytes are fsynced before the rename (never an empty head after a power cut);
        # the folder is not: a lost rename leaves the previous head, one row behind, which opens.
        write_sealed(path, key, label="head", fields=head._fields(), sync_folder=False)
    except (OSError, NotASmallFileError) as exc:
        raise AuditWriteError(f"Cannot write the audit head file {path}: {exc}") from exc
