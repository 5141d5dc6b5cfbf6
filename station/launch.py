"""Starting the operator station: logs, the crash handler, kiosk mode, sign-in, then the window.

station              saved settings; the operator signs in
station --demo       built-in emulator and sample camera; no sign-in
station --kiosk      fullscreen, one instance per machine, closing needs the administrator PIN
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from station import __version__
from station.application.factory import StationConfig, blocked_config, config_from_resolved, stopped_because
from station.config import (
    Policy,
    PolicyError,
    ResolvedSettings,
    Settings,
    SettingsError,
    admin_settings_file,
    default_settings_path,
    resolve_station_settings,
)
from station.logfiles import configure_file_logging
from station.resources import resource_path
from station.stop_signals import on_stop_signals
from station.ui.camera_feed import CameraFeed, open_camera_early
from station.ui.crash import install_crash_handler, install_loop_exception_handler
from station.ui.languages import Languages, station_languages

if TYPE_CHECKING:
    import asyncio

    from station.app import Station
    from station.security.people import PinGuard
    from station.service.client import ServiceVerifier
    from station.ui.early_window import EarlyPreview

# What the first frame does not need (issue 27) is imported in run_gui once it is on screen:
# station.app (the window, desk, emulator), the sign-in dialog, the PIN guard, the settings store,
# and qasync with its event loop (nothing before the first frame runs a coroutine).

__all__ = ["open_camera_early", "run_gui"]

_log = logging.getLogger(__name__)

#: One kiosk per machine (and per OS user): the name a second start looks for.
INSTANCE_KEY = "station-kiosk"


def _application(platform: str | None = None) -> QApplication:
    """The application; ``platform``: Qt's platform plugin from ``-platform`` (offscreen only)."""
    from station.ui.fonts import offscreen_uses_windows_fonts

    offscreen_uses_windows_fonts()
    qt_args = sys.argv[:1] + (["-platform", platform] if platform else [])
    app = QApplication.instance() or QApplication(qt_args)
    assert isinstance(app, QApplication)
    app.setApplicationName("Station")
    app.setApplicationDisplayName("Station")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("station")
    app.setWindowIcon(QIcon(str(resource_path("icons", "station.png"))))
    return app


#: The operator id a ``--screenshot`` run signs in with (the rows then say what made them).
SCREENSHOT_OPERATOR: Final = "screenshot"


def _sign_in(station_id: str) -> str | None:
    from station.ui.signin_dialog import OperatorSignInDialog

    dialog = OperatorSignInDialog(station_id=station_id)
    return dialog.operator_id() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _token_warning(config: StationConfig) -> str | None:
    from station.application.tokens import TokenStore

    return TokenStore().status(config.environment).warning


def _resolve() -> tuple[ResolvedSettings | None, str]:
    """The effective settings, or why they cannot be used (the station then fails closed)."""
    try:
        return resolve_station_settings(), ""
    except (PolicyError, SettingsError) as exc:
        _log.error("policy or settings cannot be used: %s", exc)
        return None, stopped_because(exc)


def _guard(policy: Policy) -> PinGuard:
    """The PIN guard; with a damaged people file, one that knows nobody (administrator actions
    are then unavailable and say how IT sets the PIN)."""
    from station.application.people import pin_guard
    from station.security.lockout import PinLedger
    from station.security.people import People, PinGuard
    from station.security.pin import PinError

    try:
        return pin_guard(policy)
    except PinError as exc:
        _log.error("the administrator and supervisors cannot be read: %s", exc)
        from station.application.people import PIN_LEDGER_FILENAME, people_store

        # Knows nobody, so no check reaches the ledger; named where the real one lives all the same.
        return PinGuard(People(), PinLedger(people_store().path(PIN_LEDGER_FILENAME)))


def _station_config(args: argparse.Namespace, operator: str | None = None) -> StationConfig:
    resolved, blocked = _resolve()
    if resolved is None:
        return blocked_config(blocked, demo=args.demo, scenario=args.scenario)
    config = _config_from_args(args, resolved)
    return (
        config if operator is None else config_from_resolved(resolved, demo=args.demo, operator_id=operator)
    )


def _config_from_args(args: argparse.Namespace, resolved: ResolvedSettings) -> StationConfig:
    """:func:`station.app.config_from_args` without importing the station's window and desk."""
    from station.emulator.scenarios import Scenario

    if args.scenario and not args.demo:
        raise SettingsError([("--scenario", "only makes sense with --demo")])
    if getattr(args, "screenshot", None) and not args.demo and not resolved.mode.allows_screenshots:
        why = "refused on a production station: the window holds a customer's picture"
        raise SettingsError([("--screenshot", why)])
    if args.demo:
        Scenario.parse(args.scenario or Scenario.LIVE.value)  # a clear error for a typo, before any window
    return config_from_resolved(resolved, demo=args.demo, scenario=args.scenario)


def _camera_terms(config: StationConfig) -> tuple[object, ...]:
    """What :func:`~station.application.factory.camera_verdict` decides on."""
    return (
        config.camera,
        config.approved_cameras,
        config.production,
        config.demo,
        config.allow_non_live_camera,
    )


def _early_camera_for(
    feed: CameraFeed | None, config: StationConfig, opened_for: StationConfig
) -> CameraFeed | None:
    """The early feed if ``config`` wants the same camera on the same terms, else stopped and None
    (the station then opens the camera its own way, refusal and journal record included)."""
    if feed is None or _camera_terms(config) == _camera_terms(opened_for):
        return feed
    feed.stop()
    return None


