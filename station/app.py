"""The composition root of the GUI: every object is built here and every arrow connected here.

    camera (worker thread) ─latest frame─▶ PreviewWidget (polls at display rate)
    Space ─▶ VerificationController ─▶ Desk ─▶ CustomerSession: encode (thread) (application, no Qt)
          ─▶ VerifierPort (build_port: in-process today, the station service when installed)
             ─▶ LivenessClient (qasync loop) ─▶ decide ─▶ journal
          ─▶ MainWindow (banner, boxes)

Nothing reaches for a global: :func:`build_station` returns the parts, the tests build the same
thing, and :func:`station.launch.run_gui` adds the QApplication, the event loop, the operator's
sign-in and kiosk mode. :meth:`Station.apply` takes new settings without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QTimer

from station.api.client import LivenessClient
from station.api.credentials import Credential
from station.application.desk import Desk
from station.application.factory import (
    StationConfig,
    build_client_or_hold,
    build_port,
    camera_check,
    camera_verdict,
    config_from_resolved,
    config_from_settings,
    open_recorder,
)
from station.application.fleet import FleetShipping, StationFacts
from station.application.gate import QualityGate
from station.application.health import JournalState, Level, Part, PartHealth, journal_health
from station.application.history import AttemptHistory
from station.application.kinds import EventKind
from station.application.port import DeskEvent, InProcessVerifier, VerifierPort
from station.application.readiness import Hold, NotReady, journal_part
from station.application.recording import (
    JournalRecorder,
    Recorder,
    ServiceKeepsTheJournal,
    UnavailableRecorder,
)
from station.application.settings_store import SettingsStore
from station.application.supervisor import StationSupervisor
from station.application.tokens import TokenStore
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.audit.paths import anchor_path_beside
from station.camera import CameraRefusedError, FrameSource, parse_source
from station.config import ResolvedSettings, SettingsError, resolve_station_settings
from station.emulator import Emulator, Scenario
from station.security.people import PinAttempt, PinGuard, PinResult
from station.ship.status import ShipStatus
from station.ui.admin import AdminActions
from station.ui.camera_feed import CameraFeed
from station.ui.controller import STATION_CLOSED, VerificationController
from station.ui.guidance import QualityFeed
from station.ui.history import HistoryPanel
from station.ui.languages import Languages
from station.ui.main_window import MainWindow, SupervisorCheck
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "DEMO_SCENARIOS",
    "Station",
    "StationConfig",
    "attach_admin",
    "build_station",
    "config_from_args",
    "config_from_resolved",
    "config_from_settings",
]

_log = logging.getLogger(__name__)

#: How often the supervisor looks at what is due (its checks keep their own intervals).
SUPERVISOR_TICK_MS = 250

#: Scenarios offered in the Demo menu: every one the emulator has, in the order a trainer shows them.
DEMO_SCENARIOS: tuple[Scenario, ...] = (
    Scenario.LIVE,
    Scenario.SPOOF,
    *(scenario for scenario in Scenario if scenario not in (Scenario.LIVE, Scenario.SPOOF, Scenario.AUTO)),
    Scenario.AUTO,
)


@dataclass
class Station:
    """The running parts; :meth:`apply` takes new settings, :meth:`aclose` shuts down in order.
    What watches them while they run is the :attr:`supervisor` (Qt-free), ticked by one timer."""

    window: MainWindow
    controller: VerificationController
    camera: CameraFeed
    #: The trusted side's parts, swapped in place by :meth:`apply` (the in-process port's own).
    verifier: Verifier
    #: What the desk talks to (:func:`~station.application.factory.build_port`).
    port: VerifierPort
    supervisor: StationSupervisor
    config: StationConfig
    emulator: Emulator | None = None
    journal: AuditJournal | None = None
    quality: QualityFeed | None = None
    tokens: TokenStore | None = None
    fleet: FleetShipping | None = None
    facts: StationFacts | None = None
    _ticker: QTimer | None = None

    def show_shipping(self) -> None:
        """Show the shipper's status now (it pushes every change; this is for a first look)."""
        if self.fleet is not None:
            self.supervisor.shipping_changed(self.fleet.status(), self.fleet.config.alert_age)

    def check_service(self) -> asyncio.Future[None]:
        """Read the credit balance now (in the background) and show the service's health."""
        return self.supervisor.read_service_now()

    @property
    def client(self) -> LivenessClient | None:
        return self.verifier.client

    def journal_event(self, event: DeskEvent) -> None:
        """Journal ``event`` through the port, without waiting (the desk's background owns it)."""
        desk = self.controller.desk
        desk.background.spawn(self.port.record_event(event), f"the {event.kind} event")

    async def apply(self, config: StationConfig) -> None:
        """New settings, without a restart: rules, capture, camera, gate and service client."""
        old, self.config = self.config, config
        self.verifier.policy = config.policy
        self.verifier.jpeg_quality = config.jpeg_quality
        self.verifier.deadline_s = config.timeouts.deadline
        self.verifier.consent_required = config.consent is not None
        self.controller.desk.set_policy(config.session)
        self.controller.desk.notice = config.consent  # from the next customer on
        self.controller.desk.gate.enabled = config.quality_gate
        _show_configuration(self.window, self.verifier, config)
        if _policy_note(config) != _policy_note(old):  # the policy, an override or a stop changed
            self.journal_event(
                DeskEvent(EventKind.POLICY, _policy_note(config), outcome="ERROR" if config.blocked else None)
            )
        camera_changed = config.camera != old.camera or (config.approved_cameras, config.production) != (
            old.approved_cameras,
            old.production,
        )
        if camera_changed:
            # Joining the capture thread may wait on a driver: never on the UI thread.
            await asyncio.to_thread(self.camera.stop)
            self.camera.start(_camera_opener(self.journal_event, config))
        if self.quality is not None and not config.quality_gate:
            await asyncio.to_thread(self.quality.stop)
        elif self.quality is not None and config.quality_gate:
            self.quality.start()
        if config.service_part() != old.service_part() or config.blocked != old.blocked:
            if isinstance(self.port, InProcessVerifier):  # the service follows its settings itself
                client, hold = await self._client(config)
                previous = self.verifier.swap_client(client, *_hold_words(hold))
                if previous is not None:
                    await previous.aclose()
            self.window.show_service_state()
            self.supervisor.read_service_now()

    async def _client(self, config: StationConfig) -> tuple[LivenessClient | None, Hold | None]:
        if self.emulator is not None and not config.blocked:
            credential = Credential(config.environment, self.emulator.token)
            return build_client_or_hold(config, credential=credential, base_url=self.emulator.base_url)
        # Reading the keyring may wait on the OS (a locked Secret Service): off the UI thread.
        return await asyncio.to_thread(build_client_or_hold, config, tokens=self.tokens)

    def watch_policy(self, configure: Callable[[], StationConfig]) -> None:
        """Read the policy again every minute (in a worker thread) and apply what changed: IT's new
        policy reaches a running station, and a policy that breaks stops verification."""

        async def recheck() -> None:
            config = await asyncio.to_thread(configure)
            if config != self.config:
                await self.apply(config)

        self.supervisor.recheck_policy = recheck

    def start(self, *, maximised: bool = True) -> None:
        """Start the camera, the guide, the shipper and the supervisor's tick, and show the window
        (``maximised``: at its first geometry from the screen, maximised below 1280×800)."""
        if self.fleet is not None:
            self.fleet.start()
        self._ticker = QTimer()  # owned here, not by the window: aclose may run after it is gone
        self._ticker.setInterval(SUPERVISOR_TICK_MS)
        self._ticker.timeout.connect(self.supervisor.tick)
        self._ticker.start()
        self.supervisor.tick()
        self.camera.start()
        if self.quality is not None and self.config.quality_gate:
            self.quality.start()
        if maximised:
            self.window.show_on_screen()
        else:
            self.window.show()

    async def aclose(self, why: str = STATION_CLOSED) -> None:
        """Stop everything; a verification in flight is cancelled and journaled with ``why``."""
        if self._ticker is not None:
            self._ticker.stop()
        await self.supervisor.aclose()
        await self.controller.wait_idle(why)
        await self.window.history.wait_idle()
        if self.quality is not None:
            await asyncio.to_thread(self.quality.stop)
        await asyncio.to_thread(self.camera.stop)
        if self.verifier.client is not None:
            await self.verifier.client.aclose()
        if self.emulator is not None:
            self.emulator.stop()
        if self.fleet is not None:
            await asyncio.to_thread(self.fleet.stop)
        if self.journal is not None:
            await asyncio.to_thread(self.journal.close)


