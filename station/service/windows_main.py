"""``station-console.exe service run`` on Windows: the station service as a Windows service.

Started by the Service Control Manager (the installer registers it: ``sc create Station binPath=
"…\\station-console.exe service run" obj= "NT SERVICE\\Station" start= auto``), it builds the same
service as on Linux (:func:`~station.service.main.build_service`: machine policy, the token from
its own store, the client, the decision, the journal under ``%ProgramData%``) and serves the
verifier port on its named pipe (:mod:`station.service.windows_endpoint`) until a stop or shutdown
control; the Event Log says when it runs, stops, or cannot serve.

**It follows IT's changes.** A Windows service starts at boot, before IT enrols the token or edits
the policy in the registry, and keeps running: so before each caller's connection, and every
:data:`RECHECK_SECONDS` besides, it reads the policy and the token's sealed file again, and when
either changed it builds a new client and takes the new decision policy, deadline, consent rule and
camera verdict (:class:`SettingsFollower`). The journal, the PIN guard and the operators' sign-in
mode stay as started (a change there needs ``sc stop Station`` and ``sc start Station``).

Qt-free; importable everywhere (the Windows calls fail off Windows).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Final

from station.api.client import LivenessClient
from station.application.factory import build_client_or_hold, camera_check, config_from_resolved
from station.application.recording import JournalRecorder
from station.application.tokens import VAULT_FILE, TokenStore, default_vault
from station.config import PolicyError, ResolvedSettings, SettingsError, resolve_station_settings
from station.security.private_store import PrivateStore
from station.service.access import AccessRule
from station.service.main import build_service, stopped_service
from station.service.server import StationService
from station.service.transport import Connection, Peer
from station.service.windows_endpoint import PIPE_NAME, SERVICE_NAME, pipe_errors, service_peer
from station.service.windows_listener import AsyncPipeListener
from station.service.windows_service import EventKind, EventLog, ServiceControl, run_as_service

__all__ = ["RECHECK_SECONDS", "SettingsFollower", "fingerprint", "run_windows_service"]

_log = logging.getLogger(__name__)

#: How often the running service reads the policy and the token again, callers or not.
RECHECK_SECONDS: Final = 30.0
#: On Windows the pipe's DACL admits callers (:func:`~station.service.windows_endpoint.service_peer`).
_PIPE_ADMITS: Final = AccessRule(service_uid=0, clients_gid=None)

#: What the service's parts are built from, as far as a running service follows it.
Fingerprint = tuple[object, ...]


def fingerprint(resolved: ResolvedSettings | Exception, vault: PrivateStore | None) -> Fingerprint:
    """The policy and settings in force, and the token file's identity in ``vault`` (never its
    content: its time, size and file id)."""
    if isinstance(resolved, Exception):
        return ("unusable", type(resolved).__name__, str(resolved))
    token: object = None
    if vault is not None:
        path = vault.path(VAULT_FILE.format(environment=resolved.settings.environment.value))
        with contextlib.suppress(OSError):
            info = path.stat()
            token = (info.st_mtime_ns, info.st_size, info.st_ino)
    return (resolved.policy_hash, repr(resolved.settings), resolved.mode, token)


def _resolve() -> ResolvedSettings | Exception:
    try:
        return resolve_station_settings()
    except (PolicyError, SettingsError) as exc:
        return exc


class SettingsFollower:
    """Keeps a running service's client and decision in step with the policy and the token."""

    def __init__(
        self,
        service: StationService,
        seen: Fingerprint,
        *,
        resolve: Callable[[], ResolvedSettings | Exception] = _resolve,
        tokens: TokenStore | None = None,
    ) -> None:
        self.service = service
        self._seen = seen
        self._resolve = resolve
        #: Where the client's token comes from (the service's store on an installed station).
        self._tokens = tokens or TokenStore()
        self._vault = self._tokens.vault
        self._lock = asyncio.Lock()
        #: Clients replaced while requests may still use them: closed when the service stops.
        self._retired: list[LivenessClient] = []

    async def follow(self) -> bool:
        """Read the policy and the token again; True when the service's parts changed."""
        async with self._lock:
            resolved = await asyncio.to_thread(self._resolve)
            mark = await asyncio.to_thread(fingerprint, resolved, self._vault)
            if mark == self._seen:
                return False
            self._seen = mark
            await asyncio.to_thread(self._apply, resolved)
            return True

    def _apply(self, resolved: ResolvedSettings | Exception) -> None:
        verifier = self.service.verifier
        if isinstance(resolved, Exception):
            _log.error("policy or settings cannot be used any more: %s", resolved)
            stopped = stopped_service(resolved, self.service.access).verifier
            old = verifier.swap_client(None, stopped.unavailable_reason, stopped.unavailable_kind)
        else:
            config = config_from_resolved(resolved)
            client, hold = build_client_or_hold(config, tokens=self._tokens)
            if hold is not None:
                old = verifier.swap_client(None, hold.message, hold.reason)
            else:
                old = verifier.swap_client(client)
            verifier.policy = config.policy
            verifier.deadline_s = config.timeouts.deadline
            verifier.consent_required = config.consent is not None
            verifier.camera_label, verifier.camera_refusal = camera_check(config)
            _log.info("the policy or the token changed; now policy %s", config.policy_hash[:12])
        if old is not None:
            self._retired.append(old)

    async def handle(self, connection: Connection) -> None:
        """A caller's connection, served with the policy and token as they are now."""
        await self.follow()
        await self.service.handle(connection)

    async def recheck_every(self, seconds: float = RECHECK_SECONDS) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.follow()
            except Exception:  # a failed recheck keeps the parts in force; the next one tries again
                _log.exception("the policy and token could not be read again")

    async def aclose(self) -> None:
        for client in [*self._retired, self.service.verifier.client]:
            if client is not None:
                await client.aclose()
        self._retired.clear()


def _build() -> tuple[StationService, Fingerprint]:
    resolved = _resolve()
    if isinstance(resolved, Exception):
        _log.error("policy or settings cannot be used: %s", resolved)
        return stopped_service(resolved, _PIPE_ADMITS), fingerprint(resolved, default_vault())
    return build_service(resolved, _PIPE_ADMITS), fingerprint(resolved, default_vault())


async def _serve(control: ServiceControl, log: EventLog) -> None:
    service, seen = await asyncio.to_thread(_build)
    follower = SettingsFollower(service, seen)
    listener: AsyncPipeListener[Peer] = AsyncPipeListener(PIPE_NAME, service_peer, errors=pipe_errors)
    recheck: asyncio.Task[None] | None = None
    try:
        await listener.start(follower.handle)
        control.running()
        log.write(EventKind.INFORMATION, f"{SERVICE_NAME}: running, listening on {listener.name}")
        recheck = asyncio.create_task(follower.recheck_every())
        await control.wait_for_stop()
    finally:
        if recheck is not None:
            recheck.cancel()
        await listener.close()
        await service.drain()
        await follower.aclose()
        recorder = service.verifier.recorder
        if isinstance(recorder, JournalRecorder):
            recorder.journal.close()


def run_windows_service() -> None:
    """Hand this process to the SCM as the station service (see the module docstring).
    Raises :class:`~station.service.windows_service.NotStartedByServiceManagerError` at a console."""
    log = EventLog(SERVICE_NAME)
    try:
        run_as_service(SERVICE_NAME, lambda control: asyncio.run(_serve(control, log)), log)
    finally:
        log.close()
