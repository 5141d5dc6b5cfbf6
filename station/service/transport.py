"""The transport behind the service, as one interface: a Unix socket here (:mod:`station.service.unix`),
a Windows named pipe later. A connection carries whole frames (:mod:`station.service.protocol`) and
knows its peer as the operating system reported it, never as the peer claims."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from station.service.protocol import HEADER, frame_length

__all__ = [
    "Connection",
    "ConnectionClosedError",
    "ConnectionHandler",
    "Connector",
    "Listener",
    "Peer",
    "StreamConnection",
]


@dataclass(frozen=True, slots=True)
class Peer:
    """The calling process as the OS reports it (SO_PEERCRED, or the pipe client's token)."""

    pid: int
    uid: int
    gid: int
    #: The account's name (its number where the account database has none).
    account: str
    #: Supplementary groups at connect time (SO_PEERGROUPS); empty where the OS cannot tell.
    groups: tuple[int, ...] = ()


class ConnectionClosedError(Exception):
    """The other side went away (a frame cut short, or nothing at all)."""


class Connection(Protocol):
    @property
    def peer(self) -> Peer | None:
        """The caller (server side); None on the client side."""
        ...

    async def receive(self) -> bytes:
        """The next frame's payload; :class:`ConnectionClosedError`, or
        :class:`~station.service.protocol.FrameError` past the size limit."""
        ...

    async def send(self, frame: bytes) -> None:
        """Write one whole frame (header included)."""
        ...

    async def close(self) -> None: ...


#: Serves one connection until it ends.
ConnectionHandler = Callable[[Connection], Awaitable[None]]
#: Opens a connection to the service (client side); OSError if it is not there.
Connector = Callable[[], Awaitable[Connection]]


class Listener(Protocol):
    async def start(self, handler: ConnectionHandler) -> None:
        """Listen: callers can connect once this returns."""
        ...

    async def close(self) -> None:
        """Stop accepting (connections under way are the handler's)."""
        ...


class StreamConnection:
    """A :class:`Connection` over asyncio streams (a Unix socket; a named pipe's streams too)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: Peer | None) -> None:
        self._reader = reader
        self._writer = writer
        self._peer = peer

    @property
    def peer(self) -> Peer | None:
        return self._peer

    async def receive(self) -> bytes:
        try:
            header = await self._reader.readexactly(HEADER.size)
            return await self._reader.readexactly(frame_length(header))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise ConnectionClosedError("the other side closed the connection") from exc

    async def send(self, frame: bytes) -> None:
        try:
            self._writer.write(frame)
            await self._writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise ConnectionClosedError("the other side closed the connection") from exc

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()
