"""Frames to the screen: cost per 1080p frame, and camera-to-screen lag under a busy UI.

Real path: :class:`station.ui.preview.PreviewWidget` fed by the camera's
:class:`~station.camera.LatestFrameSlot`. For the per-frame cost each frame is published in the
slot as the camera thread does (with the preview-size copy the widget asked for: timed apart, as
the camera thread's share) and handed over the way the widget's 16 ms timer does it (its poll
slot, called directly so no timer wait is counted) and painted synchronously with ``repaint()``
into the offscreen backing store, watermark and status chip included. For the lag, the real
:class:`station.ui.camera_feed.CameraFeed` (capture worker + latest-frame slot) runs a 60 fps
camera thread and the widget polls on its own timer.

Naive path: what the old PySide OpenCV webcam example does — ``cv2.cvtColor`` BGR→RGB,
``QImage(RGB888).copy()``, ``scaled(..., SmoothTransformation)`` for every frame, and for the lag
one queued Qt signal per camera frame from the producer thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import cv2
from PySide6.QtCore import QObject, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from station.bench.frames import SyntheticCamera
from station.bench.qtsupport import application, median, percentile, rss_mb, spin
from station.camera import BGRImage, LatestFrameSlot
from station.core.geometry import Rect
from station.ui import style
from station.ui.camera_feed import CameraFeed
from station.ui.overlay import paint_status_chip, paint_watermark, status_chip_rect
from station.ui.preview import PreviewWidget

__all__ = [
    "PREVIEW_SIZE",
    "LagResult",
    "NaivePreview",
    "PerFrameResult",
    "measure_lag",
    "measure_per_frame",
    "paint_real_frames",
]

#: The preview's size in the 1280x760 main window is about this (3/5 of the width, 16:9 picture).
PREVIEW_SIZE = QSize(960, 540)
WATERMARK = "DEMO — emulated results"
CAMERA_STATUS = "Camera 0"
BUSY_S = 0.030
CAMERA_FPS = 60.0


def to_rgb_qimage(bgr: BGRImage) -> QImage:
    """``cvtColor`` BGR→RGB and a QImage that owns a copy of the pixels (the naive conversion)."""
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, int(rgb.strides[0]), QImage.Format.Format_RGB888).copy()


class NaivePreview(QWidget):
    """The first preview most people write: convert, copy and smooth-scale every frame."""

    frame_painted = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._scaled: QImage | None = None
        self._seq = 0

    def show_frame(self, seq: int, bgr: BGRImage) -> None:
        self.show_image(seq, to_rgb_qimage(bgr))

    def show_image(self, seq: int, image: QImage) -> None:
        self._scaled = image.scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self._seq = seq
        self.repaint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), style.qcolor(style.PREVIEW_BACKGROUND))
            display = Rect(0.0, 0.0, float(self.width()), float(self.height()))
            if self._scaled is not None:
                x = (self.width() - self._scaled.width()) / 2
                y = (self.height() - self._scaled.height()) / 2
                painter.drawImage(QPointF(x, y), self._scaled)
                display = Rect(x, y, float(self._scaled.width()), float(self._scaled.height()))
            paint_watermark(painter, display, WATERMARK)
            text = f"{CAMERA_STATUS} · 60 fps"
            paint_status_chip(painter, status_chip_rect(display, text), text)
        finally:
            painter.end()
        self.frame_painted.emit(self._seq)


def _real_widget() -> PreviewWidget:
    widget = PreviewWidget()
    widget.resize(PREVIEW_SIZE)
    widget.set_watermark(WATERMARK)
    widget.set_camera_status(CAMERA_STATUS)
    widget.show()
    application().processEvents()  # deliver the expose event: until then repaint() draws nothing
    return widget


def _naive_widget() -> NaivePreview:
    widget = NaivePreview()
    widget.resize(PREVIEW_SIZE)
    widget.show()
    application().processEvents()
    return widget


@dataclass(frozen=True, slots=True)
class PerFrameResult:
    median_ms: float
    p95_ms: float
    naive_median_ms: float
    naive_p95_ms: float
    frames: int
    camera_thread_ms: float = float("nan")
    """The camera thread's share per frame: publishing it with its preview-size copy."""


def paint_real_frames(
    widget: PreviewWidget,
    pool: list[BGRImage],
    frames: int,
    first_seq: int,
    camera_times: list[float] | None = None,
) -> list[float]:
    """Hand ``frames`` new frames to the widget as the camera and its timer would, paint each;
    per-frame seconds on the UI thread. Each frame goes through a :class:`LatestFrameSlot` that
    makes the preview-size copy the widget asks for, as the camera thread does
    (``camera_times`` receives those seconds, the camera thread's share)."""
    slot = LatestFrameSlot()
    widget.attach_source(slot.latest_pair, slot)
    widget._timer.stop()  # the bench drives each poll itself; no timer tick may interleave
    painted = widget.frames_painted
    times: list[float] = []
    for index in range(frames):
        seq = first_seq + index
        start = time.perf_counter()
        slot.put(pool[seq % len(pool)])  # the camera thread's part: publish (and shrink) the frame
        if camera_times is not None:
            camera_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        widget._poll()  # the timer's slot: read the newest frame, wrap it, schedule a paint
        widget.repaint()  # paint now, synchronously
        times.append(time.perf_counter() - start)
    if widget.frames_painted - painted != frames:
        raise RuntimeError(f"the preview painted {widget.frames_painted - painted} of {frames} frames")
    widget.detach_source()
    return times


