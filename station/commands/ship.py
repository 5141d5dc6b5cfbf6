"""``station ship [--once]``: the station's journal to the bank's relay, on the station's policy.

The shipper's settings are the station's own (``ship_target``, ``relay_host`` …, machine policy
first), exactly what the GUI's shipper thread uses, so a scheduled ``station ship --once`` and the
running station ship to the same place. An option on the command line is a development override:
on a sandbox or production station (or against a mandatory policy) it is refused with exit 64, never applied,
so nobody at the keyboard can point the journal somewhere else or switch shipping off.

``--forget-target`` stops purge from waiting for a target switched off for good: it needs the
operating system's administrator rights (exit 77), like ``station admin``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from station.commands.admin import NO_PERMISSION
from station.commands.exit_codes import ExitCode
from station.config import PolicyError, SettingsError, resolve_station_settings
from station.security.people import is_os_administrator
from station.ship import cli as ship_cli
from station.ship.config import ShipConfigError

__all__ = ["add_arguments", "run"]

#: Option (argparse dest) → the setting it overrides.
_OVERRIDES: dict[str, str] = {
    "target": "ship_target",
    "relay_host": "relay_host",
    "relay_port": "relay_port",
    "ca_bundle": "relay_ca_bundle",
    "client_cert": "relay_client_cert",
    "client_key": "relay_client_key",
    "format": "ship_format",
    "jsonl_dir": "ship_jsonl_dir",
    "prometheus_file": "prometheus_textfile",
    "resend_window": "ship_resend_window",
    "backoff_cap": "ship_backoff_cap",
    "heartbeat_interval": "heartbeat_interval",
    "station_id": "station_id",
    "audit_db": "audit_db",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    ship_cli.add_arguments(parser)
    # No option has a default of its own here: what is not given comes from the station's settings.
    parser.set_defaults(**dict.fromkeys(_OVERRIDES))
    parser.epilog = (
        "Without options everything comes from the station's settings (machine policy first). "
        "Options are development overrides: refused on a sandbox or production station."
    )


def _value(value: object) -> object:
    """A setting's value as the settings model takes it (seconds, not a timedelta)."""
    seconds = getattr(value, "total_seconds", None)
    return seconds() if callable(seconds) else value


#: Each overridden setting named as the option that sets it, for messages and the journal.
_LABELS: dict[str, str] = {setting: "--" + dest.replace("_", "-") for dest, setting in _OVERRIDES.items()}


def run(args: argparse.Namespace) -> int:
    if args.forget_target and not is_os_administrator():
        print(
            "station ship: --forget-target needs the operating system's administrator rights: "
            "it lets purge remove rows that target never received",
            file=sys.stderr,
        )
        return NO_PERMISSION
    cli = {
        setting: _value(getattr(args, dest))
        for dest, setting in _OVERRIDES.items()
        if getattr(args, dest) is not None
    }
    try:
        resolved = resolve_station_settings(cli=cli, cli_labels=_LABELS)
        refused = [line for line in resolved.refused if line.split(" ", 1)[0] in _LABELS.values()]
        if refused:
            raise SettingsError([("", f"{line}: refused") for line in refused])
        args.audit_db = Path(resolved.settings.audit_db)  # the journal the station writes
        if args.forget_target:
            return ship_cli.forget(args)
        config = resolved.settings.to_ship_config()
    except (SettingsError, PolicyError, ShipConfigError) as exc:
        print(f"station ship: {exc}", file=sys.stderr)
        return int(ExitCode.USAGE)
    return ship_cli.run_with_config(config, args)
