"""Capture guidance on the live preview: the quality monitor's reports, as a Qt signal and a drawing.

The analysis runs on :class:`~station.vision.quality_worker.QualityMonitor`'s own thread a few
times a second; :class:`QualityFeed` turns its callback into a queued signal so the report reaches
the UI thread, and :func:`paint_guide` draws the target oval (:func:`~station.vision.guide.guide_oval`:
the size of the face it asks for) and the one instruction at the bottom of the picture in a few
hundred microseconds during the preview's paint.

The words drawn here are the customer's (the caller passes them in the customer instruction
language, looked up at paint time, so a switch shows on the very next frame). A chip wraps rather
than cut a long instruction: other languages run longer than English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen

from station.core.geometry import Rect
from station.ui import style
from station.ui.overlay import status_chip_rect
from station.vision.guide import guide_oval
from station.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    # The analyser (OpenCV's detector with it) starts with the guide, after the first frame is on
    # screen (issue 27).
    from station.vision.quality_worker import QualityMonitor

__all__ = [
    "NOTICE_TITLE",
    "RING_TEXT",
    "GuideChip",
    "NoticeLayout",
    "QualityFeed",
    "guide_chip",
    "notice_layout",
    "paint_guide",
]

#: The chip's large instruction (points) and the operator's smaller line under it.
GUIDE_POINT_SIZE = 18
GUIDE_SECOND_POINT_SIZE = 12
_WRAP = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)


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
            from station.vision.quality_worker import QualityMonitor

            self._monitor = QualityMonitor(self._latest, self.report_ready.emit)
            self._monitor.start()

    def stop(self, timeout: float = 2.0) -> bool:
        monitor, self._monitor = self._monitor, None
        return True if monitor is None else monitor.stop(timeout)

    @property
    def thread_ident(self) -> int | None:
        return None if self._monitor is None else self._monitor.thread_ident


@dataclass(frozen=True, slots=True)
class GuideChip:
    """Where the guide's chip and its lines go, measured with the fonts they are drawn in."""

    chip: QRectF
    text_rect: QRectF
    second_rect: QRectF | None
    font: QFont
    second_font: QFont


def guide_chip(display: Rect, text: str, second: str = "", *, above: float | None = None) -> GuideChip:
    """The chip for ``text`` (and the operator's ``second`` line): as wide as the words need, at
    most the picture's width; as tall as the wrapped lines need. Nothing is ever cut. At the top
    of the picture, or with its bottom at ``above`` (never above the picture's top)."""
    font = style.font(GUIDE_POINT_SIZE, bold=True)
    second_font = style.font(GUIDE_SECOND_POINT_SIZE)
    room = max(40.0, display.width - 8 - 28)
    main = QFontMetricsF(font).boundingRect(QRectF(0, 0, room, 100_000), _WRAP, text)
    extra = (
        QFontMetricsF(second_font).boundingRect(QRectF(0, 0, room, 100_000), _WRAP, second)
        if second
        else None
    )
    inner_w = min(room, max(main.width(), extra.width() if extra is not None else 0.0)) + 2
    width = inner_w + 28
    height = main.height() + 14 + (extra.height() + 4 if extra is not None else 0.0)
    top = display.y + 10 if above is None else max(display.y, above - height)
    chip = QRectF(display.x + (display.width - width) / 2, top, width, height)
    text_rect = QRectF(chip.x() + 14, chip.y() + 7, inner_w, main.height())
    second_rect = (
        QRectF(chip.x() + 14, text_rect.bottom() + 4, inner_w, extra.height()) if extra is not None else None
    )
    return GuideChip(chip, text_rect, second_rect, font, second_font)