def _service_port() -> ServiceVerifier | None:
    """The station service's client on an installed station (the service holds the token, the
    journal and the PINs; this process is the operator's), else None: in-process. Linux: its Unix
    socket; Windows: its named pipe."""
    from station.application.tokens import default_vault

    if default_vault() is None:
        return None
    from station.service.client import ServiceVerifier, service_connector

    return ServiceVerifier(service_connector())


def _show_first_frame(camera: CameraFeed | None, languages: Languages, *, kiosk: bool) -> EarlyPreview | None:
    """The camera's picture in a window of its own, before the station is built (issue 27);
    None without an early camera (one the policy refuses: the station shows why)."""
    if camera is None:
        return None
    from station.ui.early_window import show_early_preview

    early = show_early_preview(camera, languages=languages, fullscreen=kiosk)
    if not early.wait_for_first_frame():
        _log.info("no camera frame yet: the station is built while the camera opens")
    return early


def run_gui(args: argparse.Namespace) -> int:
    """Start the operator station and run until its window closes."""
    from station.emulator.scenarios import ScenarioError

    log_file = configure_file_logging()
    try:
        config = _station_config(args)
    except (ScenarioError, SettingsError) as exc:
        print(f"station: {exc}", file=sys.stderr)
        return 64
    resolved, _ = _resolve()
    kiosk = bool(getattr(args, "kiosk", False)) or (resolved is not None and resolved.settings.kiosk)
    app = _application(getattr(args, "qt_platform", None))
    languages = station_languages(resolved.settings if resolved else Settings(), remember=not config.demo)
    if kiosk:
        from station.ui.single_instance import SingleInstance

        instance: SingleInstance | None = SingleInstance(INSTANCE_KEY)
    else:
        instance = None
    if instance is not None and not instance.try_become_primary():
        _log.info("a kiosk station is already running here: asked it to come to the front")
        return 0
    camera = open_camera_early(config)
    holder: list[Station] = []
    install_crash_handler(lambda: holder[0].window if holder else None)

    if not config.demo:
        # A screenshot run (outside production only) has nobody at the keyboard to sign in; the
        # trusted side still decides who the operator is (the caller's OS account by default).
        shooting = bool(getattr(args, "screenshot", None))
        operator = SCREENSHOT_OPERATOR if shooting else _sign_in(config.station_id)
        if operator is None:
            if camera is not None:
                camera.stop()
            return 0
        opened_for, config = config, _station_config(args, operator)
        camera = _early_camera_for(camera, config, opened_for)
    early = _show_first_frame(camera, languages, kiosk=kiosk)
    # The loop (and asyncio with it, 28 ms) is first needed by the station, not by the first frame
    # (issue 27).
    import asyncio

    import qasync

    from station.app import attach_admin, build_station
    from station.application.recording import ServiceKeepsTheJournal
    from station.application.settings_store import SettingsStore

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_loop_exception_handler(loop)
    port = None if config.demo else _service_port()  # the demo's verdicts are its emulator's
    station = build_station(
        config,
        languages=languages,
        camera=camera,
        port=port,
        recorder=ServiceKeepsTheJournal() if port is not None else None,
    )
    holder.append(station)
    guard = _guard(resolved.policy if resolved else Policy())
    store = SettingsStore(
        resolve_station_settings,
        admin_file=admin_settings_file(),
        user_file=default_settings_path(),
        guard=guard,  # the store itself refuses a security change without the administrator PIN
        persist=not config.demo,  # the demo never writes a real station's settings
    )
    admin = attach_admin(station, store, guard, kiosk=kiosk)
    station.watch_policy(
        lambda: _station_config(args, station.controller.desk.operator_id if not config.demo else None)
    )
    warning = _token_warning(config) if not config.demo else None
    if warning:
        station.window.statusBar().showMessage(warning)
    if instance is not None:
        instance.activation_requested.connect(station.window.bring_to_front)
    _log.info("station %s started (log file %s)", __version__, log_file)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    stopped: list[str] = []  # SIGTERM/SIGHUP (shutdown, logoff, the service manager): with why

    def stop(reason: str) -> None:
        stopped.append(reason)
        closed.set()

    with loop:
        restore_signals = on_stop_signals(loop, stop)
        station.start()
        if kiosk:
            station.window.enter_kiosk()
        if early is not None:
            early.hand_over()
        shot = _verdict_shot(args, station, closed)
        loop.run_until_complete(closed.wait())
        if stopped:
            _log.info("stopping: %s", stopped[0])
        if admin.applying is not None:
            loop.run_until_complete(admin.applying)
        loop.run_until_complete(station.aclose(*stopped[:1]))
        restore_signals()
    if instance is not None:
        instance.close()
    return 0 if shot is None or (shot.done() and not shot.cancelled() and shot.exception() is None) else 1


def _verdict_shot(
    args: argparse.Namespace, station: Station, closed: asyncio.Event
) -> asyncio.Task[str] | None:
    """``--screenshot PATH`` (the demo, or a station outside production): one capture, the window
    saved with its verdict, then quit."""
    import asyncio

    path = getattr(args, "screenshot", None)
    if not path:
        return None
    from station.ui.verdict_shot import CaptureRefusedError, take_verdict_shot

    async def shoot() -> str:
        try:
            outcome = await take_verdict_shot(station.window, Path(path))
            _log.info("screenshot of the %s verdict saved to %s", outcome, path)
            return outcome
        except (TimeoutError, OSError, CaptureRefusedError) as exc:
            _log.error("no screenshot: %s", exc or type(exc).__name__)
            raise
        finally:
            closed.set()

    return asyncio.ensure_future(shoot())
