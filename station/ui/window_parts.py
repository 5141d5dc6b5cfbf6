"""The main window's parts: Qt construction and words only (nothing here decides anything).

The status bar's permanent badges (environment, operator, calls saved, development overrides),
the large action buttons, the result details and history tabs, and the watermark's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station.ui import style
from station.ui.announcer import Announcer
from station.ui.banner import VerdictBanner
from station.ui.fitting_button import FittingButton
from station.ui.health_strip import HealthStrip
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.preview import PreviewWidget
from station.ui.style import environment_badge_style

__all__ = ["CounterWidgets", "StatusBadges", "watermark"]

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


class CounterWidgets:
    """The counter's widgets, laid out in ``window``: the picture on the left; on the right the
    customer's language, the verdict banner, the customer reference, the actions and the result
    details / history tabs; across the bottom the health strip. ``slots`` are the actions'
    (capture, cancel, next customer, confirm, reject)."""

    def __init__(
        self,
        window: QMainWindow,
        languages: Languages,
        history: HistoryPanel,
        slots: Sequence[Callable[[], object]],
    ) -> None:
        self.preview = PreviewWidget(languages=languages)
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview.setMinimumSize(480, 270)
        #: The customer's language, large, so the operator sees at once what F2 switched to.
        self.customer_language = QLabel()
        self.customer_language.setObjectName("CustomerLanguage")
        self.customer_language.setFont(style.font(style.MESSAGE_POINT_SIZE, bold=True))
        self.customer_language.setWordWrap(True)
        self.banner = VerdictBanner()
        self.announcer = Announcer(self.banner)  # accessibility: the verdict banner is the live region
        self.customer_ref = QLineEdit()
        self.customer_ref.setObjectName("CustomerReference")
        self.customer_ref.setMaxLength(64)
        self.customer_ref.setClearButtonEnabled(True)
        self.capture, self.cancel, self.next, self.confirm, self.reject = (action_button(s) for s in slots)
        # Cancel and the review actions share one row: a REVIEW appears without moving anything.
        self.action_row = QStackedWidget()
        self.action_row.addWidget(self.cancel)
        review = QWidget()
        review_layout = QHBoxLayout(review)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.addWidget(self.confirm)
        review_layout.addWidget(self.reject)
        self.action_row.addWidget(review)
        self.action_row.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.details = details_label()
        self.history = history
        self.tabs = result_tabs(self.details, history)
        history.set_locale(languages.operator_locale)

        side = QVBoxLayout()
        for widget in (self.customer_language, self.banner, self.customer_ref, self.capture, self.action_row):
            side.addWidget(widget)
        side.addWidget(self.next)
        side.addWidget(self.tabs, 1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(360)
        side_widget.setMaximumWidth(560)
        body = QHBoxLayout()
        body.addWidget(self.preview, 3)
        body.addWidget(side_widget, round(2 * style.text_scale()))  # accessibility: large text, wider
        self.health_strip = HealthStrip()
        column = QVBoxLayout()
        column.addLayout(body, 1)
        column.addWidget(self.health_strip)
        central = QWidget()
        central.setLayout(column)
        window.setCentralWidget(central)

    def retranslate(self, languages: Languages) -> None:
        """The widgets' words, in the interface language now installed."""
        self.customer_ref.setAccessibleName(translate("MainWindow", "Customer reference"))
        self.customer_ref.setPlaceholderText(
            translate("MainWindow", "Customer reference (application or CIF number, optional)")
        )
        for button, text, accessible in (
            (self.capture, translate("MainWindow", "Capture  (Space)"), translate("MainWindow", "Capture")),
            (
                self.cancel,
                translate("MainWindow", "Cancel  (Esc)"),
                translate("MainWindow", "Cancel verification"),
            ),
            (
                self.next,
                translate("MainWindow", "Next customer  (Enter)"),
                translate("MainWindow", "Next customer"),
            ),
            (
                self.confirm,
                translate("MainWindow", "Confirm live  (F9)"),
                translate("MainWindow", "Supervisor confirms live"),
            ),
            (
                self.reject,
                translate("MainWindow", "Reject  (F10)"),
                translate("MainWindow", "Supervisor rejects"),
            ),
        ):
            button.setText(text)
            button.setAccessibleName(accessible)
        self.details.setAccessibleName(translate("MainWindow", "Result details"))
        self.tabs.setTabText(0, translate("MainWindow", "Result details"))
        self.tabs.setTabText(1, translate("MainWindow", "History"))
        self.history.set_locale(languages.operator_locale)
        self.history.retranslate()
        self.health_strip.retranslate()
        text = translate("MainWindow", "Customer's language: {language}").format(
            language=languages.name(languages.customer)
        )
        if len(languages.customer_languages) > 1:
            text += "  " + translate("MainWindow", "(F2 switches)")
        self.customer_language.setText(text)
        self.customer_language.setAccessibleName(translate("MainWindow", "Customer's language"))
