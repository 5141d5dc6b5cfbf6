"""The emulator under a hostile client (issue 12): each test names the figure it checks.

Before the rebuild: 27-35 of 200 simultaneous requests answered; 3.7 GB for 40 oversize bodies
without a token; 2.1 GB for a 1 GiB chunked body; 33 s of CPU for 60,000 form parts; no answer to
JSON nested 100,000 deep; handler threads held ~40 minutes by a link server dripping a byte a
second; 2.4 GB per pixel-bomb upload.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from station.emulator import CONTROL_PATH, LIVENESS_PATH, Emulator, Limits
from station.emulator.limits import (
    LINK_DEADLINE_SECONDS,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    MAX_PARTS,
)
from station.vision.faces import DetectedFace, FaceDetector

from .conftest import sample_bytes
from .contract import UNAUTHORIZED, assert_liveness_body
from .hostile import (
    chunked,
    emulator_process,
    peak_rss_mb,
    png_bomb,
    repeated,
    request_head,
    send_until_answered,
)

#: Issue 12's figures.
SIMULTANEOUS = 200
OVERSIZE_CLIENTS = 40
OVERSIZE_BYTES = 31 * 1024 * 1024
EMULATOR_BUDGET_MB = 300
BOMB_REFUSED_SECONDS = 1.0
MANY_PARTS = 60_000
MANY_PARTS_REFUSED_SECONDS = 5.0  # was 33 s of CPU; parsing stops at part MAX_PARTS + 1
DEEP_JSON = 100_000


def _auth(token: str = "demo-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _form(files: dict[str, Any] | None = None, data: dict[str, str] | None = None) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://127.0.0.1/", files=files, data=data)
    return request.read(), request.headers["Content-Type"]


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


class _CountingDetector(FaceDetector):
    """The real detector, counting how many pictures it searches at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.active = 0
        self.most = 0

    def detect(self, image: np.ndarray) -> list[DetectedFace]:  # type: ignore[override]
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            return super().detect(image)
        finally:
            with self._lock:
                self.active -= 1


async def _raw_exchange(port: int, request: bytes, opened: asyncio.Barrier) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await opened.wait()  # every connection is open before any request is sent
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return status, await reader.readexactly(length)
    finally:
        writer.close()


def test_200_simultaneous_valid_requests_are_all_answered() -> None:
    """Figure: 200 of 200 answered with a valid 200 (was 27-35); at most 2 analyses at once."""
    detector = _CountingDetector()
    body, content_type = _form({"file": ("face.jpg", sample_bytes("face.jpg"), "application/octet-stream")})
    with Emulator(detector=detector) as emulator:
        head = request_head(
            "POST",
            LIVENESS_PATH,
            {**_auth(), "Content-Type": content_type, "Content-Length": str(len(body))},
        )

        async def everyone() -> list[tuple[int, bytes]]:
            opened = asyncio.Barrier(SIMULTANEOUS)
            exchanges = [_raw_exchange(emulator.port, head + body, opened) for _ in range(SIMULTANEOUS)]
            async with asyncio.timeout(120):
                return await asyncio.gather(*exchanges)

        answers = asyncio.run(everyone())
    statuses = [status for status, _ in answers]
    print(f"{statuses.count(200)} of {SIMULTANEOUS} answered, {detector.most} analyses at once at most")
    assert statuses.count(200) == SIMULTANEOUS, f"{statuses.count(200)} of {SIMULTANEOUS} answered 200"
    for _, payload in answers:
        assert assert_liveness_body(json.loads(payload))["face_count"] == 1
    assert emulator.requests_received == SIMULTANEOUS
    assert 1 <= detector.most <= emulator.limits.analysis_workers, f"{detector.most} analyses at once"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb()


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the emulator's peak memory in /proc"
)
def test_oversize_bodies_and_bombs_leave_the_emulator_under_300_mb(bomb: bytes) -> None:
    """Figure: the emulator process's peak RSS (VmHWM) stays under 300 MB while it refuses 40
    oversize bodies without a token (401), 40 with one (413), 1 GiB chunked with and without a
    token, and four pixel bombs at once (422, each within a second). Was 3.7 GB and 2.1 GB."""
    megabyte = b"\0" * (1024 * 1024)
    bomb_body, bomb_type = _form({"file": ("bomb.png", bomb, "application/octet-stream")})
    with emulator_process() as (process, base_url):
        port = _port(base_url)
        with httpx.Client(base_url=base_url, trust_env=False, timeout=30) as http:
            assert http.get("/api/v1/utils/usage/balance", headers=_auth()).status_code == 200  # warm
        start_mb = peak_rss_mb(process.pid)

        def oversize(token: bool, chunked_body: bool) -> int:
            headers = {"Content-Type": "multipart/form-data; boundary=x", **(_auth() if token else {})}
            if chunked_body:
                headers["Transfer-Encoding"] = "chunked"
                body = chunked(megabyte, 1024 * 1024 * 1024)
            else:
                headers["Content-Length"] = str(OVERSIZE_BYTES)
                body = repeated(megabyte, OVERSIZE_BYTES)
            return send_until_answered(port, request_head("POST", LIVENESS_PATH, headers), body)[0]

        def bomb_upload() -> tuple[int, float]:
            headers = {**_auth(), "Content-Type": bomb_type, "Content-Length": str(len(bomb_body))}
            started = time.monotonic()
            status, _ = send_until_answered(
                port, request_head("POST", LIVENESS_PATH, headers), iter([bomb_body])
            )
            return status, time.monotonic() - started

        with ThreadPoolExecutor(OVERSIZE_CLIENTS) as pool:
            anonymous = list(pool.map(lambda _: oversize(False, False), range(OVERSIZE_CLIENTS)))
            with_token = list(pool.map(lambda _: oversize(True, False), range(OVERSIZE_CLIENTS)))
            huge_chunked = list(pool.map(lambda token: oversize(token, True), (False, True)))
            bombs = list(pool.map(lambda _: bomb_upload(), range(4)))
        peak = peak_rss_mb(process.pid)
    figures = f"peak {peak:.0f} MB (at start {start_mb:.0f} MB); bombs {[round(s, 2) for _, s in bombs]} s"
    print(figures)
    assert anonymous == [401] * OVERSIZE_CLIENTS, figures
    assert with_token == [413] * OVERSIZE_CLIENTS, figures
    assert huge_chunked == [401, 413], figures
    assert [status for status, _ in bombs] == [422] * 4, figures
    assert all(seconds < BOMB_REFUSED_SECONDS for _, seconds in bombs), figures
    assert peak < EMULATOR_BUDGET_MB, figures


