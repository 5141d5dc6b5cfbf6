"""Where the station service is on Windows, for both of its sides: the service's name with the
Service Control Manager, its pipe, and the pipe's failures and callers in the service's own terms.

The installer registers the service as :data:`SERVICE_NAME` (``sc create Station … obj= "NT
SERVICE\\Station" start= auto``); it listens on ``\\\\.\\pipe\\`` :data:`PIPE_NAME`. The clients (the
GUI, ``station-console.exe verify``) connect with :func:`service_pipe_connector`, which waits a
while for a pipe that is not there yet: an auto-start service may still be starting (under Wine
every new session starts it afresh).

Qt-free; importable everywhere (the pipe calls fail off Windows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, cast

from station.service.protocol import FrameError, Refusal
from station.service.transport import Connection, ConnectionClosedError, Peer
from station.service.windows_listener import pipe_connector
from station.service.windows_pipe import MessageTooLargeError, PipeClosedError, PipeError, PipePeer, pipe_path

__all__ = [
    "APPEAR_WITHIN_SECONDS",
    "PIPE_NAME",
    "SERVICE_NAME",
    "pipe_errors",
    "service_peer",
    "service_pipe_connector",
    "service_pipe_path",
]

#: The service's name with the Service Control Manager (and its Event Log source).
SERVICE_NAME: Final = "Station"
#: The service's named pipe.
PIPE_NAME: Final = "station-service"
#: How long a client waits for the pipe of a service that is starting.
APPEAR_WITHIN_SECONDS: Final = 60.0


def service_pipe_path() -> str:
    return pipe_path(PIPE_NAME)


def pipe_errors(error: PipeError) -> Exception:
    """A pipe failure as the service's own: "connection closed" and "frame too large"."""
    if isinstance(error, MessageTooLargeError):
        return FrameError(Refusal.TOO_LARGE, str(error))
    if isinstance(error, PipeClosedError):
        return ConnectionClosedError(str(error))
    return error


def service_peer(peer: PipePeer) -> Peer:
    """The pipe's caller as the service's peer. On Windows the pipe's DACL is what admits a caller
    (interactive users; SYSTEM and the service's account), so every caller that got through is
    one the access rule admits: uid 0 says so. The account is Windows' word, never the caller's."""
    return Peer(pid=peer.pid, uid=0, gid=0, account=peer.account)


def service_pipe_connector(
    appear_within: float = APPEAR_WITHIN_SECONDS,
) -> Callable[[], Awaitable[Connection]]:
    """Opens a connection to the station service's pipe (an OSError if it does not appear)."""
    connect = pipe_connector(PIPE_NAME, appear_within=appear_within, errors=pipe_errors)

    async def open_connection() -> Connection:
        # The client's end: no peer (a PipePeer at most by type), so it is a Connection as is.
        return cast(Connection, await connect())

    return open_connection
