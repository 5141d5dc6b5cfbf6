"""``station service run``: the station service's process, under its own account.

It reads machine policy and its own settings (never a caller's environment), the token from its
own store (today the :class:`~station.application.tokens.TokenStore` read as the service account),
opens the journal, its key and anchor in the machine data folder, builds the client and the PIN
guard, and serves the verifier port on the socket until SIGTERM: then it stops accepting, lets
every request under way finish and every journal write end, and exits. Everything it creates is
private to its account (umask 077); the socket alone is opened to the clients' group (0660).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from station.application.factory import (
    build_client_or_hold,
    camera_check,
    config_from_resolved,
    open_recorder,
    stopped_because,
)
from station.application.fleet import FleetShipping, StationFacts
from station.application.people import pin_guard, pin_record
from station.application.readiness import NotReady
from station.application.recording import JournalRecorder, Recorder, UnavailableRecorder
from station.application.verifier import Verifier
from station.audit.paths import anchor_path_beside
from station.config import (
    OperatorSignIn,
    PolicyError,
    ResolvedSettings,
    SettingsError,
    resolve_station_settings,
)
from station.core.decision import DecisionPolicy
from station.security.people import PinAttempt, PinGuard
from station.security.pin import PinError
from station.service.access import AccessRule
from station.service.server import OperatorCheck, StationService, named_accounts, shared_kiosk
from station.service.transport import Listener
from station.stop_signals import on_stop_signals

__all__ = ["PRIVATE_UMASK", "build_service", "run_service", "serve", "stopped_service"]

_log = logging.getLogger(__name__)

#: Files and folders the service creates: its account's alone.
PRIVATE_UMASK = 0o077


def _pins(resolved: ResolvedSettings) -> PinGuard | None:
    try:
        return pin_guard(resolved.policy)
    except PinError as exc:  # no supervisor can be checked: reviews are refused, with why
        _log.error("the supervisors cannot be read: %s", exc)
        return None


def _operator_check(pins: PinGuard | None) -> OperatorCheck | None:
    """An operator's PIN, checked against the private store (a lockout or an unusable store is a
    refusal, logged with why; the attempt itself is journaled by the guard)."""
    if pins is None:
        return None

    def check(operator_id: str, pin: str) -> bool:
        try:
            return pins.check_operator(operator_id, pin)
        except PinError as exc:
            _log.warning("operator sign-in refused: %s", exc)
            return False

    return check


def _journal_pin_attempts(pins: PinGuard | None, recorder: Recorder) -> None:
    """Every PIN attempt the service checks is a row of its journal (the guard's own thread)."""
    if pins is None or not isinstance(recorder, JournalRecorder):
        return
    journal, station_id = recorder.journal, recorder.context.station_id

    def record(attempt: PinAttempt) -> None:
        journal.append(pin_record(attempt, station_id))

    pins.recorder = record


def build_service(resolved: ResolvedSettings, access: AccessRule) -> StationService:
    """The service's parts from the effective settings (see the module docstring)."""
    config = config_from_resolved(resolved)
    recorder, _journal = open_recorder(config)
    client, hold = build_client_or_hold(config)
    verifier = Verifier(client, config.policy, recorder, jpeg_quality=config.jpeg_quality)
    if hold is not None:
        verifier.swap_client(None, hold.message, hold.reason)
    verifier.deadline_s = config.timeouts.deadline
    verifier.consent_required = config.consent is not None
    verifier.camera_label, verifier.camera_refusal = camera_check(config)
    pins = _pins(resolved)
    _journal_pin_attempts(pins, recorder)
    if resolved.settings.operator_sign_in is OperatorSignIn.PIN:
        # A shared kiosk account: the account is nobody's identity; each operator's own PIN is.
        return StationService(
            verifier, pins, access, shared_kiosk(_operator_check(pins)), caller_is_operator=False
        )
    return StationService(verifier, pins, access, named_accounts)


def start_shipping(service: StationService, resolved: ResolvedSettings) -> FleetShipping | None:
    """The journal's shipper, in the service that holds the journal, when policy names a target."""
    config = config_from_resolved(resolved)
    recorder = service.verifier.recorder
    if config.ship is None or not isinstance(recorder, JournalRecorder):
        return None
    journal = recorder.journal
    facts = StationFacts(config.policy_hash or None)
    fleet = FleetShipping(
        config.ship, journal.path, journal.key, anchor_path=anchor_path_beside(journal.path), facts=facts
    )
    recorder.on_written.append(fleet.wake)
    fleet.start()
    return fleet


def stopped_service(problem: Exception, access: AccessRule) -> StationService:
    """A service whose policy or settings cannot be used: it answers, and refuses every capture."""
    reason = stopped_because(problem)
    verifier = Verifier(None, DecisionPolicy(), UnavailableRecorder(reason))
    verifier.swap_client(None, reason, NotReady.POLICY)
    return StationService(verifier, None, access)


async def serve(
    service: StationService, listener: Listener, stop: asyncio.Event, listening: asyncio.Event | None = None
) -> None:
    """Serve until ``stop`` is set, then stop accepting and let the work under way end
    (``listening`` is set once callers can connect)."""
    await listener.start(service.handle)
    if listening is not None:
        listening.set()
    try:
        await stop.wait()
    finally:
        await listener.close()
        await service.drain()


async def _main(socket: Path, access: AccessRule) -> None:
    fleet: FleetShipping | None = None
    try:
        resolved = resolve_station_settings()
        service = build_service(resolved, access)
        fleet = start_shipping(service, resolved)
    except (PolicyError, SettingsError) as exc:
        _log.error("policy or settings cannot be used: %s", exc)
        service = stopped_service(exc, access)
    stop = asyncio.Event()

    def stopping(reason: str) -> None:
        _log.info("the station service stops: %s", reason)
        stop.set()

    from station.service.unix import UnixListener  # pwd: never imported on Windows

    restore = on_stop_signals(asyncio.get_running_loop(), stopping)
    try:
        await serve(service, UnixListener(socket, group=access.clients_gid), stop)
    finally:
        restore()
        if fleet is not None:
            await asyncio.to_thread(fleet.stop)
        if service.verifier.client is not None:
            await service.verifier.client.aclose()
        recorder = service.verifier.recorder
        if isinstance(recorder, JournalRecorder):
            recorder.journal.close()


def run_service(socket: Path, access: AccessRule) -> None:
    """Run the service on ``socket`` until SIGTERM (see the module docstring)."""
    os.umask(PRIVATE_UMASK)
    asyncio.run(_main(socket, access))
