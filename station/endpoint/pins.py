"""An SPKI pin's written form (standard base64 of a SHA-256 digest), checked where the settings
are read and where the client builds its TLS context."""

from __future__ import annotations

import base64
import binascii
import hashlib

__all__ = ["normalize_spki_pin"]


def normalize_spki_pin(text: str) -> str:
    """One pin in its canonical form (standard base64 of 32 bytes); ``ValueError`` otherwise.

    A ``sha256/`` prefix (the form HPKP and some tools print) is accepted and dropped.
    """
    pin = text.strip()
    if pin.lower().startswith("sha256/"):
        pin = pin[len("sha256/") :]
    try:
        digest = base64.b64decode(pin, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"not base64: {text.strip()[:60]!r}") from None
    if len(digest) != hashlib.sha256().digest_size:
        raise ValueError(f"not a SHA-256 digest (32 bytes) in base64: {text.strip()[:60]!r}")
    return base64.b64encode(digest).decode("ascii")
