"""The health strip: one small chip per part a verification needs, each with a colour and a word.

Never colour alone: each chip shows a symbol (● good, ▲ warning, ■ bad) and the part's word, and the
whole strip's state is in its accessible description. The problem's fix is in the chip's tooltip
and, when a needed part is bad, in the banner (see the main window). The words come from the
application layer in English and are shown in the operator's language (:mod:`station.ui.texts`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from station.application.health import Health, Level, Part
from station.ui import style
from station.ui.texts import MessageBook

__all__ = ["HealthStrip"]

translate = QCoreApplication.translate


class HealthStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HealthStrip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.chips: dict[Part, QLabel] = {}
        for part in Part:
            chip = QLabel()
            layout.addWidget(chip, 1)
            self.chips[part] = chip
        self._book = MessageBook()
        self.health = Health()
        self.show_health(self.health)

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
            name, word = self._words(state.part.value), self._words(state.word)
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
        self.setAccessibleName(translate("HealthStrip", "Station health"))
        self.setAccessibleDescription(
            "; ".join(
                f"{self._words(p.part.value)} {levels[p.level]}: {self._words(p.word)}" for p in health.parts
            )
        )
