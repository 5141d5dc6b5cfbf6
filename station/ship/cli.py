"""``station ship [--once]``: ship the audit journal to the bank's relay from a scheduled task.

Without ``--once`` it runs until stopped (SIGTERM, SIGINT), as the GUI's shipper thread does.
With ``--once`` it ships everything there is, waits out the resend window, and exits: 0 when
every row is acknowledged, 1 when shipping failed or did not finish (the status says why),
64 for bad options.

This module is the shipper's own command line, fed a :class:`~station.ship.config.ShipConfig`.
``station ship`` itself is :mod:`station.commands.ship`, which builds that config from the
station's settings (machine policy first, as the GUI's shipper does) and lets options override it
only where the station allows development overrides.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from datetime import timedelta
from pathlib import Path
from types import FrameType

from station.audit import (
    AuditError,
    AuditJournal,
    anchor_path_beside,
    default_anchor_path,
    default_journal_path,
    load_key,
    read_key_file,
)
from station.ship.config import (
    DEFAULT_BACKOFF_CAP,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_PORT,
    DEFAULT_RESEND_WINDOW,
    PayloadFormat,
    ShipConfig,
    ShipConfigError,
    TargetKind,
)
from station.ship.shipper import Shipper
from station.ship.status import ShipState, status_text

__all__ = ["add_arguments", "forget", "run", "run_with_config"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 64


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once", action="store_true", help="ship what there is, wait out the resend window, exit"
    )
    parser.add_argument(
        "--target",
        choices=[t.value for t in TargetKind],
        default=TargetKind.SYSLOG_TLS.value,
        help="where to ship",
    )
    parser.add_argument("--relay-host", metavar="HOST", help="the bank's syslog relay (TLS)")
    parser.add_argument("--relay-port", type=int, default=DEFAULT_PORT, metavar="PORT", help="default 6514")
    parser.add_argument(
        "--ca-bundle", type=Path, metavar="PEM", help="CA bundle for the relay (default: OS store)"
    )
    parser.add_argument("--client-cert", type=Path, metavar="PEM", help="client certificate for mutual TLS")
    parser.add_argument("--client-key", type=Path, metavar="PEM", help="its private key")
    parser.add_argument(
        "--format", choices=[f.value for f in PayloadFormat], default="json", help="message body"
    )
    parser.add_argument("--jsonl-dir", type=Path, metavar="DIR", help="spool folder for --target jsonl")
    parser.add_argument("--prometheus-file", type=Path, metavar="FILE.prom", help="textfile-collector output")
    parser.add_argument(
        "--resend-window",
        type=_seconds,
        default=DEFAULT_RESEND_WINDOW,
        metavar="S",
        help="a row counts as delivered this many seconds after it was sent (default 60)",
    )
    parser.add_argument(
        "--backoff-cap", type=_seconds, default=DEFAULT_BACKOFF_CAP, metavar="S", help="default 300"
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=_seconds,
        default=DEFAULT_HEARTBEAT_INTERVAL,
        metavar="S",
        help="default 300",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="with --once: give up after this long (default: window + 120 s)",
    )
    parser.add_argument("--station-id", default=socket.gethostname(), help="default: the host name")
    parser.add_argument("--audit-db", type=Path, metavar="PATH", help="the journal (default: the station's)")
    parser.add_argument(
        "--key-file", type=Path, metavar="PATH", help="HMAC key file instead of the OS keyring"
    )
    parser.add_argument(
        "--anchor-file",
        type=Path,
        metavar="PATH",
        help="where the last shipped head is kept (default: beside the key)",
    )
    parser.add_argument(
        "--forget-target",
        choices=[TargetKind.SYSLOG_TLS.value, TargetKind.RELP_TLS.value, TargetKind.JSONL.value],
        metavar="TARGET",
        help="stop tracking a target switched off for good (purge then no longer keeps rows for it) and exit",
    )


def _seconds(text: str) -> timedelta:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return timedelta(seconds=value)


def config_from_args(args: argparse.Namespace) -> ShipConfig:
    return ShipConfig(
        target=TargetKind(args.target),
        station_id=args.station_id,
        relay_host=args.relay_host,
        relay_port=args.relay_port,
        ca_bundle=args.ca_bundle,
        client_cert=args.client_cert,
        client_key=args.client_key,
        payload_format=PayloadFormat(args.format),
        resend_window=args.resend_window,
        backoff_cap=args.backoff_cap,
        heartbeat_interval=args.heartbeat_interval,
        jsonl_dir=args.jsonl_dir,
        prometheus_textfile=args.prometheus_file,
    )


def run(args: argparse.Namespace) -> int:
    if args.forget_target:
        return forget(args)
    try:
        config = config_from_args(args)
    except ShipConfigError as exc:
        print(f"station ship: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_with_config(config, args)


def run_with_config(config: ShipConfig, args: argparse.Namespace) -> int:
    """Ship with ``config``; ``args`` gives ``--once``, ``--timeout`` and where the journal, key
    and anchor are."""
    if config.target is TargetKind.OFF:
        print("station ship: shipping is off (ship_target off); nothing to do.")
        return EXIT_OK
    from station.ship import build_target

    try:
        key = _key(args)
        anchor = args.anchor_file or (
            anchor_path_beside(args.key_file) if args.key_file else default_anchor_path()
        )
        with AuditJournal.open(_journal_path(args), key, create=False) as journal:
            shipper = Shipper(journal, config, build_target(config), key=key, anchor_path=anchor)
            return _run(shipper, args, config)
    except AuditError as exc:
        print(f"station ship: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _journal_path(args: argparse.Namespace) -> Path:
    return Path(args.audit_db) if args.audit_db else default_journal_path()


def _key(args: argparse.Namespace) -> bytes:
    return read_key_file(args.key_file) if args.key_file else load_key()


def forget(args: argparse.Namespace) -> int:
    """``--forget-target``: drop a target's cursor so purge no longer waits for it."""
    try:
        with AuditJournal.open(_journal_path(args), _key(args), create=False) as journal:
            known = journal.retire_ship_target(args.forget_target)
    except AuditError as exc:
        print(f"station ship: {exc}", file=sys.stderr)
        return EXIT_FAILED
    what = "no longer tracked" if known else "was not tracked"
    print(f"station ship: {args.forget_target} {what}; purge no longer waits for it.")
    return EXIT_OK


def _run(shipper: Shipper, args: argparse.Namespace, config: ShipConfig) -> int:
    def stop(signum: int, frame: FrameType | None) -> None:
        shipper.request_stop()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    if args.once:
        timeout = args.timeout if args.timeout is not None else config.resend_window.total_seconds() + 120
        status = shipper.run_until_idle(timeout)
        print(f"station ship: {status_text(status)} (acknowledged up to row {status.acked_sequence}).")
        return EXIT_OK if status.state is ShipState.SHIPPED else EXIT_FAILED
    shipper.run()
    print(f"station ship: stopped; {status_text(shipper.status())}.")
    return EXIT_OK