@pytest.fixture
def port(emulator: Emulator) -> int:
    return emulator.port


def _raw(port: int, data: bytes, *, timeout: float = 20.0) -> bytes:
    """Send ``data`` and read until the server closes or a whole answer head has arrived."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
        return answer


@pytest.mark.parametrize("size_line", [b"-1", b"+10", b"0x10", b"fffffffffffffffffffff", b"1 0"])
def test_bad_chunk_sizes_are_refused_with_400(port: int, size_line: bytes) -> None:
    """Figure: a chunk size of -1 (and other malformed ones) answered 400 at once."""
    head = request_head("POST", LIVENESS_PATH, {**_auth(), "Transfer-Encoding": "chunked"})
    answer = _raw(port, head + size_line + b"\r\nabc\r\n")
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n", 1)[0]


def test_a_gigabyte_chunked_with_a_token_is_cut_at_the_cap(emulator: Emulator) -> None:
    """Figure: 413 after at most MAX_BODY_BYTES (20 MiB + 64 KiB) of a 1 GiB chunked body."""
    headers = {**_auth(), "Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked"}
    sent = 0

    def counted() -> Iterator[bytes]:
        nonlocal sent
        for piece in chunked(b"\0" * 65536, 1024 * 1024 * 1024):
            sent += len(piece)
            yield piece

    status, answer = send_until_answered(
        emulator.port, request_head("POST", LIVENESS_PATH, headers), counted()
    )
    assert status == 413, answer[:200]
    # The kernel's socket buffers hold a few MB more than the emulator read; never the gigabyte.
    assert sent < MAX_BODY_BYTES + 64 * 1024 * 1024, f"{sent / 2**20:.0f} MiB sent before the refusal"


def test_60000_form_parts_are_refused_fast(client: httpx.Client) -> None:
    """Figure: 413 too_many_parts within 5 s (was 33 s of CPU), parsing stops at part 9."""
    body, content_type = _form({f"f{i}": (None, "v") for i in range(MANY_PARTS)})
    started = time.monotonic()
    response = client.post(LIVENESS_PATH, content=body, headers={"Content-Type": content_type})
    seconds = time.monotonic() - started
    print(f"60,000 parts refused in {seconds:.2f} s")
    assert response.status_code == 413, response.text
    assert response.json()["message_code"] == "too_many_parts"
    assert f"more than {MAX_PARTS} form parts" in response.json()["message"]
    assert seconds < MANY_PARTS_REFUSED_SECONDS, f"refused in {seconds:.2f} s"


@pytest.mark.parametrize("path", [LIVENESS_PATH, CONTROL_PATH])
def test_json_nested_100000_deep_is_answered_400(client: httpx.Client, path: str) -> None:
    """Figure: 400 json_too_deep (was a RecursionError and no answer)."""
    body = b"[" * DEEP_JSON + b"]" * DEEP_JSON
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message_code"] == "json_too_deep"
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json()["message"]


def test_json_body_over_its_cap_is_413(client: httpx.Client) -> None:
    response = client.post(LIVENESS_PATH, json={"link": "http://127.0.0.1/" + "x" * 70_000})
    assert response.status_code == 413


def test_the_token_is_checked_before_100_continue(port: int) -> None:
    """A client without the token is refused before it sends a byte of its body."""
    headers = {
        "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": str(OVERSIZE_BYTES),
        "Expect": "100-continue",
    }
    refused = _raw(port, request_head("POST", LIVENESS_PATH, headers))
    assert refused.startswith(b"HTTP/1.1 401 ")
    assert b"100 Continue" not in refused
    welcome = _raw(
        port, request_head("POST", LIVENESS_PATH, {**headers, "Content-Length": "1000", **_auth()})
    )
    assert welcome.startswith(b"HTTP/1.1 100 Continue\r\n")
    too_big = _raw(port, request_head("POST", LIVENESS_PATH, {**headers, **_auth()}))
    assert too_big.startswith(b"HTTP/1.1 413 ")


def test_unauthorised_bodies_are_not_read(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.base_url, trust_env=False, timeout=30) as http:
        response = http.post(
            LIVENESS_PATH, files={"file": ("face.jpg", sample_bytes("face.jpg"), "application/octet-stream")}
        )
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    record = emulator.last_request
    assert record is not None
    assert (record.fields, record.file_size) == ((), None)  # refused before the body was read


def test_a_pixel_bomb_is_refused_within_a_second(
    client: httpx.Client, emulator: Emulator, bomb: bytes
) -> None:
    """Figure: 422 image_too_large in under 1 s (was 2.4 GB and seconds of decoding)."""
    assert client.get(CONTROL_PATH).status_code == 200  # the server stack is loaded
    started = time.monotonic()
    response = client.post(LIVENESS_PATH, files={"file": ("bomb.png", bomb, "application/octet-stream")})
    seconds = time.monotonic() - started
    print(f"pixel bomb refused in {seconds:.3f} s")
    assert response.status_code == 422
    assert response.json()["message_code"] == "image_too_large"
    assert "20000x20000 pixels" in response.json()["message"]
    assert seconds < BOMB_REFUSED_SECONDS, f"refused in {seconds:.2f} s"
    assert emulator.balance == 1000  # not charged


class _DripServer:
    """A loopback server that answers a GET with headers and then one body byte a second."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.abandoned = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/face.jpg"

    def __enter__(self) -> _DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(10)

    def _serve(self) -> None:
        self._listener.settimeout(30)
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not self._stop.wait(1.0):  # the drip: one byte a second, by design
                    connection.sendall(b"\xff")
            except OSError:
                self.abandoned.set()  # the emulator hung up


