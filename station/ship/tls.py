"""The TLS context for the relay: the bank's CA bundle or the machine's trust store, optional mTLS.

Standard library ``ssl`` + ``socket`` (see :mod:`station.ship.syslog`): TLS 1.2 or newer, the
host name always checked. Without a CA bundle the machine's store is used exactly as the service
client uses it (:mod:`station.security.machine_trust`): never ``SSL_CERT_FILE``/``SSL_CERT_DIR``
or ``SSLKEYLOGFILE`` from the operator's environment.
"""

from __future__ import annotations

import socket
import ssl

from station.security.machine_trust import machine_trust_context
from station.ship.config import ShipConfig
from station.ship.errors import ShipError, describe_connection_error

__all__ = ["connect_relay", "relay_context"]


def relay_context(config: ShipConfig) -> ssl.SSLContext:
    """A client context for ``config``'s relay. Raises :class:`ShipError` for unusable files."""
    try:
        if config.ca_bundle is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(cafile=str(config.ca_bundle))
        else:
            context = machine_trust_context()
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        if config.client_cert is not None and config.client_key is not None:
            context.load_cert_chain(str(config.client_cert), str(config.client_key))
    except (OSError, ssl.SSLError) as exc:
        raise ShipError(f"cannot load the relay's TLS files ({exc})") from exc
    return context


def connect_relay(config: ShipConfig, context: ssl.SSLContext) -> ssl.SSLSocket:
    """A TLS connection to ``config``'s relay (keep-alive on, the handshake done within the
    connect timeout). Raises :class:`ShipError` in the operator's words."""
    assert config.relay_host is not None  # ShipConfig requires it for the relay targets
    host, port = config.relay_host, config.relay_port
    raw: socket.socket | None = None
    try:
        raw = socket.create_connection((host, port), timeout=config.connect_timeout.total_seconds())
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        return context.wrap_socket(raw, server_hostname=host)
    except (OSError, ssl.SSLError) as exc:
        if raw is not None:
            raw.close()
        raise ShipError(describe_connection_error(exc, host, port)) from exc
