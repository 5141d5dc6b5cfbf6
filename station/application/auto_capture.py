"""Automatic capture: once the picture has been ready for a set time, capture it.

Off unless policy turns it on (``auto_capture`` seconds). While the guide says ready the progress
runs from 0 to 1; a picture that stops being ready starts it again; Esc stops it for the rest of
this customer's session. The operator sees the progress as a ring on the picture, so a capture
never comes as a surprise. Qt-free: the window feeds it the guide's reports and a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["AutoCapture"]


class AutoCapture:
    def __init__(self, hold_s: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        #: Seconds the picture must stay ready; None: automatic capture is off.
        self.hold_s = hold_s
        self._clock = clock
        self._ready_since: float | None = None
        self._stopped = False

    @property
    def enabled(self) -> bool:
        return self.hold_s is not None and not self._stopped

    def stop(self) -> bool:
        """Esc: no automatic capture for this customer; True if one was under way."""
        was_running = self._ready_since is not None and self.enabled
        self._stopped = True
        self._ready_since = None
        return was_running

    def reset(self) -> None:
        """A new customer (or a capture made): start from nothing, and on again if it was stopped."""
        self._stopped = False
        self._ready_since = None

    def progress(self, ready: bool, now: float | None = None) -> float | None:
        """0..1 while the picture is ready (1: capture now), None when not counting."""
        if not self.enabled or not ready:
            self._ready_since = None
            return None
        now = self._clock() if now is None else now
        if self._ready_since is None:
            self._ready_since = now
        assert self.hold_s is not None
        return min(1.0, (now - self._ready_since) / self.hold_s) if self.hold_s > 0 else 1.0
