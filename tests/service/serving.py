"""The station service in the test's own process, on a real Unix socket: how the port's contract
suite runs against :class:`~station.service.client.ServiceVerifier` with parts each test builds.
(The two-process set-up, with separate accounts, is in ``test_two_processes.py``.)"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from station.application.port import VerifierPort
from station.application.verifier import Verifier
from station.security.people import PinGuard
from station.service.access import AccessRule
from station.service.client import ServiceVerifier
from station.service.server import StationService
from station.service.transport import Peer
from station.service.unix import UnixListener, unix_connector

PortFactory = Callable[[Verifier, PinGuard | None], Awaitable[VerifierPort]]


async def the_name_given(peer: Peer, operator_id: str, secret: str | None) -> bool:
    """The contract suite signs in operators by name alone, as the in-process port does; the
    service's own rules (named accounts, shared kiosk) have their own tests."""
    return True


@asynccontextmanager
async def serving_ports() -> AsyncIterator[PortFactory]:
    """A factory of service clients, each over its own service serving the parts it is given."""
    running: list[tuple[StationService, UnixListener, ServiceVerifier]] = []
    # A short folder: a Unix socket's path is limited to 107 bytes.
    with tempfile.TemporaryDirectory(prefix="station-svc-") as folder:

        async def serve(parts: Verifier, pins: PinGuard | None) -> VerifierPort:
            path = Path(folder) / f"{len(running)}.sock"
            service = StationService(
                parts, pins, AccessRule(os.geteuid(), None), the_name_given, caller_is_operator=False
            )
            listener = UnixListener(path)
            await listener.start(service.handle)
            port = ServiceVerifier(unix_connector(path))
            running.append((service, listener, port))
            await port.refresh()
            return port

        try:
            yield serve
        finally:
            for service, listener, port in running:
                await port.close()
                await listener.close()
                await service.drain()
