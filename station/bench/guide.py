"""The capture guide's cost: ``analyse_ms_per_frame`` and how fast it wakes for a customer.

Real: :class:`~station.vision.quality.QualityAnalyser.analyse_stream` on the frames the monitor
would take from a 1080p counter camera four times a second (every look a new picture: the
customer sways), periodic full scans included, so the mean is what a second of guidance costs
divided by four.

Naive (:class:`NaiveAnalyser`): the guide before issue 16, "the analyser on the full frame every
tick": the whole frame in grey, the Haar cascade the emulator ran before issue 26
(:class:`~station.bench.haar.HaarDetector`: a 640 px copy, every scale step of 1.1), a second look
at the centre when it finds nobody, on every tick. Its faces are measured and turned into an
instruction by the same code as the real analyser's.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from station.bench.haar import HaarDetector
from station.bench.qtsupport import median, percentile
from station.bench.scenes import CounterCamera, Picture
from station.camera import BGRImage, CaptureWorker, LatestFrameSlot
from station.vision.faces import DetectedFace, FaceDetector
from station.vision.guide import guide_oval
from station.vision.quality import QualityAnalyser, QualityReport
from station.vision.quality_worker import QualityMonitor

__all__ = ["AnalyseResult", "NaiveAnalyser", "measure_analyse", "measure_wake"]

#: The monitor's looks per second with a customer present.
LOOKS_PER_S = 4.0


class NaiveAnalyser(QualityAnalyser):
    """The guide as it was: a full-frame analysis with the Haar cascade on every tick (see the
    module docstring). ``detector`` (the station's) only satisfies the base class."""

    #: The old second look: the centre half of the frame around the old oval (42 % down).
    CROP = 0.5
    OVAL_Y = 0.42

    def __init__(self, detector: FaceDetector | None = None, haar: HaarDetector | None = None) -> None:
        super().__init__(detector)
        self.haar = haar if haar is not None else HaarDetector()

    def analyse_stream(self, image_bgr: BGRImage) -> QualityReport:
        gray = np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        faces = self.haar.detect(gray)
        if not faces:
            height, width = gray.shape[:2]
            cw, ch = round(width * self.CROP), round(height * self.CROP)
            x0 = (width - cw) // 2
            y0 = int(min(max(0, round(self.OVAL_Y * height - ch / 2)), height - ch))
            crop = gray[y0 : y0 + ch, x0 : x0 + cw]
            found = self.haar.detect(crop, min_confidence=0.8, keep_best=False)
            faces = [DetectedFace(f.x + x0, f.y + y0, f.width, f.height, f.confidence) for f in found]
        return self.report_for_faces(image_bgr, faces)


@dataclass(frozen=True, slots=True)
class AnalyseResult:
    mean_ms: float
    median_ms: float
    p95_ms: float
    naive_mean_ms: float
    naive_median_ms: float
    full_analyse_ms: float
    empty_look_ms: float
    naive_empty_ms: float
    frames: int


def _timed(analyser: QualityAnalyser, frames: list[BGRImage]) -> list[float]:
    times: list[float] = []
    for frame in frames:
        started = time.perf_counter()
        analyser.analyse_stream(frame)
        times.append((time.perf_counter() - started) * 1000.0)
    return times


def measure_analyse(frames: int) -> AnalyseResult:
    """Per analysed 1080p frame: the real analyser's stream, the naive one, on the same frames."""
    camera = CounterCamera(1920, 1080, fps=LOOKS_PER_S)
    customer = [camera.frame(index, Picture.CUSTOMER) for index in range(frames)]
    empty = [camera.frame(index, Picture.NOBODY) for index in range(frames)]
    detector = FaceDetector()
    warm = QualityAnalyser(detector)
    for frame in customer[:3]:
        warm.analyse(frame)  # caches, the detector's first-run allocations
    real = _timed(QualityAnalyser(detector), customer)
    haar = HaarDetector()
    naive = _timed(NaiveAnalyser(detector, haar), customer)
    full = [(_timed(QualityAnalyser(detector), [frame])[0]) for frame in customer[: max(3, frames // 10)]]
    # An empty counter: one full analysis, then looks that find the picture unchanged.
    empty_real = _timed(QualityAnalyser(detector), empty)[1:]
    empty_naive = _timed(NaiveAnalyser(detector, haar), empty[: max(3, frames // 4)])
    return AnalyseResult(
        mean_ms=float(np.mean(real)),
        median_ms=median(real),
        p95_ms=percentile(real, 0.95),
        naive_mean_ms=float(np.mean(naive)),
        naive_median_ms=median(naive),
        full_analyse_ms=median(full),
        empty_look_ms=float(np.mean(empty_real)) if empty_real else float("nan"),
        naive_empty_ms=float(np.mean(empty_naive)),
        frames=frames,
    )


def measure_wake(trials: int) -> list[float]:
    """Milliseconds from a customer appearing at an empty counter to the guide's first report
    with a face: the real camera worker, slot and monitor on a 1080p camera at 30 fps."""
    camera = CounterCamera(1920, 1080, fps=30.0, shows=Picture.NOBODY)
    camera.show(Picture.CUSTOMER)  # both pictures ready before the clock runs
    camera.show(Picture.NOBODY)
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: camera, slot)
    seen = threading.Event()
    empty_seen = threading.Event()

    oval_x, oval_y, oval_w, oval_h = guide_oval(1920, 1080)

    def customer_found(report: QualityReport) -> bool:
        """A face in the guide's oval: the customer (a false face elsewhere, as the old cascade
        found beside the coffee cup, must not count as the customer's arrival)."""
        if report.face_box is None:
            return False
        x, y, w, h = report.face_box
        cx, cy = x + w / 2, y + h / 2
        return oval_x <= cx <= oval_x + oval_w and oval_y <= cy <= oval_y + oval_h

    def on_report(report: QualityReport) -> None:
        (seen if customer_found(report) else empty_seen).set()

    def latest() -> tuple[int, BGRImage] | None:
        frame = slot.latest()
        return None if frame is None else (frame.seq, frame.image)

    wakes: list[float] = []
    monitor = QualityMonitor(latest, on_report)
    with worker, monitor:
        for trial in range(trials):
            camera.show(Picture.NOBODY)
            empty_seen.clear()
            if not empty_seen.wait(10.0):
                break
            # Settle into watching the empty counter, then arrive at an arbitrary moment.
            time.sleep(0.6 + 0.137 * trial)
            seen.clear()
            arrived = time.monotonic()
            camera.show(Picture.CUSTOMER)
            if not seen.wait(10.0):
                break
            wakes.append((time.monotonic() - arrived) * 1000.0)
    return wakes
