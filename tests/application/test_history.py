"""The operator's history, read for the screen by the application layer (the UI never opens the
journal): a real journal in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.application.history import AttemptHistory
from station.audit import AuditJournal
from station.audit.records import AuditRecord
from tests.application.conftest import KEY

pytestmark = pytest.mark.anyio


async def test_the_history_leaves_out_the_stations_own_events(journal: AuditJournal) -> None:
    journal.append(AuditRecord(customer_ref="CUST-0", outcome="LIVE"))
    journal.append(AuditRecord(kind="pin", notes="administrator: PIN wrong"))
    journal.append(AuditRecord(customer_ref="CUST-1", outcome="SPOOF"))
    journal.append(AuditRecord(kind="heartbeat"))
    journal.append(AuditRecord(customer_ref="CUST-2", outcome="LIVE"))
    history = AttemptHistory(journal)
    rows = await history.recent(3)
    assert rows is not None
    assert [row.record.customer_ref for row in rows] == ["CUST-2", "CUST-1", "CUST-0"]  # newest first
    two = await history.recent(2)
    assert two is not None and [row.record.customer_ref for row in two] == ["CUST-2", "CUST-1"]


async def test_a_journal_that_cannot_be_read_gives_none_not_a_traceback(tmp_path: Path) -> None:
    with AuditJournal.open(tmp_path / "audit.sqlite3", KEY) as journal:
        journal.append(AuditRecord(customer_ref="CUST-1", outcome="LIVE"))
        history = AttemptHistory(journal)
    (tmp_path / "audit.sqlite3").write_bytes(b"not a journal")
    assert await history.recent(5) is None
