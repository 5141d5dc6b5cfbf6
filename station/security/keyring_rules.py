"""The one rule for which OS keyring may hold a secret (tokens, the audit key).

keyring picks a backend by itself; some of them keep nothing (``fail``, ``null``) and the
``keyrings.alt`` ones write secrets into plain or base64-encoded files (ECOSYSTEM.md: a token was
found in a file that way). A chained backend is judged by every backend it chains. Everything that
touches the keyring asks :func:`secure_keyring` first; there is no second copy of this rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

__all__ = ["NO_SECURE_STORE", "is_secure_backend", "secure_keyring"]

NO_SECURE_STORE: Final = "no secure store: enrol with the environment variable or install one"

#: Backends that do not keep a secret safely (or at all).
_INSECURE_MODULES: Final = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def _insecure(backend: object) -> bool:
    module = type(backend).__module__
    return any(module == bad or module.startswith(bad + ".") for bad in _INSECURE_MODULES)


def is_secure_backend(backend: object) -> bool:
    """False for keyring's ``fail``/``null`` backends, ``keyrings.alt``, and a chain holding any."""
    chained = getattr(backend, "backends", None)  # keyring's ChainerBackend
    if isinstance(chained, Sequence) and not isinstance(chained, str):
        return bool(chained) and not any(_insecure(item) for item in chained)
    return not _insecure(backend)


def secure_keyring() -> KeyringBackend | None:
    """The active keyring backend if it keeps secrets safely, else None (never raises)."""
    try:
        backend = keyring.get_keyring()
    except keyring.errors.NoKeyringError:
        return None
    except Exception:  # a broken keyring configuration is "no secure store", not a crash
        return None
    return backend if is_secure_backend(backend) else None
