"""The network check panel: runs :func:`station.netcheck.run_network_check` and shows each step.

The check runs as an asyncio task on the qasync loop, so the window stays responsive while it
waits on DNS, a connection or the service. Each step is shown three ways at once: a glyph
(✔ passed, ✖ failed, – skipped), a word, and a colour, with the engine's plain-language detail
that a branch's IT contact can act on. "Copy results" puts the whole report on the clipboard for
a support ticket (the engine never includes the token; proxy passwords are masked).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.application.service import Credential, Environment
from station.netcheck import CheckResult, run_network_check
from station.ui.message_book import MessageBook
from station.ui.style import qcolor
from station.words import QT_TRANSLATE_NOOP

__all__ = ["NetworkCheckDialog", "status_text"]

translate = QCoreApplication.translate

_log = logging.getLogger(__name__)

COLUMNS = (
    QT_TRANSLATE_NOOP("NetworkCheck", "Result"),
    QT_TRANSLATE_NOOP("NetworkCheck", "Step"),
    QT_TRANSLATE_NOOP("NetworkCheck", "Detail"),
)
_PASSED = ("✔", QT_TRANSLATE_NOOP("NetworkCheck", "Passed"), "#1B5E20")
_FAILED = ("✖", QT_TRANSLATE_NOOP("NetworkCheck", "Failed"), "#B71C1C")
_SKIPPED = ("–", QT_TRANSLATE_NOOP("NetworkCheck", "Skipped"), "#424242")


_BOOK = MessageBook()


def _step(name: str) -> str:
    """A step's name (marked in station.netcheck) in the operator's language; its detail is the
    network's own words, for IT, and stays as it came."""
    return _BOOK.translate(name, QCoreApplication.translate)


def _look(ok: bool | None) -> tuple[str, str, str]:
    return _PASSED if ok is True else _FAILED if ok is False else _SKIPPED


def status_text(ok: bool | None) -> str:
    """``✔ Passed``, ``✖ Failed`` or ``– Skipped``."""
    glyph, word, _ = _look(ok)
    return f"{glyph} {QCoreApplication.translate('NetworkCheck', word)}"


class NetworkCheckDialog(QDialog):
    """Runs the network check on open (``autostart``) and on "Run again"; never blocks the UI.

    :attr:`finished_checks` carries the ``list[CheckResult]`` of each completed run.
    """

    finished_checks = Signal(object)

    @property
    def base_url(self) -> str | None:
        """The endpoint this dialog checks (the one the station actually uses)."""
        return self._base_url

    def __init__(
        self,
        base_url: str | None,
        environment: Environment,
        *,
        ca_bundle: Path | None = None,
        proxy: str | None = None,
        spki_pins: tuple[str, ...] = (),
        credential: Credential | None = None,
        timeout: float = 5.0,
        autostart: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._base_url = base_url
        self._environment = environment
        self._ca_bundle = ca_bundle
        self._proxy = proxy
        self._spki_pins = spki_pins
        self._credential = credential
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._results: list[CheckResult] = []
        self._autostart = autostart
        self._started_once = False

        self.setWindowTitle(translate("NetworkCheck", "Network check"))
        self.setObjectName("NetworkCheckDialog")
        self.resize(820, 320)

        self.intro_label = QLabel(
            translate(
                "NetworkCheck",
                "Checks step by step whether this station can reach the {environment} service.",
            ).format(environment=environment.value)
        )
        self.intro_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([translate("NetworkCheck", column) for column in COLUMNS])
        self.table.setAccessibleName(translate("NetworkCheck", "Network check results"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName(translate("NetworkCheck", "Network check summary"))

        self.run_button = QPushButton(translate("NetworkCheck", "&Run again"))
        self.run_button.setAccessibleName(translate("NetworkCheck", "Run the network check again"))
        self.run_button.clicked.connect(self.start)
        self.copy_button = QPushButton(translate("NetworkCheck", "&Copy results"))
        self.copy_button.setAccessibleName(translate("NetworkCheck", "Copy the network check results"))
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_results)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(row)

    # -- running -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def results(self) -> list[CheckResult]:
        """The results of the last completed run."""
        return list(self._results)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._autostart and not self._started_once:
            self.start()

    def start(self) -> bool:
        """Start a run; False if one is already under way."""
        if self.running:
            return False
        self._started_once = True
        self.run_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.summary_label.setText(
            translate("NetworkCheck", "Checking… the window stays usable while the station waits.")
        )
        self.table.setRowCount(0)
        self._task = asyncio.ensure_future(self._run())
        return True

    async def _run(self) -> None:
        try:
            results = await run_network_check(
                self._base_url,
                self._environment,
                ca_bundle=self._ca_bundle,
                proxy=self._proxy,
                credential=self._credential,
                spki_pins=self._spki_pins,
                timeout=self._timeout,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the engine should never raise; if it does, say so and log it
            _log.exception("the network check failed unexpectedly")
            results = [
                CheckResult(
                    translate("NetworkCheck", "Network check"),
                    False,
                    f"The check itself failed ({type(exc).__name__})",
                )
            ]
        if not shiboken6.isValid(self) or not shiboken6.isValid(self.table):
            return  # the dialog was destroyed while the check ran
        self._results = results
        self._show(results)
        self.run_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        self.finished_checks.emit(list(results))

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self.run_button.setEnabled(True)
            self.summary_label.setText(translate("NetworkCheck", "The check was stopped."))

    async def wait_idle(self) -> None:
        """For shutdown and tests: cancel a run under way and wait until it has ended."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def done(self, result: int) -> None:
        self.cancel()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)

    # -- showing -------------------------------------------------------------------------------

    def _show(self, results: Sequence[CheckResult]) -> None:
        self.table.setRowCount(len(results))
        for row, result in enumerate(results):
            _, word, colour = _look(result.ok)
            status = QTableWidgetItem(status_text(result.ok))
            status.setForeground(qcolor(colour))
            status.setData(Qt.ItemDataRole.AccessibleTextRole, translate("NetworkCheck", word))
            detail = result.detail
            self.table.setItem(row, 0, status)
            self.table.setItem(row, 1, QTableWidgetItem(_step(result.name)))
            self.table.setItem(row, 2, QTableWidgetItem(detail))
        self.table.resizeRowsToContents()
        failed = [_step(r.name) for r in results if r.ok is False]
        if failed:
            summary = (
                translate(
                    "NetworkCheck",
                    "✖ {count} step failed: {steps}. Give these results to the bank's IT contact.",
                )
                if len(failed) == 1
                else translate(
                    "NetworkCheck",
                    "✖ {count} steps failed: {steps}. Give these results to the bank's IT contact.",
                )
            )
            self.summary_label.setText(summary.format(count=len(failed), steps=", ".join(failed)))
        else:
            self.summary_label.setText(
                translate("NetworkCheck", "✔ No step failed: this station can reach the service.")
            )

    def rows(self) -> list[tuple[str, str, str]]:
        """The table as text: (result, step, detail) per row."""
        out: list[tuple[str, str, str]] = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, column) for column in range(len(COLUMNS))]
            status, name, detail = (cell.text() if cell is not None else "" for cell in cells)
            out.append((status, name, detail))
        return out

    def report_text(self) -> str:
        lines = [f"Network check ({self._environment.value})"]
        lines += [f"{status}  {name}: {detail}" for status, name, detail in self.rows()]
        if self.summary_label.text():
            lines.append(self.summary_label.text())
        return "\n".join(lines)

    def copy_results(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())
