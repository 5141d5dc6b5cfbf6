"""``station token set|status|clear``: enrol, inspect and remove the bearer tokens.

* ``set --env ENV`` asks for the token with ``getpass`` (never on the command line, where it would
  land in the shell history and the process list); when stdin is not a terminal one line is read
  from it, so a script can pipe the token in. It is stored in the OS keyring (service
  ``station``, user = the environment's name) and nowhere else.
* ``status [--env ENV]`` says, per environment, whether a token is enrolled and where (environment
  variable, OS keyring, none) and when it expires (the JWT ``exp`` claim, read without verifying),
  warning when that is within seven days or past.
* ``clear --env ENV`` deletes the keyring entry.

Without a secure store (no OS keyring, or keyring's ``fail``/``null`` backend, or the plain-file
``keyrings.alt`` backends) the command exits 4 and says so; it never falls back to a file. The
token is never printed, not even in part.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterable
from typing import Any, Final, TextIO

import keyring
import keyring.errors

from station.api.credentials import KEYRING_SERVICE, Credential, env_var_for
from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.commands.exit_codes import ExitCode
from station.logs import register_secret
from station.security.jwt_expiry import expiry_warning, format_expiry, token_expiry

__all__ = ["NO_SECURE_STORE", "NoSecureStoreError", "add_arguments", "keyring_backend_is_secure", "run"]

NO_SECURE_STORE: Final = "no secure store: enrol with the environment variable or install one"
_MAX_TOKEN_CHARS = 16_384
#: Backends that do not keep a secret safely (or at all): treated as no store.
_INSECURE_BACKEND_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class NoSecureStoreError(Exception):
    """No OS keyring that keeps secrets safely is available."""


def keyring_backend_is_secure(backend: Any | None = None) -> bool:
    """False for keyring's ``fail``/``null`` backends and the plain-file ``keyrings.alt`` ones."""
    backend = keyring.get_keyring() if backend is None else backend
    classes: Iterable[Any] = [backend]
    inner = getattr(backend, "backends", None)  # a ChainerBackend: judge what it chains
    if isinstance(inner, list | tuple):
        if not inner:
            return False
        classes = inner
    for item in classes:
        module = type(item).__module__
        if any(module == bad or module.startswith(bad + ".") for bad in _INSECURE_BACKEND_MODULES):
            return False
    return True


def _require_store() -> None:
    if not keyring_backend_is_secure():
        raise NoSecureStoreError(NO_SECURE_STORE)


def _keyring_get(environment: Environment) -> str | None:
    _require_store()
    try:
        value: str | None = keyring.get_password(KEYRING_SERVICE, environment.value)
    except keyring.errors.NoKeyringError:
        raise NoSecureStoreError(NO_SECURE_STORE) from None
    if value:
        register_secret(value)
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    choices = [e.value for e in Environment]
    enrol = actions.add_parser(
        "set",
        help="enrol a token in the OS keyring (asked for, or one line from stdin)",
        description="Enrol a token in the OS keyring. It is asked for without echo; when stdin "
        "is not a terminal, one line is read from stdin. It is never taken from the command line.",
    )
    enrol.add_argument("--env", required=True, choices=choices, help="the token's environment")
    status = actions.add_parser(
        "status",
        help="where each environment's token comes from and when it expires",
        description="Say whether a token is enrolled, where, and when it expires.",
    )
    status.add_argument("--env", choices=choices, help="only this environment (default: both)")
    clear = actions.add_parser(
        "clear", help="delete a token from the OS keyring", description="Delete a token from the OS keyring."
    )
    clear.add_argument("--env", required=True, choices=choices, help="the token's environment")


def _say_no_store(environments: Iterable[Environment], err: TextIO) -> int:
    print(NO_SECURE_STORE, file=err)
    for environment in environments:
        print(f"  {environment.value}: set {env_var_for(environment)} in the station's environment", file=err)
    return int(ExitCode.AUTH)


def _read_token(environment: Environment) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"{environment.value} token (not shown): ")
    if sys.stdin is None:
        return ""
    return sys.stdin.readline(_MAX_TOKEN_CHARS + 2)


def _expiry_lines(token: str) -> list[str]:
    exp = token_expiry(token)
    if exp is None:
        return ["expiry unknown (not a JWT with an exp claim)"]
    lines = [f"expires {format_expiry(exp)}"]
    warning = expiry_warning(exp)
    if warning:
        lines.append(f"WARNING: {warning}")
    return lines


