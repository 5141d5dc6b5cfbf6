"""Why shipping failed, in the words the status bar shows ("relay refused the certificate").

Every failure of a target becomes a :class:`ShipError` whose ``str`` is a short phrase for an
operator; the technical cause stays on ``__cause__`` for the log. Shipping errors never stop
the station: records wait in the journal until the relay is back.
"""

from __future__ import annotations

import socket
import ssl

__all__ = ["ShipError", "describe_connection_error"]

# OpenSSL X509_V_ERR_* codes (x509_vfy.h) the station names in plain words.
_CERT_HAS_EXPIRED = 10
_CERT_NOT_YET_VALID = 9
_UNTRUSTED = {2, 18, 19, 20, 21, 27}
_HOSTNAME_MISMATCH = 62
_IP_ADDRESS_MISMATCH = 64


class ShipError(Exception):
    """A target could not take the records; ``str`` is a short phrase for the status bar."""


def describe_connection_error(exc: BaseException, host: str, port: int) -> str:
    """A short phrase for why connecting to or sending to the relay failed."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        if code == _CERT_HAS_EXPIRED:
            return "the relay's certificate has expired"
        if code == _CERT_NOT_YET_VALID:
            return "the relay's certificate is not valid yet (check the station's clock)"
        if code in (_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH):
            return f"the relay's certificate is not for {host}"
        if code in _UNTRUSTED:
            return "the relay's certificate is not signed by a trusted CA"
        return f"the relay's certificate was refused ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        text = str(exc).lower()
        if "alert" in text and ("certificate" in text or "unknown ca" in text or "handshake" in text):
            return "relay refused the certificate"
        if "wrong version number" in text or "unexpected eof" in text:
            return f"{host}:{port} does not speak TLS syslog"
        return f"TLS error with the relay ({exc.reason or exc})"
    if isinstance(exc, socket.gaierror):
        return f"relay host {host} not found"
    if isinstance(exc, ConnectionRefusedError):
        return f"relay {host}:{port} refused the connection"
    if isinstance(exc, TimeoutError):
        return f"relay {host}:{port} did not answer in time"
    if isinstance(exc, BrokenPipeError | ConnectionResetError | ConnectionAbortedError):
        return "relay closed the connection"
    if isinstance(exc, OSError):
        return f"cannot reach relay {host}:{port} ({exc.strerror or exc})"
    return f"shipping failed ({type(exc).__name__})"
