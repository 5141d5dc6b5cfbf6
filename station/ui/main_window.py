"""The operator's window: layout and actions. The flow is live → capture → verifying → result.

Keyboard alone drives it: Space captures, Esc cancels the verification in flight, Enter goes back
to the live preview for the next customer. The three buttons take no focus so Space and Enter
always mean the same thing, whatever was clicked last.
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
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station import __version__
from station.application.attempt import AttemptReport
from station.application.gate import QualityGate
from station.application.result_text import describe_report
from station.application.session import REFUSAL_MESSAGES, CaptureCheck, CloseReason, Phase, Refusal
from station.camera import CameraState, CameraStatus
from station.core.models import OutcomeKind
from station.ui.banner import VerdictBanner
from station.ui.controller import VerificationController
from station.ui.history import HistoryPanel
from station.ui.preview import PreviewWidget
from station.ui.style import environment_badge_style
from station.vision.quality import QualityReport

__all__ = ["MainWindow"]

IDLE_TEXT = "Ask the customer to face the camera, then press Space to capture."
CLEARED_TEXT = "The last result was cleared after {seconds:g} s. " + IDLE_TEXT

#: Asks for a supervisor's approval of ``action``; the supervisor's id, or None if not given.
SupervisorCheck = Callable[[str], str | None]


def _details_html(report: AttemptReport) -> str:
    return "<br>".join(
        escape(line, quote=False).replace("  ", "&nbsp;&nbsp;") for line in describe_report(report)
    )


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
        self.resize(1280, 760)

        self.preview = PreviewWidget()
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        watermark = "DEMO — emulated results" if demo else None
        if environment == "sandbox" and not demo:
            watermark = "SANDBOX"
        self._watermark = watermark
        self.preview.set_watermark(watermark)

        self.banner = VerdictBanner()
        self.banner.show_idle(IDLE_TEXT)

        self.capture_button = self._button("Capture  (Space)", "Capture", self.capture)
        self.cancel_button = self._button("Cancel  (Esc)", "Cancel verification", self.cancel)
        self.next_button = self._button("Next customer  (Enter)", "Next customer", self.next_customer)
        self.cancel_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.confirm_button = self._button(
            "Supervisor: confirm live", "Supervisor confirms live", self.confirm_review
        )
        self.reject_button = self._button("Supervisor: reject", "Supervisor rejects", self.reject_review)
        for button in (self.confirm_button, self.reject_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.hide()
        self._supervisor_check: SupervisorCheck = supervisor_check or (lambda reason: None)
        self._close_guard: Callable[[], bool] = lambda: True
        self.operator_id: str | None = None
        self._kiosk_fullscreen = False

        self.details = QLabel()
        self.details.setObjectName("ResultDetails")
        self.details.setAccessibleName("Result details")
        self.details.setWordWrap(True)
        details_font = self.details.font()
        details_font.setPointSize(12)
        self.details.setFont(details_font)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.customer_ref = QLineEdit()
        self.customer_ref.setObjectName("CustomerReference")
        self.customer_ref.setAccessibleName("Customer reference")
        self.customer_ref.setPlaceholderText("Customer reference (application or CIF number, optional)")
        self.customer_ref.setMaxLength(64)
        self.customer_ref.setClearButtonEnabled(True)

        self.history = history or HistoryPanel(None)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, "Result")
        self.tabs.addTab(self.history, "History")

        side = QVBoxLayout()
        side.addWidget(self.banner)
        side.addWidget(self.customer_ref)
        side.addWidget(self.capture_button)
        side.addWidget(self.cancel_button)
        side.addWidget(self.next_button)
        review_row = QHBoxLayout()
        review_row.addWidget(self.confirm_button)
        review_row.addWidget(self.reject_button)
        side.addLayout(review_row)
        side.addWidget(self.tabs, 1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(380)
        side_widget.setMaximumWidth(520)

        body = QHBoxLayout()
        body.addWidget(self.preview, 3)
        body.addWidget(side_widget, 2)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)

        self.environment_badge = QLabel(("DEMO · " if demo else "") + environment.upper())
        self.environment_badge.setObjectName("EnvironmentBadge")
        self.environment_badge.setAccessibleName("Environment")
        self.environment_badge.setStyleSheet(environment_badge_style("demo" if demo else environment))
        self.camera_label = QLabel("Camera: starting…")
        self.camera_label.setAccessibleName("Camera state")
        self.operator_label = QLabel("Operator: not signed in")
        self.operator_label.setAccessibleName("Operator")
        self.calls_saved_label = QLabel()
        self.calls_saved_label.setAccessibleName("Calls saved this shift")
        self.statusBar().addWidget(self.camera_label, 1)
        self.statusBar().addPermanentWidget(self.operator_label)
        self.statusBar().addPermanentWidget(self.calls_saved_label)
        self._show_calls_saved()
        self.statusBar().addPermanentWidget(self.environment_badge)
        self.overrides_badge = QLabel("DEVELOPMENT OVERRIDES")
        self.overrides_badge.setObjectName("OverridesBadge")
        self.overrides_badge.setAccessibleName("Development overrides in effect")
        self.overrides_badge.setStyleSheet(environment_badge_style("production"))
        self.overrides_badge.hide()
        self.statusBar().addPermanentWidget(self.overrides_badge)

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
        self._camera: CameraStatus | None = None

        controller.busy_changed.connect(self._busy_changed)
        controller.finished.connect(self.show_report)
        controller.followup_recorded.connect(self.show_report)
        controller.cancelled.connect(self._cancelled)
        controller.session_started.connect(self._session_started)
        self.preview.face_clicked.connect(self.pick_face)

    @property
    def gate(self) -> QualityGate:
        """The shift's quality gate (it lives on the desk, beyond any one customer)."""
        return self.controller.desk.gate

    # -- construction helpers -----------------------------------------------------------------

    def _button(self, text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(52)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = button.font()
        font.setPointSize(14)
        button.setFont(font)
        button.clicked.connect(slot)
        return button

    def _shortcuts(self) -> None:
        bindings: list[tuple[str, Sequence[QKeySequence], Callable[[], object]]] = [
            ("Capture", [QKeySequence(Qt.Key.Key_Space)], self.capture),
            ("Cancel", [QKeySequence(Qt.Key.Key_Escape)], self.cancel),
            (
                "Next customer",
                [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
                self.next_customer,
            ),
        ]
        for name, keys, slot in bindings:
            action = QAction(name, self)
            action.setShortcuts(list(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    def _menus(
        self,
        scenarios: Sequence[str],
        on_pick: Callable[[str], object] | None,
        current: str | None,
    ) -> None:
        menu = self.station_menu = self.menuBar().addMenu("&Station")
        quit_action = menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        if scenarios and on_pick is not None:
            demo = self.menuBar().addMenu("&Demo")
            demo.setObjectName("DemoMenu")
            self.scenario_actions: dict[str, QAction] = {}
            for name in scenarios:
                action = demo.addAction(name.replace("_", " "))
                action.setCheckable(True)
                action.setChecked(name == current)
                action.triggered.connect(lambda _=False, n=name: self._pick(n, on_pick))
                self.scenario_actions[name] = action
        help_menu = self.menuBar().addMenu("&Help")
        about = help_menu.addAction("&About Station")
        about.triggered.connect(self._about)

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
        """Whether verification is possible with the current settings, in the status bar."""
        self.statusBar().showMessage(
            f"Verification unavailable: {unavailable}" if unavailable else "Settings applied.", 8000
        )

    def set_supervisor_check(self, check: SupervisorCheck) -> None:
        self._supervisor_check = check

    def bring_to_front(self) -> None:
        """A second start of the kiosk asked for this window."""
        if self.isMinimized():
            self.showFullScreen() if self._kiosk_fullscreen else self.showNormal()
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

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Station",
            f"Station {__version__}\nFace-liveness verification for bank branches.",
        )

    # -- the flow ---------------------------------------------------------------------------------

    def show_quality(self, report: QualityReport) -> None:
        """A new local quality report: update the guide, and the banner if it holds an objection."""
        self.gate.update(report)
        if self.gate.enabled and not self.preview.is_frozen:
            self.preview.set_guidance(report)

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
        self._hide_review_actions()
        self.customer_ref.setReadOnly(True)
        self.preview.freeze(frame, None, None)
        self.details.clear()
        self.tabs.setCurrentWidget(self.details)
        self.preview.set_guidance(None)

    def _refused(self, check: CaptureCheck) -> None:
        refusal = check.refusal
        if refusal is Refusal.NOT_READY:
            self._back_to_live()
            self.banner.show_not_ready(check.message)
        elif refusal in (Refusal.CAMERA_NOT_LIVE, Refusal.NO_FRAME):
            self.banner.show_outcome(OutcomeKind.ERROR, check.message)
        else:  # busy, closed, attempts exhausted, review pending: the verdict stays on screen
            self.statusBar().showMessage(check.message, 6000)

    def cancel(self) -> None:
        self.controller.cancel()

    def _back_to_live(self) -> None:
        self.preview.resume_live()
        self.preview.set_guidance(self.gate.latest if self.gate.enabled else None)

    def _hide_review_actions(self) -> None:
        self.confirm_button.hide()
        self.reject_button.hide()

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

    def _session_started(self, _session: object, *, cleared: bool = False) -> None:
        """A new customer: the previous verdict, picture and reference leave the screen."""
        self._show_calls_saved()
        self._hide_review_actions()
        self.customer_ref.setReadOnly(False)
        self.customer_ref.clear()
        self._back_to_live()
        self.banner.show_idle(IDLE_TEXT)
        self.details.clear()
        self.next_button.setEnabled(False)

    def _clear_stale_verdict(self) -> None:
        if self.controller.clear_if_expired():
            seconds = self.controller.desk.policy.verdict_timeout_s
            self.banner.show_idle(CLEARED_TEXT.format(seconds=seconds))

    def show_report(self, report: AttemptReport) -> None:
        session = self.controller.session
        result = report.outcome.result if report.outcome else None
        primary = report.outcome.primary_face if report.outcome else None
        if primary is None and result is not None:
            primary = result.primary_face  # several faces: still show which one the score is for
        captured = self.preview.frozen_frame()
        if captured is not None:
            self.preview.freeze(captured, result, primary)
        kind, message = report.kind, report.message
        if not report.final:
            kind = OutcomeKind.ERROR
            message = (
                f"Result NOT final: the audit record could not be written ({report.audit_error}). "
                "Do not rely on this verdict; call IT support."
            )
        elif session.face_pick_offered:
            message = f"{message} Or click the customer's face to decide on that face alone."
        elif session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED:
            message = f"{message} {REFUSAL_MESSAGES[Refusal.ATTEMPTS_EXHAUSTED]}"
        review = session.phase is Phase.REVIEW
        self.confirm_button.setVisible(review)
        self.reject_button.setVisible(review)
        self.banner.show_outcome(kind, message)
        self.details.setText(_details_html(report))
        self.next_button.setEnabled(True)
        self.history.schedule_refresh()

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
        self._hide_review_actions()
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
        self._camera = status
        text = status.message
        if status.fps and status.state is CameraState.LIVE:
            text += f"  ·  {status.fps:.0f} fps"
        self.camera_label.setText(text)
        self.preview.set_camera_status(status.message)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_guard():
            event.ignore()
            return
        self.controller.cancel()
        super().closeEvent(event)
