"""A minimal station service for the Wine test: the real service entry and pipe, an echo dispatcher.

    python.exe echo_service.py SERVICE_NAME PIPE_NAME

Runs under the Windows CPython as a Windows service (``sc start``). Each request comes back as
JSON with who sent it, as the pipe names the caller, and who answered (this process). Stands in
for the verifier port's server, which plugs into the same ``dispatch`` seam. Started from a
console instead, it says so and exits 2 (what ``station-console.exe service run`` does).
"""

from __future__ import annotations

import json
import os
import sys

from station.service.win32_api import process_account
from station.service.windows_pipe import PipePeer
from station.service.windows_service import NotStartedByServiceManagerError, run


def echo(request: bytes, peer: PipePeer) -> bytes:
    me = process_account()
    answer = {
        "echo": request.decode("utf-8"),
        "caller": {"account": peer.account, "sid": peer.sid, "pid": peer.pid},
        "service": {"account": me.name, "sid": me.sid, "pid": os.getpid()},
    }
    return json.dumps(answer).encode("utf-8")


def main(service_name: str, pipe_name: str) -> int:
    try:
        run(service_name, pipe_name, echo)
    except NotStartedByServiceManagerError as exc:
        print(f"station service: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
