"""The operator's window: a view of the desk. The flow is live → capture → verifying → result.

Keyboard alone drives it: Space captures, Esc cancels (whatever has focus), Enter goes to the next
customer, F9 / F10 let a supervisor confirm or reject a REVIEW. The buttons take no focus so Space
and Enter always mean the same thing, whatever was clicked last. The rules of one customer's
verification (reference locking, attempts, reviews, stale verdicts) are the application layer's
(:mod:`station.application.session`); this module shows them.

Layout, from 1024×768 up: the picture on the left; on the right the verdict banner (a headline and
one action line, large), the customer reference, the actions, and the result details / history
tabs; across the bottom the health strip (token, camera, journal, service, shipping).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station import __version__
from station.application.attempt import AttemptReport
from station.application.auto_capture import AutoCapture
from station.application.gate import QualityGate
from station.application.health import Health, Level, Part, PartHealth
from station.application.result_text import describe_report
from station.application.session import REFUSAL_MESSAGES, CaptureCheck, CloseReason, Phase, Refusal
from station.application.verdict_text import NOT_FINAL_WORD, verdict_text
from station.camera import CameraState, CameraStatus
from station.core.models import OutcomeKind
from station.ui.banner import VerdictBanner
from station.ui.controller import VerificationController
from station.ui.health_strip import HealthStrip
from station.ui.history import HistoryPanel
from station.ui.licences_dialog import show_licences
from station.ui.preview import PreviewWidget
from station.ui.style import environment_badge_style
from station.vision.quality import QualityReport

__all__ = ["MINIMUM_SIZE", "MainWindow", "SupervisorCheck"]

IDLE_TEXT = "Ask the customer to face the camera, then press Space."
CLEARED_TEXT = "The last result was cleared after {seconds:g} s. " + IDLE_TEXT
CONSENT_KEYS = "The operator presses F7 if you agree, F8 if you do not."
CONSENT_REFUSED_TEXT = "Consent refused: no picture taken. Use the manual identity check."
#: The smallest window the layout is made for (a 1024×768 kiosk screen, with a taskbar).
MINIMUM_SIZE = (960, 640)

#: Asks for a supervisor's approval of ``action``; the supervisor's id, or None if not given.
SupervisorCheck = Callable[[str], str | None]


def _details_html(report: AttemptReport, details: str) -> str:
    lines = [details, ""] if details else []
    lines += describe_report(report)
    return "<br>".join(escape(line, quote=False).replace("  ", "&nbsp;&nbsp;") for line in lines)


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
    ) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle(f"Station — face liveness verification ({environment.upper()})")
        self.setObjectName("MainWindow")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(1280, 760)
        self._supervisor_check: SupervisorCheck = supervisor_check or (lambda reason: None)
        self._close_guard: Callable[[], bool] = lambda: True
        self.operator_id: str | None = None
        self._kiosk_fullscreen = False
        self._camera: CameraStatus | None = None
        self.health = Health()
        #: Off unless policy turns it on (``set_auto_capture``).
        self.auto_capture = AutoCapture(None)

        self.preview = PreviewWidget()
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview.setMinimumSize(480, 270)
        watermark = "DEMO — emulated results" if demo else None
        if environment == "sandbox" and not demo:
            watermark = "SANDBOX"
        self._watermark = watermark
        self.preview.set_watermark(watermark)

        self.banner = VerdictBanner()
        self.customer_ref = QLineEdit()
        self.customer_ref.setObjectName("CustomerReference")
        self.customer_ref.setAccessibleName("Customer reference")
        self.customer_ref.setPlaceholderText("Customer reference (application or CIF number, optional)")
        self.customer_ref.setMaxLength(64)
        self.customer_ref.setClearButtonEnabled(True)

        self.capture_button = self._button("Capture  (Space)", "Capture", self.capture)
        self.cancel_button = self._button("Cancel  (Esc)", "Cancel verification", self.cancel)
        self.next_button = self._button("Next customer  (Enter)", "Next customer", self.next_customer)
        self.cancel_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.confirm_button = self._button(
            "Supervisor: live  (F9)", "Supervisor confirms live", self.confirm_review
        )
        self.reject_button = self._button(
            "Supervisor: reject  (F10)", "Supervisor rejects", self.reject_review
        )
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
        self.details.setAccessibleName("Result details")
        self.details.setWordWrap(True)
        details_font = self.details.font()
        details_font.setPointSize(12)
        self.details.setFont(details_font)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.history = history or HistoryPanel(None)
        self.tabs = QTabWidget()
        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setWidget(self.details)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs.addTab(details_scroll, "Result details")
        self.tabs.addTab(self.history, "History")

        side = QVBoxLayout()
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
        body.addWidget(side_widget, 2)
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
        controller.cancelled.connect(self._cancelled)
        controller.session_started.connect(self._session_started)
        self.preview.face_clicked.connect(self.pick_face)
        self._show_idle()

    @property
    def gate(self) -> QualityGate:
        """The shift's quality gate (it lives on the desk, beyond any one customer)."""
        return self.controller.desk.gate

    # -- construction helpers -----------------------------------------------------------------

    def _button(self, text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(48)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = button.font()
        font.setPointSize(14)
        button.setFont(font)
        button.clicked.connect(slot)
        return button

    def _status_bar(self, environment: str, demo: bool) -> None:
        """Permanent widgets only: transient messages never cover a state the operator relies on."""
        self.environment_badge = QLabel(("DEMO · " if demo else "") + environment.upper())
        self.environment_badge.setObjectName("EnvironmentBadge")
        self.environment_badge.setAccessibleName("Environment")
        self.environment_badge.setStyleSheet(environment_badge_style("demo" if demo else environment))
        self.operator_label = QLabel("Operator: not signed in")
        self.operator_label.setAccessibleName("Operator")
        self.calls_saved_label = QLabel()
        self.calls_saved_label.setAccessibleName("Calls saved this shift")
        self.overrides_badge = QLabel("DEVELOPMENT OVERRIDES")
        self.overrides_badge.setObjectName("OverridesBadge")
        self.overrides_badge.setAccessibleName("Development overrides in effect")
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
        self._show_calls_saved()

    def _shortcuts(self) -> None:
        bindings: list[tuple[str, Sequence[QKeySequence], Callable[[], object], Qt.ShortcutContext]] = [
            ("Capture", [QKeySequence(Qt.Key.Key_Space)], self.capture, Qt.ShortcutContext.WindowShortcut),
            # Application-wide, so the first Esc after a menu closed is not swallowed; it only acts
            # while this window is the active one (a dialog's Esc stays the dialog's).
            (
                "Cancel",
                [QKeySequence(Qt.Key.Key_Escape)],
                self._escape,
                Qt.ShortcutContext.ApplicationShortcut,
            ),
            (
                "Next customer",
                [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
                self.next_customer,
                Qt.ShortcutContext.WindowShortcut,
            ),
            (
                "Customer agrees",
                [QKeySequence(Qt.Key.Key_F7)],
                self.consent_given,
                Qt.ShortcutContext.WindowShortcut,
            ),
            (
                "Customer refuses",
                [QKeySequence(Qt.Key.Key_F8)],
                self.consent_refused,
                Qt.ShortcutContext.WindowShortcut,
            ),
            (
                "Supervisor confirms",
                [QKeySequence(Qt.Key.Key_F9)],
                self.confirm_review,
                Qt.ShortcutContext.WindowShortcut,
            ),
            (
                "Supervisor rejects",
                [QKeySequence(Qt.Key.Key_F10)],
                self.reject_review,
                Qt.ShortcutContext.WindowShortcut,
            ),
        ]
        for name, keys, slot, context in bindings:
            action = QAction(name, self)
            action.setShortcuts(list(keys))
            action.setShortcutContext(context)
            action.triggered.connect(slot)
            self.addAction(action)

    def _menus(
        self, scenarios: Sequence[str], on_pick: Callable[[str], object] | None, current: str | None
    ) -> None:
        menu = self.station_menu = self.menuBar().addMenu("&Station")
        quit_action = menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.scenario_actions: dict[str, QAction] = {}
        if scenarios and on_pick is not None:
            demo = self.menuBar().addMenu("&Demo")
            demo.setObjectName("DemoMenu")
            for name in scenarios:
                action = demo.addAction(name.replace("_", " "))
                action.setCheckable(True)
                action.setChecked(name == current)
                action.triggered.connect(lambda _=False, n=name: self._pick(n, on_pick))
                self.scenario_actions[name] = action
        help_menu = self.help_menu = self.menuBar().addMenu("&Help")
        about = help_menu.addAction("&About Station")
        about.triggered.connect(self._about)
        licences = help_menu.addAction("&Licences…")
        licences.triggered.connect(self._licences)

    def add_admin_actions(
        self, open_settings: Callable[[], object], network_check: Callable[[], object]
    ) -> None:
        """Settings (security-relevant fields behind the administrator PIN) and the network check."""
        menu = self.station_menu
        first = menu.actions()[0]
        settings = QAction("&Settings…", self)
        settings.triggered.connect(open_settings)
        check = QAction("&Network check…", self)
        check.triggered.connect(network_check)
        menu.insertAction(first, settings)
        menu.insertAction(first, check)
        menu.insertSeparator(first)

    # -- configuration and health -------------------------------------------------------------------

    def show_configuration(
        self, *, dev_overrides: Sequence[str], refused: Sequence[str], non_live_camera: bool
    ) -> None:
        """Markers that stay while they hold: development overrides, a camera that is not live."""
        self.overrides_badge.setVisible(bool(dev_overrides))
        self.overrides_badge.setToolTip("In effect: " + ", ".join(dev_overrides))
        marker = "NOT A LIVE CAMERA" if non_live_camera else None
        self.preview.set_watermark(" · ".join(text for text in (marker, self._watermark) if text) or None)
        if refused:
            self.statusBar().showMessage("Ignored on this station: " + "; ".join(refused), 15000)

    def show_service_state(self, unavailable: str) -> None:
        """Whether verification is possible with the current settings (the token part of the health)."""
        if unavailable:
            word = "stopped" if unavailable.startswith("Verification stopped") else "missing"
            fix = unavailable
            if "token" in unavailable and not unavailable.startswith("Verification stopped"):
                fix = "No service token is enrolled. Enrol one in Station ▸ Settings ▸ Service tokens."
            self.show_part(PartHealth(Part.TOKEN, Level.BAD, word, fix))
        else:
            self.show_part(PartHealth(Part.TOKEN, Level.GOOD, "enrolled"))

    def show_part(self, part: PartHealth) -> None:
        """One part's health changed: the strip, and the banner if the station was waiting."""
        self.health = self.health.with_part(part)
        self.health_strip.show_health(self.health)
        if self.banner.kind is None and not self.controller.busy and not self.preview.is_frozen:
            self._show_idle()

    def _show_idle(self, text: str = IDLE_TEXT) -> None:
        """ "Ready" only when every part a verification needs is not bad; else what is wrong and
        where to fix it, before any paid call."""
        problem = self.health.problem
        session = self.controller.session
        notice = session.notice.text if session.consent_needed and session.notice is not None else None
        self.preview.set_notice(notice, CONSENT_KEYS)
        if problem is None and notice is not None:
            self.banner.show_consent(REFUSAL_MESSAGES[Refusal.CONSENT_NEEDED])
        elif problem is None:
            self.banner.show_idle(text)
        else:
            self.banner.show_unavailable(problem.fix or f"{problem.part.value}: {problem.word}")
        self._show_guidance()

    def _show_guidance(self) -> None:
        """The guide on the live picture; it never says Ready while the station is not."""
        ready = self.health.ready
        if self.gate.enabled and ready and not self.preview.is_frozen:
            self.preview.set_guidance(self.gate.latest)
        else:
            self.preview.set_guidance(None)

    # -- small window-level things -----------------------------------------------------------------

    def set_supervisor_check(self, check: SupervisorCheck) -> None:
        self._supervisor_check = check

    def bring_to_front(self) -> None:
        """A second start of the kiosk asked for this window."""
        if self.isMinimized():
            self.showFullScreen() if self._kiosk_fullscreen else self.showMaximized()
        self.raise_()
        self.activateWindow()

    def set_operator(self, operator_id: str | None) -> None:
        self.operator_id = operator_id
        self.controller.desk.sign_in(operator_id)
        self.operator_label.setText(f"Operator: {operator_id}" if operator_id else "Operator: not signed in")

    def set_close_guard(self, guard: Callable[[], bool]) -> None:
        """Closing asks ``guard`` first (the kiosk asks for the administrator PIN)."""
        self._close_guard = guard

    def enter_kiosk(self) -> None:
        """Fullscreen, and back to fullscreen whenever a second start brings the window forward."""
        self._kiosk_fullscreen = True
        self.showFullScreen()

    def _pick(self, name: str, on_pick: Callable[[str], object]) -> None:
        on_pick(name)
        for other, action in self.scenario_actions.items():
            action.setChecked(other == name)
        self.statusBar().showMessage(f"Demo: next verification answers '{name}'", 4000)

    def _licences(self) -> None:
        # Modeless: kept here, or Python would collect it while it is shown.
        self._licences_dialog = show_licences(self)

    def _about(self) -> None:
        QMessageBox.about(
            self, "About Station", f"Station {__version__}\nFace-liveness verification for bank branches."
        )

    # -- the flow ---------------------------------------------------------------------------------

    def set_auto_capture(self, hold_s: float | None) -> None:
        """Policy: capture by itself after the picture has been ready ``hold_s`` seconds (None: off)."""
        self.auto_capture = AutoCapture(hold_s)
        self.preview.set_capture_progress(None)

    def show_quality(self, report: QualityReport) -> None:
        """A new local quality report: update the guide, and the automatic capture's countdown."""
        self.gate.update(report)
        self._show_guidance()
        can_capture = (
            self.health.ready
            and self.gate.enabled
            and not self.preview.is_frozen
            and not self.controller.busy
            and self.controller.session.phase is Phase.READY
        )
        progress = self.auto_capture.progress(can_capture and report.ready)
        self.preview.set_capture_progress(progress)
        if progress is not None and progress >= 1.0:
            self.auto_capture.reset()
            self.preview.set_capture_progress(None)
            self.capture()

    def _show_calls_saved(self) -> None:
        self.calls_saved_label.setText(f"Calls saved this shift: {self.gate.calls_saved}")
        self.calls_saved_label.setVisible(self.gate.enabled)

    def capture(self) -> None:
        """Space: capture the current customer, if the session allows it now."""
        if self.controller.busy:
            return
        camera = self._camera
        camera_live = camera is None or camera.state is CameraState.LIVE
        frame = self.preview.latest_frame() if camera_live else None
        check = self.controller.try_capture(
            frame,
            reference=self.customer_ref.text(),
            camera_live=camera_live,
            camera_problem=camera.message if camera is not None else "",
        )
        self._show_calls_saved()
        if not check.allowed:
            self._refused(check)
            return
        assert frame is not None
        self.action_row.setCurrentIndex(0)
        self.customer_ref.setReadOnly(True)
        self.preview.freeze(frame, None, None)
        self.details.clear()
        self.tabs.setCurrentIndex(0)
        self.preview.set_guidance(None)

    def _refused(self, check: CaptureCheck) -> None:
        refusal = check.refusal
        if refusal is Refusal.CONSENT_NEEDED:
            self._show_idle()
        elif refusal is Refusal.NOT_READY:
            self._back_to_live()
            self.banner.show_not_ready(check.message)
        elif refusal in (Refusal.CAMERA_NOT_LIVE, Refusal.NO_FRAME, Refusal.UNAVAILABLE):
            self.banner.show_unavailable(check.message)
        else:  # busy, closed, attempts exhausted, review pending: the verdict stays on screen
            self.statusBar().showMessage(check.message, 6000)

    def _escape(self) -> None:
        """Esc: cancel the verification in flight, or stop an automatic capture, whatever has focus."""
        if not (self.isActiveWindow() or self.isAncestorOf(self.focusWidget())):
            return
        if self.controller.busy:
            self.cancel()
        elif self.auto_capture.stop():
            self.preview.set_capture_progress(None)
            self.statusBar().showMessage(
                "Automatic capture stopped for this customer: press Space to capture.", 6000
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
        session = self.controller.session
        if not session.has_verdict and not session.reference_locked and self.gate.objection is None:
            return  # nothing to move on from: a reference just typed stays
        refusal = self.controller.next_customer()
        if refusal is not None:
            self.statusBar().showMessage(REFUSAL_MESSAGES[refusal], 6000)

    def _session_started(self, _session: object) -> None:
        """A new customer: the previous verdict, picture and reference leave the screen."""
        self._show_calls_saved()
        self.action_row.setCurrentIndex(0)
        self.customer_ref.setReadOnly(False)
        self.customer_ref.clear()
        self.auto_capture.reset()
        self.preview.resume_live()
        self.banner.clear_verdict()
        self._show_idle()
        self.details.clear()
        self.next_button.setEnabled(False)

    def _clear_stale_verdict(self) -> None:
        if self.controller.clear_if_expired():
            self._show_idle(CLEARED_TEXT.format(seconds=self.controller.desk.policy.verdict_timeout_s))

    def show_report(self, report: AttemptReport) -> None:
        session = self.controller.session
        result = report.outcome.result if report.outcome else None
        primary = report.outcome.primary_face if report.outcome else None
        if primary is None and result is not None:
            primary = result.primary_face  # several faces: still show which one the score is for
        captured = self.preview.frozen_frame()
        if captured is not None:
            self.preview.freeze(captured, result, primary)
        text = verdict_text(
            report,
            face_pick_offered=session.face_pick_offered,
            attempts_exhausted=session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED,
        )
        kind = OutcomeKind.ERROR if text.headline == NOT_FINAL_WORD else report.kind
        self.banner.show_outcome(kind, text.action, headline=text.headline)
        self.action_row.setCurrentIndex(1 if session.phase is Phase.REVIEW else 0)
        self.details.setText(_details_html(report, text.details))
        self.next_button.setEnabled(True)
        self.history.schedule_refresh()

    # -- consent ----------------------------------------------------------------------------------

    def consent_given(self) -> None:
        """F7: the customer agreed to the notice; captures may start."""
        if self.controller.give_consent():
            self._show_idle()

    def consent_refused(self) -> None:
        """F8: the customer refused; no picture is taken and the branch checks identity another way."""
        if self.controller.refuse_consent():
            self.preview.set_notice(None)
            self.banner.show_outcome(OutcomeKind.ERROR, CONSENT_REFUSED_TEXT, headline="NO CONSENT")
            self.next_button.setEnabled(True)

    # -- follow-up decisions: a supervisor's review, the operator's face pick ----------------------

    def pick_face(self, index: int) -> None:
        self.controller.pick_face(index)

    def confirm_review(self) -> None:
        self._review(confirmed=True)

    def reject_review(self) -> None:
        self._review(confirmed=False)

    def _review(self, *, confirmed: bool) -> None:
        if not self.controller.session.review_pending:
            return
        action = "confirm this borderline result as live" if confirmed else "reject this borderline result"
        supervisor = self._supervisor_check(action)
        if supervisor is None:
            self.statusBar().showMessage("Review not recorded: the supervisor's PIN was not given.", 6000)
            return
        if supervisor == self.operator_id:
            self.statusBar().showMessage(
                "Review not recorded: a supervisor cannot settle a review of their own attempt.", 6000
            )
            return
        self.controller.settle_review(confirmed=confirmed, supervisor_id=supervisor)

    def _cancelled(self) -> None:
        self.banner.show_idle("Verification cancelled. Press Space to capture again.")
        self._back_to_live()

    def _busy_changed(self, busy: bool) -> None:
        self.capture_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.next_button.setEnabled(False)
            self._tick()
            self._elapsed.start()
        else:
            self._elapsed.stop()

    def _tick(self) -> None:
        self.banner.show_busy(self.controller.elapsed_s, "Verifying…")

    def show_camera_status(self, status: CameraStatus) -> None:
        """One source of truth: the camera's state goes to the health strip and the preview alike."""
        self._camera = status
        live = status.state is CameraState.LIVE
        words = {
            CameraState.OPENING: "starting",
            CameraState.LOST: "reconnecting",
            CameraState.RECONNECTING: "reconnecting",
            CameraState.STOPPED: "stopped",
        }
        word = (
            (f"live · {status.fps:.0f} fps" if status.fps else "live")
            if live
            else words.get(status.state, "not available")
        )
        self.show_part(
            PartHealth(Part.CAMERA, Level.GOOD if live else Level.BAD, word, "" if live else status.message)
        )
        self.preview.set_camera_status(status.message)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_guard():
            event.ignore()
            return
        self.controller.cancel("cancelled: the station was closed")
        super().closeEvent(event)
