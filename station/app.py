"""The composition root of the GUI: every object is built here and every arrow connected here.

    camera (worker thread) ─latest frame─▶ PreviewWidget (polls at display rate)
    Space ─▶ VerificationController ─▶ Desk ─▶ CustomerSession (application layer, no Qt)
          ─▶ Verifier: encode (thread) ─▶ LivenessClient (qasync loop) ─▶ decide ─▶ journal
          ─▶ MainWindow (banner, boxes)

Nothing reaches for a global: :func:`build_station` returns the parts, the tests build the same
thing, and :func:`station.launch.run_gui` adds the QApplication, the event loop, the operator's
sign-in and kiosk mode. :meth:`Station.apply` takes new settings without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from station.api.client import LivenessClient
from station.api.credentials import Credential
from station.application.desk import Desk
from station.application.factory import StationConfig, build_client, config_from_settings, open_recorder
from station.application.gate import QualityGate
from station.application.recording import Recorder
from station.application.tokens import TokenStore
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.camera import FrameSource, parse_source
from station.config import Settings, SettingsError, load_settings
from station.emulator import Emulator, Scenario
from station.ui.admin import AdminActions
from station.ui.camera_feed import CameraFeed
from station.ui.controller import VerificationController
from station.ui.guidance import QualityFeed
from station.ui.history import HistoryPanel
from station.ui.main_window import MainWindow, SupervisorCheck

__all__ = [
    "DEMO_SCENARIOS",
    "Station",
    "StationConfig",
    "attach_admin",
    "build_station",
    "config_from_args",
    "config_from_settings",
]

_log = logging.getLogger(__name__)

#: Scenarios offered in the Demo menu, in the order an operator trainer would show them.
DEMO_SCENARIOS: tuple[Scenario, ...] = (
    Scenario.LIVE,
    Scenario.SPOOF,
    Scenario.NO_FACE,
    Scenario.SEVERAL_FACES,
    Scenario.LOW_DETECTION,
    Scenario.NOT_OK,
    Scenario.ERROR_THEN_OK,
    Scenario.ERROR,
    Scenario.RATE_LIMITED,
    Scenario.SLOW,
    Scenario.HANG,
    Scenario.UNAUTHORIZED,
    Scenario.AUTO,
)


@dataclass
class Station:
    """The running parts; :meth:`apply` takes new settings, :meth:`aclose` shuts down in order."""

    window: MainWindow
    controller: VerificationController
    camera: CameraFeed
    verifier: Verifier
    config: StationConfig
    emulator: Emulator | None = None
    journal: AuditJournal | None = None
    quality: QualityFeed | None = None
    tokens: TokenStore | None = None

    @property
    def client(self) -> LivenessClient | None:
        return self.verifier.client

    async def apply(self, config: StationConfig) -> None:
        """New settings, without a restart: rules, capture, camera, gate and service client."""
        old, self.config = self.config, config
        self.verifier.policy = config.policy
        self.verifier.jpeg_quality = config.jpeg_quality
        self.controller.desk.set_policy(config.session)
        self.controller.desk.gate.enabled = config.quality_gate
        if config.camera != old.camera:
            # Joining the capture thread may wait on a driver: never on the UI thread.
            await asyncio.to_thread(self.camera.stop)
            self.camera.start(lambda: parse_source(config.camera))
        if self.quality is not None and not config.quality_gate:
            await asyncio.to_thread(self.quality.stop)
        elif self.quality is not None and config.quality_gate:
            self.quality.start()
        if config.service_part() != old.service_part():
            client, unavailable = await self._client(config)
            previous = self.verifier.swap_client(client, unavailable)
            if previous is not None:
                await previous.aclose()
            self.window.show_service_state(unavailable)

    async def _client(self, config: StationConfig) -> tuple[LivenessClient | None, str]:
        if self.emulator is not None:
            credential = Credential(config.environment, self.emulator.token)
            return build_client(config, credential=credential, base_url=self.emulator.base_url)
        # Reading the keyring may wait on the OS (a locked Secret Service): off the UI thread.
        return await asyncio.to_thread(build_client, config, tokens=self.tokens)

    def start(self) -> None:
        self.camera.start()
        if self.quality is not None and self.config.quality_gate:
            self.quality.start()
        self.window.show()

    async def aclose(self) -> None:
        await self.controller.wait_idle()
        await self.window.history.wait_idle()
        if self.quality is not None:
            await asyncio.to_thread(self.quality.stop)
        await asyncio.to_thread(self.camera.stop)
        if self.verifier.client is not None:
            await self.verifier.client.aclose()
        if self.emulator is not None:
            self.emulator.stop()
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
) -> Station:
    """Build and connect every part. Needs a QApplication; starts nothing but the emulator.

    Without a ``recorder`` the station opens its audit journal from the configuration; if that
    fails, every attempt fails closed (its verdict is shown as not final, with the reason).
    """
    if recorder is None:
        recorder, journal = open_recorder(config)
    emulator: Emulator | None = None
    if config.demo:
        emulator = Emulator(scenario=Scenario.parse(config.demo_scenario)).start()
        client, unavailable = build_client(
            config, credential=Credential(config.environment, emulator.token), base_url=emulator.base_url
        )
    else:
        client, unavailable = build_client(config, tokens=tokens)

    verifier = Verifier(
        client, config.policy, recorder, jpeg_quality=config.jpeg_quality, unavailable_reason=unavailable
    )
    desk = Desk(
        verifier,
        gate=QualityGate(enabled=config.quality_gate),
        policy=config.session,
        operator_id=config.operator_id,
    )
    controller = VerificationController(desk)
    camera = CameraFeed(source_factory or (lambda: parse_source(config.camera)))
    window = MainWindow(
        controller,
        environment=config.environment.value,
        history=HistoryPanel(journal),
        supervisor_check=supervisor_check,
        demo=config.demo,
        demo_scenarios=[s.value for s in DEMO_SCENARIOS] if emulator else (),
        on_pick_scenario=emulator.set_scenario if emulator else None,
        current_scenario=config.demo_scenario,
    )
    window.set_operator(config.operator_id or ("demo" if config.demo else None))
    window.preview.attach_source(camera.latest)
    # The analyser runs only while the gate is on; built anyway so settings can switch it on.
    quality = QualityFeed(camera.latest)
    quality.report_ready.connect(window.show_quality)
    camera.status_changed.connect(window.show_camera_status)
    if unavailable:
        window.show_service_state(unavailable)
    window.history.schedule_refresh()
    return Station(
        window=window,
        controller=controller,
        camera=camera,
        verifier=verifier,
        config=config,
        emulator=emulator,
        journal=journal,
        quality=quality,
        tokens=tokens,
    )


def attach_admin(station: Station, settings: Settings, *, kiosk: bool) -> AdminActions:
    """The administrator's actions (settings, network check, the PIN for reviews and closing)."""

    async def apply(new: Settings) -> None:
        await station.apply(
            config_from_settings(new, demo=station.config.demo, operator_id=station.window.operator_id)
        )

    admin = AdminActions(settings, apply, parent=lambda: station.window)
    window = station.window
    window.add_admin_actions(admin.open_settings, admin.open_network_check)
    window.set_supervisor_check(lambda action: "administrator" if admin.require_pin(action) else None)
    if kiosk:
        window.set_close_guard(lambda: admin.require_pin("close the station"))
    return admin


def config_from_args(args: argparse.Namespace, settings: Settings | None = None) -> StationConfig:
    """Saved settings (``settings.toml`` + ``STATION_*`` variables), with ``--demo`` on top."""
    if args.scenario and not args.demo:
        raise SettingsError([("--scenario", "only makes sense with --demo")])
    if args.demo:
        Scenario.parse(args.scenario or Scenario.LIVE.value)  # a clear error for a typo, before any window
    return config_from_settings(settings or load_settings(), demo=args.demo, scenario=args.scenario)