def test_a_link_server_that_drips_is_abandoned(client: httpx.Client) -> None:
    """Figure: answered ok:false about LINK_DEADLINE_SECONDS (5 s) after the fetch began, and the
    dripping connection closed (was no answer after 40 s and threads busy ~40 minutes)."""
    with _DripServer() as drip:
        started = time.monotonic()
        response = client.post(LIVENESS_PATH, json={"link": drip.url}, timeout=60)
        seconds = time.monotonic() - started
        print(f"dripping link abandoned, answered in {seconds:.1f} s")
        detail = assert_liveness_body(response.json())
        assert detail["ok"] is False
        assert detail["reason"].startswith("link_unreachable")
        assert f"within {LINK_DEADLINE_SECONDS:g} s" in detail["reason"]
        assert LINK_DEADLINE_SECONDS - 0.5 <= seconds < LINK_DEADLINE_SECONDS + 10, (
            f"answered in {seconds:.1f} s"
        )
        assert drip.abandoned.wait(10), "the emulator kept the dripping connection open"


def test_idle_connections_are_closed_and_do_not_lock_it(detector: FaceDetector) -> None:
    """Figure: 300 idle connections; a valid request is answered meanwhile, and every idle one is
    closed within the idle time (1 s here, IDLE_SECONDS = 15 s by default) plus a margin."""
    with Emulator(detector=detector, limits=Limits(idle_seconds=1.0)) as emulator:
        idle = [socket.create_connection(("127.0.0.1", emulator.port), timeout=20) for _ in range(300)]
        dripping = socket.create_connection(("127.0.0.1", emulator.port), timeout=20)
        dripping.sendall(b"GET /api/v1/utils/usage/balance HTTP/1.1\r\nHost: x\r\n")  # never finished
        try:
            with httpx.Client(
                base_url=emulator.base_url, headers=_auth(), trust_env=False, timeout=20
            ) as http:
                response = http.post(
                    LIVENESS_PATH,
                    files={"file": ("face.jpg", sample_bytes("face.jpg"), "application/octet-stream")},
                )
            assert response.status_code == 200
            started = time.monotonic()
            closed = sum(sock.recv(1) == b"" for sock in [*idle, dripping])
            assert closed == 301, f"{closed} of 301 closed by the emulator"
            assert time.monotonic() - started < 15
        finally:
            for sock in [*idle, dripping]:
                sock.close()


def test_a_body_that_drips_is_cut_off(detector: FaceDetector) -> None:
    with Emulator(detector=detector, limits=Limits(body_deadline_seconds=1.0)) as emulator:
        headers = {**_auth(), "Content-Type": "application/json", "Content-Length": "100"}
        with socket.create_connection(("127.0.0.1", emulator.port), timeout=20) as sock:
            sock.sendall(request_head("POST", LIVENESS_PATH, headers) + b'{"link":')
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408 ")


def test_control_endpoint_needs_the_token(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as anonymous:
        assert anonymous.get(CONTROL_PATH).status_code == 401
        response = anonymous.post(CONTROL_PATH, json={"name": "spoof"})
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
    assert emulator.scenario.name == "auto"
