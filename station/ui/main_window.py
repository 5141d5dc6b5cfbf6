"""The operator's window: a view of the desk. The flow is live → capture → verifying → result.

Keyboard alone drives it: Space captures, Esc cancels (whatever has focus), Enter goes to the next
customer, F2 switches the customer's language, F7 / F8 record the customer's consent or refusal,
F9 / F10 let a supervisor confirm or reject a REVIEW. The buttons take no focus so Space
and Enter always mean the same thing, whatever was clicked last. The rules of one customer's
verification (reference locking, attempts, reviews, stale verdicts) are the application layer's
(:mod:`station.application.session`); this module shows them.

Layout, from 1024×768 up: the picture on the left; on the right the verdict banner (a headline and
one action line, large), the customer reference, the actions, and the result details / history
tabs; across the bottom the health strip (token, camera, journal, service, shipping).

Two languages (see :mod:`station.ui.languages`): everything the operator reads is in the
interface language and follows a change of it at once (:meth:`MainWindow.changeEvent`); what the
customer reads — the guide, the verdict's action line, the consent notice — is in the customer
instruction language, shown large above the verdict and switched with F2. When the two differ the
operator's own wording of the action line sits under the customer's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station import __version__
from station.application.attempt import AttemptReport
from station.application.camera_health import camera_caption, camera_health
from station.application.consent import ConsentNotice
from station.application.desk import (
    FACE_KEYS,
    INTENT_KEYS,
    REVIEW_REFUSAL_MESSAGES,
    IdleScreen,
    Intent,
    RefusalScreen,
    SupervisorCredentials,
)
from station.application.desk_state import Banner, BannerKind
from station.application.gate import QualityGate
from station.application.health import Health, PartHealth
from station.application.port import OperatorIdentity, ReviewRefusal
from station.application.readiness import token_health
from station.application.result_text import describe_report
from station.application.session import REFUSAL_MESSAGES, CaptureCheck, Refusal
from station.application.verdict_time import ExtensionRefusal
from station.camera import CameraStatus
from station.core.models import OutcomeKind
from station.ui import accessibility, style
from station.ui.announcer import Announcer
from station.ui.banner import VerdictBanner
from station.ui.controller import VerificationController
from station.ui.fitting_button import FittingButton
from station.ui.health_strip import HealthStrip
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.licences_dialog import show_licences
from station.ui.preview import PreviewWidget
from station.ui.screen_fit import first_geometry
from station.ui.style import environment_badge_style
from station.vision.quality import Instruction, QualityReport
from station.words import QT_TRANSLATE_NOOP

__all__ = ["MINIMUM_SIZE", "MainWindow", "SupervisorCheck"]

translate = QCoreApplication.translate

IDLE_TEXT = QT_TRANSLATE_NOOP("MainWindow", "Ask the customer to face the camera, then press Space.")
CLEARED_TEXT = QT_TRANSLATE_NOOP(
    "MainWindow",
    "The last result was cleared after {seconds} s. Ask the customer to face the camera, then press Space.",
)
#: Under the consent notice, for the customer (their language).
CONSENT_KEYS = QT_TRANSLATE_NOOP("Consent", "The operator presses F7 if you agree, F8 if you do not.")
CONSENT_REFUSED_TEXT = QT_TRANSLATE_NOOP(
    "MainWindow", "Consent refused: no picture taken. Use the manual identity check."
)
CANCELLED_TEXT = QT_TRANSLATE_NOOP("MainWindow", "Verification cancelled. Press Space to capture again.")
#: The smallest window the layout is made for (a 1024×768 kiosk screen, with a taskbar).
MINIMUM_SIZE = (960, 640)

#: Asks a supervisor for their id and PIN to ``action`` (checked by the trusted side); None: not given.
SupervisorCheck = Callable[[str], SupervisorCredentials | None]


def _details_html(report: AttemptReport, details: str, languages: Languages) -> str:
    lines = [details, ""] if details else []
    lines += describe_report(report)
    shown = (languages.operator_message(line) for line in lines)
    return "<br>".join(escape(line, quote=False).replace("  ", "&nbsp;&nbsp;") for line in shown)


class MainWindow(QMainWindow):
    def __init__(
        self,
        controller: VerificationController,
        *,
        environment: str,
        history: HistoryPanel | None = None,
        supervisor_check: SupervisorCheck | None = None,
        demo: bool = False,
        demo_scenarios: Sequence[str] = (),
        on_pick_scenario: Callable[[str], object] | None = None,
        current_scenario: str | None = None,
        languages: Languages | None = None,
    ) -> None:
        super().__init__()
        style.follow_system_contrast()  # accessibility: the high-contrast theme when the OS asks
        self.controller = controller
        self.languages = languages or Languages()
        self._environment = environment
        self._demo = demo
        self.setObjectName("MainWindow")
        self._maximised = self.fit_to_screen()
        self._supervisor_check: SupervisorCheck = supervisor_check or (lambda reason: None)
        self._close_guard: Callable[[], bool] = lambda: True
        self._kiosk_fullscreen = False

        self.preview = PreviewWidget(languages=self.languages)
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview.setMinimumSize(480, 270)
        self._watermark: str | None = None
        self._non_live_camera = False

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

        self.capture_button = self._button(self.capture)
        self.cancel_button = self._button(self.cancel)
        self.next_button = self._button(self.next_customer)
        self.confirm_button = self._button(self.confirm_review)
        self.reject_button = self._button(self.reject_review)
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

        self.details = QLabel()
        self.details.setObjectName("ResultDetails")
        self.details.setWordWrap(True)
        details_font = self.details.font()
        details_font.setPointSize(style.scaled(12))  # accessibility: the system's text size
        self.details.setFont(details_font)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.history = history or HistoryPanel(None)
        self.tabs = QTabWidget()
        self.tabs.setMinimumHeight(60)  # accessibility: large text takes room from the details first
        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setWidget(self.details)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs.addTab(details_scroll, "")
        self.tabs.addTab(self.history, "")
        self.history.set_locale(self.languages.operator_locale)

        side = QVBoxLayout()
        side.addWidget(self.customer_language_label)
        side.addWidget(self.banner)
        side.addWidget(self.customer_ref)
        side.addWidget(self.capture_button)
        side.addWidget(self.action_row)
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
        self._status_bar(environment, demo)
        self._shortcuts()
        self._menus(demo_scenarios, on_pick_scenario, current_scenario)
        self._retranslate()

        self._elapsed = QTimer(self)
        self._elapsed.setInterval(100)
        self._elapsed.timeout.connect(self._tick)
        # A verdict clears itself after the session policy's timeout (checked once a second).
        self._verdict_clock = QTimer(self)
        self._verdict_clock.setInterval(1000)
        self._verdict_clock.timeout.connect(self._clear_stale_verdict)
        self._verdict_clock.start()

        controller.busy_changed.connect(self._busy_changed)
        controller.finished.connect(self.show_report)
        controller.followup_recorded.connect(self.show_report)
        controller.review_refused.connect(self._review_refused)
        controller.signed_in.connect(self._signed_in)
        controller.cancelled.connect(self._cancelled)
        controller.session_started.connect(self._session_started)
        self.preview.face_clicked.connect(self.pick_face)
        self.languages.customer_changed.connect(self._customer_language_changed)
        self.languages.operator_changed.connect(self._operator_language_changed)
        self._tell_session_language()
        self._draw()
        self._show_idle()

    @property
    def health(self) -> Health:
        """The station's parts as the desk holds them (the strip draws them)."""
        return self.controller.desk.health

    @property
    def gate(self) -> QualityGate:
        """The shift's quality gate (it lives on the desk, beyond any one customer)."""
        return self.controller.desk.gate

    # -- construction helpers -----------------------------------------------------------------

    def _button(self, slot: Callable[[], object]) -> FittingButton:
        """A large action button; its words are set by :meth:`_retranslate`."""
        button = FittingButton(14)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(48)
        button.clicked.connect(slot)
        return button

    def _status_bar(self, environment: str, demo: bool) -> None:
        """Permanent widgets only: transient messages never cover a state the operator relies on."""
        self.environment_badge = QLabel()
        self.environment_badge.setObjectName("EnvironmentBadge")
        self.environment_badge.setStyleSheet(environment_badge_style("demo" if demo else environment))
        self.operator_label = QLabel()
        self.calls_saved_label = QLabel()
        self.overrides_badge = QLabel()
        self.overrides_badge.setObjectName("OverridesBadge")
        self.overrides_badge.setStyleSheet(environment_badge_style("production"))
        self.overrides_badge.hide()
        bar = self.statusBar()
        for widget in (
            self.operator_label,
            self.calls_saved_label,
            self.overrides_badge,
            self.environment_badge,
        ):
            bar.addPermanentWidget(widget)

    def _shortcuts(self) -> None:
        """The desk's keyboard (:data:`INTENT_KEYS`, :data:`FACE_KEYS`) bound to this window."""
        slots: dict[Intent, Callable[[], object]] = {
            Intent.CAPTURE: self.capture,
            Intent.CUSTOMER_LANGUAGE: self.switch_customer_language,
            Intent.CANCEL: self._escape,
            Intent.NEXT_CUSTOMER: self.next_customer,
            Intent.CONSENT_GIVEN: self.consent_given,
            Intent.CONSENT_REFUSED: self.consent_refused,
            Intent.CONFIRM_REVIEW: self.confirm_review,
            Intent.REJECT_REVIEW: self.reject_review,
            Intent.KEEP_VERDICT: self.keep_verdict,
        }
        bindings = [(intent.value, keys, slots[intent]) for intent, keys in INTENT_KEYS.items()]
        bindings += [
            (f"Pick face {number}", (key,), functools.partial(self.pick_face, number - 1))
            for number, key in enumerate(FACE_KEYS, start=1)
        ]
        for name, keys, slot in bindings:
            action = QAction(name, self)  # never shown: the actions only carry the keys
            action.setShortcuts([QKeySequence(key) for key in keys])
            # Esc is application-wide, so the first Esc after a menu closed is not swallowed; it
            # only acts while this window is the active one (a dialog's Esc stays the dialog's).
            action.setShortcutContext(
                Qt.ShortcutContext.ApplicationShortcut
                if name == Intent.CANCEL
                else Qt.ShortcutContext.WindowShortcut
            )
            action.triggered.connect(slot)
            self.addAction(action)

    def _menus(
        self, scenarios: Sequence[str], on_pick: Callable[[str], object] | None, current: str | None
    ) -> None:
        menu = self.station_menu = self.menuBar().addMenu("")
        self.language_menu = menu.addMenu("")
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for tag in self.languages.interface_languages():
            language = self.language_menu.addAction(Languages.name(tag))
            language.setCheckable(True)
            language.setActionGroup(group)
            language.triggered.connect(lambda _=False, t=tag: self.languages.choose_operator_language(t))
            self.language_actions[tag] = language
        menu.addSeparator()
        self.quit_action = quit_action = menu.addAction("")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.scenario_actions: dict[str, QAction] = {}
        self.demo_menu = None
        if scenarios and on_pick is not None:
            demo = self.demo_menu = self.menuBar().addMenu("")
            demo.setObjectName("DemoMenu")
            for name in scenarios:
                action = demo.addAction(name.replace("_", " "))
                action.setCheckable(True)
                action.setChecked(name == current)
                action.triggered.connect(lambda _=False, n=name: self._pick(n, on_pick))
                self.scenario_actions[name] = action
        help_menu = self.help_menu = self.menuBar().addMenu("")
        self.about_action = help_menu.addAction("")
        self.about_action.triggered.connect(self._about)
        self.licences_action = help_menu.addAction("")
        self.licences_action.triggered.connect(self._licences)

    def add_admin_actions(
        self, open_settings: Callable[[], object], network_check: Callable[[], object]
    ) -> None:
        """Settings (security-relevant fields behind the administrator PIN) and the network check."""
        menu = self.station_menu
        first = menu.actions()[0]
        self.settings_action = QAction(translate("MainWindow", "&Settings…"), self)
        self.settings_action.triggered.connect(open_settings)
        self.network_check_action = QAction(translate("MainWindow", "&Network check…"), self)
        self.network_check_action.triggered.connect(network_check)
        menu.insertAction(first, self.settings_action)
        menu.insertAction(first, self.network_check_action)
        menu.insertSeparator(first)

    # -- languages ----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _operator_language_changed(self, _tag: str) -> None:
        # LanguageChange reaches this window too; this covers a window not yet shown.
        self._retranslate()

    def _retranslate(self) -> None:
        """Every word the operator reads, in the interface language now installed."""
        environment = self._environment
        self.setWindowTitle(
            translate("MainWindow", "Station — face liveness verification ({environment})").format(
                environment=environment.upper()
            )
        )
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
        self.history.set_locale(self.languages.operator_locale)
        self.history.retranslate()
        demo_word = translate("MainWindow", "DEMO")
        self.environment_badge.setText(
            (f"{demo_word} · " if self._demo else "") + self._environment_word(environment)
        )
        self.environment_badge.setAccessibleName(translate("MainWindow", "Environment"))
        self.operator_label.setAccessibleName(translate("MainWindow", "Operator"))
        self._show_operator()
        self.calls_saved_label.setAccessibleName(translate("MainWindow", "Calls saved this shift"))
        self._show_calls_saved()
        self.overrides_badge.setText(translate("MainWindow", "DEVELOPMENT OVERRIDES"))
        self.overrides_badge.setAccessibleName(translate("MainWindow", "Development overrides in effect"))
        self._show_watermark()
        self.station_menu.setTitle(translate("MainWindow", "&Station"))
        self.language_menu.setTitle(translate("MainWindow", "Screen &language"))
        for tag, action in self.language_actions.items():
            action.setChecked(tag == self.languages.operator)
        self.quit_action.setText(translate("MainWindow", "&Quit"))
        if self.demo_menu is not None:
            self.demo_menu.setTitle(translate("MainWindow", "&Demo"))
        self.help_menu.setTitle(translate("MainWindow", "&Help"))
        self.about_action.setText(translate("MainWindow", "&About Station"))
        self.licences_action.setText(translate("MainWindow", "&Licences…"))
        if hasattr(self, "settings_action"):
            self.settings_action.setText(translate("MainWindow", "&Settings…"))
            self.network_check_action.setText(translate("MainWindow", "&Network check…"))
        self.health_strip.retranslate()
        self._show_customer_language()
        self._redisplay()
        accessibility.name_controls(self)  # accessibility: descriptions in the interface language

    @staticmethod
    def _environment_word(environment: str) -> str:
        words = {
            "sandbox": translate("MainWindow", "SANDBOX"),
            "production": translate("MainWindow", "PRODUCTION"),
        }
        return words.get(environment, environment.upper())

    def _show_watermark(self) -> None:
        watermark = translate("MainWindow", "DEMO — emulated results") if self._demo else None
        if self._environment == "sandbox" and not self._demo:
            watermark = translate("MainWindow", "SANDBOX")
        self._watermark = watermark
        marker = translate("MainWindow", "NOT A LIVE CAMERA") if self._non_live_camera else None
        self.preview.set_watermark(" · ".join(text for text in (marker, watermark) if text) or None)

    def _show_customer_language(self) -> None:
        languages = self.languages
        text = translate("MainWindow", "Customer's language: {language}").format(
            language=languages.name(languages.customer)
        )
        if len(languages.customer_languages) > 1:
            text += "  " + translate("MainWindow", "(F2 switches)")
        self.customer_language_label.setText(text)
        self.customer_language_label.setAccessibleName(translate("MainWindow", "Customer's language"))

    def switch_customer_language(self) -> None:
        """F2: the next installed customer language, for the guide, the verdict and the notice."""
        self.languages.next_customer_language()

    def _customer_language_changed(self, _tag: str) -> None:
        self._tell_session_language()
        self._show_customer_language()
        self.preview.update()  # the guide is drawn in the new language on the next frame
        self._redisplay()
        if self.controller.session.consent_needed:
            self._show_notice()

    def _tell_session_language(self) -> None:
        """The session (and so every record) knows the customer's language and the exact words of
        the consent notice as now shown."""
        session = self.controller.session
        notice = self.controller.desk.notice
        localized = (
            ConsentNotice(notice.version, self.languages.customer_message(notice.text))
            if notice is not None
            else None
        )
        session.set_instruction_language(self.languages.customer, localized)

    def _redisplay(self) -> None:
        """The banner and the details as the desk has them, in the languages now chosen."""
        banner = self.controller.desk.banner
        if not self.controller.busy:
            self._draw_banner(banner)
        if banner.kind is BannerKind.VERDICT and banner.report is not None and banner.verdict is not None:
            self.details.setText(_details_html(banner.report, banner.verdict.details, self.languages))

    def _draw_banner(self, banner: Banner) -> None:
        """The desk's banner, worded: nothing here decides what it says."""
        languages, kind = self.languages, banner.kind
        if kind is BannerKind.VERDICT and banner.verdict is not None:
            text = banner.verdict
            customer, operator = self._customer_and_operator(text.action)
            headline = languages.operator_message(text.headline)
            self.banner.show_outcome(text.kind, customer, operator, headline=headline)
        elif kind is BannerKind.NOT_READY:
            self._not_ready_banner(banner.objection, banner.message)
        elif kind is BannerKind.UNAVAILABLE:
            self.banner.show_unavailable(languages.operator_message(banner.message))
        elif kind is BannerKind.CANCELLED:
            self.banner.show_idle(translate("MainWindow", CANCELLED_TEXT))
        elif kind is BannerKind.CONSENT_REFUSED:
            headline = languages.operator_message(QT_TRANSLATE_NOOP("Headline", "NO CONSENT"))
            self.banner.show_outcome(
                OutcomeKind.ERROR, translate("MainWindow", CONSENT_REFUSED_TEXT), headline=headline
            )
        elif kind is BannerKind.CLEARED:
            seconds = languages.operator_locale.toString(float(banner.cleared_after_s or 0.0), "g")
            self._idle_banner(translate("MainWindow", CLEARED_TEXT).format(seconds=seconds))
        else:
            self._idle_banner(translate("MainWindow", IDLE_TEXT))

    def _customer_and_operator(self, text: str) -> tuple[str, str]:
        """``text`` for the customer (large) and, when the languages differ, for the operator."""
        languages = self.languages
        customer = languages.customer_message(text)
        operator = languages.operator_message(text) if languages.languages_differ else ""
        return customer, operator if operator != customer else ""

    # -- configuration and health -------------------------------------------------------------------

    def show_configuration(
        self, *, dev_overrides: Sequence[str], refused: Sequence[str], non_live_camera: bool
    ) -> None:
        """Markers that stay while they hold: development overrides, a camera that is not live."""
        self.overrides_badge.setVisible(bool(dev_overrides))
        self.overrides_badge.setToolTip(
            translate("MainWindow", "In effect: {overrides}").format(overrides=", ".join(dev_overrides))
        )
        self._non_live_camera = non_live_camera
        self._show_watermark()
        if self.controller.desk.camera is not None:
            self.show_camera_status(self.controller.desk.camera)
        if refused:
            self.statusBar().showMessage(
                translate("MainWindow", "Ignored on this station: {refused}").format(
                    refused="; ".join(refused)
                ),
                15000,
            )

    def show_service_state(self) -> None:
        """Whether verification is possible with the current settings (the token part of the
        health), as the trusted side's readiness says it."""
        self.show_part(token_health(self.controller.desk.port.readiness()))

    def show_part(self, part: PartHealth) -> None:
        """One part's health changed: the strip, and the banner if the station was waiting."""
        self.controller.desk.show_part(part)
        self.health_strip.show_health(self.health)
        if self.banner.kind is None and not self.controller.busy and not self.preview.is_frozen:
            self._show_idle()  # the idle screen follows the parts

    def _show_notice(self) -> None:
        """The consent notice over the picture, in the customer's language, while it is asked."""
        session = self.controller.session
        notice = session.notice.text if session.consent_needed and session.notice is not None else None
        self.preview.set_notice(notice, self.languages.customer_text("Consent", CONSENT_KEYS))

    def _show_idle(self, kind: BannerKind = BannerKind.IDLE) -> None:
        """ "Ready" only when every part a verification needs is not bad; else what is wrong and
        where to fix it, before any paid call."""
        self.controller.desk.show_idle(kind)
        self._show_screen()

    def _show_screen(self) -> None:
        """The notice, the banner and the guide as the desk has them now."""
        self._show_notice()
        self._redisplay()
        self._show_guidance()

    def _idle_banner(self, text: str) -> None:
        """The desk's idle screen, drawn (the rule is :meth:`Desk.idle_screen`); ``text`` is the
        idle line already in the operator's language."""
        languages, desk = self.languages, self.controller.desk
        problem = desk.health.problem
        screen = desk.idle_screen(station_ready=problem is None, showing_verdict=self.preview.is_frozen)
        objection = desk.guide_objection()
        if screen is IdleScreen.CONSENT:
            self.banner.show_consent(languages.operator_message(REFUSAL_MESSAGES[Refusal.CONSENT_NEEDED]))
        elif screen is IdleScreen.GUIDE and objection is not None:
            self.banner.show_not_ready(languages.instruction(objection), text)
        elif problem is not None:
            fix = problem.fix or f"{problem.part.value}: {problem.word}"
            self.banner.show_unavailable(languages.operator_message(fix))
        else:
            self.banner.show_idle(text)

    def _show_guidance(self) -> None:
        """The guide on the live picture; it never says Ready while the station is not."""
        desk = self.controller.desk
        guide = desk.guidance(station_ready=desk.station_ready, showing_verdict=self.preview.is_frozen)
        self.preview.set_guidance(guide)
        accessibility.speak_guide(self, guide)  # accessibility: the guide as a polite live region

    # -- small window-level things -----------------------------------------------------------------

    def set_supervisor_check(self, check: SupervisorCheck) -> None:
        self._supervisor_check = check

    def bring_to_front(self) -> None:
        """A second start of the kiosk asked for this window."""
        if self.isMinimized():
            self.showFullScreen() if self._kiosk_fullscreen else self.showMaximized()
        self.raise_()
        self.activateWindow()

    @property
    def operator_id(self) -> str | None:
        """The signed-in operator, as the desk holds them."""
        return self.controller.desk.operator_id

    def set_operator(self, operator_id: str | None) -> None:
        """Sign ``operator_id`` in: the trusted side confirms them, then the window shows them."""
        self.controller.sign_in(operator_id)

    def _signed_in(self, confirmed: OperatorIdentity | None) -> None:
        self.languages.sign_in(confirmed.operator_id if confirmed is not None else None)
        self._show_operator()

    def _show_operator(self) -> None:
        operator_id = self.operator_id
        self.operator_label.setText(
            translate("MainWindow", "Operator: {operator}").format(operator=operator_id)
            if operator_id
            else translate("MainWindow", "Operator: not signed in")
        )

    def set_close_guard(self, guard: Callable[[], bool]) -> None:
        """Closing asks ``guard`` first (the kiosk asks for the administrator PIN)."""
        self._close_guard = guard

    def enter_kiosk(self) -> None:
        """Fullscreen, and back to fullscreen whenever a second start brings the window forward.
        The geometry is set too: without a window manager nothing else makes it the screen's."""
        self._kiosk_fullscreen = True
        self.setGeometry(self.screen().geometry())
        self.showFullScreen()

    def fit_to_screen(self, available: QRect | None = None) -> bool:
        """The first geometry, from the screen's available area (``available`` for a test): all
        of it below 1280×800, never more than it. True when the window should open maximised."""
        area = available if available is not None else self.screen().availableGeometry()
        geometry, maximised = first_geometry(area)
        self.setMinimumSize(QSize(*MINIMUM_SIZE).boundedTo(area.size()))
        self.setGeometry(geometry)
        return maximised

    def show_on_screen(self) -> None:
        """Show at the first geometry: maximised below 1280×800 (by the window manager if there is
        one; the geometry already is the available area if there is none)."""
        self.showMaximized() if self._maximised else self.show()

    def _pick(self, name: str, on_pick: Callable[[str], object]) -> None:
        on_pick(name)
        for other, action in self.scenario_actions.items():
            action.setChecked(other == name)
        self.statusBar().showMessage(
            translate("MainWindow", "Demo: next verification answers '{scenario}'").format(scenario=name),
            4000,
        )

    def _licences(self) -> None:
        # Modeless: kept here, or Python would collect it while it is shown.
        self._licences_dialog = show_licences(self)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            translate("MainWindow", "About Station"),
            translate(
                "MainWindow", "Station {version}\nFace-liveness verification for bank branches."
            ).format(version=__version__),
        )

    # -- the flow ---------------------------------------------------------------------------------

    def set_auto_capture(self, hold_s: float | None) -> None:
        """Policy: capture by itself after the picture has been ready ``hold_s`` seconds (None: off)."""
        self.controller.desk.set_auto_capture(hold_s)
        self.preview.set_capture_progress(None)

    def show_quality(self, report: QualityReport) -> None:
        """A new local quality report: the guide, and the desk's automatic-capture countdown."""
        step = self.controller.desk.quality_report(
            report, station_ready=self.controller.desk.station_ready, showing_verdict=self.preview.is_frozen
        )
        self._show_guidance()
        idle = self.controller.desk.banner.kind in (BannerKind.IDLE, BannerKind.CLEARED, BannerKind.CANCELLED)
        if step.guide_changed and idle and not self.controller.busy:
            self._redisplay()  # the banner follows the guide
        self.preview.set_capture_progress(step.progress)
        if step.fire:
            self.capture()

    def _show_calls_saved(self) -> None:
        self.calls_saved_label.setText(
            translate("MainWindow", "Calls saved this shift: {count}").format(
                count=self.languages.operator_locale.toString(self.gate.calls_saved)
            )
        )
        self.calls_saved_label.setVisible(self.gate.enabled)

    def has_new_frame(self) -> bool:
        """A live frame not yet judged is on screen: Space would send it."""
        live = self.preview.live_frame()
        return live is not None and self.controller.desk.is_new_frame(live[1])

    @property
    def camera_is_live(self) -> bool:
        """The camera has said it is live (its first frames may arrive a moment before it says so)."""
        return self.controller.desk.camera_live

    def capture(self) -> None:
        """Space: capture the current customer, if the session allows it now.

        With a verdict on screen the first press only goes back to the live picture: the next
        capture is then of the customer as they are now, never the picture already judged again.
        """
        if self.controller.busy:
            return
        if self.controller.desk.back_to_live_first(showing_verdict=self.preview.is_frozen):
            self._back_to_live()
            self.details.clear()  # the judged picture's details leave with it
            self._show_idle()
            return
        live = self.preview.live_frame()
        frame, sequence = live if live is not None else (None, None)
        check = self.controller.try_capture(frame, sequence=sequence, reference=self.customer_ref.text())
        self._show_calls_saved()
        if not check.allowed:
            self._refused(check)
            return
        assert frame is not None
        self._draw()
        self.preview.freeze(frame, None, None)
        self.details.clear()
        self.tabs.setCurrentIndex(0)
        self.preview.set_guidance(None)

    def _refused(self, check: CaptureCheck) -> None:
        """The desk's answer to a refused capture, drawn (the rule is :meth:`Desk.capture_refused`)."""
        screen = self.controller.desk.capture_refused(check)
        if screen is RefusalScreen.IDLE:
            self._show_idle()
            return
        if screen is RefusalScreen.NOT_READY:
            self._back_to_live()
        if screen is RefusalScreen.NOTE:
            self._note(check.message)
        else:
            self._redisplay()

    def _not_ready_banner(self, objection: object, english: str) -> None:
        """The gate's objection, for the customer in their language (the operator's under it)."""
        languages = self.languages
        if isinstance(objection, Instruction):
            customer = languages.instruction(objection)
            operator = languages.instruction(objection, for_operator=True)
        else:
            customer, operator = english, english
        hint = translate("Banner", "Press Space again to capture anyway.")
        if languages.languages_differ and operator != customer:
            hint = f"{operator}\n{hint}"
        self.banner.show_not_ready(customer, hint)

    def _note(self, english: str) -> None:
        """A refusal under the banner (and in the status bar), in the operator's language."""
        text = self.languages.operator_message(english)
        self.statusBar().showMessage(text, 6000)
        if not self.controller.busy:  # the busy banner redraws every 100 ms
            self.banner.add_note(text)

    def keep_verdict(self) -> None:
        """F6: the verdict stays for another timeout, policy allowing; said either way (WCAG 2.2.1)."""
        extension = self.controller.desk.keep_verdict()
        if extension.refusal is ExtensionRefusal.NO_VERDICT:
            return
        if extension.granted:
            text = translate(
                "MainWindow", "The verdict stays {seconds} s longer ({left} more allowed)."
            ).format(seconds=f"{self.controller.desk.verdict_time.policy.step_s:g}", left=extension.left)
        elif extension.refusal is ExtensionRefusal.NOT_ALLOWED:
            text = translate("MainWindow", "Keeping a verdict longer is not allowed on this station.")
        else:
            text = translate("MainWindow", "This verdict cannot be kept any longer.")
        self.statusBar().showMessage(text, 6000)
        self.banner.add_note(text)

    def _escape(self) -> None:
        """Esc: cancel the verification in flight, or stop an automatic capture, whatever has focus."""
        if not (self.isActiveWindow() or self.isAncestorOf(self.focusWidget())):
            return
        if self.controller.busy:
            self.cancel()
        elif self.controller.desk.stop_auto_capture():
            self.preview.set_capture_progress(None)
            self.statusBar().showMessage(
                translate(
                    "MainWindow", "Automatic capture stopped for this customer: press Space to capture."
                ),
                6000,
            )

    def cancel(self) -> None:
        self.controller.cancel()

    def _back_to_live(self) -> None:
        self.preview.resume_live()
        self._show_guidance()

    def next_customer(self) -> None:
        """Enter: end this customer's session and get ready for the next one."""
        if self.customer_ref.hasFocus():
            self.preview.setFocus()  # Enter ends typing the reference; Space then captures
            return
        if not self.controller.desk.customer_on_screen:
            return  # nothing to move on from: a reference just typed stays
        refusal = self.controller.next_customer()
        if refusal is not None:
            self._note(REFUSAL_MESSAGES[refusal])

    def _session_started(self, _session: object) -> None:
        """A new customer: the previous verdict, picture and reference leave the screen."""
        self._show_calls_saved()
        self.customer_ref.clear()
        self.preview.resume_live()
        self.banner.clear_verdict()
        self.languages.reset_customer()  # a new customer may read another language
        self._tell_session_language()
        self._show_screen()  # the desk's banner for a new customer (idle, or cleared after a timeout)
        self.details.clear()
        self._draw()

    def _clear_stale_verdict(self) -> None:
        if self.controller.clear_if_expired():
            self._show_screen()  # the desk says it was cleared, and after how long

    def show_report(self, report: AttemptReport) -> None:
        result = report.outcome.result if report.outcome else None
        primary = report.outcome.primary_face if report.outcome else None
        if primary is None and result is not None:
            primary = result.primary_face  # several faces: still show which one the score is for
        captured = self.preview.frozen_frame()
        if captured is not None:
            self.preview.freeze(captured, result, primary)
        self.controller.desk.show_verdict(report)
        self._redisplay()
        self.announcer.verdict(self.banner.spoken_text, report)  # accessibility: assertive, once
        self._draw()
        self.history.schedule_refresh()

    # -- consent ----------------------------------------------------------------------------------

    def consent_given(self) -> None:
        """F7: the customer agreed to the notice; captures may start."""
        if self.controller.give_consent():
            self._draw()
            self._show_idle()

    def consent_refused(self) -> None:
        """F8: the customer refused; no picture is taken and the branch checks identity another way."""
        if self.controller.refuse_consent():
            self.preview.set_notice(None)
            self._redisplay()
            self._draw()

    # -- follow-up decisions: a supervisor's review, the operator's face pick ----------------------

    def pick_face(self, index: int) -> None:
        self.controller.pick_face(index)

    def confirm_review(self) -> None:
        self._review(confirmed=True)

    def reject_review(self) -> None:
        self._review(confirmed=False)

    def _review(self, *, confirmed: bool) -> None:
        desk = self.controller.desk
        if not desk.state().review_pending:
            return
        action = (
            translate("MainWindow", "confirm this borderline result as live")
            if confirmed
            else translate("MainWindow", "reject this borderline result")
        )
        credentials = self._supervisor_check(action)
        refusal = desk.review_refusal(credentials.supervisor_id if credentials is not None else None)
        if refusal is not None or credentials is None:
            self._note(REFUSAL_MESSAGES[refusal or Refusal.NO_SUPERVISOR])
            return
        self.controller.settle_review(
            confirmed=confirmed, supervisor_id=credentials.supervisor_id, secret=credentials.secret
        )

    def _review_refused(self, refusal: ReviewRefusal) -> None:
        """The trusted side refused the supervisor's decision: the REVIEW stays, the note says why."""
        self._note(REVIEW_REFUSAL_MESSAGES[refusal])

    def _cancelled(self) -> None:
        self.controller.desk.show_idle(BannerKind.CANCELLED)
        self._redisplay()
        self._back_to_live()
        self._draw()

    def _draw(self) -> None:
        """Buttons and fields from the desk's state (the window keeps no copy of it): an action
        that is off says why, on its tooltip and to a screen reader."""
        state = self.controller.desk.state()
        busy = self.controller.busy
        languages = self.languages
        for button, enabled, reason in (
            (self.capture_button, state.capture_enabled and not busy, state.capture_reason),
            (self.next_button, state.next_enabled and not busy, state.next_reason),
        ):
            button.setEnabled(enabled)
            why = "" if enabled else languages.operator_message(reason)
            button.setToolTip(why)
            button.setAccessibleDescription(why)
        self.cancel_button.setEnabled(busy)
        self.customer_ref.setReadOnly(state.reference_locked)
        self.customer_ref.setEnabled(not state.reference_locked)  # looks locked; Space stays Capture
        self.action_row.setCurrentIndex(1 if state.review_pending and not state.review_unsettleable else 0)

    def _busy_changed(self, busy: bool) -> None:
        self._draw()
        if busy:
            self._tick()
            self._elapsed.start()
        else:
            self._elapsed.stop()

    def _tick(self) -> None:
        limit = self.controller.desk.port.terms().deadline_s
        self.banner.show_busy(self.controller.elapsed_s, translate("Banner", "Verifying…"), limit)

    def show_camera_status(self, status: CameraStatus) -> None:
        """One source of truth: the camera's state goes to the health strip and the preview alike."""
        self.controller.desk.camera_changed(status)
        self.show_part(camera_health(status, live_camera=not self._non_live_camera))
        self.preview.set_camera_status(camera_caption(status, live_camera=not self._non_live_camera))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_guard():
            event.ignore()
            return
        self.controller.cancel("cancelled: the station was closed")
        super().closeEvent(event)
