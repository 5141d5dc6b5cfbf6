"""The client side for the Wine test: one request over the service's pipe, the answer as JSON.

    python.exe pipe_client.py PIPE_NAME MESSAGE     # one request, one answer
    python.exe pipe_client.py PIPE_NAME --oversize  # announce a frame over the limit
    python.exe pipe_client.py PIPE_NAME --hangup    # connect and leave without a word

Prints one JSON line: the service's answer (or how the service ended the connection), this
process's own id and account, and the service's process id as the pipe names it.
"""

from __future__ import annotations

import ctypes
import json
import os
import struct
import sys

from station.service.win32_api import process_account
from station.service.windows_pipe import MAX_MESSAGE, PipeClosedError, PipeTransport, connect


def oversize(transport: PipeTransport) -> object:
    """A length over the limit, then bytes: the service must drop the connection unanswered."""
    raw = struct.pack(">I", MAX_MESSAGE + 1) + b"x" * 1024
    k32 = transport._io._k32  # the raw header: send() itself refuses an oversize message
    transport._io.overlapped(
        "WriteFile",
        lambda ov: bool(k32.WriteFile(transport._io.handle, raw, len(raw), None, ctypes.byref(ov))),
        30,
    )
    try:
        return {"unexpected_answer": transport.receive(timeout=60).decode("utf-8", "replace")}
    except PipeClosedError:
        return "closed"


def main(pipe_name: str, message: str) -> int:
    transport = connect(pipe_name, timeout=30)
    try:
        server_pid = transport.server_pid()
        if message == "--hangup":
            answer: object = "hung up"  # connected, said nothing, gone
        elif message == "--oversize":
            answer = oversize(transport)
        else:
            transport.send(message.encode("utf-8"))
            answer = json.loads(transport.receive(timeout=60))
    finally:
        transport.close()
    me = process_account()
    mine = {"pid": os.getpid(), "account": me.name, "sid": me.sid, "server_pid": server_pid}
    print(json.dumps({"answer": answer, **mine}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
