"""The audit journal's exceptions, in plain language an operator or auditor can act on.

The station fails closed: if an attempt cannot be committed to the journal, the verdict is not
shown as final. :class:`AuditWriteError` is the one exception a caller of ``append`` must handle.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AuditError",
    "AuditIntegrityError",
    "AuditKeyError",
    "AuditWriteError",
    "ChainRestartRequiredError",
    "JournalLoss",
    "JournalNotFoundError",
    "JournalVanishedError",
]


class AuditError(Exception):
    """Base of every audit journal error; ``str(err)`` is a complete sentence for a human."""


class AuditWriteError(AuditError):
    """The journal could not be opened for writing, or a record could not be committed.

    Nothing was recorded: the caller must not present the verdict as final.
    """


class AuditKeyError(AuditError):
    """The HMAC key could not be loaded or stored, or does not belong to this journal."""


class AuditIntegrityError(AuditError):
    """The journal's chain is broken, so an operation that would hide evidence was refused."""


class JournalNotFoundError(AuditError):
    """There is no journal at the given path (and the caller asked not to create one)."""


class JournalLoss(StrEnum):
    """How the journal file a station writes (or last wrote) went away."""

    #: No file at the path any more (or its write-ahead log is gone).
    DELETED = "deleted"
    #: The file is there but holds nothing (zero bytes, or no journal in it).
    EMPTIED = "emptied"
    #: Another file stands at the path: another inode, or another chain (another journal id).
    REPLACED = "replaced"
    #: The file is shorter than it was, or rows the head names are gone.
    TRUNCATED = "truncated"
    #: The row the head names holds other content: an older copy, written again.
    ROLLED_BACK = "rolled back"


class JournalVanishedError(AuditWriteError):
    """The journal file was deleted, emptied, replaced or truncated under the station.

    Nothing was recorded, and nothing more is written to that journal: the verdict is not final.
    ``finding`` says what happened (decide on it, never on the message).
    """

    def __init__(self, message: str, finding: JournalLoss) -> None:
        super().__init__(message)
        self.finding = finding


class ChainRestartRequiredError(JournalVanishedError):
    """Opening for writing found no journal, an empty one or another chain where the head file
    (or the anchor) says journal ``old_journal_id`` ended at row ``old_sequence`` with
    ``old_mac``. A new chain starts only by an administrator's ``station audit new-chain``."""

    def __init__(
        self, message: str, finding: JournalLoss, *, old_journal_id: str, old_sequence: int, old_mac: str
    ) -> None:
        super().__init__(message, finding)
        self.old_journal_id = old_journal_id
        self.old_sequence = old_sequence
        self.old_mac = old_mac