def measure_per_frame(pool: list[BGRImage], frames: int, warmup: int = 30) -> PerFrameResult:
    application()
    real = _real_widget()
    naive = _naive_widget()
    try:
        paint_real_frames(real, pool, warmup, first_seq=1)
        camera_times: list[float] = []
        real_times = paint_real_frames(real, pool, frames, first_seq=warmup + 1, camera_times=camera_times)
        for index in range(warmup):
            naive.show_frame(index, pool[index % len(pool)])
        naive_times: list[float] = []
        for index in range(frames):
            start = time.perf_counter()
            naive.show_frame(index, pool[index % len(pool)])
            naive_times.append(time.perf_counter() - start)
    finally:
        real.close()
        naive.close()
        real.deleteLater()
        naive.deleteLater()
    ms = [t * 1000 for t in real_times]
    naive_ms = [t * 1000 for t in naive_times]
    return PerFrameResult(
        median(ms),
        percentile(ms, 0.95),
        median(naive_ms),
        percentile(naive_ms, 0.95),
        frames,
        median([t * 1000 for t in camera_times]),
    )


# -- lag ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LagResult:
    p95_ms: float
    mean_ms: float
    frames_shown: int
    naive_p95_ms: float
    naive_final_ms: float
    naive_frames_shown: int
    naive_rss_growth_mb: float


async def _real_lag(pool: list[BGRImage], seconds: float) -> tuple[list[float], int]:
    """Real CameraFeed (worker + slot) at 60 fps → PreviewWidget on its timer; 30 ms busy per frame.

    The 30 ms of other UI work per shown frame is placed between reading the newest frame and
    painting it — the worst place for lag, and the same place the naive slot has it.
    """
    feed = CameraFeed(lambda: SyntheticCamera(pool, CAMERA_FPS))
    widget = _real_widget()
    captured: dict[int, float] = {}
    lags: list[float] = []
    last_seq = [0]

    def latest() -> tuple[int, BGRImage] | None:
        frame = feed.slot.latest()
        if frame is None:
            return None
        if frame.seq != last_seq[0]:
            last_seq[0] = frame.seq
            captured[frame.seq] = frame.captured_at
            spin(BUSY_S)
        return frame.seq, frame.image

    def painted(seq: int) -> None:
        lags.append((time.monotonic() - captured[seq]) * 1000.0)

    widget.frame_painted.connect(painted)
    feed.start()
    try:
        widget.attach_source(latest)
        await asyncio.sleep(seconds)
        widget.detach_source()
    finally:
        feed.stop()
        widget.close()
        widget.deleteLater()
    skip = min(10, len(lags) // 4)  # the camera's first frames and the first paints
    return lags[skip:], len(lags)


class _FrameSignal(QObject):
    """The old PySide webcam example's thread signal: one converted QImage per camera frame."""

    frame_ready = Signal(QImage, int, float)


async def _naive_lag(pool: list[BGRImage], seconds: float) -> tuple[list[float], int, float]:
    """A 60 fps producer thread converting each frame and emitting one queued signal per frame
    (as the old PySide OpenCV webcam example does) into a slot that is busy 30 ms, then scales
    and paints. The queued signals hold every converted frame not yet shown, so the resident
    memory growth during the run is reported as well.
    """
    widget = _naive_widget()
    receiver = _FrameSignal()
    lags: list[float] = []
    stop = threading.Event()
    draining = [False]

    def show(image: QImage, seq: int, captured_at: float) -> None:
        if draining[0]:
            return
        spin(BUSY_S)
        widget.show_image(seq, image)
        lags.append((time.monotonic() - captured_at) * 1000.0)

    receiver.frame_ready.connect(show)  # the receiver lives on the UI thread: queued from the producer

    rss: dict[str, float] = {"before": rss_mb()}

    def produce() -> None:
        # The producer keeps its own clock: the flood of queued signals starves the event loop's
        # timers, so the UI side could not stop it on time.
        period = 1.0 / CAMERA_FPS
        due = time.monotonic()
        deadline = due + seconds
        seq = 0
        while not stop.is_set() and time.monotonic() < deadline:
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            due += period
            seq += 1
            captured_at = time.monotonic()
            receiver.frame_ready.emit(to_rgb_qimage(pool[seq % len(pool)]), seq, captured_at)
        rss["peak"] = rss_mb()
        draining[0] = True  # what is still queued is skipped: the run is over

    producer = threading.Thread(target=produce, name="bench-naive-camera", daemon=True)
    producer.start()
    try:
        await asyncio.to_thread(producer.join, seconds + 5.0)
    finally:
        stop.set()
        producer.join(2.0)
    await asyncio.sleep(0.2)  # the skipped backlog drains
    receiver.frame_ready.disconnect(show)
    widget.close()
    widget.deleteLater()
    rss_peak, rss_before = rss.get("peak", float("nan")), rss["before"]
    return lags, len(lags), rss_peak - rss_before


async def measure_lag(pool: list[BGRImage], seconds: float) -> LagResult:
    lags, shown = await _real_lag(pool, seconds)
    naive, naive_shown, naive_growth = await _naive_lag(pool, seconds)
    return LagResult(
        p95_ms=percentile(lags, 0.95),
        mean_ms=sum(lags) / len(lags) if lags else float("nan"),
        frames_shown=shown,
        naive_p95_ms=percentile(naive, 0.95),
        naive_final_ms=naive[-1] if naive else float("nan"),
        naive_frames_shown=naive_shown,
        naive_rss_growth_mb=naive_growth,
    )
