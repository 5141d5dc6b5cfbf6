"""The operator's recent attempts, read from the station's own journal for the history panel.

The screen never opens the journal: it asks :class:`AttemptHistory`, which reads in a worker
thread (SQLite is disk I/O) and leaves out the station's own events (policy, heartbeat, session,
PIN, chain restarts), which are for IT and the auditors.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from station.audit import AuditError, AuditJournal, StoredRecord

__all__ = ["STATION_EVENTS", "AttemptHistory", "StoredRecord"]

_log = logging.getLogger(__name__)

#: Station events the operator's history leaves out (they are for IT and the auditors).
STATION_EVENTS: Final = frozenset(
    {"policy", "heartbeat", "session", "pin", "chain_restarted", "attempt_started"}
)


class AttemptHistory:
    def __init__(self, journal: AuditJournal) -> None:
        self._journal = journal

    async def recent(self, rows: int) -> list[StoredRecord] | None:
        """The last ``rows`` attempts and follow-ups, newest first; None if the journal cannot be
        read now (logged; the panel keeps what it shows)."""
        try:
            stored = await asyncio.to_thread(self._journal.recent, rows * 2)
        except AuditError as exc:
            _log.warning("history could not be read: %s", exc)
            return None
        return [row for row in stored if row.record.kind not in STATION_EVENTS][:rows]
