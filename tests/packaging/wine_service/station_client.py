"""The station service's own client over the Windows pipe: one readiness question, one verification.

    python.exe station_client.py PIPE_NAME PICTURE

Prints one JSON line: the readiness holds, the outcome and whether it is final. The client
modules are loaded by name, as in ``station_service.py``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from pathlib import Path

from station.service.win32_api import process_account
from station.service.windows_listener import pipe_connector
from tests.packaging.wine_service.station_service import errors_of, stand_in_unix_modules


async def ask(pipe: str, jpeg: bytes) -> dict[str, object]:
    stand_in_unix_modules()
    port_module = importlib.import_module("station.application.port")
    client = importlib.import_module("station.service.client")
    protocol = importlib.import_module("station.service.protocol")
    transport = importlib.import_module("station.service.transport")
    connector = pipe_connector(pipe, appear_within=30, errors=errors_of(protocol, transport))
    port = client.ServiceVerifier(connector)
    try:
        readiness = await port.refresh()
        report = await port.verify(port_module.Capture(jpeg, 1, "wine-test"))
        account = port.account  # as the service named this caller in its welcome
    finally:
        await port.close()
    return {
        "holds": [str(hold) for hold in readiness.holds],
        "outcome": str(report.outcome.kind.value),
        "final": bool(report.final),
        "account": account,
        "me": process_account().name,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(ask(sys.argv[1], Path(sys.argv[2]).read_bytes()))))