def build_station(
    config: StationConfig,
    *,
    recorder: Recorder | None = None,
    journal: AuditJournal | None = None,
    source_factory: Callable[[], FrameSource] | None = None,
    supervisor_check: SupervisorCheck | None = None,
    tokens: TokenStore | None = None,
    languages: Languages | None = None,
    camera: CameraFeed | None = None,
    pins: PinGuard | None = None,
    port: VerifierPort | None = None,
) -> Station:
    """Build and connect every part. Needs a QApplication; starts nothing but the emulator
    (``camera``: a feed already opening, from :func:`station.ui.camera_feed.open_camera_early`).

    Without a ``recorder`` the station opens its audit journal from the configuration; if that
    fails, every attempt fails closed (its verdict is shown as not final, with the reason).
    """
    if recorder is None:
        recorder, journal = open_recorder(config)
    emulator: Emulator | None = None
    if config.demo:
        emulator = Emulator(scenario=Scenario.parse(config.demo_scenario)).start()
    if port is not None:  # behind the station service: the token and the client are its own
        client, hold = None, None
    elif emulator is not None and not config.blocked:
        client, hold = build_client_or_hold(
            config, credential=Credential(config.environment, emulator.token), base_url=emulator.base_url
        )
    else:
        client, hold = build_client_or_hold(config, tokens=tokens)

    verifier = Verifier(client, config.policy, recorder, jpeg_quality=config.jpeg_quality)
    verifier.swap_client(client, *_hold_words(hold))
    verifier.deadline_s = config.timeouts.deadline
    verifier.consent_required = config.consent is not None
    # ``port``: the station service's client on an installed station (launch), else in-process.
    port = port if port is not None else build_port(verifier, pins)
    desk = Desk(
        port, gate=QualityGate(enabled=config.quality_gate), policy=config.session, notice=config.consent
    )
    controller = VerificationController(desk)

    def journal_event(event: DeskEvent) -> None:
        desk.background.spawn(port.record_event(event), f"the {event.kind} event")

    camera = (
        camera if camera is not None else CameraFeed(source_factory or _camera_opener(journal_event, config))
    )
    window = MainWindow(
        controller,
        environment=config.environment.value,
        history=HistoryPanel(AttemptHistory(journal) if journal is not None else None),
        supervisor_check=supervisor_check,
        demo=config.demo,
        demo_scenarios=[s.value for s in DEMO_SCENARIOS] if emulator else (),
        on_pick_scenario=emulator.set_scenario if emulator else None,
        current_scenario=config.demo_scenario,
        languages=languages,
    )
    window.set_operator(config.operator_id or ("demo" if config.demo else None))
    _show_configuration(window, verifier, config)
    journal_event(
        DeskEvent(EventKind.POLICY, _policy_note(config), outcome="ERROR" if config.blocked else None)
    )
    window.preview.attach_source(camera.latest, camera.slot)  # preview-size copies from the camera thread
    # The analyser runs only while the gate is on; built anyway so settings can switch it on.
    quality = QualityFeed(camera.latest)
    quality.report_ready.connect(window.show_quality)
    quality.report_ready.connect(window.preview.see_counter)  # 15 fps while nobody is there (issue 27)
    camera.status_changed.connect(window.show_camera_status)
    if camera.status is not None:  # a feed opened early (launch) has news already
        window.show_camera_status(camera.status)
    window.show_service_state()
    if isinstance(recorder, ServiceKeepsTheJournal):  # the service's: as its readiness says
        window.show_part(journal_part(port.readiness()))
    elif journal is not None or not isinstance(recorder, UnavailableRecorder):
        window.show_part(journal_health(JournalState.WRITABLE))
    else:  # the verifier's readiness refuses on the recorder itself (station.application.verifier)
        window.show_part(journal_health(recorder.state, recorder.reason))
    facts = StationFacts(config.policy_hash or None)
    supervisor = StationSupervisor(verifier, port, _shown_on(window), background=desk.background, facts=facts)
    loop = asyncio.get_event_loop()

    def shipping_pushed(status: ShipStatus) -> None:  # on the shipper's thread: the loop shows it
        if fleet is not None:
            loop.call_soon_threadsafe(supervisor.shipping_changed, status, fleet.config.alert_age)

    fleet = _fleet(config, recorder, journal, facts, shipping_pushed)
    if fleet is None:
        window.show_part(PartHealth(Part.SHIPPING, Level.GOOD, QT_TRANSLATE_NOOP("Health", "off")))
    else:
        window.show_part(PartHealth(Part.SHIPPING, Level.WARN, QT_TRANSLATE_NOOP("Health", "starting")))
        controller.finished.connect(lambda _report: facts.update(verified=True))
    controller.finished.connect(supervisor.learn_from_call)
    window.history.schedule_refresh()
    return Station(
        window=window,
        controller=controller,
        camera=camera,
        verifier=verifier,
        port=port,
        supervisor=supervisor,
        config=config,
        emulator=emulator,
        journal=journal,
        quality=quality,
        tokens=tokens,
        fleet=fleet,
        facts=facts,
    )


