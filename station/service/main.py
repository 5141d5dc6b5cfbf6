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
from station.application.people import pin_guard
from station.application.readiness import NotReady
from station.application.recording import JournalRecorder, UnavailableRecorder
from station.application.verifier import Verifier
from station.config import PolicyError, ResolvedSettings, SettingsError, resolve_station_settings
from station.core.decision import DecisionPolicy
from station.security.people import PinGuard
from station.security.pin import PinError
from station.service.access import AccessRule
from station.service.server import StationService
from station.service.transport import Listener
from station.service.unix import UnixListener
from station.stop_signals import on_stop_signals

__all__ = ["PRIVATE_UMASK", "build_service", "run_service", "serve"]

_log = logging.getLogger(__name__)

#: Files and folders the service creates: its account's alone.
PRIVATE_UMASK = 0o077


def _pins(resolved: ResolvedSettings) -> PinGuard | None:
    try:
        return pin_guard(resolved.policy)
    except PinError as exc:  # no supervisor can be checked: reviews are refused, with why
        _log.error("the supervisors cannot be read: %s", exc)
        return None


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
    # TODO(secrets, shared kiosk): policy names the deployment; with a shared kiosk account the
    # service checks operator PINs with C's PinGuard.check_operator (server.shared_kiosk).
    return StationService(verifier, _pins(resolved), access)


def _stopped_service(problem: Exception, access: AccessRule) -> StationService:
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
    try:
        service = build_service(resolve_station_settings(), access)
    except (PolicyError, SettingsError) as exc:
        _log.error("policy or settings cannot be used: %s", exc)
        service = _stopped_service(exc, access)
    stop = asyncio.Event()

    def stopping(reason: str) -> None:
        _log.info("the station service stops: %s", reason)
        stop.set()

    restore = on_stop_signals(asyncio.get_running_loop(), stopping)
    try:
        await serve(service, UnixListener(socket, group=access.clients_gid), stop)
    finally:
        restore()
        recorder = service.verifier.recorder
        if isinstance(recorder, JournalRecorder):
            recorder.journal.close()


def run_service(socket: Path, access: AccessRule) -> None:
    """Run the service on ``socket`` until SIGTERM (see the module docstring)."""
    os.umask(PRIVATE_UMASK)
    asyncio.run(_main(socket, access))
