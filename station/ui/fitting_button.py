"""A large action button whose words shrink rather than be cut off.

Two supervisor buttons share the row Cancel uses at 1024×768, and a translation can be half as long
again as the English: at the station's 14 pt, words that fit in English need more than their half
of the column in another language. The button keeps its height and steps its font down, a point at
a time, until the words fit, never below :data:`MIN_POINT_SIZE`; given room again it grows back.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QStyle, QStyleOptionButton, QWidget

from station.ui import style

__all__ = ["MIN_POINT_SIZE", "FittingButton"]

#: Smallest size the words shrink to (still readable at arm's length), at the designed text size
#: (scaled with the system's text size like every other size).
MIN_POINT_SIZE = 9


class FittingButton(QPushButton):
    def __init__(self, point_size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._point_size = style.scaled(point_size)  # the system's text size (large text)
        self._floor = style.scaled(MIN_POINT_SIZE)
        font = self.font()
        font.setPointSize(point_size)
        super().setFont(font)
        # The row decides the width; the words follow it (their natural width is not a minimum).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def text_fits(self) -> bool:
        """The words, at the font in use, fit inside the button's label area."""
        return QFontMetrics(self.font()).horizontalAdvance(self.text()) <= self._room()

    def _room(self) -> int:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        contents = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        return contents.width() - 8  # a little air either side of the words

    def _fit(self) -> None:
        font = self.font()
        room, text = self._room(), self.text()
        size = self._point_size
        while size > self._floor:
            font.setPointSize(size)
            if QFontMetrics(font).horizontalAdvance(text) <= room:
                break
            size -= 1
        if self.font().pointSize() != size:
            font.setPointSize(size)
            super().setFont(font)