def _shown_on(window: MainWindow) -> Callable[[PartHealth], None]:
    """The supervisor's findings go to the window's health strip while the window exists."""

    def show(health: PartHealth) -> None:
        if shiboken6.isValid(window):  # the window may close while a check runs
            window.show_part(health)

    return show


def _hold_words(hold: Hold | None) -> tuple[str, NotReady]:
    """A missing client's reason, as the verifier keeps it (its words and its kind)."""
    return (hold.message, hold.reason) if hold is not None else ("", NotReady.TOKEN)


def _fleet(
    config: StationConfig,
    recorder: Recorder,
    journal: AuditJournal | None,
    facts: StationFacts,
    on_status: Callable[[ShipStatus], None],
) -> FleetShipping | None:
    """The journal's shipper, when the policy names a target (never in demo mode); it pushes
    its status to ``on_status`` (on its own thread)."""
    if config.ship is None or journal is None or not isinstance(recorder, JournalRecorder):
        return None
    # The anchor (the last head shipped) sits beside the journal and its key in the machine folder.
    anchor = anchor_path_beside(journal.path)
    fleet = FleetShipping(
        config.ship, journal.path, journal.key, anchor_path=anchor, facts=facts, on_status=on_status
    )
    recorder.on_written.append(fleet.wake)
    return fleet


