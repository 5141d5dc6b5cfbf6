"""The station service's own server over the Windows pipe, as a Windows service (Wine test).

    python.exe station_service.py SERVICE_NAME PIPE_NAME BASE_URL TOKEN JOURNAL_FOLDER

The service branch's ``StationService`` (the verifier port's server: the HTTP client, the
decision, the journal) behind :class:`~station.service.windows_listener.AsyncPipeListener`,
under :func:`~station.service.windows_service.run_as_service`. Its modules are loaded by name
(``importlib``): this file is committed before the server is merged, and its test skips until
then.

``grp`` and ``pwd`` get empty stand-ins first, and the Event Log says so: the server's access
rule and the Unix socket module import them at module level, and Windows has neither. The
stand-ins go when those imports are guarded (the caller's rights on Windows are the pipe's DACL).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import types
from pathlib import Path
from typing import Any

from station.service.windows_listener import AsyncPipeListener
from station.service.windows_pipe import MessageTooLargeError, PipeClosedError, PipeError, PipePeer
from station.service.windows_service import EventKind, EventLog, ServiceControl, run_as_service

UNIX_ONLY = ("grp", "pwd")


def stand_in_unix_modules() -> list[str]:
    missing = []
    for name in UNIX_ONLY:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
            sys.modules[name] = types.ModuleType(name)
    return missing


def errors_of(protocol: Any, transport: Any) -> Any:
    """The pipe's failures as the service's own: connection closed, frame too large."""

    def translate(error: PipeError) -> Exception:
        made: Exception = error
        if isinstance(error, MessageTooLargeError):
            made = protocol.FrameError(protocol.Refusal.TOO_LARGE, str(error))
        elif isinstance(error, PipeClosedError):
            made = transport.ConnectionClosedError(str(error))
        return made

    return translate


def main(name: str, pipe: str, base_url: str, token: str, folder: str) -> None:
    log = EventLog(name)
    missing = stand_in_unix_modules()
    if missing:
        log.write(EventKind.WARNING, f"{name}: stand-ins for the Unix-only modules {', '.join(missing)}")
    api = importlib.import_module("station.api")
    recording = importlib.import_module("station.application.recording")
    verifier = importlib.import_module("station.application.verifier")
    audit = importlib.import_module("station.audit")
    decision = importlib.import_module("station.core.decision")
    access = importlib.import_module("station.service.access")
    protocol = importlib.import_module("station.service.protocol")
    server = importlib.import_module("station.service.server")
    transport = importlib.import_module("station.service.transport")

    def make_peer(peer: PipePeer) -> Any:
        # uid 0: the access rule admits it; on Windows the pipe's DACL is what admits a caller.
        return transport.Peer(pid=peer.pid, uid=0, gid=0, account=peer.account)

    async def serve(control: ServiceControl) -> None:
        credential = api.Credential(api.Environment.SANDBOX, token)
        timeouts = api.Timeouts(connect=5, read=30, write=5, deadline=60)
        with audit.AuditJournal.open(Path(folder) / "audit.sqlite3", bytes(range(32))) as journal:
            async with api.LivenessClient(
                credential, base_url=base_url, timeouts=timeouts, retry=api.RetryPolicy(attempts=1)
            ) as client:
                recorder = recording.JournalRecorder(journal, recording.AttemptContext())
                parts = verifier.Verifier(client, decision.DecisionPolicy(), recorder)
                service = server.StationService(parts, None, access.AccessRule(0, None))
                listener = AsyncPipeListener(pipe, make_peer, errors=errors_of(protocol, transport))
                await listener.start(service.handle)
                control.running()
                log.write(EventKind.INFORMATION, f"{name}: the station service is listening on {pipe}")
                await control.wait_for_stop()
                await listener.close()
                await service.drain()

    try:
        run_as_service(name, lambda control: asyncio.run(serve(control)), log)
    finally:
        log.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
