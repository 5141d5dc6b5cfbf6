"""The last attempts from the audit journal, for the operator and the branch supervisor.

Reading the journal is disk I/O, so :meth:`HistoryPanel.refresh` reads it in a worker thread and
fills the table when the rows are back; the UI thread never waits on SQLite.

On screen the dates, times and scores follow the operator's locale (``hi_IN``: ``12/2/26
2:05:09 pm``, ``12,34,567``); the journal and its exports keep ISO 8601 and English words,
untouched: only this view formats them. The outcome words are shown in the operator's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import shiboken6
from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, QTime
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from station.application.history import AttemptHistory, StoredRecord
from station.words import QT_TRANSLATE_NOOP

__all__ = ["HISTORY_ROWS", "HistoryPanel", "local_time_text", "row_description"]

translate = QCoreApplication.translate

HISTORY_ROWS = 50
COLUMNS = (
    QT_TRANSLATE_NOOP("History", "#"),
    QT_TRANSLATE_NOOP("History", "Time"),
    QT_TRANSLATE_NOOP("History", "Outcome"),
    QT_TRANSLATE_NOOP("History", "Score"),
    QT_TRANSLATE_NOOP("History", "Faces"),
    QT_TRANSLATE_NOOP("History", "Operator"),
    QT_TRANSLATE_NOOP("History", "Customer ref"),
    QT_TRANSLATE_NOOP("History", "Settles"),
    QT_TRANSLATE_NOOP("History", "Client id"),
)

_log = logging.getLogger(__name__)


def local_time_text(when: datetime, locale: QLocale) -> str:
    """``when`` in the station's time zone, as ``locale`` writes a short date and a time with
    seconds (an audit question is often "which second")."""
    local = when.astimezone()
    date = QDate(local.year, local.month, local.day)
    time = QTime(local.hour, local.minute, local.second)
    time_format = locale.timeFormat(QLocale.FormatType.ShortFormat)
    if "ss" not in time_format:
        time_format = time_format.replace("mm", "mm:ss", 1)
    return f"{locale.toString(date, QLocale.FormatType.ShortFormat)} {locale.toString(time, time_format)}"


def _outcome(word: str) -> str:
    """A journal word (``LIVE``, ``SPOOF``…) in the interface language."""
    return translate("Headline", word)


def _cells(stored: StoredRecord, locale: QLocale) -> tuple[str, ...]:
    record = stored.record
    when = local_time_text(stored.recorded_at, locale)
    number = locale.toString
    if stored.is_checkpoint:
        purged = translate("History", "{count} purged").format(count=number(stored.purged_rows or 0))
        return (str(stored.sequence), when, translate("History", "checkpoint"), "", "", "", "", "", purged)
    score = "" if record.score is None else locale.toString(record.score, "f", 3)
    faces = "" if record.face_count is None else number(record.face_count)
    # A review or a face pick names the attempt it settles: the two rows read together.
    settles = f"→ #{record.settles_sequence}" if record.settles_sequence is not None else ""
    outcome = _outcome(record.outcome) if record.outcome else record.kind
    if record.kind == "review":
        outcome = translate("History", "{outcome} (review)").format(outcome=outcome)
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


def row_description(headers: list[str], cells: tuple[str, ...]) -> str:
    """One History row as a screen reader says it: "Attempt 12: Time 07/12/2026 09:01:02, Outcome
    SPOOF, …", the empty cells left out."""
    number, *rest = cells
    parts = [f"{header} {text}" for header, text in zip(headers[1:], rest, strict=True) if text]
    return translate("History", "Attempt {number}: {cells}").format(number=number, cells=", ".join(parts))


class HistoryPanel(QWidget):
    def __init__(self, history: AttemptHistory | None, rows: int = HISTORY_ROWS) -> None:
        super().__init__()
        self._history = history
        self._rows = rows
        self._locale = QLocale()
        self._shown: list[StoredRecord] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._refreshing: asyncio.Task[None] | None = None
        self.retranslate()

    def set_locale(self, locale: QLocale) -> None:
        """Dates, times and numbers as the operator's locale writes them (the rows shown too)."""
        self._locale = locale
        self.show_rows(self._shown)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([translate("History", column) for column in COLUMNS])
        self.table.setAccessibleName(translate("History", "Recent attempts"))
        self.show_rows(self._shown)

    def schedule_refresh(self) -> None:
        """Refresh soon, in the background; a refresh already under way is enough."""
        if self._history is None or (self._refreshing is not None and not self._refreshing.done()):
            return
        self._refreshing = asyncio.ensure_future(self.refresh())

    async def wait_idle(self) -> None:
        """For shutdown: let a refresh under way finish before the journal or the widget goes."""
        if self._refreshing is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._refreshing

    async def refresh(self) -> None:
        if self._history is None:
            return
        rows = await self._history.recent(self._rows)
        if rows is not None and shiboken6.isValid(
            self.table
        ):  # the window may have closed while the rows were read
            self.show_rows(rows)

    def show_rows(self, rows: list[StoredRecord]) -> None:
        rows = rows[: self._rows]
        self._shown = rows
        self.table.setRowCount(len(rows))
        headers = [translate("History", column) for column in COLUMNS]
        for row, stored in enumerate(rows):
            cells = _cells(stored, self._locale)
            spoken = row_description(headers, cells)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                # A screen reader moving along a row hears the whole attempt, not a bare number.
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, spoken)
                if not text:
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, translate("History", "none"))
                self.table.setItem(row, column, item)
