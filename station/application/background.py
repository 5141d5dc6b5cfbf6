"""The one owner of the desk's work that nobody waits for (journal events, follow-ups).

Fire-and-forget tasks kept in loose sets are lost on shutdown and their failures vanish. Everything
the desk starts without awaiting goes through one :class:`Background`: it keeps each task until it
ends, logs a failure instead of dropping it, and :meth:`wait_idle` lets shutdown finish them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["Background"]

_log = logging.getLogger(__name__)

T = TypeVar("T")


class Background:
    """Tasks started and not awaited by their starter; see the module docstring."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, T], what: str = "background work") -> asyncio.Task[T]:
        """Run ``work`` on the running loop, kept until it ends; a failure is logged."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)

        def done(ended: asyncio.Task[T]) -> None:
            self._tasks.discard(ended)
            if not ended.cancelled() and (error := ended.exception()) is not None:
                _log.error("%s failed: %s", what, error, exc_info=error)

        task.add_done_callback(done)
        return task

    @property
    def pending(self) -> int:
        return sum(1 for task in self._tasks if not task.done())

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def wait_idle(self) -> None:
        """Until every task started here (and any they started here meanwhile) has ended."""
        while pending := [task for task in self._tasks if not task.done()]:
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
