"""The crash handler: an unexpected exception is logged with an incident id, shown, and survived."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer, SignalInstance
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from station.logfiles import HANDLER_NAME, configure_file_logging
from station.ui.crash import (
    CRASH_TITLE,
    crash_reporter,
    current_crash_dialog,
    install_crash_handler,
    install_loop_exception_handler,
    uninstall_crash_handler,
)

REFERENCE = re.compile(r"Reference: ([A-Z2-7]{8}) — give this to IT support\.")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = configure_file_logging(tmp_path)
    yield path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def installed(window: QWidget, qasync_loop: qasync.QEventLoop) -> Iterator[None]:
    before = (sys.excepthook, threading.excepthook)
    install_crash_handler(lambda: window)
    install_loop_exception_handler(qasync_loop)
    yield
    uninstall_crash_handler()
    assert (sys.excepthook, threading.excepthook) == before


def _reporter_signal() -> SignalInstance:
    reporter = crash_reporter()
    assert reporter is not None
    return reporter.reported


def _shown_reference() -> str:
    dialog = current_crash_dialog()
    assert isinstance(dialog, QMessageBox)
    assert dialog.windowTitle() == CRASH_TITLE
    assert dialog.text().startswith("Something went wrong. The station keeps running.")
    found = REFERENCE.search(dialog.text())
    assert found is not None, dialog.text()
    return found.group(1)


def _boom() -> None:
    raise RuntimeError("boom in a slot: customer-ref 123")


@pytest.mark.usefixtures("installed")
def test_an_exception_in_a_slot_is_logged_shown_and_survived(
    qtbot: QtBot, log_file: Path, window: QWidget
) -> None:
    with qtbot.waitSignal(_reporter_signal(), timeout=5_000) as blocker:
        QTimer.singleShot(0, _boom)
    incident = blocker.args[0]
    assert _shown_reference() == incident
    dialog = current_crash_dialog()
    assert dialog is not None
    assert dialog.parent() is window

    text = log_file.read_text(encoding="utf-8")
    assert f"incident {incident}" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom in a slot" in text
    assert "_boom" in text

    # The station keeps running: the next signal is processed as usual.
    ran: list[bool] = []
    QTimer.singleShot(0, lambda: ran.append(True))
    qtbot.waitUntil(lambda: ran == [True], timeout=5_000)

    # A second problem while the message is up updates it instead of piling up dialogs.
    with qtbot.waitSignal(_reporter_signal(), timeout=5_000) as second:
        QTimer.singleShot(0, _boom)
    assert current_crash_dialog() is dialog
    assert "1 more problem" in dialog.text()
    assert second.args[0] in dialog.informativeText()


@pytest.mark.usefixtures("installed")
def test_an_exception_in_a_thread_is_shown_on_the_ui_thread(qtbot: QtBot, log_file: Path) -> None:
    shown_on: list[threading.Thread] = []
    _reporter_signal().connect(lambda _incident: shown_on.append(threading.current_thread()))

    def work() -> None:
        raise ValueError("worker thread failed")

    with qtbot.waitSignal(_reporter_signal(), timeout=5_000) as blocker:
        worker = threading.Thread(target=work, name="test-worker")
        worker.start()
        worker.join(5)
    assert shown_on == [threading.main_thread()]
    assert _shown_reference() == blocker.args[0]
    text = log_file.read_text(encoding="utf-8")
    assert f"incident {blocker.args[0]}: unhandled exception in thread test-worker" in text
    assert "ValueError: worker thread failed" in text


@pytest.mark.usefixtures("installed")
def test_an_exception_in_an_asyncio_callback_is_an_incident(
    qtbot: QtBot, log_file: Path, qasync_loop: qasync.QEventLoop
) -> None:
    def callback() -> None:
        raise KeyError("no such thing")

    with qtbot.waitSignal(_reporter_signal(), timeout=5_000) as blocker:
        qasync_loop.call_soon(callback)
    assert _shown_reference() == blocker.args[0]
    text = log_file.read_text(encoding="utf-8")
    assert f"incident {blocker.args[0]}: asyncio:" in text
    assert "KeyError: 'no such thing'" in text


@pytest.mark.usefixtures("installed")
def test_a_dropped_connection_reported_by_asyncio_is_not_a_crash(
    qtbot: QtBot, log_file: Path, qasync_loop: qasync.QEventLoop
) -> None:
    qasync_loop.call_exception_handler(
        {
            "message": "Fatal read error on socket transport",
            "exception": ConnectionResetError(),
            "transport": 1,
        }
    )
    assert current_crash_dialog() is None
    assert "network transport problem" in log_file.read_text(encoding="utf-8")


def test_uninstall_restores_the_hooks(qtbot: QtBot, window: QWidget) -> None:
    before = (sys.excepthook, threading.excepthook)
    install_crash_handler(lambda: window)
    assert sys.excepthook is not before[0]
    uninstall_crash_handler()
    assert (sys.excepthook, threading.excepthook) == before
    assert crash_reporter() is None
    uninstall_crash_handler()  # twice is harmless


def test_the_loop_handler_needs_the_crash_handler(qasync_loop: qasync.QEventLoop) -> None:
    with pytest.raises(RuntimeError, match="install_crash_handler"):
        install_loop_exception_handler(qasync_loop)
