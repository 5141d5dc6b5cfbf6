"""``python -m station.emulator.measure``: the figures behind the emulator's server stack.

What it measures, on this machine (Linux: memory is read from ``/proc``):

- ``start_ms``: ``Emulator(detector=...).start()`` in this process (bind, listen, thread); the
  face detector is built before the clock starts, as the GUI shares one.
- ``first_answer_ms``: the first request after ``start()``, which also loads the server stack on
  the server's thread (the price deferred out of the demo's start-up).
- ``answer_ms``: median of 20 liveness answers for the picture, one at a time.
- In a separate ``python -m station.emulator`` process: ``rss_idle_mb`` after start,
  ``rss_ready_mb`` after the first request, then 200 simultaneous liveness requests
  (``answered_of_200``, ``burst_s``, ``burst_peak_mb``, ``mb_per_request`` = (peak - ready) / 200),
  then 40 clients each starting a 31 MB body without a token (``refused_of_40``,
  ``oversize_peak_mb``).

The picture is ``--picture PATH`` (the README's figures: ``resources/samples/face.jpg``), or else
a generated 512 px one; the face detector searches the whole frame either way, so the cost is
alike. Quiet machine only: the numbers move with load. ``--json`` prints one object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from station.core.encode import encode_jpeg
from station.emulator.endpoints import BALANCE_PATH, DEFAULT_TOKEN, LIVENESS_PATH
from station.emulator.server import Emulator
from station.vision.faces import FaceDetector

__all__ = ["main", "measure"]

_AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
_BURST = 200
_OVERSIZE_CLIENTS = 40
_OVERSIZE_BYTES = 31 * 1024 * 1024


def _memory_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def _upload(picture: bytes) -> tuple[bytes, str]:
    files = {"file": ("picture.jpg", picture, "application/octet-stream")}
    request = httpx.Request("POST", "http://127.0.0.1/", files=files)
    return request.read(), request.headers["Content-Type"]


def _generated_picture() -> bytes:
    """512 x 512 of smooth shapes and noise: the detector's full search, no file needed."""
    rng = np.random.default_rng(12)
    ramp = np.linspace(0, 255, 512, dtype=np.float32)
    grey = (ramp[None, :] * 0.5 + ramp[:, None] * 0.3 + rng.normal(0, 12, (512, 512))).clip(0, 255)
    return encode_jpeg(np.repeat(grey.astype(np.uint8)[:, :, None], 3, axis=2))


def _in_process(picture: bytes) -> dict[str, float]:
    detector = FaceDetector()
    body, content_type = _upload(picture)
    started = time.perf_counter()
    emulator = Emulator(detector=detector).start()
    start_ms = (time.perf_counter() - started) * 1000
    try:
        with httpx.Client(base_url=emulator.base_url, headers=_AUTH, trust_env=False, timeout=60) as http:
            started = time.perf_counter()
            http.get(BALANCE_PATH).raise_for_status()
            first_ms = (time.perf_counter() - started) * 1000
            answers = []
            for _ in range(20):
                started = time.perf_counter()
                http.post(
                    LIVENESS_PATH, content=body, headers={"Content-Type": content_type}
                ).raise_for_status()
                answers.append((time.perf_counter() - started) * 1000)
    finally:
        emulator.stop()
    return {"start_ms": start_ms, "first_answer_ms": first_ms, "answer_ms": statistics.median(answers)}


async def _burst(port: int, request: bytes) -> list[int]:
    async def one(opened: asyncio.Barrier) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await opened.wait()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            return int(head.split(b" ", 2)[1])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            return 0
        finally:
            writer.close()

    opened = asyncio.Barrier(_BURST)
    async with asyncio.timeout(300):
        return await asyncio.gather(*(one(opened) for _ in range(_BURST)))


def _oversize_without_token(port: int) -> int:
    """Start a 31 MB body without a token and stop sending at the answer; its status (0: none)."""
    head = (
        f"POST {LIVENESS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {_OVERSIZE_BYTES}\r\n\r\n"
    ).encode()
    megabyte = memoryview(b"\0" * (1024 * 1024))
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        sent = 0
        while True:
            wanted = [sock] if sent < _OVERSIZE_BYTES else []
            readable, writable, _ = select.select([sock], wanted, [], 60)
            if readable:
                answer = sock.recv(4096)
                return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            if not writable:
                return 0
            try:
                sent += sock.send(megabyte[: _OVERSIZE_BYTES - sent])
            except OSError:
                return 0


def _in_subprocess(picture: bytes) -> dict[str, float]:
    body, content_type = _upload(picture)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "station.emulator", "--port", "0"]
    with subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as child:
        try:
            assert child.stdout is not None
            base_url = child.stdout.readline().split("Surepass emulator on ", 1)[1].split(" ", 1)[0]
            port = int(base_url.rsplit(":", 1)[1])
            idle = _memory_mb(child.pid, "VmRSS")
            with httpx.Client(base_url=base_url, headers=_AUTH, trust_env=False, timeout=60) as http:
                http.post(
                    LIVENESS_PATH, content=body, headers={"Content-Type": content_type}
                ).raise_for_status()
            ready = _memory_mb(child.pid, "VmRSS")
            head = (
                f"POST {LIVENESS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {DEFAULT_TOKEN}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            statuses = asyncio.run(_burst(port, head + body))
            burst_s = time.perf_counter() - started
            burst_peak = _memory_mb(child.pid, "VmHWM")
            with ThreadPoolExecutor(_OVERSIZE_CLIENTS) as pool:
                refused = list(pool.map(lambda _: _oversize_without_token(port), range(_OVERSIZE_CLIENTS)))
            oversize_peak = _memory_mb(child.pid, "VmHWM")
        finally:
            child.terminate()
            child.wait(20)
    return {
        "rss_idle_mb": idle,
        "rss_ready_mb": ready,
        "answered_of_200": float(statuses.count(200)),
        "burst_s": burst_s,
        "burst_peak_mb": burst_peak,
        "mb_per_request": (burst_peak - ready) / _BURST,
        "refused_of_40": float(refused.count(401)),
        "oversize_peak_mb": oversize_peak,
    }


def measure(picture: bytes | None = None) -> dict[str, float]:
    """Every figure above, in one dictionary."""
    picture = picture if picture is not None else _generated_picture()
    return {**_in_process(picture), **_in_subprocess(picture)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m station.emulator.measure", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--picture", type=Path, metavar="PATH", help="the picture to upload (a JPEG)")
    args = parser.parse_args(argv)
    picture = args.picture.read_bytes() if args.picture is not None else None
    figures: dict[str, Any] = {key: round(value, 2) for key, value in measure(picture).items()}
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:18} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
