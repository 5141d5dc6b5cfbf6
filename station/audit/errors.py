"""The audit journal's exceptions, in plain language an operator or auditor can act on.

The station fails closed: if an attempt cannot be committed to the journal, the verdict is not
shown as final. :class:`AuditWriteError` is the one exception a caller of ``append`` must handle.
"""

from __future__ import annotations

__all__ = [
    "AuditError",
    "AuditIntegrityError",
    "AuditKeyError",
    "AuditWriteError",
    "JournalNotFoundError",
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
