"""A client of the station service in a process of its own, run by the two-process tests under
another account: ``python -m tests.service.probe SOCKET ACTION [ARG...]``; prints one JSON object.

Actions: ``verify OPERATOR`` (sign in as OPERATOR, send the sample face, refresh again),
``sign-in OPERATOR...`` (each id's answer), ``read PATH...`` (whether this account can open each).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from station.application.port import Capture
from station.application.readiness import Readiness
from station.resources import sample_path
from station.service.client import connect_port


def _holds(readiness: Readiness) -> list[list[str]]:
    return [[hold.reason.value, hold.message] for hold in readiness.holds]


async def _verify(socket: Path, operator: str) -> dict[str, Any]:
    port = await connect_port(socket)
    out: dict[str, Any] = {"account": port.account, "readiness": _holds(port.readiness())}
    identity = await port.authenticate_operator(operator, None)
    out["operator"] = identity.operator_id if identity is not None else None
    jpeg = sample_path("face.jpg").read_bytes()
    report = await port.verify(Capture(jpeg, frame_sequence=1, session_id="s-probe", customer_ref="CIF-1"))
    out["report"] = {
        "kind": report.kind.value,
        "error_kind": report.error_kind.value if report.error_kind else None,
        "final": report.final,
        "sequence": report.audit_sequence,
        "message": report.message,
    }
    out["after"] = _holds(await port.refresh())
    await port.close()
    return out


async def _sign_in(socket: Path, operators: list[str]) -> dict[str, Any]:
    port = await connect_port(socket)
    answers = {}
    for operator in operators:
        identity = await port.authenticate_operator(operator, None)
        answers[operator] = identity.operator_id if identity is not None else None
    await port.close()
    return {"account": port.account, "readiness": _holds(port.readiness()), "signed_in": answers}


def _read(paths: list[str]) -> dict[str, Any]:
    readable = {}
    for name in paths:
        try:
            with open(name, "rb") as opened:
                opened.read(1)
            readable[name] = True
        except OSError:
            readable[name] = False
    return {"readable": readable}


def main(argv: list[str]) -> int:
    socket, action, *rest = argv
    if action == "verify":
        out = asyncio.run(_verify(Path(socket), rest[0]))
    elif action == "sign-in":
        out = asyncio.run(_sign_in(Path(socket), rest))
    elif action == "read":
        out = _read(rest)
    else:
        raise SystemExit(f"unknown action {action}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
