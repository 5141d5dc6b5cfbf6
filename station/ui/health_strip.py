"""The health strip: one small chip per part a verification needs, each with a colour and a word.

Never colour alone: each chip shows a symbol (● good, ▲ warning, ■ bad) and the part's word, and the
whole strip's state is in its accessible description. The problem's fix is in the chip's tooltip
and, when a needed part is bad, in the banner (see the main window).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from station.application.health import Health, Level, Part

__all__ = ["HealthStrip"]

_LOOK: Final = {
    Level.GOOD: ("●", "#1B5E20", "#E8F5E9"),
    Level.WARN: ("▲", "#5D4037", "#FFF3CD"),
    Level.BAD: ("■", "#FFFFFF", "#B71C1C"),
}


class HealthStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HealthStrip")
        self.setAccessibleName("Station health")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.chips: dict[Part, QLabel] = {}
        for part in Part:
            chip = QLabel()
            chip.setAccessibleName(f"{part.value} health")
            layout.addWidget(chip, 1)
            self.chips[part] = chip
        self.health = Health()
        self.show_health(self.health)

    def show_health(self, health: Health) -> None:
        self.health = health
        for state in health.parts:
            symbol, ink, paper = _LOOK[state.level]
            chip = self.chips[state.part]
            chip.setText(f"{symbol} {state.part.value}: {state.word}")
            chip.setToolTip(state.fix or f"{state.part.value}: {state.word}")
            chip.setStyleSheet(
                f"QLabel {{ color: {ink}; background-color: {paper}; border-radius: 4px; padding: 2px 6px; }}"
            )
        self.setAccessibleDescription(
            "; ".join(f"{p.part.value} {p.level.value}: {p.word}" for p in health.parts)
        )
