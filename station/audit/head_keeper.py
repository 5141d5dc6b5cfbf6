"""Keeping the head file beside the journal, on a thread of its own.

Why a thread: the head file is written after every committed append (a sealed temporary file,
fsynced, renamed over the old one), and that write took 3-4 ms of each append on this machine —
half the journal's part of a verification's station-side time, and twice per verification since
the "attempt started" row (issue 27). The row itself is durable when SQLite's commit returns
(``synchronous=FULL``): that is what "nothing is sent when the row cannot be written" rests on,
and it stays on the caller's path. The head file is the evidence that no rows were cut off the
end; it may lag the journal (a crash between the commit and its write always left it one row
behind, which opens), never lead it. So the journal hands each committed head to this keeper and
returns; the keeper writes the newest one it has, in commit order, while the caller goes on (for
the started row: while the picture is sent).

What changes for the evidence: the head file may be behind by the rows committed during one
head write (milliseconds) instead of by at most one row; a journal cut back within that window and
the station killed before the next write is not caught by the head file (the anchor, the chain
and the shipped copy still see it). :meth:`HeadKeeper.flush` waits until the newest head is
written; closing the journal flushes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["HeadKeeper"]

_log = logging.getLogger(__name__)


class _Sequenced(Protocol):
    @property
    def sequence(self) -> int: ...


H = TypeVar("H", bound=_Sequenced)


class HeadKeeper(Generic[H]):
    """Writes the newest submitted head with ``write`` on its own daemon thread, started on first
    use. ``write`` must not raise (the journal's logs its failure; the next head is written again)."""

    def __init__(self, write: Callable[[H], None], *, name: str = "audit-head") -> None:
        self._write = write
        self._name = name
        self._cond = threading.Condition()
        self._pending: H | None = None
        self._writing = False
        self._closed = False
        self._thread: threading.Thread | None = None
        #: Heads written so far (for tests and the bench).
        self.written = 0

    def submit(self, head: H) -> None:
        """The journal committed ``head``: write it soon (a newer one pending replaces an older)."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the head keeper is closed")
            if self._pending is None or head.sequence >= self._pending.sequence:
                self._pending = head
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every submitted head is written (False if ``timeout`` passed first)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._writing, timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Write what is pending, then stop the thread (idempotent). False if it did not finish."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                head, self._pending = self._pending, None
                if head is None:  # closed, nothing left to write
                    return
                self._writing = True
            try:
                self._write(head)
            except Exception:  # the keeper must outlive one bad write; the next head is written again
                _log.exception("the journal's head could not be kept outside it")
            finally:
                with self._cond:
                    self._writing = False
                    self.written += 1
                    self._cond.notify_all()
