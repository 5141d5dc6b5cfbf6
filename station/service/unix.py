"""The service's transport on Linux: a Unix stream socket, its caller known by SO_PEERCRED.

The socket lives in the service's runtime folder (:data:`DEFAULT_SOCKET`, systemd's
``RuntimeDirectory=``), mode 0660: the service's own account and the clients' group may connect,
and the service checks each caller's credentials again (:mod:`station.service.access`). Only a
checkout may move it (:data:`ENV_SOCKET`, how the tests use their own folder): an installed client
never takes the path from its environment.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import os
import pwd
import socket
import stat
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from station.locations import running_from_checkout
from station.service.transport import Connection, ConnectionHandler, Connector, Peer, StreamConnection

__all__ = [
    "DEFAULT_SOCKET",
    "ENV_SOCKET",
    "SOCKET_MODE",
    "UnixListener",
    "account_name",
    "peer_of",
    "socket_path",
    "unix_connector",
]

DEFAULT_SOCKET: Final = Path("/run/station/station.sock")
#: Moves the socket, for a checkout only (tests and development).
ENV_SOCKET: Final = "STATION_SERVICE_SOCKET"
SOCKET_MODE: Final = 0o660

_PEERCRED: Final = struct.Struct("3i")
#: Linux's SO_PEERGROUPS (Python names it only on some builds).
_SO_PEERGROUPS: Final = getattr(socket, "SO_PEERGROUPS", 59)
#: Python reads at most 1024 bytes of an option: 256 groups (a caller in more is judged by its
#: primary group alone).
_MOST_GROUPS: Final = 256


def socket_path(environ: Mapping[str, str] | None = None, *, checkout: bool | None = None) -> Path:
    """Where the service listens: :data:`DEFAULT_SOCKET`, or in a checkout ``$STATION_SERVICE_SOCKET``."""
    from_checkout = running_from_checkout() if checkout is None else checkout
    if not from_checkout:
        return DEFAULT_SOCKET
    value = (os.environ if environ is None else environ).get(ENV_SOCKET, "").strip()
    return Path(value) if value else DEFAULT_SOCKET


def account_name(uid: int) -> str:
    """The account's name, or its number where the account database has none."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _peer_groups(sock: socket.socket) -> tuple[int, ...]:
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, _SO_PEERGROUPS, 4 * _MOST_GROUPS)
    except OSError:
        return ()
    groups = array.array("I")
    groups.frombytes(raw[: len(raw) - len(raw) % groups.itemsize])
    return tuple(groups)


def peer_of(sock: socket.socket) -> Peer:
    """The process at the other end of ``sock``, as the kernel recorded it at connect time."""
    pid, uid, gid = _PEERCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
    return Peer(pid=pid, uid=uid, gid=gid, account=account_name(uid), groups=_peer_groups(sock))


class UnixListener:
    """Listens on ``path`` (a stale socket there is replaced; any other file is refused), the socket
    given to ``group`` (the clients' group: the service's account must be a member, as the systemd
    unit's ``SupplementaryGroups=`` makes it) with ``mode``: connecting needs write permission."""

    def __init__(self, path: Path, mode: int = SOCKET_MODE, group: int | None = None) -> None:
        self.path = path
        self.mode = mode
        self.group = group
        self._server: asyncio.AbstractServer | None = None

    def _clear_stale(self) -> None:
        try:
            found = self.path.lstat()
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(found.st_mode):
            raise OSError(f"{self.path} exists and is not a socket: the service will not replace it")
        self.path.unlink()

    async def start(self, handler: ConnectionHandler) -> None:
        self._clear_stale()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(self.path))
            if self.group is not None:
                os.chown(self.path, -1, self.group)
            os.chmod(self.path, self.mode)
        except OSError:
            sock.close()
            raise

        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw = writer.get_extra_info("socket")
            try:
                peer = peer_of(raw)
            except OSError:
                writer.close()
                return
            await handler(StreamConnection(reader, writer, peer))

        self._server = await asyncio.start_unix_server(accepted, sock=sock)

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def unix_connector(path: Path) -> Connector:
    """Opens a connection to the service at ``path`` (OSError if it is not listening)."""

    async def connect() -> Connection:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=2**16)
        return StreamConnection(reader, writer, None)

    return connect
