"""``station service run``: the station service (run by its systemd unit, as its own account)."""

from __future__ import annotations

import argparse
import sys

from station.commands.exit_codes import ExitCode
from station.service.access import CLIENTS_GROUP, AccessRule

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="service_action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "run",
        help="serve the verifier port on the station's socket until SIGTERM",
        description="Serve the verifier port on /run/station/station.sock until SIGTERM. Run by "
        "the station's systemd unit as the service account; operators never run it.",
    )
    serve.add_argument(
        "--clients-group",
        default=CLIENTS_GROUP,
        metavar="GROUP",
        help=f"the group whose members may call the service (name or number; default {CLIENTS_GROUP})",
    )


def run(args: argparse.Namespace) -> int:
    if args.service_action != "run":
        print(f"unknown service action {args.service_action!r}", file=sys.stderr)
        return int(ExitCode.USAGE)
    # The Unix socket's side: imported only when the service runs (`station --help` on Windows
    # builds every command's arguments, and pwd/grp do not exist there).
    from station.service.main import run_service
    from station.service.unix import socket_path

    path = socket_path()
    try:
        run_service(path, AccessRule.for_group(args.clients_group))
    except OSError as exc:
        print(f"station service: cannot serve on {path}: {exc.strerror or exc}", file=sys.stderr)
        return int(ExitCode.FAILURE)
    return 0
