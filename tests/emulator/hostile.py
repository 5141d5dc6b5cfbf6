"""What an attacker sends, made here: pixel bombs, oversize and malformed bodies, and the means to
measure a process while it receives them (peak memory from /proc or wait4, time to refuse)."""

from __future__ import annotations

import os
import re
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from station.resources import resources_root

REPO = resources_root().parent


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side: int = 20_000) -> bytes:
    """A valid grey PNG of ``side`` x ``side`` black pixels: about 390 kB that decodes to 1.2 GB
    as BGR (the file from issue 12). Written by hand: the rows compress 1000:1."""
    compressor = zlib.compressobj(9)
    row = bytes(side + 1)  # filter byte 0, then the pixels
    rows_per_block = 256
    block = row * rows_per_block
    parts = [compressor.compress(block) for _ in range(side // rows_per_block)]
    parts.append(compressor.compress(row * (side % rows_per_block)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def png_header_only(width: int, height: int) -> bytes:
    """Just a PNG's signature and IHDR: enough for any decoder to allocate the frame."""
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    seconds: float


#: Runs a module as ``python -m`` would and, at exit, writes the process's own peak resident memory.
#: VmHWM belongs to the memory map ``exec`` made, so it is the child's own figure: ``wait4``'s
#: ``ru_maxrss`` also carries the forking parent's size (a full pytest run is several hundred MB).
_MEASURED_CHILD = """
import atexit, re, runpy, sys
from pathlib import Path
report = sys.argv.pop(1)
module = sys.argv.pop(1)
def _peak():
    kib = re.search(r"^VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    Path(report).write_text(kib.group(1) if kib else "0")
atexit.register(_peak)
sys.argv[0] = module
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_measured(args: list[str], *, timeout: float = 120.0) -> Measured:
    """Run ``python -m MODULE ARGS…`` in the repository and report its own peak RSS (VmHWM)."""
    if args[:1] != ["-m"] or len(args) < 2:
        raise ValueError("run_measured runs a module: ['-m', 'station', ...]")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak-kib"
        started = time.monotonic()
        process = subprocess.run(
            [sys.executable, "-c", _MEASURED_CHILD, str(report), *args[1:]],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        seconds = time.monotonic() - started
        peak_kib = int(report.read_text() or 0) if report.exists() else 0
    return Measured(process.returncode, process.stdout, process.stderr, peak_kib / 1024, seconds)


def peak_rss_mb(pid: int) -> float:
    """A running process's peak resident memory so far (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None, status
    return int(match.group(1)) / 1024


@contextmanager
def emulator_process(*extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m station.emulator --port 0`` in its own process; yields it and its base URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "station.emulator", "--port", "0", *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert "Surepass emulator on " in line, line + (process.stderr.read() if process.stderr else "")
            yield process, line.split("Surepass emulator on ", 1)[1].split(" ", 1)[0]
        finally:
            process.terminate()
            process.communicate(timeout=20)


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def send_until_answered(
    port: int, head: bytes, body_chunks: Iterator[bytes], *, timeout: float = 60.0
) -> tuple[int, bytes]:
    """Send ``head`` then body chunks until the server answers, as curl does: returns the status
    and the start of the answer. A server that closes without answering gives status 0."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        pending = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
            while time.monotonic() < deadline:
                for _, events in selector.select(timeout=1.0):
                    if events & selectors.EVENT_READ:
                        try:
                            data = sock.recv(65536)
                        except ConnectionError:
                            data = b""
                        answer += data
                        if not data or b"\r\n\r\n" in answer:
                            return _status(answer), answer
                    if events & selectors.EVENT_WRITE:
                        if not pending:
                            pending = next(body_chunks, b"")
                            if not pending:
                                selector.modify(sock, selectors.EVENT_READ)
                                continue
                        try:
                            pending = pending[sock.send(pending) :]
                        except (BlockingIOError, InterruptedError):
                            pass
                        except ConnectionError:
                            selector.modify(sock, selectors.EVENT_READ)
        raise TimeoutError("no answer")


def _status(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match.group(1)) if match else 0


#: The start of a form whose ``file`` part then runs on for as long as the client likes.
ENDLESS_FILE_PART = (
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
)


def repeated(chunk: bytes, total: int, *, first: bytes = ENDLESS_FILE_PART) -> Iterator[bytes]:
    """``first``, then ``total`` bytes as repeats of one shared ``chunk`` (never the whole body
    in memory)."""
    yield first
    sent = len(first)
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


def chunked(chunk: bytes, total: int, *, first: bytes = ENDLESS_FILE_PART) -> Iterator[bytes]:
    """``first`` then ``total`` bytes of ``chunk`` repeats, as a chunked transfer-coding."""
    yield f"{len(first):x}\r\n".encode() + first + b"\r\n"
    size = f"{len(chunk):x}\r\n".encode()
    for piece in repeated(chunk, total):
        yield (size if len(piece) == len(chunk) else f"{len(piece):x}\r\n".encode()) + piece + b"\r\n"
    yield b"0\r\n\r\n"
