"""A worker thread that runs once and stops when asked: the capture worker and the quality
monitor are both one.

Stopping is cooperative: :meth:`CooperativeThread.stop` sets an Event the worker's loop waits on
and joins; the thread is never killed (``terminate()`` can leave a camera driver or a lock in a
broken state). No Qt, so the same workers serve the GUI, the benchmark and the self-test.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

__all__ = ["CooperativeThread"]


class CooperativeThread:
    def __init__(self, name: str) -> None:
        self._stop_event = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def _run(self) -> None:
        raise NotImplementedError

    def _stopped_before_start(self) -> None:
        """Called by :meth:`stop` on a worker that never started (a hook for a final status)."""

    @property
    def is_running(self) -> bool:
        """True while the thread is alive."""
        return self._thread.is_alive()

    @property
    def thread_ident(self) -> int | None:
        """``threading.get_ident()`` of the worker's thread (None before :meth:`start`)."""
        return self._thread.ident

    def start(self) -> None:
        """Start the thread. A worker runs once: make a new one to start again."""
        if self._started:
            raise RuntimeError(f"this {type(self).__name__} was already started; create a new one")
        self._started = True
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to finish and wait up to ``timeout`` s; True if it has ended.

        Called from the worker's own thread (inside one of its callbacks) it only requests the
        stop and returns False.
        """
        self._stop_event.set()
        if not self._started:
            self._stopped_before_start()
            return True
        if threading.current_thread() is self._thread:
            return False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
