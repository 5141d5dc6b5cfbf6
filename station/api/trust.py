"""Whom the client trusts with a face: the machine's certificate store, a policy CA bundle, a pin.

Nothing here is read from the process environment. Why, platform by platform:

- **Linux.** ``truststore`` on Linux is OpenSSL's own verification with the *default verify paths*
  (``SSLContext.set_default_verify_paths``, called again before every connection), and OpenSSL
  takes those from ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` when they are set: an operator who sets
  them to a CA of their own is trusted as the service. So on Linux the client does not use
  ``truststore``: it loads the machine store from the paths compiled into OpenSSL
  (``ssl.get_default_verify_paths().openssl_cafile``/``openssl_capath``), or, if the OpenSSL the
  program carries was built for other paths (a frozen bundle), from the distributions' known
  bundle files. ``load_verify_locations`` with explicit paths never consults the environment.
- **Windows and macOS.** ``truststore`` hands the chain to the OS (``CertGetCertificateChain``
  with the current user's chain engine; ``SecTrustEvaluateWithError``); no environment variable
  plays a part. The OS store it asks includes the operator's *own* trust: on Windows the
  ``CurrentUser\\Root`` store, which a user can add a root to without administrator rights; on
  macOS the login keychain's trust settings. Inside the operator's process that cannot be closed
  (the station-service issue moves the call out of it); a pin (below) closes it for the service.

A **pin** (``service_spki_pins``, machine policy) is the base64 SHA-256 of the service
certificate's SubjectPublicKeyInfo, as ``openssl x509 -pubkey | openssl pkey -pubin -outform der
| openssl dgst -sha256 -binary | base64`` prints it. It is checked on the server's own (leaf)
certificate, *after* the ordinary verification and *inside* the TLS handshake: the context's
``SSLObject``/``SSLSocket`` class checks it as ``do_handshake`` returns, so a mismatch fails the
handshake itself (an :class:`SPKIPinMismatchError`, an ``ssl.SSLCertVerificationError``) before
httpx can write a byte of the request, the Authorization header included. A TLS-inspecting proxy
presents its own key, so a bank that pins must pin the key the station really sees.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from station.api.errors import ConfigurationError
from station.endpoint.pins import normalize_spki_pin
from station.security.machine_trust import LINUX_CA_FILES, machine_trust_context, system_store_locations

__all__ = [
    "LINUX_CA_FILES",
    "SPKIPinMismatchError",
    "build_ssl_context",
    "normalize_spki_pin",
    "spki_sha256",
    "system_store_locations",
]


class SPKIPinMismatchError(ssl.SSLCertVerificationError):
    """The server's key is not one the machine policy pinned: the handshake is refused."""


# -- the SubjectPublicKeyInfo out of a DER certificate ---------------------------------------


def _element(der: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, start of the content, end of the element) of the DER element at ``offset``."""
    if offset + 2 > len(der):
        raise ValueError("truncated DER")
    tag = der[offset]
    first = der[offset + 1]
    start = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or start + count > len(der):
            raise ValueError("bad DER length")
        length = int.from_bytes(der[start : start + count], "big")
        start += count
    end = start + length
    if end > len(der):
        raise ValueError("truncated DER")
    return tag, start, end


_SEQUENCE = 0x30
_EXPLICIT_VERSION = 0xA0


def _subject_public_key_info(certificate: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 4.1)."""
    tag, start, _ = _element(certificate, 0)
    if tag != _SEQUENCE:
        raise ValueError("not a certificate")
    tag, offset, tbs_end = _element(certificate, start)  # tbsCertificate
    if tag != _SEQUENCE:
        raise ValueError("not a certificate")
    tag, _, end = _element(certificate, offset)
    if tag == _EXPLICIT_VERSION:
        offset = end
    # serialNumber, signature, issuer, validity, subject: then subjectPublicKeyInfo
    for _ in range(5):
        _, _, offset = _element(certificate, offset)
    tag, _, end = _element(certificate, offset)
    if tag != _SEQUENCE or end > tbs_end:
        raise ValueError("no SubjectPublicKeyInfo")
    return certificate[offset:end]


def spki_sha256(certificate: bytes) -> str:
    """The pin of a DER certificate: base64 SHA-256 of its SubjectPublicKeyInfo."""
    digest = hashlib.sha256(_subject_public_key_info(certificate)).digest()
    return base64.b64encode(digest).decode("ascii")


def _check_pin(peer: ssl.SSLObject | ssl.SSLSocket, pins: frozenset[str]) -> None:
    certificate = peer.getpeercert(binary_form=True)
    try:
        found = spki_sha256(certificate) if certificate else None
    except ValueError:
        found = None
    if found not in pins:
        raise SPKIPinMismatchError(
            "the server's public key is not the one machine policy pinned (service_spki_pins)"
        )


def _pin_classes(context: ssl.SSLContext, pins: frozenset[str]) -> None:
    """Make every connection from ``context`` check the pin as its handshake completes."""
    object_base: type[ssl.SSLObject] = context.sslobject_class
    socket_base: type[ssl.SSLSocket] = context.sslsocket_class

    class PinnedSSLObject(object_base):  # type: ignore[misc,valid-type]
        def do_handshake(self) -> None:
            super().do_handshake()  # raises SSLWantReadError until the handshake is done
            _check_pin(self, pins)

    class PinnedSSLSocket(socket_base):  # type: ignore[misc,valid-type]
        def do_handshake(self, block: bool = False) -> None:
            super().do_handshake(block)
            try:
                _check_pin(self, pins)
            except SPKIPinMismatchError:
                self.close()
                raise

    context.sslobject_class = PinnedSSLObject
    context.sslsocket_class = PinnedSSLSocket


# -- the context --------------------------------------------------------------------------------


def _stdlib_context(context: Any) -> ssl.SSLContext:
    """The ``ssl.SSLContext`` that makes the connections (truststore wraps one)."""
    inner = getattr(context, "_ctx", None)
    return inner if type(inner) is ssl.SSLContext else context


def build_ssl_context(
    ca_bundle: Path | None = None, spki_pins: Iterable[str] = (), *, platform: str = sys.platform
) -> ssl.SSLContext:
    """The machine's trust store plus an optional policy CA bundle, and optional SPKI pins.

    ``platform`` picks the store's mechanism (``sys.platform``'s values): Linux's fixed paths, or
    truststore elsewhere (the tests use it to check the pin on truststore's context too).
    Raises :class:`ConfigurationError` for a bundle that is missing or not PEM, or a bad pin.
    """
    context = machine_trust_context(platform=platform)
    if ca_bundle is not None:
        if not ca_bundle.is_file():
            raise ConfigurationError(f"the CA bundle {ca_bundle} does not exist or is not a file")
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise ConfigurationError(
                f"the CA bundle {ca_bundle} could not be loaded: not a PEM certificate file"
            ) from exc
    try:
        pins = frozenset(normalize_spki_pin(pin) for pin in spki_pins)
    except ValueError as exc:
        raise ConfigurationError(f"service_spki_pins: {exc}") from None
    if pins:
        _pin_classes(_stdlib_context(context), pins)
    return context