def _set(environment: Environment, out: TextIO, err: TextIO) -> int:
    try:
        _require_store()
    except NoSecureStoreError:
        return _say_no_store([environment], err)
    try:
        raw = _read_token(environment)
    except (EOFError, KeyboardInterrupt):
        print("no token given: nothing stored", file=err)
        return int(ExitCode.USAGE)
    token = raw.strip()
    if not token:
        print("no token given: nothing stored", file=err)
        return int(ExitCode.USAGE)
    if len(token) > _MAX_TOKEN_CHARS:
        print("that is too long to be a token: nothing stored", file=err)
        return int(ExitCode.USAGE)
    try:
        Credential(environment, token)  # registers it for redaction; refuses spaces/control chars
    except TokenMissingError as exc:
        print(f"{exc.message}: nothing stored", file=err)
        return int(ExitCode.USAGE)
    try:
        keyring.set_password(KEYRING_SERVICE, environment.value, token)
        kept = keyring.get_password(KEYRING_SERVICE, environment.value)
    except keyring.errors.NoKeyringError:
        return _say_no_store([environment], err)
    except keyring.errors.KeyringError as exc:
        print(f"the OS keyring refused the token ({type(exc).__name__}): nothing stored", file=err)
        return int(ExitCode.FAILURE)
    if kept != token:
        print("the OS keyring did not keep the token: nothing stored", file=err)
        return int(ExitCode.FAILURE)
    print(f"{environment.value} token stored in the OS keyring", file=out)
    for line in _expiry_lines(token):
        print(f"  {line}", file=out)
    if os.environ.get(env_var_for(environment), "").strip():
        print(
            f"  note: {env_var_for(environment)} is set and takes precedence over the keyring",
            file=out,
        )
    return 0


def _status(environments: list[Environment], out: TextIO, err: TextIO) -> int:
    missing_store: list[Environment] = []
    for environment in environments:
        from_env = os.environ.get(env_var_for(environment), "").strip()
        try:
            from_keyring = _keyring_get(environment)
            store_ok = True
        except NoSecureStoreError:
            from_keyring, store_ok = None, False
        except keyring.errors.KeyringError as exc:
            print(f"{environment.value}: the OS keyring could not be read ({type(exc).__name__})", file=out)
            continue
        if from_env:
            register_secret(from_env)
            source = f"environment variable {env_var_for(environment)}"
            if from_keyring:
                source += " (takes precedence over the OS keyring entry)"
            token: str | None = from_env
        elif from_keyring:
            source, token = "OS keyring", from_keyring
        else:
            source, token = "none", None
            if not store_ok:
                missing_store.append(environment)
        if token is None:
            print(f"{environment.value}: not enrolled", file=out)
            continue
        print(f"{environment.value}: enrolled ({source})", file=out)
        for line in _expiry_lines(token):
            print(f"  {line}", file=out)
    if missing_store:
        return _say_no_store(missing_store, err)
    return 0


def _clear(environment: Environment, out: TextIO, err: TextIO) -> int:
    try:
        _require_store()
        keyring.delete_password(KEYRING_SERVICE, environment.value)
    except (NoSecureStoreError, keyring.errors.NoKeyringError):
        return _say_no_store([environment], err)
    except keyring.errors.PasswordDeleteError:
        print(f"{environment.value}: no token in the OS keyring; nothing to clear", file=out)
    except keyring.errors.KeyringError as exc:
        print(f"the OS keyring refused ({type(exc).__name__}): nothing cleared", file=err)
        return int(ExitCode.FAILURE)
    else:
        print(f"{environment.value} token removed from the OS keyring", file=out)
    if os.environ.get(env_var_for(environment), "").strip():
        print(f"  note: {env_var_for(environment)} is still set in this environment", file=out)
    return 0


def run(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    action = args.token_action
    if action == "status":
        environments = [Environment(args.env)] if args.env else list(Environment)
        return _status(environments, out, err)
    environment = Environment(args.env)
    if action == "set":
        return _set(environment, out, err)
    if action == "clear":
        return _clear(environment, out, err)
    print(f"unknown token action {action!r}", file=err)
    return int(ExitCode.USAGE)
