"""The last line of defence: an unexpected exception is logged in full and the station keeps running.

:func:`install_crash_handler` sets ``sys.excepthook`` (PySide6 passes exceptions raised in slots
and in Python overrides of Qt methods to it) and ``threading.excepthook``;
:func:`install_loop_exception_handler` adds the same for the asyncio loop (callbacks that raise,
task exceptions nobody retrieved). Each unexpected exception is:

1. logged with its full traceback under a short incident id by :func:`station.logfiles.log_incident`
   (the log handlers redact tokens and other registered secrets);
2. told to the operator in a non-blocking message box: "Something went wrong. The station keeps
   running. Reference: 7KQ2M4XA — give this to IT support." An exception raised on another
   thread is handed to the UI thread by a queued signal; the dialog never blocks the thread that
   raised. While one such message is on screen, later ones update it rather than pile up.

``KeyboardInterrupt`` goes to the previous hook, and ``SystemExit`` in a thread is ignored, as
Python does by default. Network-level ``OSError``\\s that asyncio reports for a transport are
logged as warnings only: a dropped connection is not a crash.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from station.logfiles import log_incident, new_incident_id
from station.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:  # asyncio is imported by the loop, after the first frame (issue 27)
    import asyncio

__all__ = [
    "CRASH_TITLE",
    "CrashReporter",
    "asyncio_exception_handler",
    "crash_message",
    "crash_reporter",
    "current_crash_dialog",
    "install_crash_handler",
    "install_loop_exception_handler",
    "uninstall_crash_handler",
]

translate = QCoreApplication.translate

_log = logging.getLogger(__name__)

CRASH_TITLE: Final = QT_TRANSLATE_NOOP("Crash", "Station: unexpected problem")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
ThreadHook = Callable[[threading.ExceptHookArgs], Any]
LoopHandler = Callable[["asyncio.AbstractEventLoop", dict[str, Any]], object]


def crash_message(incident: str, more: int = 0) -> str:
    """The operator's message for incident ``incident`` (``more`` = further incidents since)."""
    text = translate(
        "Crash",
        "Something went wrong. The station keeps running.\nReference: {incident} — give this to IT support.",
    ).format(incident=incident)
    if more:
        again = (
            translate("Crash", "({count} more problem since this message first appeared.)")
            if more == 1
            else translate("Crash", "({count} more problems since this message first appeared.)")
        )
        text += "\n" + again.format(count=more)
    return text


