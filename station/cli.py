"""``station``: argument parsing and dispatch. Each subcommand's work lives in its own module.

station                          the operator station (GUI) with the saved settings
station --demo [--scenario S]    the GUI on the built-in emulator and a sample camera
station verify FILE | --pdf FILE | --link URL
station emulator                 the local emulator of the service
station audit verify|export|purge
station token set|status|clear
station doctor [--json]          can this station, as configured, serve customers?
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from station import __version__

__all__ = ["build_parser", "main"]

#: subcommand → (module, help). Modules are imported only when their command runs, so
#: ``station --help`` and ``station verify`` never load Qt.
_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("station.commands.verify", "verify one image, PDF or link and print the outcome"),
    "emulator": ("station.emulator.cli", "run the local emulator of the face-liveness service"),
    "analyse": ("station.commands.analyse", "check a picture's capture quality locally (no service call)"),
    "token": ("station.commands.token", "enrol, inspect or clear the service token in the OS keyring"),
    "audit": ("station.commands.audit", "verify, export or purge the tamper-evident audit journal"),
    "admin": (
        "station.commands.admin",
        "set the administrator PIN, supervisors and operators (IT, with OS rights)",
    ),
    "ship": ("station.commands.ship", "ship the audit journal to the bank's relay or a spool folder"),
    "doctor": ("station.commands.doctor", "check this station's real configuration: can it serve customers?"),
    "service": (
        "station.commands.service",
        "run the station service (its systemd unit does, as its account)",
    ),
}


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 64 (EX_USAGE), as the README documents, not argparse's 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: error: {message}\n")


def _load(name: str) -> ModuleType:
    return importlib.import_module(_SUBCOMMANDS[name][0])


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, found without importing any command module."""
    return next((arg for arg in argv if arg in _SUBCOMMANDS), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen subcommand's module is imported to add its options, so
    ``station --version`` and ``--help`` start without loading OpenCV, httpx or Qt."""
    parser = _Parser(
        prog="station",
        description="Face-liveness verification station for bank branches.",
    )
    parser.add_argument("--version", action="version", version=f"station {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start on the built-in emulator and a bundled sample camera (no token, no webcam)",
    )
    parser.add_argument("--scenario", metavar="NAME", help="with --demo: the emulator's first scenario")
    parser.add_argument(
        "-platform",
        dest="qt_platform",
        choices=["offscreen"],
        help="Qt's platform plugin: offscreen draws with no screen (Windows under Wine; the screenshot)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help=(
            "capture once, save the window with its verdict as a PNG, and quit "
            "(the demo, or a station outside production)"
        ),
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="fullscreen, one instance per machine; closing needs the administrator PIN",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end (resources, camera, emulator, verification, audit)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = _chosen_command(sys.argv[1:] if argv is None else argv)
    for name, (_, help_text) in _SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _load(name).add_arguments(command)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from station.ui.qt_startup import quicken_pyside_module_check

    quicken_pyside_module_check()  # before the launch imports PySide6 (issue 27)
    from station.launch import run_gui

    return run_gui(args)


def _run_self_test(args: argparse.Namespace) -> int:
    from station.ui.qt_startup import quicken_pyside_module_check

    quicken_pyside_module_check()  # its window step starts as the GUI does
    from station.selftest import run_self_test

    return run_self_test()


def main(argv: Sequence[str] | None = None) -> int:
    from station.logs import configure_console_logging

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    configure_console_logging()
    runner: Callable[[argparse.Namespace], int]
    if args.self_test:
        runner = _run_self_test
    elif args.command is None:
        runner = _run_gui
    else:
        runner = _load(args.command).run
    try:
        return runner(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
