"""Capture guidance on the live preview: the quality monitor's reports, as a Qt signal and a drawing.

The analysis runs on :class:`~station.vision.quality_worker.QualityMonitor`'s own thread a few
times a second; :class:`QualityFeed` turns its callback into a queued signal so the report reaches
the UI thread, and :func:`paint_guide` draws the target oval (:func:`~station.vision.guide.guide_oval`:
the size of the face it asks for) and the one instruction at the bottom of the picture in a few
hundred microseconds during the preview's paint.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QPainter, QPen

from station.core.geometry import Rect
from station.ui import style
from station.ui.overlay import status_chip_rect
from station.vision.quality import QualityReport, guide_oval
from station.vision.quality_worker import QualityMonitor

__all__ = ["QualityFeed", "paint_guide"]

_READY_COLOUR = "#2E9E4F"
_NOT_READY_COLOUR = "#F2B600"


class QualityFeed(QObject):
    """The quality monitor as the window sees it."""

    #: A :class:`~station.vision.quality.QualityReport`, on the UI thread.
    report_ready = Signal(object)

    def __init__(self, latest: Callable[[], tuple[int, np.ndarray] | None], parent: QObject | None = None):
        super().__init__(parent)
        self._latest = latest
        self._monitor: QualityMonitor | None = None

    def start(self) -> None:
        if self._monitor is None:
            self._monitor = QualityMonitor(self._latest, self.report_ready.emit)
            self._monitor.start()

    def stop(self, timeout: float = 2.0) -> bool:
        monitor, self._monitor = self._monitor, None
        return True if monitor is None else monitor.stop(timeout)

    @property
    def thread_ident(self) -> int | None:
        return None if self._monitor is None else self._monitor.thread_ident


def paint_guide(painter: QPainter, display: Rect, image_w: int, image_h: int, report: QualityReport) -> None:
    """The oval where the face should be and the instruction, green when ready, amber when not."""
    ox, oy, ow, oh = guide_oval(image_w, image_h)
    sx, sy = display.width / image_w, display.height / image_h
    oval = QRectF(display.x + ox * sx, display.y + oy * sy, ow * sx, oh * sy)
    colour = style.qcolor(_READY_COLOUR if report.ready else _NOT_READY_COLOUR)
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(colour, 4)
        if not report.ready:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(oval)
        font = style.font(18, bold=True)
        painter.setFont(font)
        text = ("✔ " if report.ready else "") + report.text
        metrics = QFontMetricsF(font)
        width = min(metrics.horizontalAdvance(text) + 28, display.width - 8)
        height = metrics.height() + 14
        # At the bottom, just above the camera's status chip: the oval sits near the top of the
        # picture (a quarter of the short side above the middle) and a face that is not yet in it
        # is usually below it, so neither the top nor the space under the oval is free.
        above = status_chip_rect(display, report.text).y - 8
        chip = QRectF(display.x + (display.width - width) / 2, max(display.y, above - height), width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(chip, 8, 8)
        painter.setPen(style.qcolor("#FFFFFF" if report.ready else "#1A1A1A"))
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), text)
    finally:
        painter.restore()