def _camera_opener(journal: Callable[[DeskEvent], None], config: StationConfig) -> Callable[[], FrameSource]:
    """What the camera thread opens. A device production refuses (virtual, or not one of the
    bank's approved cameras) is never opened: its source fails with the refusal in plain words,
    shown where the picture would be, and the refusal is journaled with the camera's identity."""
    verdict = camera_verdict(config)
    if not verdict.never_open:
        return lambda: parse_source(config.camera)
    journal(
        DeskEvent(
            EventKind.CAMERA,
            f"camera refused before its first frame: {verdict.label}: {verdict.refusal}",
            outcome="REFUSED",
        )
    )

    def refuse() -> FrameSource:
        raise CameraRefusedError(verdict.refusal)

    return refuse


def _policy_note(config: StationConfig) -> str:
    """The journal's record of what the station runs on: policy hash, overrides, a stop."""
    parts = [f"effective policy sha256 {config.policy_hash or 'none'}"]
    parts.append("demo" if config.demo else config.mode.value)
    if config.dev_overrides:
        parts.append("development overrides: " + ", ".join(config.dev_overrides))
    if config.refused:
        parts.append("refused: " + "; ".join(config.refused))
    if config.blocked:
        parts.append(f"verification stopped: {config.blocked}")
    return "; ".join(parts)


