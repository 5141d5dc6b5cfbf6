"""A minimal station service for the Wine test: the real service entry and pipe, an echo dispatcher.

    python.exe echo_service.py SERVICE_NAME PIPE_NAME          # threads: windows_service.run
    python.exe echo_service.py SERVICE_NAME PIPE_NAME --async  # asyncio: AsyncPipeListener

Runs under the Windows CPython as a Windows service (``sc start``). Each request comes back as
JSON with who sent it, as the pipe names the caller, and who answered (this process). Stands in
for the verifier port's server, which plugs into the same ``dispatch`` seam. Started from a
console instead, it says so and exits 2 (what ``station-console.exe service run`` does).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from station.service.win32_api import process_account
from station.service.windows_listener import AsyncPipeListener, PipeConnection
from station.service.windows_pipe import PipeClosedError, PipePeer, frame
from station.service.windows_service import (
    EventKind,
    EventLog,
    NotStartedByServiceManagerError,
    ServiceControl,
    run,
    run_as_service,
)


def echo(request: bytes, peer: PipePeer) -> bytes:
    me = process_account()
    answer = {
        "echo": request.decode("utf-8"),
        "caller": {"account": peer.account, "sid": peer.sid, "pid": peer.pid},
        "service": {"account": me.name, "sid": me.sid, "pid": os.getpid()},
    }
    return json.dumps(answer).encode("utf-8")


def run_async(service_name: str, pipe_name: str) -> None:
    """The asyncio shape the station service's server takes: a handler coroutine per connection."""
    log = EventLog(service_name)

    async def handle(connection: PipeConnection[PipePeer]) -> None:
        peer = connection.peer
        assert peer is not None
        try:
            while True:
                request = await connection.receive()
                await connection.send(frame(echo(request, peer)))
        except PipeClosedError:
            pass
        finally:
            await connection.close()

    async def serve(control: ServiceControl) -> None:
        listener = AsyncPipeListener(pipe_name, make_peer=lambda peer: peer)
        await listener.start(handle)
        control.running()
        log.write(EventKind.INFORMATION, f"{service_name}: running (asyncio), listening on {pipe_name}")
        await control.wait_for_stop()
        await listener.close()

    try:
        run_as_service(service_name, lambda control: asyncio.run(serve(control)), log)
    finally:
        log.close()


def main(service_name: str, pipe_name: str, mode: str = "") -> int:
    try:
        if mode == "--async":
            run_async(service_name, pipe_name)
        else:
            run(service_name, pipe_name, echo)
    except NotStartedByServiceManagerError as exc:
        print(f"station service: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
