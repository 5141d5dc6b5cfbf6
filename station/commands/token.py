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
``keyrings.alt`` backends) ``set`` and ``clear`` exit 4 and say so; it never falls back to a file.
``status`` exits 4 only when the environment the station uses (its settings') has no token: a
missing token for the other environment is reported, not an error. The token is never printed,
not even in part. Every keyring rule lives in :class:`~station.application.tokens.TokenStore`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterable
from typing import TextIO

from station.api.credentials import env_var_for
from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.application.tokens import (
    MAX_TOKEN_CHARS,
    NO_SECURE_STORE,
    NoSecureStoreError,
    TokenStatus,
    TokenStore,
    TokenStoreError,
)
from station.commands.exit_codes import ExitCode
from station.config import SettingsError, load_settings
from station.security.jwt_expiry import format_expiry

__all__ = ["add_arguments", "run"]


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
        description="Say whether a token is enrolled, where, and when it expires. Exits 4 when the "
        "environment the station uses (or the one given) has no token.",
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
    return sys.stdin.readline(MAX_TOKEN_CHARS + 2)


def _expiry_lines(status: TokenStatus) -> list[str]:
    if status.expiry is None:
        return ["expiry unknown (not a JWT with an exp claim)"]
    lines = [f"expires {format_expiry(status.expiry)}"]
    if status.warning:
        lines.append(f"WARNING: {status.warning}")
    return lines


def _set(store: TokenStore, environment: Environment, out: TextIO, err: TextIO) -> int:
    try:
        raw = _read_token(environment)
    except (EOFError, KeyboardInterrupt):
        raw = ""
    if not raw.strip():
        print("no token given: nothing stored", file=err)
        return int(ExitCode.USAGE)
    try:
        store.store(environment, raw)
    except NoSecureStoreError:
        return _say_no_store([environment], err)
    except TokenMissingError as exc:
        print(f"{exc.message}: nothing stored", file=err)
        return int(ExitCode.USAGE)
    except TokenStoreError as exc:
        print(f"{exc}: nothing stored", file=err)
        return int(ExitCode.FAILURE)
    print(f"{environment.value} token stored in {store.where}", file=out)
    for line in _expiry_lines(store.status(environment)):
        print(f"  {line}", file=out)
    if store.overridden_by_environment(environment):
        print(f"  note: {env_var_for(environment)} is set and takes precedence over the keyring", file=out)
    return 0


def _environment_in_use() -> Environment | None:
    try:
        return load_settings().environment
    except SettingsError:
        return None


def _status(store: TokenStore, environments: list[Environment], asked: bool, out: TextIO, err: TextIO) -> int:
    """Every environment asked about is reported; the exit code is about the one that matters:
    the one named with ``--env``, else the one the station's settings use."""
    in_use = environments[0] if asked else _environment_in_use()
    missing_store: list[Environment] = []
    missing_in_use = False
    for environment in environments:
        status = store.status(environment)
        if status.problem and not status.enrolled:
            print(f"{environment.value}: {status.problem}", file=out)
            missing_in_use |= environment is in_use
            continue
        if not status.enrolled:
            print(f"{environment.value}: not enrolled", file=out)
            if not status.store_available:
                missing_store.append(environment)
            missing_in_use |= environment is in_use
            continue
        source = status.source
        if store.overridden_by_environment(environment) and _keyring_also_holds(store, environment):
            source += " (takes precedence over the OS keyring entry)"
        print(f"{environment.value}: enrolled ({source})", file=out)
        for line in _expiry_lines(status):
            print(f"  {line}", file=out)
    if missing_store and (in_use is None or in_use in missing_store):
        return _say_no_store(missing_store, err)
    if in_use is not None and missing_in_use:
        print(f"the station uses {in_use.value}, which has no token", file=err)
        return int(ExitCode.AUTH)
    return 0


def _keyring_also_holds(store: TokenStore, environment: Environment) -> bool:
    keyring_only = TokenStore(environ={})
    return keyring_only.status(environment).enrolled


def _clear(store: TokenStore, environment: Environment, out: TextIO, err: TextIO) -> int:
    try:
        removed = store.clear(environment)
    except NoSecureStoreError:
        return _say_no_store([environment], err)
    except TokenStoreError as exc:
        print(f"{exc}: nothing cleared", file=err)
        return int(ExitCode.FAILURE)
    if removed:
        print(f"{environment.value} token removed from {store.where}", file=out)
    else:
        print(f"{environment.value}: no token in {store.where}; nothing to clear", file=out)
    if store.overridden_by_environment(environment):
        print(f"  note: {env_var_for(environment)} is still set in this environment", file=out)
    return 0


def run(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    store = TokenStore()
    action = args.token_action
    if action == "status":
        environments = [Environment(args.env)] if args.env else list(Environment)
        return _status(store, environments, args.env is not None, out, err)
    environment = Environment(args.env)
    if action == "set":
        return _set(store, environment, out, err)
    if action == "clear":
        return _clear(store, environment, out, err)
    print(f"unknown token action {action!r}", file=err)
    return int(ExitCode.USAGE)
