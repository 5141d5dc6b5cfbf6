"""The one token store: where each environment's bearer token comes from, and how it is kept.

A token is enrolled for exactly one environment. It is read from ``SUREPASS_<ENV>_TOKEN`` or else
from the OS keyring (service ``station``, user = the environment's name). The keyring is the only
persistent store, and only a keyring :func:`~station.security.keyring_rules.secure_keyring`
accepts: with none the station says so and never falls back to a file. The GUI's settings dialog,
``station token``, ``station verify`` and the composition root all come here; nothing else in the
station touches the keyring for tokens.

Every method may wait on the OS keyring (a locked Secret Service prompts): the GUI calls them off
the UI thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import keyring.errors

from station.api.credentials import Credential, TokenSource, env_var_for
from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.logs import register_secret
from station.security.jwt_expiry import expiry_warning, format_expiry, token_expiry
from station.security.keyring_rules import NO_SECURE_STORE, secure_keyring

__all__ = [
    "KEYRING_SERVICE",
    "MAX_TOKEN_CHARS",
    "NO_SECURE_STORE",
    "NoSecureStoreError",
    "TokenStatus",
    "TokenStore",
    "TokenStoreError",
]

KEYRING_SERVICE: Final = "station"
#: Longer than any real JWT; a longer paste is a mistake (a whole file, say).
MAX_TOKEN_CHARS: Final = 16_384

_log = logging.getLogger(__name__)


class NoSecureStoreError(Exception):
    """No OS keyring that keeps secrets safely is available."""

    def __init__(self) -> None:
        super().__init__(NO_SECURE_STORE)


class TokenStoreError(Exception):
    """The keyring refused an operation, or did not keep what it was given."""


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """Where an environment's token comes from and when it expires; never the token itself."""

    environment: Environment
    source: str  # "environment variable SUREPASS_…_TOKEN", "OS keyring" or "none"
    expiry: datetime | None = None
    warning: str | None = None
    store_available: bool = True
    problem: str | None = None

    @property
    def enrolled(self) -> bool:
        return self.source != "none"

    def describe(self) -> str:
        if self.problem:
            return self.problem
        if not self.enrolled:
            text = "Not enrolled"
            if not self.store_available:
                text += f" ({NO_SECURE_STORE})"
            return text
        text = f"Enrolled ({self.source})"
        text += f"; expires {format_expiry(self.expiry)}" if self.expiry else "; expiry unknown"
        return text


class TokenStore:
    """Tokens from the environment variables of ``environ`` (default: the process's) and the keyring."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def _from_env(self, environment: Environment) -> str:
        environ = os.environ if self._environ is None else self._environ
        return environ.get(env_var_for(environment), "").strip()

    def _keyring_get(self, environment: Environment) -> str | None:
        """The keyring's token, None if none; :class:`NoSecureStoreError` without a safe store."""
        backend = secure_keyring()
        if backend is None:
            raise NoSecureStoreError
        try:
            value = backend.get_password(KEYRING_SERVICE, environment.value)
        except keyring.errors.NoKeyringError:
            raise NoSecureStoreError from None
        if value:
            register_secret(value)
        return value or None

    @staticmethod
    def secure_store_available() -> bool:
        """Whether this machine has a keyring the station accepts for tokens."""
        return secure_keyring() is not None

    def credential(self, environment: Environment) -> Credential:
        """The enrolled token for ``environment``, or :class:`TokenMissingError` saying how to enrol."""
        from_env = self._from_env(environment)
        if from_env:
            return Credential(environment, from_env, TokenSource.ENVIRONMENT_VARIABLE)
        try:
            from_keyring = self._keyring_get(environment)
        except NoSecureStoreError:
            _log.info("no secure OS keyring available; tokens can only come from the environment")
            from_keyring = None
        except keyring.errors.KeyringError as exc:
            _log.warning("the OS keyring could not be read: %s", type(exc).__name__)
            from_keyring = None
        if from_keyring:
            return Credential(environment, from_keyring, TokenSource.KEYRING)
        raise TokenMissingError(
            f"no {environment.value} token is enrolled. Enrol one in Station ▸ Settings ▸ Service "
            f"tokens or with `station token set --env {environment.value}` (stored in the OS keyring), "
            f"or set {env_var_for(environment)} in the station's environment."
        )

    def status(self, environment: Environment) -> TokenStatus:
        """Whether and where a token is enrolled, and its expiry (the JWT ``exp`` claim, unverified)."""
        from_env = self._from_env(environment)
        from_keyring: str | None = None
        problem: str | None = None
        store_ok = True
        try:
            from_keyring = self._keyring_get(environment)
        except NoSecureStoreError:
            store_ok = False
        except keyring.errors.KeyringError as exc:
            problem = f"The OS keyring could not be read ({type(exc).__name__})"
        if from_env:
            register_secret(from_env)
            source, token = f"environment variable {env_var_for(environment)}", from_env
        elif from_keyring:
            source, token = TokenSource.KEYRING, from_keyring
        else:
            return TokenStatus(environment, "none", store_available=store_ok, problem=problem)
        expiry = token_expiry(token)
        return TokenStatus(environment, source, expiry, expiry_warning(expiry), store_ok, problem)

    def overridden_by_environment(self, environment: Environment) -> bool:
        """True when the environment variable is set and so wins over the keyring."""
        return bool(self._from_env(environment))

    def store(self, environment: Environment, token: str) -> Credential:
        """Check ``token`` and keep it in the OS keyring; the credential it makes.

        Raises :class:`TokenMissingError` for an empty or malformed token (nothing stored),
        :class:`NoSecureStoreError`, or :class:`TokenStoreError` if the keyring refuses or loses it.
        """
        token = token.strip()
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenMissingError("that is too long to be a token")
        credential = Credential(environment, token)  # refuses empty, spaces, control characters
        backend = secure_keyring()
        if backend is None:
            raise NoSecureStoreError
        try:
            backend.set_password(KEYRING_SERVICE, environment.value, token)
            kept = backend.get_password(KEYRING_SERVICE, environment.value)
        except keyring.errors.NoKeyringError:
            raise NoSecureStoreError from None
        except keyring.errors.KeyringError as exc:
            raise TokenStoreError(f"the OS keyring refused the token ({type(exc).__name__})") from None
        if kept != token:
            raise TokenStoreError("the OS keyring did not keep the token")
        return credential

    def clear(self, environment: Environment) -> bool:
        """Delete the keyring's token; False if there was none."""
        backend = secure_keyring()
        if backend is None:
            raise NoSecureStoreError
        try:
            backend.delete_password(KEYRING_SERVICE, environment.value)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.NoKeyringError:
            raise NoSecureStoreError from None
        except keyring.errors.KeyringError as exc:
            raise TokenStoreError(f"the OS keyring refused ({type(exc).__name__})") from None
        return True
