"""The camera as the window sees it: a capture worker, its latest-frame slot, and a Qt signal.

The worker thread never touches a widget: it overwrites one slot (latest frame wins) and calls
back on state changes; this adapter turns that callback into a queued Qt signal, so the state
reaches the UI thread, and exposes the slot as the ``(seq, frame)`` callable the preview polls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from station.camera import CameraStatus, CaptureWorker, FrameSource, LatestFrameSlot, parse_source

if TYPE_CHECKING:
    from station.application.factory import StationConfig

__all__ = ["CameraFeed", "open_camera_early"]


class CameraFeed(QObject):
    #: A :class:`~station.camera.CameraStatus`, delivered on the UI thread.
    status_changed = Signal(object)

    def __init__(self, source_factory: Callable[[], FrameSource], parent: QObject | None = None):
        super().__init__(parent)
        self._source_factory = source_factory
        self.slot = LatestFrameSlot()
        self._worker: CaptureWorker | None = None
        self._heard: CameraStatus | None = None
        self.status_changed.connect(self._remember)

    @property
    def status(self) -> CameraStatus | None:
        """The camera's state now: the running worker's own (so a window built after the camera
        opened learns it at once, issue 27), else the last one delivered; None before a start."""
        worker = self._worker
        return worker.status if worker is not None else self._heard

    def _remember(self, status: CameraStatus) -> None:
        self._heard = status

    def start(self, source_factory: Callable[[], FrameSource] | None = None) -> None:
        """Start capturing (from a new source, if given); a running capture is left alone."""
        if self._worker is not None:
            return
        if source_factory is not None:
            self._source_factory = source_factory
        # Emitting a signal from the worker thread is thread-safe; Qt queues it to this object's
        # (the UI) thread because the receiver lives there.
        self._worker = CaptureWorker(self._source_factory, self.slot, on_state=self.status_changed.emit)
        self._worker.start()

    def stop(self, timeout: float = 2.0) -> bool:
        worker, self._worker = self._worker, None
        if worker is None:
            return True
        return worker.stop(timeout)

    def latest(self) -> tuple[int, np.ndarray] | None:
        """The newest frame as ``(seq, bgr_image)``, or None before the first frame."""
        frame = self.slot.latest()
        return None if frame is None else (frame.seq, frame.image)


def open_camera_early(config: StationConfig) -> CameraFeed | None:
    """The camera, opening on its own thread now, while the operator signs in and the window is
    built (issue 27: a webcam takes from a tenth of a second to seconds to open; the first frame
    is then waiting when the window shows). None when the machine policy refuses this camera:
    :func:`~station.app.build_station` then makes the refusing source and journals the refusal,
    so the camera is never opened."""
    from station.application.factory import camera_verdict  # imported by the station anyway

    if camera_verdict(config).never_open:
        return None
    camera_setting = config.camera
    feed = CameraFeed(lambda: parse_source(camera_setting))
    feed.start()
    return feed
