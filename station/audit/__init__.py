"""Tamper-evident audit journal of every verification attempt (SQLite + HMAC chain).

Bank auditors inspect this journal; it must show every attempt, and show it was not altered, and
that nothing was taken away. One job per module:

============== ===================================================================================
records        what a row holds, the field limits, the MAC rule an outside tool can re-check
schema         the tables, their guards, the upgrade of a 0.1.0 journal
journal        :class:`AuditJournal`: open (read-only too), append, purge, read, export
writing        appending a row and purging old ones
chain          checking the chain: altered, missing, out-of-place rows, a cut-off tail
export         CSV (formula-safe) and JSONL (MAC-checkable) exports
cursor         what each shipping target has acknowledged (the journal is the shipper's spool)
anchor         the last head shipped off the box, kept beside the key
head           the journal's last head, kept beside it after every append
vanish         a journal deleted, replaced or cut under the station; refusing a silent new chain
restart        ``station audit new-chain``: a new chain whose first row records the old head
bench          ``python -m station.audit.bench``: what the head file and the file check cost
continuity     deleted, emptied, replaced, rolled back or truncated, judged against the anchor
keys, files    where the HMAC key lives; reading small files without following links
sqlite_errors  SQLite's failures in plain words
============== ===================================================================================

This package imports no Qt and no HTTP client.

The names below are imported on first use (PEP 562): reading a path or the key (the settings do,
before the station's first frame) does not load the journal, its chain checks and SQLite (issue 27).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from station.audit.anchor import Anchor, AnchorError, advance_anchor, read_anchor, write_anchor
    from station.audit.chain import BreakKind, Head, Problem, VerifyReport
    from station.audit.continuity import Continuity, Finding, check_continuity, compare_with_anchor
    from station.audit.cursor import ShipCursor
    from station.audit.errors import (
        AuditError,
        AuditIntegrityError,
        AuditKeyError,
        AuditWriteError,
        ChainRestartRequiredError,
        JournalLoss,
        JournalNotFoundError,
        JournalVanishedError,
    )
    from station.audit.journal import AuditJournal, Backlog
    from station.audit.keys import load_key, load_or_create_key, read_key_file
    from station.audit.paths import (
        anchor_path_beside,
        default_anchor_path,
        default_journal_path,
        default_key_path,
    )
    from station.audit.records import (
        KIND_ATTEMPT_STARTED,
        KIND_CHAIN_RESTARTED,
        KIND_CHECKPOINT,
        KIND_HEARTBEAT,
        KIND_REVIEW,
        KIND_VERIFICATION,
        TEXT_LIMITS,
        AuditRecord,
        StoredRecord,
        compute_mac,
    )

_WHERE: Final = {
    "Anchor": "station.audit.anchor",
    "AnchorError": "station.audit.anchor",
    "AuditError": "station.audit.errors",
    "AuditIntegrityError": "station.audit.errors",
    "AuditJournal": "station.audit.journal",
    "AuditKeyError": "station.audit.errors",
    "AuditRecord": "station.audit.records",
    "AuditWriteError": "station.audit.errors",
    "Backlog": "station.audit.journal",
    "BreakKind": "station.audit.chain",
    "ChainRestartRequiredError": "station.audit.errors",
    "Continuity": "station.audit.continuity",
    "Finding": "station.audit.continuity",
    "Head": "station.audit.chain",
    "JournalLoss": "station.audit.errors",
    "JournalNotFoundError": "station.audit.errors",
    "JournalVanishedError": "station.audit.errors",
    "KIND_ATTEMPT_STARTED": "station.audit.records",
    "KIND_CHAIN_RESTARTED": "station.audit.records",
    "KIND_CHECKPOINT": "station.audit.records",
    "KIND_HEARTBEAT": "station.audit.records",
    "KIND_REVIEW": "station.audit.records",
    "KIND_VERIFICATION": "station.audit.records",
    "Problem": "station.audit.chain",
    "ShipCursor": "station.audit.cursor",
    "StoredRecord": "station.audit.records",
    "TEXT_LIMITS": "station.audit.records",
    "VerifyReport": "station.audit.chain",
    "advance_anchor": "station.audit.anchor",
    "anchor_path_beside": "station.audit.paths",
    "check_continuity": "station.audit.continuity",
    "compare_with_anchor": "station.audit.continuity",
    "compute_mac": "station.audit.records",
    "default_anchor_path": "station.audit.paths",
    "default_journal_path": "station.audit.paths",
    "default_key_path": "station.audit.paths",
    "load_key": "station.audit.keys",
    "load_or_create_key": "station.audit.keys",
    "read_anchor": "station.audit.anchor",
    "read_key_file": "station.audit.keys",
    "write_anchor": "station.audit.anchor",
}

__all__ = [
    "KIND_ATTEMPT_STARTED",
    "KIND_CHAIN_RESTARTED",
    "KIND_CHECKPOINT",
    "KIND_HEARTBEAT",
    "KIND_REVIEW",
    "KIND_VERIFICATION",
    "TEXT_LIMITS",
    "Anchor",
    "AnchorError",
    "AuditError",
    "AuditIntegrityError",
    "AuditJournal",
    "AuditKeyError",
    "AuditRecord",
    "AuditWriteError",
    "Backlog",
    "BreakKind",
    "ChainRestartRequiredError",
    "Continuity",
    "Finding",
    "Head",
    "JournalLoss",
    "JournalNotFoundError",
    "JournalVanishedError",
    "Problem",
    "ShipCursor",
    "StoredRecord",
    "VerifyReport",
    "advance_anchor",
    "anchor_path_beside",
    "check_continuity",
    "compare_with_anchor",
    "compute_mac",
    "default_anchor_path",
    "default_journal_path",
    "default_key_path",
    "load_key",
    "load_or_create_key",
    "read_anchor",
    "read_key_file",
    "write_anchor",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
