"""The counter's view: the main window's widgets, laid out and worded, and :meth:`CounterView.draw`,
which draws one :class:`~station.application.desk_state.DeskState` (the window keeps no copy of it).
Nothing here decides anything: the rules are the desk's; :class:`~station.ui.main_window.MainWindow`
forwards the operator's intents to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station.application.desk_state import BannerKind, DeskState
from station.application.gate import QualityGate
from station.ui import style
from station.ui.announcer import Announcer
from station.ui.banner import VerdictBanner
from station.ui.health_strip import HealthStrip
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.preview import PreviewWidget
from station.ui.window_banner import details_html, draw_banner, draw_not_ready
from station.ui.window_parts import StatusBadges, action_button, details_label, result_tabs, watermark
from station.ui.window_placement import PlacedWindow
from station.words import QT_TRANSLATE_NOOP

__all__ = ["CONSENT_KEYS", "CounterView"]

translate = QCoreApplication.translate

#: Under the consent notice, for the customer (their language).
CONSENT_KEYS = QT_TRANSLATE_NOOP("Consent", "The operator presses F7 if you agree, F8 if you do not.")


class CounterView(PlacedWindow):
    """The counter's widgets, laid out: the picture on the left; on the right the customer's
    language, the verdict banner, the customer reference, the actions and the result details /
    history tabs; across the bottom the health strip; the status bar's badges. ``slots`` are the
    actions' (capture, cancel, next customer, confirm, reject). :meth:`draw` draws a
    :class:`DeskState`."""

    def __init__(
        self,
        languages: Languages,
        history: HistoryPanel,
        slots: Sequence[Callable[[], object]],
        *,
        environment: str,
        demo: bool,
    ) -> None:
        super().__init__()
        style.follow_system_contrast()  # accessibility: the high-contrast theme when the OS asks
        self.setObjectName("MainWindow")
        self.languages = languages
        self._environment, self._demo = environment, demo
        self.preview = PreviewWidget(languages=languages)
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview.setMinimumSize(480, 270)
        #: The customer's language, large, so the operator sees at once what F2 switched to.
        self.customer_language_label = QLabel()
        self.customer_language_label.setObjectName("CustomerLanguage")
        self.customer_language_label.setFont(style.font(style.MESSAGE_POINT_SIZE, bold=True))
        self.customer_language_label.setWordWrap(True)
        self.banner = VerdictBanner()
        self.announcer = Announcer(self.banner)  # accessibility: the verdict banner is the live region
        self.customer_ref = QLineEdit()
        self.customer_ref.setObjectName("CustomerReference")
        self.customer_ref.setMaxLength(64)
        self.customer_ref.setClearButtonEnabled(True)
        (
            self.capture_button,
            self.cancel_button,
            self.next_button,
            self.confirm_button,
            self.reject_button,
        ) = (action_button(slot) for slot in slots)
        # Cancel and the review actions share one row: a REVIEW appears without moving anything.
        self.action_row = QStackedWidget()
        self.action_row.addWidget(self.cancel_button)
        review = QWidget()
        review_layout = QHBoxLayout(review)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.addWidget(self.confirm_button)
        review_layout.addWidget(self.reject_button)
        self.action_row.addWidget(review)
        self.action_row.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.details = details_label()
        self.history = history
        self.tabs = result_tabs(self.details, history)
        history.set_locale(languages.operator_locale)

        side = QVBoxLayout()
        for widget in (
            self.customer_language_label,
            self.banner,
            self.customer_ref,
            self.capture_button,
            self.action_row,
        ):
            side.addWidget(widget)
        side.addWidget(self.next_button)
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
        self.setCentralWidget(central)
        self.badges = StatusBadges(self, environment, demo=demo)
        self.environment_badge, self.operator_label = self.badges.environment, self.badges.operator
        self.calls_saved_label, self.overrides_badge = self.badges.calls_saved, self.badges.overrides

    def retranslate_view(self) -> None:
        """The widgets' words, in the interface language now installed."""
        languages = self.languages
        self.setWindowTitle(
            translate("MainWindow", "Station — face liveness verification ({environment})").format(
                environment=self._environment.upper()
            )
        )
        self.badges.retranslate()
        self.customer_ref.setAccessibleName(translate("MainWindow", "Customer reference"))
        self.customer_ref.setPlaceholderText(
            translate("MainWindow", "Customer reference (application or CIF number, optional)")
        )
        for button, text, accessible in (
            (
                self.capture_button,
                translate("MainWindow", "Capture  (Space)"),
                translate("MainWindow", "Capture"),
            ),
            (
                self.cancel_button,
                translate("MainWindow", "Cancel  (Esc)"),
                translate("MainWindow", "Cancel verification"),
            ),
            (
                self.next_button,
                translate("MainWindow", "Next customer  (Enter)"),
                translate("MainWindow", "Next customer"),
            ),
            (
                self.confirm_button,
                translate("MainWindow", "Confirm live  (F9)"),
                translate("MainWindow", "Supervisor confirms live"),
            ),
            (
                self.reject_button,
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
        self.customer_language_label.setText(text)
        self.customer_language_label.setAccessibleName(translate("MainWindow", "Customer's language"))

    # -- what the window draws from (the desk's, given by the window) ------------------------------

    def state(self) -> DeskState:
        """The desk's state now."""
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        """A verification is in flight (the busy banner is the clock's)."""
        raise NotImplementedError

    @property
    def gate(self) -> QualityGate:
        raise NotImplementedError

    # -- drawing ---------------------------------------------------------------------------------------

    def draw(self, state: DeskState) -> None:
        """Everything the desk decided, from ``state`` alone (the window keeps no copy of it): the
        banner and the result details, the consent notice, the live or the held picture, and the
        actions."""
        languages, banner = self.languages, state.banner
        if not state.busy:  # the busy banner is the clock's (:meth:`_tick`)
            draw_banner(self.banner, languages, state)
        if banner.kind is BannerKind.VERDICT and banner.report is not None and banner.verdict is not None:
            self.details.setText(details_html(banner.report, banner.verdict.details, languages))
        elif banner.kind is not BannerKind.VERDICT:
            self.details.clear()  # the judged picture's details leave with it
        if not state.picture_held and self.preview.is_frozen:
            self.preview.resume_live()
        self.preview.set_notice(state.notice, languages.customer_text("Consent", CONSENT_KEYS))
        self._draw_actions(state)

    def _draw_actions(self, state: DeskState) -> None:
        """The actions: one that is off says why, on its tooltip and to a screen reader."""
        busy = state.busy
        for button, enabled, reason in (
            (self.capture_button, state.capture_enabled and not busy, state.capture_reason),
            (self.next_button, state.next_enabled and not busy, state.next_reason),
        ):
            button.setEnabled(enabled)
            why = "" if enabled else self.languages.operator_message(reason)
            button.setToolTip(why)
            button.setAccessibleDescription(why)
        self.cancel_button.setEnabled(busy)
        self.customer_ref.setReadOnly(state.reference_locked)
        self.customer_ref.setEnabled(not state.reference_locked)  # looks locked; Space stays Capture
        self.action_row.setCurrentIndex(1 if state.review_pending and not state.review_unsettleable else 0)

    def _not_ready_banner(self, objection: object, english: str) -> None:
        draw_not_ready(self.banner, self.languages, objection, english)

    def _note(self, english: str) -> None:
        """A refusal under the banner (and in the status bar), in the operator's language."""
        text = self.languages.operator_message(english)
        self.statusBar().showMessage(text, 6000)
        if not self.busy:  # the busy banner redraws every 100 ms
            self.banner.add_note(text)

    def _show_watermark(self) -> None:
        non_live = self.state().non_live_camera
        self.preview.set_watermark(
            watermark(demo=self._demo, environment=self._environment, non_live_camera=non_live)
        )

    def _show_calls_saved(self) -> None:
        gate = self.gate
        self.badges.show_calls_saved(
            gate.calls_saved, enabled=gate.enabled, locale=self.languages.operator_locale
        )
