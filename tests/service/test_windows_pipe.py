"""The Windows transport's platform-free parts, on a real stream: framing, names, the pipe's DACL.

The named pipe itself runs under Wine in ``tests/packaging/test_windows_service.py``.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from station.service.win32_api import NotOnWindowsError
from station.service.windows_pipe import (
    CLIENT_RIGHTS,
    MAX_MESSAGE,
    MessageTooLargeError,
    PipeListener,
    connect,
    frame,
    pipe_path,
    pipe_sddl,
    read_frame,
)
from station.service.windows_service import EventLog

FILE_CREATE_PIPE_INSTANCE = 0x4  # FILE_APPEND_DATA on a file
WRITE_DAC, WRITE_OWNER, DELETE = 0x40000, 0x80000, 0x10000


@pytest.fixture
def stream() -> Iterator[tuple[socket.socket, socket.socket]]:
    left, right = socket.socketpair()
    right.settimeout(5)  # a reader that waits for bytes never sent fails instead of hanging
    yield left, right
    left.close()
    right.close()


def reader(sock: socket.socket) -> Callable[[int], bytes]:
    def read_exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data

    return read_exactly


def test_messages_round_trip_whole_and_in_order(stream: tuple[socket.socket, socket.socket]) -> None:
    left, right = stream
    messages = [b"", b'{"v": 1}', bytes(range(256)) * 4096]  # the last is 1 MiB

    def write() -> None:
        for message in messages:
            left.sendall(frame(message))

    writer = threading.Thread(target=write)
    writer.start()  # 1 MiB is more than the socket buffers: the writer waits for the reader
    try:
        assert [read_frame(reader(right)) for _ in messages] == messages
    finally:
        writer.join(30)


def test_an_oversize_announcement_is_refused_before_its_body_is_read(
    stream: tuple[socket.socket, socket.socket],
) -> None:
    left, right = stream
    left.sendall((MAX_MESSAGE + 1).to_bytes(4, "big"))  # and no body: reading one would time out
    with pytest.raises(MessageTooLargeError):
        read_frame(reader(right))


def test_a_message_over_the_limit_is_not_sent() -> None:
    assert len(frame(b"x" * MAX_MESSAGE)) == MAX_MESSAGE + 4
    with pytest.raises(MessageTooLargeError):
        frame(b"x" * (MAX_MESSAGE + 1))


def test_a_frame_cut_short_is_an_error_not_a_message(stream: tuple[socket.socket, socket.socket]) -> None:
    left, right = stream
    left.sendall(frame(b"hello")[:-2])
    left.shutdown(socket.SHUT_WR)
    with pytest.raises(EOFError):
        read_frame(reader(right))


def test_pipe_names() -> None:
    assert pipe_path("station-service") == "\\\\.\\pipe\\station-service"
    for bad in ("", "..\\other", "a/b", "pipe\\x", "st ation", "stätion", "x:y"):
        with pytest.raises(ValueError, match="not a pipe name"):
            pipe_path(bad)


def test_the_pipe_grants_callers_no_way_to_add_instances_or_change_it() -> None:
    sddl = pipe_sddl("S-1-5-80-1234-5678")
    assert sddl == ("D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;S-1-5-80-1234-5678)(A;;0x12018b;;;IU)")
    assert CLIENT_RIGHTS & FILE_CREATE_PIPE_INSTANCE == 0
    assert CLIENT_RIGHTS & (WRITE_DAC | WRITE_OWNER | DELETE) == 0
    assert CLIENT_RIGHTS & 0xF0000000 == 0  # no generic rights (GENERIC_WRITE implies the above)


@pytest.mark.parametrize("sid", ["S-1-5-18)(A;;GA;;;WD", "WD", "S-1-5-18;", "s-1-5-18", ""])
def test_the_service_sid_cannot_smuggle_an_ace(sid: str) -> None:
    with pytest.raises(ValueError, match="not a SID"):
        pipe_sddl(sid)


@pytest.mark.skipif(sys.platform == "win32", reason="off Windows only")
def test_off_windows_the_calls_say_so() -> None:
    with pytest.raises(NotOnWindowsError):
        PipeListener("station-service", sddl="D:P(A;;GA;;;SY)")
    with pytest.raises(NotOnWindowsError):
        connect("station-service")
    with pytest.raises(NotOnWindowsError):
        EventLog("Station")
