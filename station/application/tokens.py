"""The one token store: where each environment's bearer token comes from, and how it is kept.

A token is enrolled for exactly one environment. It is read from ``SUREPASS_<ENV>_TOKEN`` or else
from the OS keyring (service ``station``, user = the environment's name). The keyring is the only
persistent store, and only a keyring :func:`~station.security.keyring_rules.secure_keyring`
accepts: with none the station says so and never falls back to a file. The GUI's settings dialog,
``station token``, ``station verify`` and the composition root all come here; nothing else in the
station touches the keyring for tokens.

Every method may wait on the OS keyring (a locked Secret Service prompts): the GUI calls them off
the UI thread.

**An installed station on Linux keeps its tokens in the station service's private store**
(:func:`~station.application.people.people_store`, ``/var/lib/station/private/token-<env>``, 0600,
the ``station`` account's): the service reads them there; ``station token set|clear`` run as an OS
administrator writes them; neither the operator's keyring nor the operator's environment is ever
read (a headless service account has no keyring, and the operator's account must not hold the
token). A checkout keeps the environment variable and the keyring.

**An installed station on Windows** does the same with ``%ProgramData%\\Station\\private\\token-<env>``,
the token sealed with machine-scope DPAPI (:mod:`station.security.dpapi`), the folder's ACL
(SYSTEM, Administrators, ``NT SERVICE\\Station``; set by the installer) saying who may read it:
the station service reads it; ``station-console.exe token set|clear`` run as an administrator
writes it; the operator's Credential Manager and environment are never read.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import keyring.errors

from station.api.credentials import Credential, TokenSource, env_var_for
from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.application.people import people_store
from station.locations import program_installed
from station.logs import register_secret
from station.security.dpapi import SealError, seal, unseal
from station.security.jwt_expiry import expiry_warning, format_expiry, token_expiry
from station.security.keyring_rules import NO_SECURE_STORE, secure_keyring
from station.security.pin import PinFileError
from station.security.private_store import PrivateStore

__all__ = [
    "KEYRING_SERVICE",
    "MAX_TOKEN_CHARS",
    "NO_SECURE_STORE",
    "NoSecureStoreError",
    "TokenStatus",
    "TokenStore",
    "TokenStoreError",
    "default_vault",
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


#: Where the service's store keeps an environment's token.
VAULT_FILE: Final = "token-{environment}"
#: What an account that cannot read the service's store is told.
KEPT_BY_THE_SERVICE: Final = (
    "The token is kept by the station service: `station doctor` or `station token status`, run as "
    "an administrator, says whether one is enrolled"
)


def default_vault() -> PrivateStore | None:
    """The service's private store on an installed station, else None (see the module docstring)."""
    if not program_installed():
        return None
    return people_store()


#: Whether the service's store keeps tokens sealed with machine-scope DPAPI (Windows).
SEALED_TOKENS: Final = sys.platform == "win32"


class TokenStore:
    """Tokens from the environment variables of ``environ`` (default: the process's) and the
    keyring; on an installed Linux station from the service's private store alone (``vault``)."""

    def __init__(
        self, environ: Mapping[str, str] | None = None, *, vault: PrivateStore | bool | None = True
    ) -> None:
        self._environ = environ
        #: The service's store (True: :func:`default_vault`; None or False: none).
        self._vault = default_vault() if vault is True else (vault or None)

    def _from_env(self, environment: Environment) -> str:
        if self._vault is not None:
            return ""  # never the caller's environment on an installed station
        environ = os.environ if self._environ is None else self._environ
        return environ.get(env_var_for(environment), "").strip()

    def _vault_get(self, vault: PrivateStore, environment: Environment) -> str | None:
        path = vault.path(VAULT_FILE.format(environment=environment.value))
        try:
            vault.check()
            if not path.exists() and not path.is_symlink():
                return None
            vault.check_file(path)
            value = path.read_text(encoding="utf-8").strip()
            if value and SEALED_TOKENS:
                value = unseal(value).strip()
        except PinFileError as exc:
            raise TokenStoreError(f"{KEPT_BY_THE_SERVICE} ({exc})") from None
        except SealError as exc:
            raise TokenStoreError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenStoreError(f"{path}: the token cannot be read ({exc})") from None
        if value:
            register_secret(value)
        return value or None

    def _keyring_get(self, environment: Environment) -> str | None:
        """The keyring's token, None if none; :class:`NoSecureStoreError` without a safe store."""
        if self._vault is not None:
            return self._vault_get(self._vault, environment)
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

    @property
    def vault(self) -> PrivateStore | None:
        """The service's store this store reads and writes (None: environment and keyring)."""
        return self._vault

    @property
    def where(self) -> str:
        """Where :meth:`store` keeps a token, in words."""
        if self._vault is not None:
            return f"the station service's store ({self._vault.folder})"
        return "the OS keyring"

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
        except TokenStoreError as exc:
            raise TokenMissingError(str(exc)) from None
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
        except TokenStoreError as exc:
            problem = str(exc)
        if from_env:
            register_secret(from_env)
            source, token = f"environment variable {env_var_for(environment)}", from_env
        elif from_keyring:
            source = "the station service's store" if self._vault is not None else TokenSource.KEYRING
            token = from_keyring
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
        if self._vault is not None:
            self._vault_put(self._vault, environment, token)
            return credential
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

    @staticmethod
    def _vault_put(vault: PrivateStore, environment: Environment, token: str | None) -> bool:
        """Write (or, with None, remove) the token in the service's store; False if nothing was
        there to remove. :class:`TokenStoreError` for an account that may not write it."""
        name = VAULT_FILE.format(environment=environment.value)
        try:
            vault.open()
            if token is None:
                existed = vault.path(name).exists()
                vault.remove(name)
                return existed
            vault.write_text(name, (seal(token) if SEALED_TOKENS else token) + "\n")
        except SealError as exc:
            raise TokenStoreError(f"the token cannot be sealed for this machine: {exc}") from None
        except PinFileError as exc:
            raise TokenStoreError(
                f"only an OS administrator (root) may change the station service's token: {exc}"
            ) from None
        except OSError as exc:
            raise TokenStoreError(f"the token cannot be changed ({exc.strerror or exc})") from None
        return True

    def clear(self, environment: Environment) -> bool:
        """Delete the stored token; False if there was none."""
        if self._vault is not None:
            return self._vault_put(self._vault, environment, None)
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
