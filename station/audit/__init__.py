"""Tamper-evident audit journal of every verification attempt (SQLite + HMAC chain).

Bank auditors inspect this journal; it must show every attempt, and show it was not altered.
See :mod:`station.audit.journal` for the design and thread rules, :mod:`station.audit.keys` for
where the HMAC key lives. This package imports no Qt and no HTTP client.
"""

from station.audit.errors import (
    AuditError,
    AuditIntegrityError,
    AuditKeyError,
    AuditWriteError,
    JournalNotFoundError,
)
from station.audit.journal import AuditJournal, BreakKind, Problem, VerifyReport
from station.audit.keys import load_key, load_or_create_key, read_key_file
from station.audit.paths import default_journal_path, default_key_path
from station.audit.records import (
    KIND_CHECKPOINT,
    KIND_REVIEW,
    KIND_VERIFICATION,
    AuditRecord,
    StoredRecord,
    compute_mac,
)

__all__ = [
    "KIND_CHECKPOINT",
    "KIND_REVIEW",
    "KIND_VERIFICATION",
    "AuditError",
    "AuditIntegrityError",
    "AuditJournal",
    "AuditKeyError",
    "AuditRecord",
    "AuditWriteError",
    "BreakKind",
    "JournalNotFoundError",
    "Problem",
    "StoredRecord",
    "VerifyReport",
    "compute_mac",
    "default_journal_path",
    "default_key_path",
    "load_key",
    "load_or_create_key",
    "read_key_file",
]
