"""Runs the capture-quality analyser on the live preview, on its own thread, a few times a second.

Why a thread of its own and a throttle: one analysis takes 50-120 ms (mostly the face detector),
far longer than a preview frame (33 ms at 30 fps). Run on the UI thread it would freeze the
preview; run on every frame it would burn a core for nothing, since an instruction to a person
does not need to change more than a few times a second. So :class:`QualityMonitor` polls a
"latest frame" callable, analyses only a frame it has not seen (by sequence number) and at most
once per ``interval_s``, and drops everything in between: "latest frame wins", like the camera
slot itself.

Threading contract: ``latest`` and ``on_report`` are called **from the monitor's thread**. The
UI wraps ``on_report`` in a Qt signal (queued connection) and touches widgets only in its slot.
The frame the callable returns is read-only and never written to (the analyser converts it to
grayscale into a new array). OpenCV releases the GIL while it works, so the UI thread keeps
running during an analysis. No Qt here: the package must stay importable without it.

Typical use with the camera slot::

    def latest() -> tuple[int, np.ndarray] | None:
        frame = slot.latest()
        return None if frame is None else (frame.seq, frame.image)

    monitor = QualityMonitor(latest, on_report=bridge.report.emit)
    monitor.start()
    ...
    monitor.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from station.core.images import LatestFrame
from station.threads import CooperativeThread
from station.vision.quality import QualityAnalyser, QualityReport

__all__ = ["DEFAULT_INTERVAL_S", "LatestFrame", "QualityMonitor", "ReportCallback"]

_log = logging.getLogger(__name__)

#: Four analyses a second: instructions follow the customer within a quarter of a second, and the
#: detector's 50-120 ms per analysis keeps one core at most about a third busy.
DEFAULT_INTERVAL_S = 0.25

#: After each analysis the thread rests at least this long, even when an analysis took longer than
#: the interval (a slow machine), so it never runs back to back against the UI for the GIL.
MIN_REST_S = 0.02

"""Returns the newest frame as ``(seq, image)``, or None before the first; must be cheap."""

ReportCallback = Callable[[QualityReport], None]


class QualityMonitor(CooperativeThread):
    """A background analyser for the live preview; pure threading, no Qt.

    ``latest`` gives the newest ``(seq, BGR image)`` (e.g. from ``LatestFrameSlot.latest``).
    ``on_report`` receives each new :class:`QualityReport` on the monitor's thread. ``analyser``
    should be built with the station's shared :class:`~station.vision.faces.FaceDetector`; one is
    created when omitted. The monitor keeps the analyser's stream history (frozen-camera check),
    so the analyser must not be used by anyone else meanwhile.

    A monitor runs once: :meth:`stop` then build a new one (like the camera worker).
    """

    def __init__(
        self,
        latest: LatestFrame,
        on_report: ReportCallback,
        interval_s: float = DEFAULT_INTERVAL_S,
        analyser: QualityAnalyser | None = None,
        *,
        name: str = "capture-quality",
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        self._latest = latest
        self._on_report = on_report
        self._interval = float(interval_s)
        # Checking for a new frame is cheap (a lock and a reference), so poll at a fraction of the
        # interval: a new frame is picked up within about interval/4 of its arrival.
        self._poll = max(0.005, min(self._interval / 4.0, 0.05))
        self._analyser = analyser if analyser is not None else QualityAnalyser()
        self._lock = threading.Lock()
        self._report: QualityReport | None = None
        self._analyses = 0
        super().__init__(name)

    # ---------------------------------------------------------------- public API

    @property
    def latest_report(self) -> QualityReport | None:
        """The newest report, or None before the first analysis; safe from any thread."""
        with self._lock:
            return self._report

    @property
    def analyses(self) -> int:
        """How many frames have been analysed so far."""
        with self._lock:
            return self._analyses

    @property
    def interval_s(self) -> float:
        return self._interval

    # ---------------------------------------------------------------- internals

    def _run(self) -> None:
        last_seq: int | None = None
        while not self._stop_event.is_set():
            try:
                item = self._latest()
            except Exception:  # a faulty frame source must not kill the monitor
                _log.exception("capture-quality: reading the latest frame failed")
                item = None
            if item is None or item[0] == last_seq:
                self._stop_event.wait(self._poll)
                continue
            seq, image = item
            last_seq = seq
            started = time.monotonic()
            try:
                report = self._analyser.analyse_stream(image)
            except Exception:  # an odd frame must not end the checks for the session
                _log.exception("capture-quality analysis failed on frame %s", seq)
            else:
                with self._lock:
                    self._report = report
                    self._analyses += 1
                if not self._stop_event.is_set():
                    try:
                        self._on_report(report)
                    except Exception:
                        _log.exception("capture-quality on_report callback failed")
            del image, item  # hold no frame between analyses
            elapsed = time.monotonic() - started
            self._stop_event.wait(max(self._interval - elapsed, MIN_REST_S))
