"""Being asked to stop (SIGTERM, SIGHUP; SIGBREAK on Windows) cancels the work in flight with a
reason, so a verification that reached the service is journaled as cancelled, never lost.

Python's default for SIGTERM and SIGHUP is to die on the spot: no ``finally``, no journal row for
a request that may already have been charged. SIGINT is left alone (Python turns it into
``KeyboardInterrupt``, and ``asyncio.run`` already cancels its task with it).

Qt-free: ``station verify`` uses it on plain asyncio, the GUI on qasync's loop (the same
``add_signal_handler`` on POSIX). Windows has no ``add_signal_handler``: there a plain handler hands
the call to the loop with ``call_soon_threadsafe``. Ctrl+Break is taken from the console itself
(``SetConsoleCtrlHandler``), not through the C runtime's ``SIGBREAK``: Windows delivers a console
control event by starting a thread at ``kernel32!CtrlRoutine`` in the process, which calls the
handlers registered last first; the C runtime's mapping to ``SIGBREAK`` is one such handler, and
Wine's C runtime has none for Ctrl+Break (the process ended at once, exit 0, without a word).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the GUI imports this before its first frame, asyncio after it (issue 27)
    import asyncio

__all__ = ["STOP_SIGNALS", "on_stop_signals", "stop_reason"]


def _stop_signals() -> tuple[signal.Signals, ...]:
    names = ("SIGTERM", "SIGHUP", "SIGBREAK")
    return tuple(getattr(signal.Signals, name) for name in names if hasattr(signal.Signals, name))


#: The signals that mean "stop now, cleanly" on this OS.
STOP_SIGNALS: Final = _stop_signals()


def stop_reason(signum: int) -> str:
    """What the journal row of a cancelled attempt says: ``cancelled: the station was stopped
    (SIGTERM)``."""
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    return f"cancelled: the station was stopped ({name})"


def on_stop_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[str], None]) -> Callable[[], None]:
    """Call ``stop(reason)`` on ``loop`` for each stop signal; returns a function that undoes it
    (the previous handlers come back)."""
    undo = [_handle(loop, signum, stop) for signum in STOP_SIGNALS]

    def restore() -> None:
        for step in undo:
            with contextlib.suppress(Exception):  # a loop already closed has no handlers left
                step()

    return restore


def _handle(loop: asyncio.AbstractEventLoop, signum: int, stop: Callable[[str], None]) -> Callable[[], None]:
    reason = stop_reason(signum)
    if sys.platform == "win32" and signum == getattr(signal, "SIGBREAK", None):
        restore_console = _on_console_break(loop, stop, reason)
        if restore_console is not None:
            return restore_console
    if sys.platform == "win32":  # no add_signal_handler: a plain handler hands over to the loop

        def handler(_signum: int, _frame: object) -> None:
            loop.call_soon_threadsafe(stop, reason)

        previous = signal.signal(signum, handler)

        def restore_windows() -> None:
            signal.signal(signum, previous)

        return restore_windows
    loop.add_signal_handler(signum, stop, reason)

    def restore() -> None:
        loop.remove_signal_handler(signum)

    return restore


#: ``CTRL_BREAK_EVENT`` (wincon.h).
_CTRL_BREAK_EVENT: Final = 1


if sys.platform == "win32":

    def _on_console_break(
        loop: asyncio.AbstractEventLoop, stop: Callable[[str], None], reason: str
    ) -> Callable[[], None] | None:
        """Ctrl+Break from the console: ``stop(reason)`` on the loop; ``None`` when the process has no
        console handler list to join (then the C runtime's ``SIGBREAK`` is the fallback)."""
        import ctypes
        from ctypes import wintypes

        def on_event(kind: int) -> bool:
            if kind != _CTRL_BREAK_EVENT:
                return False  # Ctrl+C and the rest: the next handler (Python's KeyboardInterrupt)
            try:
                loop.call_soon_threadsafe(stop, reason)
            except RuntimeError:  # the loop has closed: let the default handler end the process
                return False
            return True

        routine = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)(on_event)
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        if not kernel32.SetConsoleCtrlHandler(routine, True):
            return None

        def restore() -> None:
            kernel32.SetConsoleCtrlHandler(routine, False)  # ``routine`` lives as long as this

        return restore

else:

    def _on_console_break(
        loop: asyncio.AbstractEventLoop, stop: Callable[[str], None], reason: str
    ) -> Callable[[], None] | None:
        """No console control events off Windows."""
        return None
