"""The capture thread: reads a source as fast as it delivers, keeps only the newest frame, and
reconnects by itself when the camera goes away.

Why a plain thread and not Qt: this module is shared by the UI, the headless benchmark and the
CLI self-test, so it must not import Qt. OpenCV's ``read()`` blocks and releases the GIL, so one
daemon thread per camera is the simple, measured-good design ("latest frame wins", see
/work/shared/ECOSYSTEM.md).

Why it reconnects on its own: in a branch, cables get knocked out and IP cameras reboot. The
operator should see "Camera disconnected — reconnecting…" and then the picture again, without
restarting anything. The worker closes the failed source, waits with a capped exponential backoff
(on the stop event, so :meth:`CaptureWorker.stop` is immediate) and opens a fresh one from the
factory.

Threading contract for the UI: ``on_state`` is called **from the capture thread**. It must not
touch widgets; the UI wraps it in a Qt signal (queued connection) and handles it on the GUI thread.
The preview reads :meth:`LatestFrameSlot.latest` on a display-rate timer.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from station.camera.frames import LatestFrameSlot
from station.camera.sources import (
    CameraError,
    CameraRefusedError,
    FrameSource,
    SourceExhaustedError,
    TwoSizeSource,
)
from station.threads import CooperativeThread
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["FPS_NEWS", "CameraState", "CameraStatus", "CaptureWorker", "StateCallback", "fps_is_news"]

_log = logging.getLogger(__name__)

_FPS_WINDOW_S = 1.0  # measure the frame rate about once a second
#: How far the measured rate must move from the one last reported to be news (frames a second).
FPS_NEWS = 1.0


def fps_is_news(reported: float, measured: float) -> bool:
    """Whether a newly measured frame rate is worth telling listeners: the first one, or one that
    moved by a whole frame a second. The screen shows whole frames a second, and every status
    told redraws the window's health strip and idle screen: a 30 fps camera measured at 29.9,
    then 30.0, then 29.9 was a redraw a second for nothing (issue 27)."""
    return reported == 0.0 or abs(measured - reported) >= FPS_NEWS


class CameraState(enum.StrEnum):
    """Where the camera is in its life; the UI maps each to an indicator and a sentence."""

    OPENING = "opening"
    """First attempt to open the source; no picture yet."""
    LIVE = "live"
    """Pictures are arriving."""
    LOST = "lost"
    """Pictures stopped (unplugged, stream dropped, file gone); a reconnect follows by itself."""
    RECONNECTING = "reconnecting"
    """Trying to open the source again after a loss (repeats with backoff until it works)."""
    STOPPED = "stopped"
    """The worker ended: :meth:`CaptureWorker.stop` was called, or a video played to its end."""
    FAILED = "failed"
    """The camera could not be opened. If ``CameraStatus.retrying`` the worker keeps trying
    (e.g. the camera is plugged in later) and goes LIVE by itself; otherwise the settings are
    wrong and the worker has ended."""


@dataclass(frozen=True, slots=True)
class CameraStatus:
    """A snapshot of the camera for the operator's screen and the journal.

    ``message`` is a plain sentence for the operator; ``detail`` is the technical reason of the
    last failure (for logs and support), empty when there is none. ``fps`` is the measured,
    smoothed frame rate while LIVE (0.0 before it is known), as last reported: it changes when
    the rate moves by :data:`FPS_NEWS`. ``source`` describes the camera
    without credentials.
    """

    state: CameraState
    message: str
    fps: float = 0.0
    source: str = ""
    detail: str = ""
    retrying: bool = False


StateCallback = Callable[[CameraStatus], None]


def _words(error: Exception) -> str:
    """An error's words as it was raised with them: a marked text stays marked (``str(error)``
    would give its English only, and the window could not translate it)."""
    first = error.args[0] if len(error.args) == 1 else None
    return first if isinstance(first, str) else str(error)


_MESSAGES = {
    CameraState.OPENING: QT_TRANSLATE_NOOP("Camera", "Starting the camera…"),
    CameraState.LIVE: QT_TRANSLATE_NOOP("Camera", "Camera is live."),
    CameraState.LOST: QT_TRANSLATE_NOOP("Camera", "Camera disconnected — reconnecting…"),
    CameraState.RECONNECTING: QT_TRANSLATE_NOOP("Camera", "Camera disconnected — reconnecting…"),
    CameraState.STOPPED: QT_TRANSLATE_NOOP("Camera", "Camera stopped."),
}


class CaptureWorker(CooperativeThread):
    """Runs one :class:`FrameSource` on a daemon thread and publishes into a slot.

    ``source_factory`` builds a *fresh, unopened* source; it is called again for every reconnect,
    so a source never has to recover from its own broken state. ``reconnect_delay`` is the first
    wait after a failure; it doubles on each failed attempt up to ``max_reconnect_delay`` and
    resets once pictures flow again.

    Stopping is cooperative (an Event); the thread is never killed. A read that is blocked in the
    driver finishes first, so a stop takes at most one frame time or the source's read timeout.
    """

    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        slot: LatestFrameSlot,
        on_state: StateCallback | None = None,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 5.0,
        *,
        name: str = "camera-capture",
    ) -> None:
        if reconnect_delay <= 0 or max_reconnect_delay < reconnect_delay:
            raise ValueError("need 0 < reconnect_delay <= max_reconnect_delay")
        self._factory = source_factory
        self._slot = slot
        self._on_state = on_state
        self._initial_delay = float(reconnect_delay)
        self._max_delay = float(max_reconnect_delay)
        self._lock = threading.Lock()
        self._status = CameraStatus(CameraState.OPENING, _MESSAGES[CameraState.OPENING])
        super().__init__(name)

    # ---------------------------------------------------------------- public API

    @property
    def slot(self) -> LatestFrameSlot:
        """The slot this worker writes to."""
        return self._slot

    @property
    def status(self) -> CameraStatus:
        """The latest status; safe to read from any thread."""
        with self._lock:
            return self._status

    def _stopped_before_start(self) -> None:
        self._publish(CameraState.STOPPED, _MESSAGES[CameraState.STOPPED])

    # ---------------------------------------------------------------- internals

    def _publish(
        self,
        state: CameraState,
        message: str,
        *,
        fps: float = 0.0,
        source: str | None = None,
        detail: str = "",
        retrying: bool = False,
        force: bool = False,
    ) -> None:
        with self._lock:
            old = self._status
            new = CameraStatus(
                state=state,
                message=message,
                fps=round(fps, 1),
                source=old.source if source is None else source,
                detail=detail,
                retrying=retrying,
            )
            self._status = new
            # Listeners hear about changes the operator would notice, not every new detail.
            changed = (new.state, new.message, new.fps, new.source) != (
                old.state,
                old.message,
                old.fps,
                old.source,
            )
        if (changed or force) and self._on_state is not None:
            try:
                self._on_state(new)
            except Exception:  # a faulty listener must not take the camera down
                _log.exception("camera on_state callback failed")

    def _set_fps(self, fps: float) -> None:
        with self._lock:
            old = self._status
            if old.state is not CameraState.LIVE or not fps_is_news(old.fps, fps):
                return
            new = replace(old, fps=round(fps, 1))
            self._status = new
        if self._on_state is not None:
            try:
                self._on_state(new)
            except Exception:
                _log.exception("camera on_state callback failed")

    def _run(self) -> None:
        final: tuple[CameraState, str, str] = (
            CameraState.STOPPED,
            _MESSAGES[CameraState.STOPPED],
            "",
        )
        try:
            final = self._loop()
        except Exception as exc:  # a bug must end in a status, not a silent dead thread
            _log.exception("camera worker crashed")
            final = (
                CameraState.FAILED,
                QT_TRANSLATE_NOOP(
                    "Camera", "The camera stopped because of an internal error. Restart the station."
                ),
                f"{type(exc).__name__}: {exc}",
            )
        finally:
            state, message, detail = final
            self._publish(state, message, detail=detail)

    def _loop(self) -> tuple[CameraState, str, str]:
        stopped = (CameraState.STOPPED, _MESSAGES[CameraState.STOPPED], "")
        delay = self._initial_delay
        ever_live = False
        self._publish(CameraState.OPENING, _MESSAGES[CameraState.OPENING], force=True)
        first_attempt = True
        while not self._stop_event.is_set():
            if ever_live and not first_attempt:
                self._publish(
                    CameraState.RECONNECTING,
                    _MESSAGES[CameraState.RECONNECTING],
                    detail=self.status.detail,
                    retrying=True,
                )
            first_attempt = False

            source: FrameSource | None = None
            error: CameraError | None = None
            try:
                source = self._factory()
            except CameraRefusedError as exc:
                # Refused by policy: not opened, not retried; the refusal is the operator's message.
                return (CameraState.FAILED, _words(exc), "refused by machine policy")
            except CameraError as exc:
                error = exc
            except Exception as exc:
                _log.exception("camera source could not be created")
                return (
                    CameraState.FAILED,
                    Phrase(
                        QT_TRANSLATE_NOOP("Camera", "The camera is not set up correctly: {error}"),
                        error=str(exc),
                    ),
                    f"{type(exc).__name__}: {exc}",
                )
            described = _describe(source) if source is not None else None
            if source is not None:
                error = self._open(source)

            if error is None and source is not None:
                got_frames, error = self._pump(source)
                self._close(source)
                if got_frames:
                    ever_live = True
                    delay = self._initial_delay
                if self._stop_event.is_set():
                    return stopped
                if isinstance(error, SourceExhaustedError):
                    return (CameraState.STOPPED, _words(error), "")
                if got_frames:
                    _log.warning("camera lost: %s", error)
                    self._publish(
                        CameraState.LOST,
                        _MESSAGES[CameraState.LOST],
                        detail=str(error),
                        retrying=True,
                    )
                    if self._stop_event.wait(delay):
                        return stopped
                    continue

            # Could not open (or opened but never delivered a picture).
            reason = str(error) if error is not None else "unknown error"
            _log.info("camera not available (retry in %.1f s): %s", delay, reason)
            if ever_live:
                self._publish(
                    CameraState.RECONNECTING,
                    _MESSAGES[CameraState.RECONNECTING],
                    source=described,
                    detail=reason,
                    retrying=True,
                )
            else:
                # Plain words for the operator; the backend's own text goes to the log and ``detail``.
                self._publish(
                    CameraState.FAILED,
                    QT_TRANSLATE_NOOP(
                        "Camera",
                        "Camera not available. Check that it is plugged in and not used by another "
                        "program; the station keeps trying.",
                    ),
                    source=described,
                    detail=reason,
                    retrying=True,
                )
            if self._stop_event.wait(delay):
                return stopped
            delay = min(delay * 2.0, self._max_delay)
        return stopped

    def _open(self, source: FrameSource) -> CameraError | None:
        try:
            source.open()
        except CameraError as exc:
            self._close(source)
            return exc
        except Exception as exc:
            _log.exception("unexpected error opening %s", _describe(source))
            self._close(source)
            return CameraError(f"Unexpected camera error ({type(exc).__name__}: {exc}).")
        return None

    def _pump(self, source: FrameSource) -> tuple[bool, CameraError | None]:
        """Read until failure or stop. Returns (delivered at least one frame, the failure)."""
        description = _describe(source)
        got_frames = False
        window_start = time.monotonic()
        window_frames = 0
        fps = 0.0
        # A source that makes its pictures at any size makes them at the preview's (frames.py).
        sized = source if isinstance(source, TwoSizeSource) else None
        while not self._stop_event.is_set():
            try:
                size = None if sized is None else self._slot.stream_size()
                if sized is not None and size is not None:
                    image, full = sized.read_at(size)
                    self._slot.put(image, full)
                    del full
                else:
                    image = source.read()
                    self._slot.put(image)
            except CameraError as exc:
                return got_frames, exc
            except Exception as exc:
                _log.exception("unexpected error reading %s", description)
                return got_frames, CameraError(f"Unexpected camera error ({type(exc).__name__}: {exc}).")
            del image  # hold no reference: the slot owns the only copy
            if not got_frames:
                got_frames = True
                window_start = time.monotonic()
                window_frames = 0
                self._publish(CameraState.LIVE, _MESSAGES[CameraState.LIVE], source=description)
                continue
            window_frames += 1
            now = time.monotonic()
            elapsed = now - window_start
            if elapsed >= _FPS_WINDOW_S:
                measured = window_frames / elapsed
                fps = measured if fps == 0.0 else 0.5 * fps + 0.5 * measured
                self._set_fps(fps)
                window_start, window_frames = now, 0
        return got_frames, None

    @staticmethod
    def _close(source: FrameSource) -> None:
        try:
            source.close()
        except Exception:
            _log.warning("closing %s failed", _describe(source), exc_info=True)


def _describe(source: FrameSource) -> str:
    try:
        return str(source.description)
    except Exception:  # pragma: no cover - defensive
        return type(source).__name__
