"""Runs the capture-quality analyser on the live preview, on its own thread, a few times a second.

Why a thread of its own and a throttle: a full analysis takes milliseconds to tens of milliseconds
(mostly the face detector), longer than a preview frame at a busy moment. Run on the UI thread it
would stall the preview; run on every frame it would burn a core for nothing, since an instruction
to a person does not need to change more than a few times a second. So :class:`QualityMonitor`
polls a "latest frame" callable, analyses only a frame it has not seen (by sequence number) and
drops everything in between: "latest frame wins", like the camera slot itself.

How often: after a full analysis the monitor rests ``interval_s`` (a quarter of a second). When
the analyser kept its last result because the picture had not changed (``report.reused``: an
empty counter, or a customer sitting still) the look cost a fraction of a millisecond, and the
monitor looks again after only ``watch_interval_s``: so a customer arriving at an empty counter
is analysed within about :data:`DEFAULT_WATCH_INTERVAL_S` plus one analysis (issue 16: back off
when nobody is there, come back within 250 ms when someone is).

Threading contract: ``latest`` and ``on_report`` are called **from the monitor's thread**. The
UI wraps ``on_report`` in a Qt signal (queued connection) and touches widgets only in its slot.
The frame the callable returns is read-only and never written to. OpenCV releases the GIL while
it works, so the UI thread keeps running during an analysis. No Qt here: the package must stay
importable without it.

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

__all__ = [
    "DEFAULT_INTERVAL_S",
    "DEFAULT_WATCH_INTERVAL_S",
    "LatestFrame",
    "QualityMonitor",
    "ReportCallback",
]

_log = logging.getLogger(__name__)

#: Four analyses a second: instructions follow the customer within a quarter of a second.
DEFAULT_INTERVAL_S = 0.25

#: Between looks that found the picture unchanged: eight a second, each about 0.1 ms, so someone
#: arriving is noticed within an eighth of a second.
DEFAULT_WATCH_INTERVAL_S = 0.125

#: After each analysis the thread rests at least this long, even when an analysis took longer than
#: the interval (a slow machine), so it never runs back to back against the UI for the GIL.
MIN_REST_S = 0.02

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
        watch_interval_s: float | None = None,
        name: str = "capture-quality",
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        watch = min(DEFAULT_WATCH_INTERVAL_S, interval_s) if watch_interval_s is None else watch_interval_s
        if not 0 < watch <= interval_s:
            raise ValueError(f"watch_interval_s must be positive and at most interval_s, got {watch}")
        self._latest = latest
        self._on_report = on_report
        self._interval = float(interval_s)
        self._watch = float(watch)
        # Checking for a new frame is cheap (a lock and a reference), so poll at a fraction of the
        # watch interval: a new frame is picked up soon after its arrival.
        self._poll = max(0.005, min(self._watch / 2.0, 0.05))
        self._analyser = analyser if analyser is not None else QualityAnalyser()
        self._lock = threading.Lock()
        self._report: QualityReport | None = None
        self._analyses = 0
        self._full = 0
        super().__init__(name)

    # ---------------------------------------------------------------- public API

    @property
    def latest_report(self) -> QualityReport | None:
        """The newest report, or None before the first analysis; safe from any thread."""
        with self._lock:
            return self._report

    @property
    def analyses(self) -> int:
        """How many frames have been looked at so far (full analyses and unchanged pictures)."""
        with self._lock:
            return self._analyses

    @property
    def full_analyses(self) -> int:
        """How many of those ran the face detector (the picture was new or had changed)."""
        with self._lock:
            return self._full

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
            report: QualityReport | None = None
            try:
                report = self._analyser.analyse_stream(image)
            except Exception:  # an odd frame must not end the checks for the session
                _log.exception("capture-quality analysis failed on frame %s", seq)
            else:
                with self._lock:
                    self._report = report
                    self._analyses += 1
                    self._full += 0 if report.reused else 1
                if not self._stop_event.is_set():
                    try:
                        self._on_report(report)
                    except Exception:
                        _log.exception("capture-quality on_report callback failed")
            del image, item  # hold no frame between analyses
            elapsed = time.monotonic() - started
            pause = self._watch if report is not None and report.reused else self._interval
            self._stop_event.wait(max(pause - elapsed, MIN_REST_S))
