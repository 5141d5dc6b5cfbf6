"""The main window's parts: Qt construction and words only (nothing here decides anything).

The status bar's permanent badges (environment, operator, calls saved, development overrides),
the large action buttons, the result details and history tabs, and the watermark's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from station.ui import style
from station.ui.fitting_button import FittingButton
from station.ui.style import environment_badge_style

__all__ = ["StatusBadges", "action_button", "details_label", "result_tabs", "watermark"]

translate = QCoreApplication.translate


def action_button(slot: Callable[[], object]) -> FittingButton:
    """A large action button that takes no focus (Space and Enter keep their meaning)."""
    button = FittingButton(14)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setMinimumHeight(48)
    button.clicked.connect(slot)
    return button


def details_label() -> QLabel:
    """The result details: selectable, wrapped, at the system's text size."""
    details = QLabel()
    details.setObjectName("ResultDetails")
    details.setWordWrap(True)
    font = details.font()
    font.setPointSize(style.scaled(12))  # accessibility: the system's text size
    details.setFont(font)
    details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return details


def result_tabs(details: QLabel, history: QWidget) -> QTabWidget:
    """The result details (scrolled) and the history, as two tabs."""
    tabs = QTabWidget()
    tabs.setMinimumHeight(60)  # accessibility: large text takes room from the details first
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(details)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    tabs.addTab(scroll, "")
    tabs.addTab(history, "")
    return tabs


def watermark(*, demo: bool, environment: str, non_live_camera: bool) -> str | None:
    """The words over the picture: not a live camera, demo results, the sandbox."""
    words = translate("MainWindow", "DEMO — emulated results") if demo else None
    if environment == "sandbox" and not demo:
        words = translate("MainWindow", "SANDBOX")
    marker = translate("MainWindow", "NOT A LIVE CAMERA") if non_live_camera else None
    return " · ".join(text for text in (marker, words) if text) or None


def _environment_word(environment: str) -> str:
    words = {
        "sandbox": translate("MainWindow", "SANDBOX"),
        "production": translate("MainWindow", "PRODUCTION"),
    }
    return words.get(environment, environment.upper())


class StatusBadges:
    """Permanent status bar widgets only: transient messages never cover a state the operator
    relies on."""

    def __init__(self, window: QMainWindow, environment: str, *, demo: bool) -> None:
        self._environment, self._demo = environment, demo
        self.environment = QLabel()
        self.environment.setObjectName("EnvironmentBadge")
        self.environment.setStyleSheet(environment_badge_style("demo" if demo else environment))
        self.operator = QLabel()
        self.calls_saved = QLabel()
        self.overrides = QLabel()
        self.overrides.setObjectName("OverridesBadge")
        self.overrides.setStyleSheet(environment_badge_style("production"))
        self.overrides.hide()
        bar = window.statusBar()
        for widget in (self.operator, self.calls_saved, self.overrides, self.environment):
            bar.addPermanentWidget(widget)

    def retranslate(self) -> None:
        demo_word = translate("MainWindow", "DEMO")
        self.environment.setText(
            (f"{demo_word} · " if self._demo else "") + _environment_word(self._environment)
        )
        self.environment.setAccessibleName(translate("MainWindow", "Environment"))
        self.operator.setAccessibleName(translate("MainWindow", "Operator"))
        self.calls_saved.setAccessibleName(translate("MainWindow", "Calls saved this shift"))
        self.overrides.setText(translate("MainWindow", "DEVELOPMENT OVERRIDES"))
        self.overrides.setAccessibleName(translate("MainWindow", "Development overrides in effect"))

    def show_operator(self, operator_id: str | None) -> None:
        self.operator.setText(
            translate("MainWindow", "Operator: {operator}").format(operator=operator_id)
            if operator_id
            else translate("MainWindow", "Operator: not signed in")
        )

    def show_calls_saved(self, count: int, *, enabled: bool, locale: QLocale) -> None:
        self.calls_saved.setText(
            translate("MainWindow", "Calls saved this shift: {count}").format(count=locale.toString(count))
        )
        self.calls_saved.setVisible(enabled)

    def show_overrides(self, overrides: Sequence[str]) -> None:
        self.overrides.setVisible(bool(overrides))
        self.overrides.setToolTip(
            translate("MainWindow", "In effect: {overrides}").format(overrides=", ".join(overrides))
        )
