"""The last attempts from the audit journal, for the operator and the branch supervisor.

Reading the journal is disk I/O, so :meth:`HistoryPanel.refresh` reads it in a worker thread and
fills the table when the rows are back; the UI thread never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import shiboken6
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from station.audit import AuditError, AuditJournal, StoredRecord

__all__ = ["HISTORY_ROWS", "HistoryPanel"]

HISTORY_ROWS = 50
#: Station events the operator's history leaves out (they are for IT and the auditors).
STATION_EVENTS = frozenset({"policy", "heartbeat", "session", "pin"})
COLUMNS = ("#", "Time", "Outcome", "Score", "Faces", "Operator", "Customer ref", "Settles", "Client id")

_log = logging.getLogger(__name__)


def _cells(stored: StoredRecord) -> tuple[str, ...]:
    record = stored.record
    when = stored.recorded_at.astimezone().strftime("%H:%M:%S")
    if stored.is_checkpoint:
        return (str(stored.sequence), when, "checkpoint", "", "", "", "", "", f"{stored.purged_rows} purged")
    score = "" if record.score is None else f"{record.score:.3f}"
    faces = "" if record.face_count is None else str(record.face_count)
    # A review or a face pick names the attempt it settles: the two rows read together.
    settles = f"→ #{record.settles_sequence}" if record.settles_sequence is not None else ""
    outcome = record.outcome or record.kind
    if record.kind == "review":
        outcome = f"{outcome} (review)"
    return (
        str(stored.sequence),
        when,
        outcome,
        score,
        faces,
        record.operator_id or "",
        record.customer_ref or "",
        settles,
        record.client_id or "",
    )


class HistoryPanel(QWidget):
    def __init__(self, journal: AuditJournal | None, rows: int = HISTORY_ROWS) -> None:
        super().__init__()
        self._journal = journal
        self._rows = rows
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Recent attempts")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._refreshing: asyncio.Task[None] | None = None

    def schedule_refresh(self) -> None:
        """Refresh soon, in the background; a refresh already under way is enough."""
        if self._journal is None or (self._refreshing is not None and not self._refreshing.done()):
            return
        self._refreshing = asyncio.ensure_future(self.refresh())

    async def wait_idle(self) -> None:
        """For shutdown: let a refresh under way finish before the journal or the widget goes."""
        if self._refreshing is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._refreshing

    async def refresh(self) -> None:
        if self._journal is None:
            return
        try:
            rows = await asyncio.to_thread(self._journal.recent, self._rows * 2)
        except AuditError as exc:
            _log.warning("history could not be read: %s", exc)
            return
        if shiboken6.isValid(self.table):  # the window may have closed while the rows were read
            self.show_rows(rows)

    def show_rows(self, rows: list[StoredRecord]) -> None:
        rows = [row for row in rows if row.record.kind not in STATION_EVENTS][: self._rows]
        self.table.setRowCount(len(rows))
        for row, stored in enumerate(rows):
            for column, text in enumerate(_cells(stored)):
                self.table.setItem(row, column, QTableWidgetItem(text))
