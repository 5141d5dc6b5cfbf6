"""Capture guidance on the live preview: the quality monitor's reports, as a Qt signal and a drawing.

The analysis runs on :class:`~station.vision.quality_worker.QualityMonitor`'s own thread a few
times a second; :class:`QualityFeed` turns its callback into a queued signal so the report reaches
the UI thread, and :func:`paint_guide` draws the target oval and the one instruction in a few
hundred microseconds during the preview's paint.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QPainter, QPen

from station.core.geometry import Rect
from station.ui import style
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
        chip = QRectF(display.x + (display.width - width) / 2, display.y + 10, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(chip, 8, 8)
        painter.setPen(style.qcolor("#FFFFFF" if report.ready else "#1A1A1A"))
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), text)
    finally:
        painter.restore()


def paint_capture_ring(painter: QPainter, display: Rect, progress: float) -> None:
    """The automatic capture's countdown: a ring that fills as the picture stays ready, with
    "Hold still" in it, at the top of the picture, so a capture never comes as a surprise."""
    radius = max(18.0, min(display.width, display.height) * 0.06)
    centre_x = display.x + display.width / 2
    centre_y = display.y + radius + 16
    box = QRectF(centre_x - radius, centre_y - radius, 2 * radius, 2 * radius)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(style.qcolor("#000000", 120), radius * 0.3)
    painter.setPen(pen)
    painter.drawEllipse(box)
    pen.setColor(style.qcolor(_READY_COLOUR))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawArc(box, 90 * 16, -round(360 * 16 * max(0.0, min(1.0, progress))))
    painter.setPen(style.qcolor("#FFFFFF"))
    painter.setFont(style.font(style.LABEL_POINT_SIZE, bold=True))
    label = QRectF(centre_x - 120, centre_y + radius + 4, 240, 24)
    painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), "Hold still: capturing…")
    painter.restore()


#: The consent notice's heading, on the picture.
NOTICE_TITLE = "Before we take your picture"


def paint_notice(painter: QPainter, display: Rect, text: str, keys: str) -> None:
    """The consent notice over the live picture, large enough for the customer to read it."""
    margin = max(12.0, display.width * 0.05)
    panel = QRectF(
        display.x + margin, display.y + margin, display.width - 2 * margin, display.height - 2 * margin
    )
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.qcolor("#0D1B2A", 225))
    painter.drawRoundedRect(panel, 12, 12)
    inner = panel.adjusted(24, 20, -24, -20)
    painter.setPen(style.qcolor("#FFFFFF"))
    title_font = style.font(style.MESSAGE_POINT_SIZE, bold=True)
    painter.setFont(title_font)
    title_height = QFontMetricsF(title_font).height() * 1.4
    painter.drawText(
        QRectF(inner.x(), inner.y(), inner.width(), title_height),
        int(Qt.AlignmentFlag.AlignLeft),
        NOTICE_TITLE,
    )
    body = QRectF(inner.x(), inner.y() + title_height, inner.width(), inner.height() - 2 * title_height)
    size = style.MESSAGE_POINT_SIZE - 2
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
    font = style.font(size)
    while size > 9 and QFontMetricsF(font).boundingRect(body, flags, text).height() > body.height():
        size -= 1  # the whole notice is always on screen: smaller type before cut words
        font = style.font(size)
    painter.setFont(font)
    painter.drawText(body, flags, text)
    painter.setFont(style.font(style.LABEL_POINT_SIZE, bold=True))
    painter.setPen(style.qcolor("#FFE082"))
    painter.drawText(
        QRectF(inner.x(), inner.bottom() - title_height, inner.width(), title_height),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
        keys,
    )
    painter.restore()
