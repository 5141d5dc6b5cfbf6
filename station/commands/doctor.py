"""``station doctor [--json]``: does this station's real configuration let it serve customers?

One line per item (policy, service, camera, journal, token, service host, supervisors,
shipping), ``PASS``/``WARN``/``FAIL``, the detail and what to do; ``--json`` prints the same as
one JSON object for fleet tooling. Exit codes: 0 the station can serve customers (warnings may be
listed), 1 it cannot (at least one FAIL), 64 a usage error. Run it as the account the station
service runs as (``sudo -u station /opt/station/station doctor``): the journal and the token are
that account's. See :mod:`station.application.doctor`.
"""

from __future__ import annotations

import argparse
import json
import sys
from enum import IntEnum
from typing import TextIO

from station.application.doctor import DoctorParts, DoctorReport, run_doctor

__all__ = ["DoctorExit", "add_arguments", "print_report", "run"]


class DoctorExit(IntEnum):
    CAN_SERVE = 0
    CANNOT_SERVE = 1
    USAGE = 64


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object, for fleet tooling")
    parser.epilog = "Exit status: 0 the station can serve customers, 1 it cannot (a FAIL line), 64 usage."


def exit_code(report: DoctorReport) -> DoctorExit:
    return DoctorExit.CAN_SERVE if report.can_serve else DoctorExit.CANNOT_SERVE


def print_report(report: DoctorReport, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        document = {
            "can_serve": report.can_serve,
            "exit_code": int(exit_code(report)),
            "items": [finding.as_dict() for finding in report.findings],
        }
        print(json.dumps(document, indent=2), file=out)
        return
    for finding in report.findings:
        print(finding.line(), file=out)
    verdict = "can serve customers" if report.can_serve else "CANNOT serve customers"
    print(f"station doctor: this station {verdict}", file=out)


def run(args: argparse.Namespace, parts: DoctorParts | None = None) -> int:
    if parts is None and sys.platform != "win32":
        from station.service.client import service_probe  # the Unix socket's client

        parts = DoctorParts(service=service_probe())
    report = run_doctor(parts)
    print_report(report, as_json=bool(args.json), out=sys.stdout)
    return int(exit_code(report))