class CrashReporter(QObject):
    """Logs incidents (any thread) and shows them on the UI thread; lives on the UI thread."""

    #: An incident id, after its message is on screen.
    reported = Signal(str)
    _show_requested = Signal(str)

    def __init__(self, parent_provider: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._parent_provider = parent_provider
        self._dialog: QMessageBox | None = None
        self._first: str | None = None
        self._more = 0
        # AutoConnection: a direct call on the UI thread, queued from any other thread.
        self._show_requested.connect(self._show)

    def report(self, exc: BaseException, context: str) -> str:
        """Log ``exc`` in full under a new incident id, ask the UI thread to show it; return the id."""
        try:
            incident = log_incident(exc, context)
        except Exception:  # logging must not hide the crash: keep an id for the operator anyway
            incident = new_incident_id()
            sys.stderr.write(f"station: could not log incident {incident}\n")
        self._show_requested.emit(incident)
        return incident

    def dialog(self) -> QMessageBox | None:
        dialog = self._dialog
        if dialog is None or not shiboken6.isValid(dialog) or not dialog.isVisible():
            return None
        return dialog

    def _parent(self) -> QWidget | None:
        try:
            parent = self._parent_provider()
        except Exception:
            _log.warning("the crash dialog's parent could not be found", exc_info=True)
            return None
        return parent if parent is not None and shiboken6.isValid(parent) else None

    def _show(self, incident: str) -> None:
        dialog = self.dialog()
        if dialog is not None:
            self._more += 1
            assert self._first is not None
            dialog.setText(crash_message(self._first, self._more))
            dialog.setInformativeText(
                translate("Crash", "Latest reference: {incident}").format(incident=incident)
            )
            self.reported.emit(incident)
            return
        self._first, self._more = incident, 0
        dialog = QMessageBox(
            QMessageBox.Icon.Warning,
            translate("Crash", CRASH_TITLE),
            crash_message(incident),
            QMessageBox.StandardButton.Ok,
            self._parent(),
        )
        dialog.setObjectName("CrashDialog")
        dialog.setAccessibleName(translate("Crash", "Unexpected problem"))
        dialog.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()  # non-blocking: the event loop, and so the station, keeps running
        self.reported.emit(incident)

    def close_dialog(self) -> None:
        dialog = self.dialog()
        if dialog is not None:
            dialog.close()
        self._dialog = None


@dataclass
class _Installed:
    reporter: CrashReporter
    previous_excepthook: ExceptHook
    previous_threading_hook: ThreadHook
    loop: asyncio.AbstractEventLoop | None = None
    previous_loop_handler: LoopHandler | None = None


_installed: _Installed | None = None
_guard = threading.local()


def crash_reporter() -> CrashReporter | None:
    """The installed reporter (its ``reported`` signal is handy in tests), or ``None``."""
    return _installed.reporter if _installed is not None else None


def current_crash_dialog() -> QMessageBox | None:
    """The crash message on screen now, if any."""
    return _installed.reporter.dialog() if _installed is not None else None


def _report(exc: BaseException, context: str) -> bool:
    """Report through the installed reporter; False if none, or if reporting itself is failing."""
    installed = _installed
    if installed is None or getattr(_guard, "busy", False):
        return False
    _guard.busy = True
    try:
        installed.reporter.report(exc, context)
        return True
    except Exception:
        return False
    finally:
        _guard.busy = False


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    installed = _installed
    if issubclass(exc_type, KeyboardInterrupt) or not _report(
        exc if exc.__traceback__ is not None or tb is None else exc.with_traceback(tb),
        "unhandled exception",
    ):
        previous = installed.previous_excepthook if installed is not None else sys.__excepthook__
        previous(exc_type, exc, tb)


def _threading_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    exc = args.exc_value if args.exc_value is not None else args.exc_type()
    name = args.thread.name if args.thread is not None else "unknown"
    if not _report(exc, f"unhandled exception in thread {name}"):
        installed = _installed
        previous = installed.previous_threading_hook if installed is not None else threading.__excepthook__
        previous(args)


def asyncio_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An asyncio exception handler: unexpected exceptions become incidents, the rest is logged."""
    import asyncio  # imported already by the loop that calls this

    exc = context.get("exception")
    if not isinstance(exc, BaseException) or isinstance(exc, asyncio.CancelledError):
        loop.default_exception_handler(context)
        return
    if isinstance(exc, OSError) and ("transport" in context or "protocol" in context):
        _log.warning("network transport problem: %s (%s)", context.get("message", ""), type(exc).__name__)
        return
    message = str(context.get("message") or "unhandled exception in the event loop")
    if not _report(exc, f"asyncio: {message}"):
        loop.default_exception_handler(context)


def install_crash_handler(parent_provider: Callable[[], QWidget | None]) -> None:
    """Install the hooks; ``parent_provider`` names the window the message is shown over.

    Call on the UI thread, after the ``QApplication`` exists. Installing again replaces the
    reporter but keeps the hooks found before the first install.
    """
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_crash_handler needs a QApplication")
    reporter = CrashReporter(parent_provider)
    reporter.moveToThread(app.thread())
    if _installed is not None:
        _installed.reporter.close_dialog()
        _installed.reporter.deleteLater()
        _installed.reporter = reporter
        return
    _installed = _Installed(reporter, sys.excepthook, threading.excepthook)
    sys.excepthook = _excepthook
    threading.excepthook = _threading_hook


def install_loop_exception_handler(loop: asyncio.AbstractEventLoop) -> None:
    """Route ``loop``'s unexpected exceptions (the qasync loop) to the crash handler.

    Call :func:`install_crash_handler` first.
    """
    if _installed is None:
        raise RuntimeError("call install_crash_handler first")
    if _installed.loop is None:
        # qasync keeps its handler privately, so this is None there; uninstall then restores
        # asyncio's default handler, which is what qasync had unless someone set another.
        _installed.loop = loop
        _installed.previous_loop_handler = loop.get_exception_handler()
    loop.set_exception_handler(asyncio_exception_handler)


def uninstall_crash_handler() -> None:
    """Restore the hooks (and the loop's handler) found at install time; close the message."""
    global _installed
    installed = _installed
    if installed is None:
        return
    _installed = None
    sys.excepthook = installed.previous_excepthook
    threading.excepthook = installed.previous_threading_hook
    if installed.loop is not None and not installed.loop.is_closed():
        installed.loop.set_exception_handler(installed.previous_loop_handler)
    installed.reporter.close_dialog()
    installed.reporter.deleteLater()
