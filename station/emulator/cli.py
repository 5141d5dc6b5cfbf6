"""The ``station emulator`` subcommand: run the local service emulator until Ctrl-C.

Why a subcommand of its own: support staff and developers point ``curl``, a second station or the
GUI at it to reproduce a problem without a provider token. The main CLI wires it in with
:func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from station.emulator.scenarios import Scenario, ScenarioConfig, ScenarioError
from station.emulator.server import DEFAULT_TOKEN, LIVENESS_PATH, Emulator
from station.logs import configure_console_logging

__all__ = ["DEFAULT_PORT", "add_arguments", "run"]

DEFAULT_PORT = 8765


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
    parser.add_argument(
        "--token",
        default=DEFAULT_TOKEN,
        help=f"bearer token to accept (default {DEFAULT_TOKEN!r}, a non-secret development value)",
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


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set); 0 on a clean stop, 2 on bad options."""
    try:
        config = ScenarioConfig(
            name=Scenario.parse(args.scenario),
            failures=args.failures,
            delay=args.delay,
            retry_after=args.retry_after,
        )
        emulator = Emulator(host=args.host, port=args.port, token=args.token, scenario=config)
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
    shown = DEFAULT_TOKEN if args.token == DEFAULT_TOKEN else "<your --token>"
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
