"""What is drawn over the live picture — the guide's oval and words, the consent notice, the
automatic capture's ring, the watermark and the camera's chip — rendered once and blitted.

Why a layer: the camera delivers 30 new pictures a second, but what is drawn over them changes a
few times a minute (the guide's instruction, a language, the fps figure). Laying out and drawing
that text and the antialiased oval took 0.8 ms of the UI thread per frame (issue 27, measured in
the idle bench: the guide 0.46 ms, the chip 0.23 ms, the watermark 0.08 ms); blitting a layer that
is transparent but for them takes 0.06 ms. :class:`LiveOverlay` is the overlay *as the words and
numbers drawn*: two equal ones draw the same pixels, so the preview renders a new layer only when
the one it would draw differs from the last, and never has to be told what changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from station.core.geometry import Rect
from station.ui import style
from station.ui.guidance import paint_capture_ring, paint_guide, paint_notice
from station.ui.overlay import paint_status_chip, paint_watermark, status_chip_rect

__all__ = ["GuideWords", "LiveOverlay"]


@dataclass(frozen=True, slots=True)
class GuideWords:
    """The guide as drawn: ready or not (green or amber), the customer's words, the operator's."""

    ready: bool
    text: str
    second: str


@dataclass(frozen=True, slots=True)
class LiveOverlay:
    """Everything the live picture's overlay draws, and where (widget pixels)."""

    widget: tuple[int, int]
    ratio: float
    theme: style.Theme
    #: The application font (family, size: the system's text size), which every text here is in.
    font: str
    display: Rect
    #: The camera picture's size (the guide's oval is placed in its pixels).
    picture: tuple[int, int] | None
    guide: GuideWords | None
    #: The consent notice: its words, the keys to answer, its title.
    notice: tuple[str, str, str] | None
    #: The automatic capture's ring: progress 0..1 and its words.
    ring: tuple[float, str] | None
    watermark: str | None
    chip: str

    def draw(self, painter: QPainter) -> None:
        """Paint the overlay with ``painter`` (the preview itself, or a layer of the widget's size)."""
        display = self.display
        if self.guide is not None and self.picture is not None:
            width, height = self.picture
            paint_guide(painter, display, width, height, self.guide.ready, self.guide.text, self.guide.second)
        if self.notice is not None:
            text, keys, title = self.notice
            paint_notice(painter, display, text, keys, title)
        if self.ring is not None:
            progress, words = self.ring
            paint_capture_ring(painter, display, progress, words)
        paint_watermark(painter, display, self.watermark)
        paint_status_chip(painter, status_chip_rect(display, self.chip), self.chip)

    def render(self) -> QImage:
        """A transparent layer of the widget's size with the overlay on it."""
        width, height = self.widget
        layer = QImage(
            max(1, round(width * self.ratio)),
            max(1, round(height * self.ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        layer.setDevicePixelRatio(self.ratio)
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        try:
            self.draw(painter)
        finally:
            painter.end()
        return layer
