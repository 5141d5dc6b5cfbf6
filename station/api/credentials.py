"""Tokens: where they come from, and how they are kept out of every output.

A token is enrolled for exactly one environment. It is read from ``SUREPASS_<ENV>_TOKEN`` or
else from the OS keyring (service ``station``, user = the environment's name). The keyring is
the only persistent store: if none is available the station says so and never falls back to a
file. :class:`Credential` hides the secret from ``repr``/``str`` so it cannot leak into a log line,
a traceback or an exception message by accident.
"""

from __future__ import annotations

import logging
import os
import re

from station.api.environments import Environment
from station.api.errors import TokenMalformedError, TokenMissingError
from station.logs import register_secret

__all__ = [
    "KEYRING_SERVICE",
    "Credential",
    "TokenSource",
    "env_var_for",
    "load_credential",
]

KEYRING_SERVICE = "station"

_log = logging.getLogger(__name__)

#: RFC 6750's ``b64token``: what may follow ``Bearer`` in an Authorization header. A JWT fits.
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")


def env_var_for(environment: Environment) -> str:
    return f"SUREPASS_{environment.value.upper()}_TOKEN"


class TokenSource:
    ENVIRONMENT_VARIABLE = "environment variable"
    KEYRING = "OS keyring"
    GIVEN = "given"


class Credential:
    """A bearer token bound to the environment it was enrolled for."""

    __slots__ = ("_secret", "environment", "source")

    def __init__(self, environment: Environment, secret: str, source: str = TokenSource.GIVEN):
        secret = secret.strip()
        if not secret:
            raise TokenMissingError(f"the {environment.value} token is empty")
        if not _BEARER_TOKEN.fullmatch(secret):
            # Never say which character: that would show part of the secret.
            raise TokenMalformedError(
                f"the {environment.value} token is malformed: a token holds only ASCII letters, "
                "digits and - . _ ~ + / =, with no spaces, control or non-ASCII characters; "
                "enrol it again"
            )
        register_secret(secret)
        self._secret = secret
        self.environment = environment
        self.source = source

    def authorization_header(self) -> str:
        return f"Bearer {self._secret}"

    def reveal(self) -> str:
        """The secret itself, for redaction filters and the keyring only."""
        return self._secret

    def __repr__(self) -> str:
        return f"Credential(environment={self.environment.value!r}, source={self.source!r}, secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str:
        raise TypeError("a Credential cannot be pickled")


def _from_keyring(environment: Environment) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, environment.value)
    except NoKeyringError:
        _log.info("no OS keyring available; tokens can only come from the environment")
        return None
    except KeyringError as exc:
        _log.warning("the OS keyring could not be read: %s", type(exc).__name__)
        return None


def load_credential(environment: Environment) -> Credential:
    """The enrolled token for ``environment``, or :class:`TokenMissingError` saying how to enrol."""
    from_env = os.environ.get(env_var_for(environment), "").strip()
    if from_env:
        return Credential(environment, from_env, TokenSource.ENVIRONMENT_VARIABLE)
    from_keyring = _from_keyring(environment)
    if from_keyring:
        return Credential(environment, from_keyring, TokenSource.KEYRING)
    raise TokenMissingError(
        f"no {environment.value} token is enrolled. Enrol one with "
        f"`station token set --env {environment.value}` (stored in the OS keyring), or set "
        f"{env_var_for(environment)} in the station's environment."
    )
