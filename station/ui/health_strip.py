"""The health strip: one small chip per part a verification needs, each with a colour and a word.

Never colour alone: each chip shows a symbol (● good, ▲ warning, ■ bad) and the part's word, and the
whole strip's state is in its accessible description. The problem's fix is in the chip's tooltip
and, when a needed part is bad, in the banner (see the main window). The words come from the
application layer in English and are shown in the operator's language (:mod:`station.ui.message_book`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from station.application.health import PART_NAMES, Health, Level, Part
from station.ui import style
from station.ui.message_book import MessageBook

__all__ = ["HealthStrip"]

translate = QCoreApplication.translate


class HealthStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HealthStrip")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self.chips: dict[Part, QLabel] = {chip_part: QLabel() for chip_part in Part}
        self._per_row = 0
        self._book = MessageBook()
        self.health = Health()
        self.show_health(self.health)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        """All chips in one row, side by side, when their words fit the strip's width; else as
        many rows as they need (a large system font), each chip as wide as its words: never cut."""
        chips = list(self.chips.values())
        spacing = self._grid.spacing()
        widths = [chip.sizeHint().width() for chip in chips]
        room = max(1, self.width())
        per_row = len(chips)
        while per_row > 1 and any(
            sum(widths[i : i + per_row]) + spacing * (per_row - 1) > room
            for i in range(0, len(chips), per_row)
        ):
            per_row -= 1
        if per_row == self._per_row:
            return
        self._per_row = per_row
        for chip in chips:
            self._grid.removeWidget(chip)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        for index, chip in enumerate(chips):
            self._grid.addWidget(chip, index // per_row, index % per_row)
        for column in range(per_row):
            self._grid.setColumnStretch(column, 1)

    def _words(self, text: str) -> str:
        """An application-layer word in the interface language (the installed catalogue)."""
        return self._book.translate(text, lambda c, s, d: translate(c, s, d))

    def retranslate(self) -> None:
        self.show_health(self.health)

    def show_health(self, health: Health) -> None:
        self.health = health
        levels = {
            Level.GOOD: translate("HealthStrip", "good"),
            Level.WARN: translate("HealthStrip", "warning"),
            Level.BAD: translate("HealthStrip", "bad"),
        }
        for state in health.parts:
            symbol, look = style.HEALTH_LOOKS[state.level]
            palette = style.themed(look)
            chip = self.chips[state.part]
            name, word = self._words(PART_NAMES[state.part]), self._words(state.word)
            chip.setText(f"{symbol} {name}: {word}")
            chip.setToolTip(self._words(state.fix) if state.fix else f"{name}: {word}")
            chip.setAccessibleName(translate("HealthStrip", "{part} health").format(part=name))
            spoken = translate("HealthStrip", "{part}: {level}, {word}").format(
                part=name, level=levels[state.level], word=word
            )
            spoken = spoken if spoken.endswith((".", "…", "!", "?", "।")) else f"{spoken}."
            if state.fix:
                spoken = f"{spoken} {self._words(state.fix)}"
            chip.setAccessibleDescription(spoken)
            chip.setStyleSheet(
                f"QLabel {{ color: {palette.foreground}; background-color: {palette.background};"
                " border-radius: 4px; padding: 2px 6px; }"
            )
        self._per_row = 0  # the words changed: place the chips again
        self._place()
        self.setAccessibleName(translate("HealthStrip", "Station health"))
        self.setAccessibleDescription(
            "; ".join(
                f"{self._words(PART_NAMES[p.part])} {levels[p.level]}: {self._words(p.word)}"
                for p in health.parts
            )
        )
