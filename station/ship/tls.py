"""The TLS context for the relay: the bank's CA bundle or the OS trust store, optional mTLS.

Standard library ``ssl`` + ``socket`` (see :mod:`station.ship.syslog`): TLS 1.2 or newer, the
host name always checked. Without a CA bundle the OS trust store is used through ``truststore``
(the station's HTTP client does the same), so a bank's corporate CA installed by group policy is
trusted as it is for the desktop.
"""

from __future__ import annotations

import ssl

import truststore

from station.ship.config import ShipConfig
from station.ship.errors import ShipError

__all__ = ["relay_context"]


def relay_context(config: ShipConfig) -> ssl.SSLContext:
    """A client context for ``config``'s relay. Raises :class:`ShipError` for unusable files."""
    try:
        if config.ca_bundle is not None:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(config.ca_bundle))
        else:
            context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        if config.client_cert is not None and config.client_key is not None:
            context.load_cert_chain(str(config.client_cert), str(config.client_key))
    except (OSError, ssl.SSLError) as exc:
        raise ShipError(f"cannot load the relay's TLS files ({exc})") from exc
    return context
