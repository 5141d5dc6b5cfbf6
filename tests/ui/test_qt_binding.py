"""The Qt binding itself must not leak or over-release singletons: the preview calls it 30x a second."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication


class _Emitter(QObject):
    ping = Signal(int)


def test_void_calls_and_emits_keep_none_and_true_alive(qapp: QApplication) -> None:
    # PySide6 6.12.0 on CPython 3.11 dropped one reference to None per void call and one to True
    # per emit; a live preview then aborted the process ("none_dealloc") within about a minute.
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    try:
        for _ in range(200):
            painter.save()
            painter.restore()
            emitter.ping.emit(1)
    finally:
        painter.end()
    assert sys.getrefcount(None) - none_before > -50
    assert sys.getrefcount(True) - true_before > -50
