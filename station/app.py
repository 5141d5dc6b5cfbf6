"""The composition root of the GUI: every object is built here and every arrow connected here.

    camera (worker thread) ─latest frame─▶ PreviewWidget (polls at display rate)
    Capture ─▶ VerificationController ─▶ encode (thread) ─▶ LivenessClient (qasync loop)
            ─▶ decide ─▶ audit ─▶ MainWindow (banner, boxes)

Nothing reaches for a global: :func:`build_station` returns the parts, the tests build the same
thing, and :func:`station.launch.run_gui` adds the QApplication, the event loop, the operator's
sign-in, the administrator's actions and kiosk mode.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from station.api.client import LivenessClient, NetworkSettings, RetryPolicy, Timeouts
from station.api.credentials import Credential, load_credential
from station.api.environments import Environment
from station.api.errors import LivenessAPIError
from station.attempt import AttemptRecorder
from station.audit import AuditError, AuditJournal
from station.camera import FrameSource, parse_source
from station.config import Settings, SettingsError, load_settings
from station.core.decision import DecisionPolicy
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.emulator import Emulator, Scenario
from station.recording import AttemptContext, JournalRecorder, UnavailableRecorder, open_journal
from station.ui.camera_feed import CameraFeed
from station.ui.controller import VerificationController
from station.ui.guidance import QualityFeed
from station.ui.history import HistoryPanel
from station.ui.main_window import MainWindow

__all__ = ["Station", "StationConfig", "build_station", "config_from_args", "config_from_settings"]

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


@dataclass(frozen=True)
class StationConfig:
    """What the GUI needs to start. Built from saved settings, or from ``--demo``."""

    environment: Environment = Environment.SANDBOX
    base_url: str | None = None
    camera: str = "demo"
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    audit_db: Path | None = None
    quality_gate: bool = True
    station_id: str = field(default_factory=socket.gethostname)
    operator_id: str | None = None
    demo: bool = False
    demo_scenario: str = Scenario.LIVE.value


@dataclass
class Station:
    """The running parts; :meth:`apply` takes new settings, :meth:`aclose` shuts down in order."""

    window: MainWindow
    controller: VerificationController
    camera: CameraFeed
    client: LivenessClient | None
    emulator: Emulator | None = None
    journal: AuditJournal | None = None
    quality: QualityFeed | None = None
    config: StationConfig | None = None

    async def apply(self, config: StationConfig) -> None:
        """New settings, without a restart: policy, capture, camera, gate and service client."""
        old, self.config = self.config, config
        self.controller.set_policy(config.policy)
        self.controller.set_jpeg_quality(config.jpeg_quality)
        self.window.gate.enabled = config.quality_gate
        if old is None or config.camera != old.camera:
            # Joining the capture thread may wait on a driver: never on the UI thread.
            await asyncio.to_thread(self.camera.stop)
            self.camera.start(lambda: parse_source(config.camera))
        if self.quality is not None and not config.quality_gate:
            await asyncio.to_thread(self.quality.stop)
        elif self.quality is not None and config.quality_gate:
            self.quality.start()
        if old is None or _service_part(config) != _service_part(old):
            base_url = self.emulator.base_url if self.emulator is not None else config.base_url
            client, unavailable = _client(config, self.emulator, base_url)
            previous = self.controller.set_client(client, unavailable)
            self.client = client
            if previous is not None:
                await previous.aclose()
            self.window.statusBar().showMessage(
                f"Verification unavailable: {unavailable}" if unavailable else "Settings applied.", 8000
            )

    def start(self) -> None:
        self.camera.start()
        if self.quality is not None and (self.config is None or self.config.quality_gate):
            self.quality.start()
        self.window.show()

    async def aclose(self) -> None:
        await self.controller.wait_idle()
        await self.window.history.wait_idle()
        if self.quality is not None:
            await asyncio.to_thread(self.quality.stop)
        await asyncio.to_thread(self.camera.stop)
        if self.client is not None:
            await self.client.aclose()
        if self.emulator is not None:
            self.emulator.stop()
        if self.journal is not None:
            await asyncio.to_thread(self.journal.close)


def _credential(config: StationConfig, emulator: Emulator | None) -> Credential:
    if emulator is not None:
        return Credential(config.environment, emulator.token)
    return load_credential(config.environment)


def _client(
    config: StationConfig, emulator: Emulator | None, base_url: str | None
) -> tuple[LivenessClient | None, str]:
    """The service client, or why there is none (no token enrolled, a refused base URL…)."""
    try:
        client = LivenessClient(
            _credential(config, emulator),
            base_url=base_url,
            timeouts=config.timeouts,
            retry=config.retry,
            network=config.network,
        )
    except LivenessAPIError as exc:
        _log.warning("verification unavailable: %s", exc.message)
        return None, exc.message
    return client, ""


def _journal_recorder(config: StationConfig) -> tuple[AttemptRecorder, AuditJournal | None]:
    context = AttemptContext(station_id=config.station_id, operator_id=config.operator_id)
    try:
        journal = open_journal(config.audit_db)
    except AuditError as exc:
        _log.error("audit journal unavailable: %s", exc)
        return UnavailableRecorder(f"the audit journal cannot be opened: {exc}"), None
    return JournalRecorder(journal, context), journal


def _service_part(config: StationConfig) -> tuple[object, ...]:
    return (config.environment, config.base_url, config.timeouts, config.retry, config.network)


def _event_recorder(recorder: AttemptRecorder) -> Callable[[str, str], object] | None:
    """Station events (not attempts) go to the same journal, written off the UI thread."""
    if not isinstance(recorder, JournalRecorder):
        return None
    journal_recorder = recorder

    def record(kind: str, notes: str) -> object:
        return asyncio.ensure_future(journal_recorder.record_event(kind, notes))

    return record


def build_station(
    config: StationConfig,
    *,
    recorder: AttemptRecorder | None = None,
    journal: AuditJournal | None = None,
    source_factory: Callable[[], FrameSource] | None = None,
    supervisor_check: Callable[[str], bool] | None = None,
) -> Station:
    """Build and connect every part. Needs a QApplication; starts nothing but the emulator.

    Without a ``recorder`` the station opens its audit journal from the settings; if that fails,
    every attempt fails closed (its verdict is shown as not final, with the reason).
    """
    if recorder is None:
        recorder, journal = _journal_recorder(config)
    emulator: Emulator | None = None
    base_url = config.base_url
    if config.demo:
        emulator = Emulator(scenario=Scenario.parse(config.demo_scenario)).start()
        base_url = emulator.base_url

    client, unavailable = _client(config, emulator, base_url)

    controller = VerificationController(
        client,
        config.policy,
        recorder=recorder,
        jpeg_quality=config.jpeg_quality,
        unavailable_reason=unavailable,
    )
    camera = CameraFeed(source_factory or (lambda: parse_source(config.camera)))
    window = MainWindow(
        controller,
        environment=config.environment.value,
        history=HistoryPanel(journal),
        supervisor_check=supervisor_check,
        quality_gate=config.quality_gate,
        record_event=_event_recorder(recorder),
        demo=config.demo,
        demo_scenarios=[s.value for s in DEMO_SCENARIOS] if emulator else (),
        on_pick_scenario=emulator.set_scenario if emulator else None,
        current_scenario=config.demo_scenario,
    )
    window.preview.attach_source(camera.latest)
    # The analyser runs only while the gate is on; built anyway so settings can switch it on.
    quality = QualityFeed(camera.latest)
    quality.report_ready.connect(window.show_quality)
    camera.status_changed.connect(window.show_camera_status)
    if unavailable:
        window.statusBar().showMessage(f"Verification unavailable: {unavailable}")
    window.history.schedule_refresh()
    return Station(
        config=config,
        window=window,
        controller=controller,
        camera=camera,
        client=client,
        emulator=emulator,
        journal=journal,
        quality=quality,
    )


def config_from_settings(
    settings: Settings, *, demo: bool = False, scenario: str | None = None, operator_id: str | None = None
) -> StationConfig:
    """The GUI's start-up configuration from the saved settings (and ``--demo``)."""
    return StationConfig(
        environment=Environment.SANDBOX if demo else settings.environment,
        base_url=None if demo else settings.base_url,
        camera="demo" if demo else settings.camera,
        policy=settings.to_policy(),
        timeouts=settings.to_timeouts(),
        retry=settings.to_retry(),
        network=settings.to_network(),
        jpeg_quality=settings.jpeg_quality,
        # Demo answers are emulated: they go to a journal of their own beside the real one.
        audit_db=settings.audit_db.with_name(f"demo-{settings.audit_db.name}") if demo else settings.audit_db,
        quality_gate=settings.quality_gate,
        station_id=settings.station_id,
        operator_id=operator_id,
        demo=demo,
        demo_scenario=scenario or Scenario.LIVE.value,
    )


def config_from_args(args: argparse.Namespace, settings: Settings | None = None) -> StationConfig:
    """Saved settings (``settings.toml`` + ``STATION_*`` variables), with ``--demo`` on top."""
    if args.scenario and not args.demo:
        raise SettingsError([("--scenario", "only makes sense with --demo")])
    if args.demo:
        Scenario.parse(args.scenario or Scenario.LIVE.value)  # a clear error for a typo, before any window
    return config_from_settings(settings or load_settings(), demo=args.demo, scenario=args.scenario)
