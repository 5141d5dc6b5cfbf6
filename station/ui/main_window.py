"""The operator's window: a view of the desk. The flow is live → capture → verifying → result.

Keyboard alone drives it: Space captures, Esc cancels (whatever has focus), Enter goes to the next
customer, F2 switches the customer's language, F7 / F8 record the customer's consent or refusal,
F9 / F10 let a supervisor confirm or reject a REVIEW. The buttons take no focus so Space
and Enter always mean the same thing, whatever was clicked last. Every rule of the counter is the
desk's (:mod:`station.application.desk`): each intent goes to it, and the window draws the
:class:`~station.application.desk_state.DeskState` it answers with
(:meth:`~station.ui.window_view.CounterView.draw`), keeping no copy.

Layout, from 1024×768 up (:mod:`station.ui.window_view`): the picture on the left; on the right the
verdict banner, the customer reference, the actions, and the result details / history tabs; across
the bottom the health strip.

Two languages (see :mod:`station.ui.languages`): everything the operator reads is in the
interface language and follows a change of it at once (:meth:`MainWindow.changeEvent`); what the
customer reads — the guide, the verdict's action line, the consent notice — is in the customer
instruction language, shown large above the verdict and switched with F2. When the two differ the
operator's own wording of the action line sits under the customer's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QTimer

from station.application.attempt import AttemptReport
from station.application.desk import (
    REVIEW_REFUSAL_MESSAGES,
    EscapeAnswer,
    Intent,
    RefusalScreen,
    SupervisorCredentials,
)
from station.application.desk_state import BannerKind, DeskState
from station.application.gate import QualityGate
from station.application.health import Health, PartHealth
from station.application.port import OperatorIdentity, ReviewRefusal
from station.application.readiness import token_health
from station.application.session import REFUSAL_MESSAGES, CaptureCheck, Refusal
from station.application.verdict_time import ExtensionRefusal
from station.camera import CameraStatus
from station.ui import accessibility
from station.ui.controller import VerificationController
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.window_banner import draw_banner, extension_words
from station.ui.window_menus import WindowMenus, bind_keys
from station.ui.window_placement import MINIMUM_SIZE
from station.ui.window_view import CounterView
from station.vision.quality import QualityReport

__all__ = ["MINIMUM_SIZE", "MainWindow", "SupervisorCheck"]

translate = QCoreApplication.translate

#: Asks a supervisor for their id and PIN to ``action`` (checked by the trusted side); None: not given.
SupervisorCheck = Callable[[str], SupervisorCredentials | None]


class MainWindow(CounterView):
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
        self.controller = controller
        self._supervisor_check: SupervisorCheck = supervisor_check or (lambda reason: None)
        slots = (self.capture, self.cancel, self.next_customer, self.confirm_review, self.reject_review)
        languages = languages or Languages()
        super().__init__(languages, history or HistoryPanel(None), slots, environment=environment, demo=demo)
        bind_keys(
            self,
            {
                Intent.CAPTURE: self.capture,
                Intent.CUSTOMER_LANGUAGE: self.switch_customer_language,
                Intent.CANCEL: self._escape,
                Intent.NEXT_CUSTOMER: self.next_customer,
                Intent.CONSENT_GIVEN: self.consent_given,
                Intent.CONSENT_REFUSED: self.consent_refused,
                Intent.CONFIRM_REVIEW: self.confirm_review,
                Intent.REJECT_REVIEW: self.reject_review,
                Intent.KEEP_VERDICT: self.keep_verdict,
            },
            self.pick_face,
        )
        self.menus = WindowMenus(self, self.languages, demo_scenarios, on_pick_scenario, current_scenario)
        self.station_menu, self.language_actions = self.menus.station, self.menus.language_actions
        self.scenario_actions = self.menus.scenario_actions
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
        self.languages.operator_changed.connect(lambda _tag: self._retranslate())
        self._tell_session_language()
        self._show_idle()

    def state(self) -> DeskState:
        return self.controller.desk.state()

    @property
    def busy(self) -> bool:
        return self.controller.busy

    @property
    def health(self) -> Health:
        """The station's parts as the desk holds them (the strip draws them)."""
        return self.controller.desk.health

    @property
    def gate(self) -> QualityGate:
        """The shift's quality gate (it lives on the desk, beyond any one customer)."""
        return self.controller.desk.gate

    # -- drawing the desk's state ------------------------------------------------------------------

    def _draw(self) -> None:
        """The desk's state now, drawn, with the guide on the live picture."""
        self.draw(self.controller.desk.state())
        self._show_guidance()

    def _show_idle(self, kind: BannerKind = BannerKind.IDLE) -> None:
        """ "Ready" only when every part a verification needs is not bad; else what is wrong and
        where to fix it, before any paid call (the desk's :meth:`~Desk.idle_screen`)."""
        self.controller.desk.show_idle(kind)
        self._draw()

    def _show_guidance(self) -> None:
        """The guide on the live picture; it never says Ready while the station is not."""
        guide = self.controller.desk.guidance()
        self.preview.set_guidance(guide)
        accessibility.speak_guide(self, guide)  # accessibility: the guide as a polite live region

    # -- words ---------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        """Every word the operator reads, in the interface language now installed."""
        self.retranslate_view()
        self.badges.show_operator(self.operator_id)
        self._show_calls_saved()
        self._show_watermark()
        self.menus.retranslate()
        self._draw()
        accessibility.name_controls(self)  # accessibility: descriptions in the interface language

    def switch_customer_language(self) -> None:
        """F2: the next installed customer language, for the guide, the verdict and the notice."""
        self.languages.next_customer_language()

    def _customer_language_changed(self, _tag: str) -> None:
        self._tell_session_language()
        self.retranslate_view()
        self.preview.update()  # the guide is drawn in the new language on the next frame
        self._draw()

    def _tell_session_language(self) -> None:
        self.controller.desk.set_customer_language(self.languages.customer, self.languages.customer_message)

    # -- configuration and health -------------------------------------------------------------------

    def show_configuration(
        self, *, dev_overrides: Sequence[str], refused: Sequence[str], non_live_camera: bool
    ) -> None:
        """Markers that stay while they hold: development overrides, a camera that is not live."""
        self.badges.show_overrides(dev_overrides)
        self._after_health(self.controller.desk.set_non_live_camera(non_live_camera))
        self._show_watermark()
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
        """One part's health changed: the strip, and the idle screen if the desk says it follows."""
        self._after_health(self.controller.desk.show_part(part))

    def show_camera_status(self, status: CameraStatus) -> None:
        """One source of truth: the camera's state goes to the health strip and the preview alike."""
        self._after_health(self.controller.desk.camera_changed(status))

    def _after_health(self, idle_follows: bool) -> None:
        """The strip and the camera's chip; the idle screen too when the desk says it follows."""
        desk = self.controller.desk
        self.health_strip.show_health(desk.health)
        if desk.camera is not None:
            self.preview.set_camera_status(desk.camera_caption)
        if idle_follows:
            self._draw()

    # -- the window itself ---------------------------------------------------------------------------

    def add_admin_actions(
        self, open_settings: Callable[[], object], network_check: Callable[[], object]
    ) -> None:
        """Settings (security-relevant fields behind the administrator PIN) and the network check."""
        self.menus.add_admin_actions(open_settings, network_check)

    def set_supervisor_check(self, check: SupervisorCheck) -> None:
        self._supervisor_check = check

    @property
    def operator_id(self) -> str | None:
        """The signed-in operator, as the desk holds them."""
        return self.controller.desk.operator_id

    def set_operator(self, operator_id: str | None) -> None:
        """Sign ``operator_id`` in: the trusted side confirms them, then the window shows them."""
        self.controller.sign_in(operator_id)

    def _signed_in(self, confirmed: OperatorIdentity | None) -> None:
        self.languages.sign_in(confirmed.operator_id if confirmed is not None else None)
        self.badges.show_operator(self.operator_id)

    def closing(self) -> None:
        self.controller.cancel("cancelled: the station was closed")

    # -- intents: each goes to the desk, and the window draws what it says ----------------------------

    def set_auto_capture(self, hold_s: float | None) -> None:
        """Policy: capture by itself after the picture has been ready ``hold_s`` seconds (None: off)."""
        self.controller.desk.set_auto_capture(hold_s)
        self.preview.set_capture_progress(None)

    def show_quality(self, report: QualityReport) -> None:
        """A new local quality report: the guide, and the desk's automatic-capture countdown."""
        desk = self.controller.desk
        step = desk.quality_report(report)
        self._show_guidance()
        if step.redraw_banner:  # the idle banner follows the guide
            draw_banner(self.banner, self.languages, desk.state())
        self.preview.set_capture_progress(step.progress)
        if step.fire:
            self.capture()

    def has_new_frame(self) -> bool:
        """A live frame not yet judged is on screen: Space would send it."""
        sequence = self.preview.live_sequence
        return sequence is not None and self.controller.desk.is_new_frame(sequence)

    @property
    def camera_is_live(self) -> bool:
        """The camera has said it is live (its first frames may arrive a moment before it says so)."""
        return self.controller.desk.camera_live

    def capture(self) -> None:
        """Space: capture the current customer, if the desk allows it now (with a verdict on
        screen the first press only goes back to the live picture: the desk's rule)."""
        if self.controller.busy:
            return
        if self.controller.desk.back_to_live_first():
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
        self.preview.freeze(frame, None, None)
        self._draw()
        self.tabs.setCurrentIndex(0)
        self.preview.set_guidance(None)

    def _refused(self, check: CaptureCheck) -> None:
        """The desk's answer to a refused capture, drawn (the rule is :meth:`Desk.capture_refused`)."""
        screen = self.controller.desk.capture_refused(check)
        if screen is RefusalScreen.IDLE:
            self._show_idle()
        elif screen is RefusalScreen.NOTE:
            self._note(check.message)
        else:
            self._draw()

    def keep_verdict(self) -> None:
        """F6: the verdict stays for another timeout, policy allowing; said either way (WCAG 2.2.1)."""
        extension = self.controller.desk.keep_verdict()
        if extension.refusal is ExtensionRefusal.NO_VERDICT:
            return
        text = extension_words(extension, self.controller.desk.verdict_time.policy.step_s)
        self.statusBar().showMessage(text, 6000)
        self.banner.add_note(text)

    def _escape(self) -> None:
        """Esc: cancel the verification in flight, or stop an automatic capture, whatever has focus."""
        if not (self.isActiveWindow() or self.isAncestorOf(self.focusWidget())):
            return
        answer = self.controller.desk.escape()
        if answer is EscapeAnswer.CANCEL:
            self.cancel()
        elif answer is EscapeAnswer.AUTO_CAPTURE_STOPPED:
            self.preview.set_capture_progress(None)
            self.statusBar().showMessage(
                translate(
                    "MainWindow", "Automatic capture stopped for this customer: press Space to capture."
                ),
                6000,
            )

    def cancel(self) -> None:
        self.controller.cancel()

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
        self.banner.clear_verdict()
        self.languages.reset_customer()  # a new customer may read another language
        self._tell_session_language()
        self._draw()  # the desk's banner for a new customer (idle, or cleared after a timeout)

    def _clear_stale_verdict(self) -> None:
        if self.controller.clear_if_expired():
            self._draw()  # the desk says it was cleared, and after how long

    def show_report(self, report: AttemptReport) -> None:
        result = report.outcome.result if report.outcome else None
        primary = report.outcome.primary_face if report.outcome else None
        if primary is None and result is not None:
            primary = result.primary_face  # several faces: still show which one the score is for
        captured = self.preview.frozen_frame()
        if captured is not None:
            self.preview.freeze(captured, result, primary)
        self.controller.desk.show_verdict(report)
        self._draw()
        self.announcer.verdict(self.banner.spoken_text, report)  # accessibility: assertive, once
        self.history.schedule_refresh()

    def consent_given(self) -> None:
        """F7: the customer agreed to the notice; captures may start."""
        if self.controller.give_consent():
            self._show_idle()

    def consent_refused(self) -> None:
        """F8: the customer refused; no picture is taken and the branch checks identity another way."""
        if self.controller.refuse_consent():
            self._draw()

    def pick_face(self, index: int) -> None:
        self.controller.pick_face(index)

    def confirm_review(self) -> None:
        self._review(confirmed=True)

    def reject_review(self) -> None:
        self._review(confirmed=False)

    def _review(self, *, confirmed: bool) -> None:
        """F9 / F10: a supervisor's id and PIN, handed to the trusted side (which checks them)."""
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
        self._show_idle(BannerKind.CANCELLED)

    def _busy_changed(self, busy: bool) -> None:
        self._draw_actions(self.controller.desk.state())
        if busy:
            self._tick()
            self._elapsed.start()
        else:
            self._elapsed.stop()

    def _tick(self) -> None:
        limit = self.controller.desk.port.terms().deadline_s
        self.banner.show_busy(self.controller.elapsed_s, translate("Banner", "Verifying…"), limit)