def paint_guide(
    painter: QPainter,
    display: Rect,
    image_w: int,
    image_h: int,
    ready: bool,
    text: str,
    second: str = "",
) -> None:
    """The oval where the face should be and the instruction (``text``: the customer's words),
    green when ``ready``, amber when not; ``second`` is the operator's wording, smaller, when the
    two languages differ."""
    ox, oy, ow, oh = guide_oval(image_w, image_h)
    sx, sy = display.width / image_w, display.height / image_h
    oval = QRectF(display.x + ox * sx, display.y + oy * sy, ow * sx, oh * sy)
    look = style.themed(style.GUIDE_READY if ready else style.GUIDE_NOT_READY)
    colour = style.qcolor(look.background)
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(colour, 4)
        if not ready:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(oval)
        shown = ("✔ " if ready else "") + text
        # At the bottom, just above the camera's status chip: the oval sits near the top of the
        # picture (a quarter of the short side above the middle) and a face that is not yet in it
        # is usually below it, so neither the top nor the space under the oval is free.
        layout = guide_chip(display, shown, second, above=status_chip_rect(display, text).y - 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(layout.chip, 8, 8)
        painter.setPen(style.qcolor(look.foreground))
        painter.setFont(layout.font)
        painter.drawText(layout.text_rect, _WRAP, shown)
        if layout.second_rect is not None:
            painter.setFont(layout.second_font)
            painter.drawText(layout.second_rect, _WRAP, second)
    finally:
        painter.restore()


#: In the automatic capture's ring, for the customer (their language).
RING_TEXT = QT_TRANSLATE_NOOP("Consent", "Hold still: capturing…")


def paint_capture_ring(painter: QPainter, display: Rect, progress: float, text: str = RING_TEXT) -> None:
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
    pen.setColor(style.qcolor(style.themed(style.GUIDE_READY).background))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawArc(box, 90 * 16, -round(360 * 16 * max(0.0, min(1.0, progress))))
    painter.setFont(style.font(style.LABEL_POINT_SIZE, bold=True))
    width = min(display.width - 8, max(240.0, QFontMetricsF(painter.font()).horizontalAdvance(text) + 16))
    label = QRectF(centre_x - width / 2, centre_y + radius + 4, width, 48)
    # On an opaque chip, never straight on the picture: the words keep their tested contrast.
    chip = style.themed(style.CHIP)
    needed = QFontMetricsF(painter.font()).boundingRect(label, _WRAP, text)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.qcolor(chip.background))
    painter.drawRoundedRect(needed.adjusted(-8, -4, 8, 4), 6, 6)
    painter.setPen(style.qcolor(chip.foreground))
    painter.drawText(label, _WRAP, text)
    painter.restore()


#: The consent notice's heading, on the picture (the customer's language).
NOTICE_TITLE = QT_TRANSLATE_NOOP("Consent", "Before we take your picture")


@dataclass(frozen=True, slots=True)
class NoticeLayout:
    """Where the consent notice's panel and its three texts go, measured with their fonts."""

    panel: QRectF
    title_rect: QRectF
    body_rect: QRectF
    keys_rect: QRectF
    title_font: QFont
    body_font: QFont
    keys_font: QFont


#: The notice body's smallest size (points, after scaling): smaller type before cut words.
NOTICE_MIN_POINT_SIZE = 9
_NOTICE_FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)


def notice_layout(display: Rect, text: str, keys: str, title: str = NOTICE_TITLE) -> NoticeLayout:
    """The notice over ``display``: the title and the keys wrapped at the panel's width (a large
    system font or a long translation never cuts them), the body between them at the largest size
    that fits."""
    margin = max(12.0, display.width * 0.05)
    panel = QRectF(
        display.x + margin, display.y + margin, display.width - 2 * margin, display.height - 2 * margin
    )
    inner = panel.adjusted(24, 20, -24, -20)
    width = max(1.0, inner.width())

    def height(font: QFont, words: str) -> float:
        return QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 100_000), _NOTICE_FLAGS, words).height()

    title_font = style.font(style.MESSAGE_POINT_SIZE, bold=True)
    keys_font = style.font(style.LABEL_POINT_SIZE, bold=True)
    title_h = height(title_font, title) + QFontMetricsF(title_font).height() * 0.4
    keys_h = height(keys_font, keys)
    title_rect = QRectF(inner.x(), inner.y(), width, title_h)
    keys_rect = QRectF(inner.x(), inner.bottom() - keys_h, width, keys_h)
    body_rect = QRectF(
        inner.x(), title_rect.bottom(), width, max(0.0, keys_rect.top() - title_rect.bottom() - 8)
    )
    size = style.scaled(style.MESSAGE_POINT_SIZE - 2)
    body_font = QFont(title_font)
    body_font.setBold(False)
    body_font.setPointSize(size)
    while size > NOTICE_MIN_POINT_SIZE and height(body_font, text) > body_rect.height():
        size -= 1
        body_font.setPointSize(size)
    return NoticeLayout(panel, title_rect, body_rect, keys_rect, title_font, body_font, keys_font)


def paint_notice(painter: QPainter, display: Rect, text: str, keys: str, title: str = NOTICE_TITLE) -> None:
    """The consent notice over the live picture, large enough for the customer to read it."""
    layout = notice_layout(display, text, keys, title)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    notice = style.themed(style.NOTICE)
    painter.setBrush(style.qcolor(notice.background, style.NOTICE_ALPHA))
    painter.drawRoundedRect(layout.panel, 12, 12)
    painter.setPen(style.qcolor(notice.foreground))
    painter.setFont(layout.title_font)
    painter.drawText(layout.title_rect, _NOTICE_FLAGS, title)
    painter.setFont(layout.body_font)
    painter.drawText(layout.body_rect, _NOTICE_FLAGS, text)
    painter.setFont(layout.keys_font)
    painter.setPen(style.qcolor(style.themed(style.NOTICE_KEYS).foreground))
    painter.drawText(layout.keys_rect, _NOTICE_FLAGS, keys)
    painter.restore()
