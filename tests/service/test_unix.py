"""The Unix socket transport's own facts: the caller as the kernel reports it, the socket's group
and mode, where a checkout's socket is, and a listener closed at any point."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.service.transport import Connection
from station.service.unix import (
    DEFAULT_SOCKET,
    ENV_SOCKET,
    SOCKET_MODE,
    UnixListener,
    account_name,
    peer_of,
    socket_path,
)

pytestmark = pytest.mark.anyio

#: A group number no account database here names.
ODD_GROUP = 4711


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="station-unix-") as name:  # a socket path is short
        yield Path(name)


def test_the_peer_is_the_process_at_the_other_end() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        peer = peer_of(ours)
    assert (peer.pid, peer.uid, peer.gid) == (os.getpid(), os.geteuid(), os.getegid())
    assert peer.account == account_name(os.geteuid())


def test_an_account_the_database_does_not_name_is_its_number() -> None:
    assert account_name(2_000_000_123) == "2000000123"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_the_peers_supplementary_groups_are_the_kernels_word(folder: Path) -> None:
    path = folder / "g.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        connect = f"import socket; s = socket.socket(socket.AF_UNIX); s.connect({str(path)!r}); s.recv(1)"
        child = subprocess.Popen(
            ["setpriv", "--groups", f"27,{ODD_GROUP}", "--", sys.executable, "-c", connect]
        )
        try:
            accepted, _ = server.accept()
            with accepted:
                peer = peer_of(accepted)
                accepted.sendall(b"x")
        finally:
            child.wait(60)
    assert peer.pid == child.pid
    assert sorted(peer.groups) == [27, ODD_GROUP]


def test_a_checkout_takes_the_socket_from_its_environment(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_SOCKET, str(folder / "dev.sock"))
    assert socket_path(checkout=True) == folder / "dev.sock"
    assert socket_path() == folder / "dev.sock"  # the tests run from a checkout
    assert socket_path(checkout=False) == DEFAULT_SOCKET


async def ignore(connection: Connection) -> None:
    await connection.close()


async def test_the_socket_is_given_to_the_clients_group_with_its_mode(folder: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another group needs root")
    listener = UnixListener(folder / "s.sock", group=ODD_GROUP)
    await listener.start(ignore)
    try:
        found = listener.path.stat()
        assert found.st_gid == ODD_GROUP and found.st_uid == os.geteuid()
        assert stat.S_IMODE(found.st_mode) == SOCKET_MODE
    finally:
        await listener.close()


async def test_a_listener_closes_before_it_started_and_after_its_socket_went(folder: Path) -> None:
    await UnixListener(folder / "never.sock").close()
    listener = UnixListener(folder / "s.sock")
    await listener.start(ignore)
    listener.path.unlink()
    await listener.close()
    assert not listener.path.exists()
