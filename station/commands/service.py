"""``station service run``: the station service, as its own account.

Linux: run by its systemd unit, serving the Unix socket until SIGTERM. Windows: started by the
Service Control Manager as the ``Station`` service (the installer registers it), serving its named
pipe until a stop control; typed at a console it refuses with a clear error (exit 2).
"""

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


def _run_on_windows() -> int:
    from station.service.windows_main import run_windows_service
    from station.service.windows_service import NotStartedByServiceManagerError

    try:
        run_windows_service()
    except NotStartedByServiceManagerError as exc:
        print(f"station service: {exc}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except OSError as exc:
        print(f"station service: cannot run as a Windows service: {exc}", file=sys.stderr)
        return int(ExitCode.FAILURE)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.service_action != "run":
        print(f"unknown service action {args.service_action!r}", file=sys.stderr)
        return int(ExitCode.USAGE)
    if sys.platform == "win32":
        return _run_on_windows()
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
