"""One station window per user: a second start asks the running one to come to the front.

Built on a local socket (``QLocalServer``/``QLocalSocket``: a Unix domain socket, a named pipe on
Windows). The first instance listens; a later one connects, sends ``activate`` and exits, and the
first emits :attr:`SingleInstance.activation_requested` (the kiosk raises its window on it).

* The socket and its lock live where no other account can take them first
  (:mod:`station.security.instance_address`: a private folder of the user's, and a name with a
  secret in it): another local user cannot make the kiosk believe it is already running. Two
  users on one machine each get their own station.
* The socket is created owner-only (``UserAccessOption``). Whatever arrives is read with a small
  limit and only the exact word ``activate`` does anything; nothing else is interpreted.
* A socket file left behind by a station that crashed (Unix) is found stale (nobody answers on
  it) and replaced (``QLocalServer.removeServer`` if Qt reports the name in use). The look-then-
  listen runs under a ``QLockFile``, so two stations started at the same moment cannot both
  become primary.
* If listening fails for another reason the station still starts (it is then primary without a
  server) and logs why: a broken lock must not keep a branch from working.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

import shiboken6
from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from station.application.instance import InstanceAddress, InstanceFolderError, instance_address

__all__ = ["ACTIVATE_MESSAGE", "SingleInstance"]

_log = logging.getLogger(__name__)

ACTIVATE_MESSAGE: Final = b"activate"
_MAX_MESSAGE = 64
_CONNECT_TIMEOUT_MS = 500


class SingleInstance(QObject):
    """``try_become_primary()`` once at start; keep the object alive as long as the station runs."""

    #: A second start asked this (primary) instance to come to the front.
    activation_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        if not key:
            raise ValueError("the single-instance key must not be empty")
        try:
            self._address: InstanceAddress | None = instance_address(key, folder)
        except InstanceFolderError as exc:
            _log.warning("no single-instance check: %s", exc)
            self._address = None
        #: The socket path (POSIX) or pipe name (Windows); "" if there is no private place for it.
        self.server_name = self._address.server if self._address is not None else ""
        self._server: QLocalServer | None = None
        self._primary = False

    @property
    def is_primary(self) -> bool:
        return self._primary

    def try_become_primary(self, timeout_ms: int = _CONNECT_TIMEOUT_MS) -> bool:
        """True: this is the first instance (now listening). False: another one runs and was
        asked to come to the front; this one should exit."""
        if self._primary:
            return True
        if self._address is None:  # no private place: start anyway (a branch must keep working)
            self._primary = True
            return True
        # Two stations started at the same moment must not both become primary: the look-then-
        # listen below runs under a lock file (QLockFile also sees a lock left by a dead process).
        lock = QLockFile(str(self._address.lock))
        locked = lock.tryLock(timeout_ms * 4)
        if not locked:
            _log.warning("the single-instance lock is busy; checking without it")
        try:
            return self._claim(timeout_ms)
        finally:
            if locked:
                lock.unlock()

    def _claim(self, timeout_ms: int) -> bool:
        if self._ping_existing(timeout_ms):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            if server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
                _log.info("removing a stale single-instance socket %s", self.server_name)
                QLocalServer.removeServer(self.server_name)
            if not server.listen(self.server_name):
                _log.warning("cannot listen for a second start (%s); starting anyway", server.errorString())
                server.deleteLater()
                self._primary = True
                return True
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        self._primary = True
        return True

    def _ping_existing(self, timeout_ms: int) -> bool:
        socket = QLocalSocket()
        try:
            socket.connectToServer(self.server_name)
            if not socket.waitForConnected(timeout_ms):
                return False
            socket.write(ACTIVATE_MESSAGE + b"\n")
            socket.flush()
            socket.waitForBytesWritten(timeout_ms)
            socket.disconnectFromServer()
            if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
                socket.waitForDisconnected(timeout_ms)
            return True
        finally:
            socket.abort()

    def _on_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.setReadBufferSize(_MAX_MESSAGE)
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(lambda c=connection: self._read(c, closing=True))
            if connection.bytesAvailable():
                self._read(connection)

    def _read(self, connection: QLocalSocket, *, closing: bool = False) -> None:
        if not shiboken6.isValid(connection) or connection.property("station_handled"):
            return
        if connection.canReadLine() or closing:
            connection.setProperty("station_handled", True)
            data = bytes(connection.read(_MAX_MESSAGE).data()).strip()
            if data == ACTIVATE_MESSAGE:
                self.activation_requested.emit()
            elif data:
                _log.warning("ignored an unexpected single-instance message (%d bytes)", len(data))
            connection.disconnectFromServer()
            connection.deleteLater()
        elif connection.bytesAvailable() >= _MAX_MESSAGE:
            _log.warning("ignored an over-long single-instance message")
            connection.setProperty("station_handled", True)
            connection.abort()
            connection.deleteLater()

    def close(self) -> None:
        """Stop listening (the socket file is removed)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        self._primary = False