def _show_configuration(window: MainWindow, verifier: Verifier, config: StationConfig) -> None:
    """What the operator must see about the configuration: overrides, a camera that is not live."""
    label, refusal = camera_check(config)
    verifier.camera_label, verifier.camera_refusal = label, refusal
    if window.controller.desk.auto_capture.hold_s != config.auto_capture:
        window.set_auto_capture(config.auto_capture)
    verifier.recorder.with_context(
        station_id=config.station_id,
        camera_source=label,
        policy_hash=config.policy_hash or None,
        dev_overrides=", ".join(config.dev_overrides) or None,
    )
    window.show_configuration(
        dev_overrides=config.dev_overrides,
        refused=config.refused,
        non_live_camera=not config.demo and not label.startswith(("device:", "stream:")),
    )


def attach_admin(station: Station, store: SettingsStore, guard: PinGuard, *, kiosk: bool) -> AdminActions:
    """The administrator's actions (settings, network check), supervisors' reviews, closing."""

    async def apply(resolved: ResolvedSettings) -> None:
        await station.apply(
            config_from_resolved(
                resolved, demo=station.config.demo, operator_id=station.controller.desk.operator_id
            )
        )

    emulator = station.emulator
    admin = AdminActions(
        store,
        apply,
        parent=lambda: station.window,
        guard=guard,
        demo_endpoint=(emulator.base_url, Credential(station.config.environment, emulator.token))
        if emulator is not None
        else None,
    )
    loop = asyncio.get_event_loop()

    def journal_pin(attempt: PinAttempt) -> None:
        # Checked on a worker thread (the PIN dialog's, the port's): the journal write is the loop's.
        outcome = "APPROVED" if attempt.result is PinResult.RIGHT else "REFUSED"
        event = DeskEvent(EventKind.PIN, attempt.words, outcome=outcome)
        loop.call_soon_threadsafe(functools.partial(station.journal_event, event))

    guard.recorder = journal_pin
    if isinstance(station.port, InProcessVerifier):  # the trusted side here checks supervisors' PINs
        station.port.pins = guard
    # The trusted side counts its own supervisors (behind the station service, the service does):
    # with none, a REVIEW could never be settled here; it must not hold the counter, and IT must see why.
    if not station.port.terms().supervisors_available:
        _log.error("no supervisor can settle a REVIEW on this station: none configured")
        station.journal_event(
            DeskEvent(
                EventKind.POLICY,
                "no supervisor can settle a REVIEW on this station (none configured, or the people file "
                "cannot be read); a REVIEW does not block the next customer",
                outcome="ERROR",
            )
        )
    window = station.window
    window.add_admin_actions(admin.open_settings, admin.open_network_check)
    window.set_supervisor_check(admin.supervisor)
    if kiosk:
        window.set_close_guard(lambda: admin.require_pin("close the station") is not None)
    return admin


def config_from_args(args: argparse.Namespace, resolved: ResolvedSettings | None = None) -> StationConfig:
    """The resolved settings (policy, files, overrides), with ``--demo`` on top."""
    if args.scenario and not args.demo:
        raise SettingsError([("--scenario", "only makes sense with --demo")])
    if args.demo:
        Scenario.parse(args.scenario or Scenario.LIVE.value)  # a clear error for a typo, before any window
    return config_from_resolved(
        resolved or resolve_station_settings(), demo=args.demo, scenario=args.scenario
    )
