"""A connection's frames over a real socket pair: the other side going away is a
:class:`ConnectionClosedError` with plain words, never a raw socket error."""

from __future__ import annotations

import asyncio
import socket

import pytest

from station.service.protocol import HEADER, Empty, Method, encode_request
from station.service.transport import ConnectionClosedError, StreamConnection

pytestmark = pytest.mark.anyio

CLOSED = "^the other side closed the connection$"


async def pair() -> tuple[StreamConnection, socket.socket]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    reader, writer = await asyncio.open_unix_connection(sock=ours)
    return StreamConnection(reader, writer, None), theirs


async def test_a_whole_frame_arrives_as_its_payload() -> None:
    connection, theirs = await pair()
    frame = encode_request(Method.REFRESH, Empty())
    theirs.sendall(frame)
    assert await connection.receive() == frame[HEADER.size :]
    assert connection.peer is None
    theirs.close()
    await connection.close()


async def test_a_frame_cut_short_is_a_closed_connection() -> None:
    connection, theirs = await pair()
    theirs.sendall(HEADER.pack(10) + b"abc")
    theirs.close()
    with pytest.raises(ConnectionClosedError, match=CLOSED):
        await connection.receive()
    await connection.close()


async def test_sending_to_a_side_that_went_away_is_a_closed_connection() -> None:
    connection, theirs = await pair()
    theirs.close()
    frame = encode_request(Method.REFRESH, Empty())

    async def keep_sending() -> None:
        for _ in range(100):  # the first write may still land in the socket's buffer
            await connection.send(frame)

    with pytest.raises(ConnectionClosedError, match=CLOSED):
        await keep_sending()
    await connection.close()
