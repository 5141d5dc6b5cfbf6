"""RELP over TLS to the bank's relay (rsyslog ``imrelp``): delivery the relay acknowledged.

RFC 5425 syslog has no acknowledgement, so a relay that accepts connections and throws away what
it reads looks, from the station, exactly like one that keeps everything. RELP (the Reliable
Event Logging Protocol, rsyslog's librelp) answers every message: each frame carries a
transaction number and the relay replies ``rsp`` with ``200 OK`` for that number once the
message is in its queue. :meth:`RelpTlsTarget.send` returns only when every frame of the batch
was acknowledged, so the shipper advances its cursor on the relay's word, not on a timer
(``needs_resend_window`` is False). Anything else — a timeout, an error reply, the relay
closing, a ``serverclose`` hint — raises :class:`ShipError`, the shipper rewinds to its cursor,
and the unacknowledged frames are sent again on the next connection (duplicates, never loss).

Why not a library: on PyPI, ``pyrelp`` (0.6, 2014) wraps the C librelp and needs it built;
``relppy`` (0.4, 2025, "Development Status: 3 - Alpha") keeps its own in-memory resend buffer and
two executor threads per connection, and connects in its constructor — the opposite of the
journal-as-spool shipper, which must know which rows the relay acknowledged. The protocol is a few
lines of framing on the stdlib ``ssl`` socket the TLS syslog target already uses.

Wire format (librelp's ``doc/relp.html``)::

    TXNR SP COMMAND SP DATALEN [SP DATA] LF

``open`` (offers ``relp_version=0``, ``relp_software``, ``commands=syslog``) starts a session,
``syslog`` carries one RFC 5424 message, ``close`` ends it; transaction numbers run 1 …
999 999 999 and wrap to 1.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Sequence

from station import __version__
from station.ship.config import ShipConfig
from station.ship.errors import ShipError, describe_connection_error
from station.ship.event import ShippedEvent
from station.ship.payload import encode_message
from station.ship.tls import connect_relay, relay_context

__all__ = ["MAX_TXNR", "WINDOW", "IncompleteFrameError", "RelpTlsTarget", "parse_frame"]

MAX_TXNR = 999_999_999
#: Frames sent before waiting for their acknowledgements (librelp's own default window is 128).
WINDOW = 128
_OFFERS = f"relp_version=0\nrelp_software=station,{__version__}\ncommands=syslog".encode("ascii")
_MAX_REPLY = 64 * 1024


class IncompleteFrameError(Exception):
    """Not a whole frame yet."""


def parse_frame(buffer: bytes) -> tuple[int, bytes, bytes, int]:
    """The first frame in ``buffer``: (txnr, command, data, bytes used). Raises ValueError for a
    malformed frame and :class:`IncompleteFrameError` when more bytes are needed."""
    parts = buffer.split(b" ", 2)
    if len(parts) < 3:
        if len(buffer) > 40:
            raise ValueError("RELP header too long")
        raise IncompleteFrameError
    txnr_text, command, rest = parts
    digits = bytearray()
    for byte in rest:
        if 48 <= byte <= 57:
            digits.append(byte)
            continue
        break
    else:
        raise IncompleteFrameError
    if not txnr_text.isdigit() or not digits or len(digits) > 9 or not command.isalpha():
        raise ValueError("malformed RELP header")
    length = int(digits)
    header = len(txnr_text) + 1 + len(command) + 1 + len(digits)
    if length == 0:
        end = header
    else:
        if rest[len(digits) : len(digits) + 1] != b" ":
            raise ValueError("malformed RELP header")
        end = header + 1 + length
    if len(buffer) < end + 1:
        raise IncompleteFrameError
    if buffer[end : end + 1] != b"\n":
        raise ValueError("RELP frame without its trailer")
    data = buffer[header + 1 : end] if length else b""
    return int(txnr_text), command, data, end + 1


def _frame(txnr: int, command: bytes, data: bytes) -> bytes:
    if not data:
        return b"%d %s 0\n" % (txnr, command)
    return b"%d %s %d %s\n" % (txnr, command, len(data), data)


class RelpTlsTarget:
    """One RELP session over TLS at a time, opened on demand."""

    name = "relp_tls"
    needs_resend_window = False

    def __init__(self, config: ShipConfig, context: ssl.SSLContext | None = None) -> None:
        assert config.relay_host is not None  # ShipConfig requires it for this target
        self._config = config
        self._host = config.relay_host
        self._port = config.relay_port
        self._context = context
        self._sock: ssl.SSLSocket | None = None
        self._buffer = b""
        self._txnr = 0
        self._closed_reason = "relay closed the connection"

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        if self._sock is not None:
            return
        context = self._context or relay_context(self._config)
        self._context = context
        self._sock = connect_relay(self._config, context)
        self._buffer = b""
        self._txnr = 0
        try:
            txnr = self._next_txnr()
            self._write(_frame(txnr, b"open", _OFFERS))
            reply = self._reply(txnr)
        except ShipError:
            self.close()
            raise
        if b"commands=" in reply and b"syslog" not in reply.split(b"commands=", 1)[1]:
            self.close()
            raise ShipError("the relay's RELP session does not accept syslog messages")

    def send(self, events: Sequence[ShippedEvent]) -> None:
        """Send ``events``; return only when the relay acknowledged every one."""
        self._require()
        for start in range(0, len(events), WINDOW):
            window = events[start : start + WINDOW]
            numbers = []
            frames = []
            for event in window:
                txnr = self._next_txnr()
                numbers.append(txnr)
                frames.append(_frame(txnr, b"syslog", encode_message(event, self._config.payload_format)))
            self._write(b"".join(frames))
            for txnr in numbers:
                self._reply(txnr)

    def _next_txnr(self) -> int:
        self._txnr = 1 if self._txnr >= MAX_TXNR else self._txnr + 1
        return self._txnr

    def _write(self, data: bytes) -> None:
        sock = self._require()
        try:
            sock.sendall(data)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise ShipError(describe_connection_error(exc, self._host, self._port)) from exc

    def _reply(self, txnr: int) -> bytes:
        """Read frames until the ``rsp`` for ``txnr``; its data when it says 200."""
        while True:
            try:
                got, command, data, used = parse_frame(self._buffer)
            except IncompleteFrameError:
                self._fill()
                continue
            except ValueError as exc:
                self.close()
                raise ShipError(f"the relay does not speak RELP ({exc})") from exc
            self._buffer = self._buffer[used:]
            if command == b"serverclose":
                self.close()
                raise ShipError("the relay is closing the RELP session")
            if command != b"rsp":
                continue
            if got != txnr:
                self.close()
                raise ShipError(f"the relay acknowledged transaction {got}, expected {txnr}")
            if not data.startswith(b"200"):
                self.close()
                reason = data.split(b"\n", 1)[0].decode("ascii", "replace")[:80]
                raise ShipError(f"the relay refused a record ({reason})")
            return data

    def _fill(self) -> None:
        sock = self._require()
        try:
            chunk = sock.recv(16384)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            if isinstance(exc, TimeoutError):
                raise ShipError("the relay did not acknowledge in time") from exc
            raise ShipError(describe_connection_error(exc, self._host, self._port)) from exc
        if not chunk:
            self.close()
            raise ShipError("relay closed the connection")
        self._buffer += chunk
        if len(self._buffer) > _MAX_REPLY:
            self.close()
            raise ShipError("the relay does not speak RELP (an endless reply)")

    def is_alive(self) -> bool:
        """False once the relay has closed the session (EOF, a reset, or a ``serverclose``), so
        an idle session the relay ended is reconnected without counting as a failure."""
        sock = self._sock
        if sock is None:
            return False
        try:
            sock.setblocking(False)
            try:
                data = sock.recv(16384)
            finally:
                sock.settimeout(self._config.connect_timeout.total_seconds())
        except (ssl.SSLWantReadError, BlockingIOError, InterruptedError):
            return True  # nothing to read: the session is up
        except (OSError, ssl.SSLError) as exc:
            self._closed_reason = describe_connection_error(exc, self._host, self._port)
            return False
        if not data:
            self._closed_reason = "relay closed the connection"
            return False
        self._buffer += data
        if b" serverclose " in self._buffer:
            self._closed_reason = "the relay is closing the RELP session"
            return False
        return True

    def closed_reason(self) -> str:
        return self._closed_reason

    def close(self) -> None:
        """Say ``close`` if the session is up (without waiting for the reply), then close."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        with contextlib.suppress(OSError, ssl.SSLError):
            sock.settimeout(1.0)
            sock.sendall(_frame(self._next_txnr(), b"close", b""))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            sock.close()

    def _require(self) -> ssl.SSLSocket:
        if self._sock is None:
            raise ShipError("not connected to the relay")
        return self._sock
