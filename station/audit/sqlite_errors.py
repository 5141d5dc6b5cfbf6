"""SQLite's failures in words an operator or auditor can act on.

The journal fails closed: when a row cannot be committed the verdict is not final, and the person
at the counter has to know why (a full disk, a lock held by another program, a read-only copy)
without reading SQLite's own text, which stays on the exception's ``__cause__`` for the log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["RECORD_ACTION", "explain"]

#: The action name :func:`explain` recognises as an attempt being recorded.
RECORD_ACTION = "record this attempt"

# Primary SQLite result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def explain(exc: sqlite3.Error, path: Path, busy_timeout: float, action: str) -> str:
    """A plain-language sentence naming the action, the reason and the journal's path."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    not_recorded = " Nothing was recorded." if action == RECORD_ACTION else ""
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        reason = f"the audit journal is locked by another program (waited {busy_timeout:g} s)"
    elif primary == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        reason = "the audit journal is read-only (file permissions, a read-only disk or mount)"
    elif primary == _SQLITE_FULL or "full" in text:
        reason = "the disk holding the audit journal is full"
    elif primary == _SQLITE_IOERR:
        reason = "the disk reported an input/output error"
    elif primary == _SQLITE_CANTOPEN:
        reason = "the audit journal file cannot be opened (missing folder or no permission)"
    elif primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        reason = "the file is damaged or is not an audit journal"
    else:
        reason = f"SQLite reported: {exc}"
    return f"Could not {action}: {reason}.{not_recorded} Journal: {path}"
