"""The ``station emulator`` subcommand: run the local service emulator until Ctrl-C.

Why a subcommand of its own: support staff and developers point ``curl``, a second station or the
GUI at it to reproduce a problem without a provider token. The main CLI wires it in with
:func:`add_arguments` and :func:`run`.

A token of one's own comes from ``STATION_EMULATOR_TOKEN`` or ``--token-file``: ``--token`` still
works, but every local user can read a command line (``ps``, ``/proc/PID/cmdline``).
"""

from __future__ import annotations

import argparse
import logging
import os
import stat
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from station.emulator.endpoints import DEFAULT_TOKEN, LIVENESS_PATH
from station.emulator.scenarios import Scenario, ScenarioConfig, ScenarioError
from station.emulator.server import Emulator
from station.logs import configure_console_logging

__all__ = ["DEFAULT_PORT", "TOKEN_ENV", "TokenSourceError", "add_arguments", "resolve_token", "run"]

DEFAULT_PORT = 8765
#: Where the emulator's token comes from when neither --token nor --token-file is given.
TOKEN_ENV = "STATION_EMULATOR_TOKEN"  # noqa: S105 - a variable name, not a token
#: A token file larger than this is not a token file.
MAX_TOKEN_FILE_BYTES = 4096


class TokenSourceError(ValueError):
    """The token file or variable cannot be used; the message never contains the token."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser``."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), ::1 or localhost",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free)"
    )
    tokens = parser.add_mutually_exclusive_group()
    tokens.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help="read the bearer token to accept from this file (its first line)",
    )
    tokens.add_argument(
        "--token",
        help=f"bearer token to accept; visible to every local user in the process list, so prefer "
        f"{TOKEN_ENV} or --token-file",
    )
    parser.epilog = (
        f"The bearer token the emulator accepts comes from --token-file PATH, else --token, else the "
        f"environment variable {TOKEN_ENV}, else the development token {DEFAULT_TOKEN!r} (not a "
        "secret). The emulator listens on loopback only."
    )
    parser.add_argument(
        "--scenario",
        default=Scenario.AUTO.value,
        metavar="NAME",
        help="initial scenario: " + ", ".join(s.value for s in Scenario),
    )
    parser.add_argument(
        "--failures",
        type=int,
        default=2,
        metavar="N",
        help="failing calls before success (error_then_ok, rate_limited; default 2)",
    )
    parser.add_argument(
        "--delay", type=float, default=2.0, metavar="S", help="seconds to wait (slow; default 2)"
    )
    parser.add_argument(
        "--retry-after",
        type=int,
        default=1,
        metavar="S",
        help="Retry-After seconds (rate_limited; default 1)",
    )


def resolve_token(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> str:
    """The token to accept: ``--token-file``, ``--token``, ``$STATION_EMULATOR_TOKEN``, the default."""
    environ = os.environ if environ is None else environ
    if args.token_file is not None:
        return _read_token_file(args.token_file)
    if args.token is not None:
        return str(args.token)
    if TOKEN_ENV in environ:
        token = environ[TOKEN_ENV].strip()
        if not token:
            raise TokenSourceError(f"{TOKEN_ENV} is set but empty")
        return token
    return DEFAULT_TOKEN


def _read_token_file(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise TokenSourceError(f"token file {path} is not a regular file")
        if info.st_size > MAX_TOKEN_FILE_BYTES:
            raise TokenSourceError(f"token file {path} is larger than {MAX_TOKEN_FILE_BYTES} bytes")
        text = path.read_bytes()[: MAX_TOKEN_FILE_BYTES + 1].decode("utf-8")
    except FileNotFoundError:
        raise TokenSourceError(f"token file {path} does not exist") from None
    except UnicodeDecodeError:
        raise TokenSourceError(f"token file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise TokenSourceError(f"token file {path} cannot be read: {exc.strerror or exc}") from None
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if not token:
        raise TokenSourceError(f"token file {path} is empty")
    return token


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set); 0 on a clean stop, 2 on bad options."""
    try:
        config = ScenarioConfig(
            name=Scenario.parse(args.scenario),
            failures=args.failures,
            delay=args.delay,
            retry_after=args.retry_after,
        )
        token = resolve_token(args)
        emulator = Emulator(host=args.host, port=args.port, token=token, scenario=config)
    except (ScenarioError, ValueError) as exc:
        print(f"station emulator: {exc}", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        configure_console_logging()
    # One line per request on the console, whatever level the rest of the station logs at.
    logging.getLogger("station.emulator").setLevel(logging.INFO)
    try:
        emulator.start()
    except OSError as exc:
        print(f"station emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = stop if stop is not None else threading.Event()
    # Echo only the public development token; a token of the operator's own is never printed.
    shown = DEFAULT_TOKEN if token == DEFAULT_TOKEN else "<your token>"
    try:
        print(
            f"Surepass emulator on {emulator.base_url} (scenario {config.name.value}); try: "
            f"curl --location '{emulator.base_url}{LIVENESS_PATH}' "
            f"--header 'Authorization: Bearer {shown}' "
            "--form 'file=@resources/samples/face.jpg'  (Ctrl-C to stop)",
            flush=True,
        )
        while not stop.wait(0.25):  # a timed wait stays interruptible by Ctrl-C on Windows too
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    print("station emulator: stopped", flush=True)
    return 0
