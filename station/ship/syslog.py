"""RFC 5425 syslog over TLS to the bank's relay, with the standard library's ``ssl`` and ``socket``.

Why not a library: ``rfc5424-logging-handler`` (unmaintained since 2019) connects in its
constructor, raises when the relay is down and drops records on error, and stops after a relay
restart; ``logging.handlers.SysLogHandler`` has neither TLS nor RFC 5424. The shipper needs the
opposite of a fire-and-forget log handler: it must know exactly which records went out on which
connection, close on any error and resend. About a hundred lines of ``ssl`` + ``socket`` do that.

Plain TLS syslog has no acknowledgement: bytes the kernel accepted can still be lost if the relay
dies. The shipper therefore treats a record as delivered only after the resend window on a
connection that :meth:`SyslogTlsTarget.is_alive` still finds open (the relay never sends
application data, so anything readable is the relay closing or resetting the connection).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Sequence

from station.ship.config import ShipConfig
from station.ship.errors import ShipError, describe_connection_error
from station.ship.event import ShippedEvent
from station.ship.payload import encode_frame
from station.ship.tls import connect_relay, relay_context

__all__ = ["SyslogTlsTarget"]


class SyslogTlsTarget:
    """One TLS connection to the relay at a time, opened on demand."""

    name = "syslog_tls"
    needs_resend_window = True

    def __init__(
        self, config: ShipConfig, context: ssl.SSLContext | None = None, refusal_probe_s: float = 1.0
    ) -> None:
        assert config.relay_host is not None  # ShipConfig requires it for this target
        self._config = config
        self._host = config.relay_host
        self._port = config.relay_port
        self._context = context
        self._probe_s = refusal_probe_s
        self._sock: ssl.SSLSocket | None = None
        self._closed_reason = "relay closed the connection"

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        if self._sock is not None:
            return
        context = self._context or relay_context(self._config)
        self._context = context
        timeout = self._config.connect_timeout.total_seconds()
        tls = connect_relay(self._config, context)
        refused = self._refused_after_handshake(tls)
        if refused is not None:
            with contextlib.suppress(OSError):
                tls.close()
            raise ShipError(refused)
        tls.settimeout(timeout)  # a relay that stops reading makes sendall fail, not hang
        self._sock = tls

    def _refused_after_handshake(self, tls: ssl.SSLSocket) -> str | None:
        """A relay that checks client certificates (rsyslog's ``x509/certvalid``) completes the
        handshake and then hangs up on a station it does not accept, without a TLS alert. Wait
        briefly for that, so the status can say so instead of "closed the connection" later."""
        tls.settimeout(self._probe_s)
        try:
            data = tls.recv(256)
        except (TimeoutError, ssl.SSLWantReadError, BlockingIOError):
            return None  # still connected: the relay accepted us
        except (OSError, ssl.SSLError) as exc:
            return describe_connection_error(exc, self._host, self._port)
        if data:
            return None
        if self._config.client_cert is not None:
            return "relay refused the certificate"
        return "relay hung up after the TLS handshake (does it require a client certificate?)"

    def send(self, events: Sequence[ShippedEvent]) -> None:
        sock = self._require()
        data = b"".join(encode_frame(event, self._config.payload_format) for event in events)
        try:
            sock.sendall(data)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise ShipError(describe_connection_error(exc, self._host, self._port)) from exc

    def is_alive(self) -> bool:
        sock = self._sock
        if sock is None:
            return False
        try:
            sock.setblocking(False)
            try:
                data = sock.recv(256)
            finally:
                sock.settimeout(self._config.connect_timeout.total_seconds())
        except ssl.SSLWantReadError:
            return True  # nothing to read, or only TLS housekeeping (a session ticket)
        except (BlockingIOError, InterruptedError):
            return True
        except (OSError, ssl.SSLError) as exc:
            # With TLS 1.3 a relay that refuses our client certificate says so only after our
            # side of the handshake is done: the alert arrives here.
            self._closed_reason = describe_connection_error(exc, self._host, self._port)
            return False
        if not data:
            self._closed_reason = "relay closed the connection"
        return bool(data)  # b"": the relay closed its side

    def closed_reason(self) -> str:
        return self._closed_reason

    def close(self) -> None:
        """Half-close, then close. Unread bytes (TLS session tickets) are drained first: closing a
        socket with unread input sends a reset, which can throw away what is still queued."""
        if self._sock is None:
            return
        self.is_alive()  # reads whatever is pending
        sock, self._sock = self._sock, None
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            sock.close()

    def _require(self) -> ssl.SSLSocket:
        if self._sock is None:
            raise ShipError("not connected to the relay")
        return self._sock
