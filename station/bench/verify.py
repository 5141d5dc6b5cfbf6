"""Verification timings through the real window, controller, client and emulator on loopback.

- ``ui_stall_max_ms``: a 1 ms precise Qt timer records when the UI event loop actually ran while
  one capture waits 1 s on the emulator's ``slow`` scenario; the longest gap is the stall.
- ``capture_to_request_ms``: from ``MainWindow.capture()`` (what Space does) to the first byte
  of the HTTP request arriving at a loopback TCP relay in front of the emulator. The relay asks
  the kernel for the arrival time (``SO_TIMESTAMPNS``) so a busy GIL cannot delay the stamp.
- ``verify_overhead_ms``: ``controller.submit(frame)`` to its ``finished`` signal, minus the
  emulator's own time for that request: the duration of its liveness handler (headers parsed →
  answer ready), from :meth:`Emulator.timing`.
- ``upload_bytes_1080p``: the JPEG the station sends for a 1080p frame at the default quality.
"""

from __future__ import annotations

import asyncio
import contextlib
import selectors
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import cv2
import httpx

from station.api.client import LivenessClient, RetryPolicy, Timeouts
from station.api.credentials import Credential
from station.api.environments import Environment
from station.api.schema import parse_liveness_response
from station.audit import AuditJournal
from station.bench.desk import bench_controller, bench_journal, timed_verification
from station.bench.frames import SyntheticCamera
from station.bench.qtsupport import TickRecorder, application, median, wait_signal
from station.camera import BGRImage
from station.core.decision import DecisionPolicy, decide
from station.core.encode import DEFAULT_JPEG_QUALITY, encode_jpeg
from station.emulator import LIVENESS_PATH, Emulator, Scenario
from station.ui.camera_feed import CameraFeed
from station.ui.main_window import MainWindow

__all__ = ["FirstByteRelay", "VerifyRig", "upload_sizes"]

_SO_TIMESTAMPNS = 35  # Linux <asm-generic/socket.h>; SCM_TIMESTAMPNS has the same value
_TIMESPEC = struct.Struct("@qq")


class FirstByteRelay:
    """A loopback TCP relay that notes when each HTTP request's first byte arrives.

    A request starts with the first client byte on a new connection, or the first client byte
    after the server has answered on a kept-alive one. Times are ``time.perf_counter`` values.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._starts: list[float] = []
        self.kernel_stamps = sys.platform == "linux"
        self._thread = threading.Thread(target=self._serve, name="bench-relay", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> FirstByteRelay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self._listener.close()

    def first_request_after(self, t0: float) -> float | None:
        with self._lock:
            later = [t for t in self._starts if t >= t0]
        return min(later) if later else None

    def _recv(self, sock: socket.socket, from_client: bool) -> tuple[bytes, float]:
        if from_client and self.kernel_stamps:
            data, ancillary, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(_TIMESPEC.size))
            now_perf, now_wall = time.perf_counter(), time.time()
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(payload) >= _TIMESPEC.size:
                    sec, nsec = _TIMESPEC.unpack(payload[: _TIMESPEC.size])
                    return data, now_perf - (now_wall - (sec + nsec / 1e9))
            return data, now_perf
        return sock.recv(1 << 16), time.perf_counter()

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        # socket -> (peer, from_client, shared state [awaiting a new request])
        links: dict[socket.socket, tuple[socket.socket, bool, list[bool]]] = {}
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(0.05):
                    if key.data is None:
                        client, _ = self._listener.accept()
                        if self.kernel_stamps:
                            try:
                                client.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
                            except OSError:
                                self.kernel_stamps = False
                        upstream = socket.create_connection(self._upstream)
                        for sock in (client, upstream):
                            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        state = [True]
                        links[client] = (upstream, True, state)
                        links[upstream] = (client, False, state)
                        selector.register(client, selectors.EVENT_READ, "link")
                        selector.register(upstream, selectors.EVENT_READ, "link")
                        continue
                    fileobj = key.fileobj
                    assert isinstance(fileobj, socket.socket)
                    sock = fileobj
                    peer, from_client, state = links[sock]
                    try:
                        data, stamp = self._recv(sock, from_client)
                    except OSError:
                        data, stamp = b"", time.perf_counter()
                    if not data:
                        for end in (sock, peer):
                            with contextlib.suppress(KeyError, ValueError):
                                selector.unregister(end)
                            links.pop(end, None)
                            end.close()
                        continue
                    if from_client and state[0]:
                        state[0] = False
                        with self._lock:
                            self._starts.append(stamp)
                    elif not from_client:
                        state[0] = True
                    try:
                        peer.sendall(data)
                    except OSError:
                        continue
        finally:
            for sock in list(links):
                sock.close()
            selector.close()


def upload_sizes(frame: BGRImage) -> dict[str, float]:
    """JPEG sizes (bytes) and the default encode time (ms) for one 1080p frame."""
    sizes: dict[str, float] = {
        "default": float(len(encode_jpeg(frame, DEFAULT_JPEG_QUALITY))),
        "q80": float(len(encode_jpeg(frame, 80))),
    }
    ok, opencv_default = cv2.imencode(".jpg", frame)  # OpenCV's own default quality is 95
    sizes["opencv_default"] = float(len(opencv_default)) if ok else float("nan")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        encode_jpeg(frame, DEFAULT_JPEG_QUALITY)
        times.append((time.perf_counter() - start) * 1000.0)
    sizes["encode_ms"] = median(times)
    return sizes


def _auth_headers(emulator: Emulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator.token}"}


def _naive_post(url: str, emulator: Emulator, jpeg: bytes) -> httpx.Response:
    """What a first version does on the UI thread: a new client and a blocking POST."""
    with httpx.Client(timeout=30.0) as client:
        return client.post(
            url + LIVENESS_PATH,
            files={"file": ("capture.jpg", jpeg, "application/octet-stream")},
            headers=_auth_headers(emulator),
        )


@dataclass
class VerifyRig:
    """The emulator, a relay in front of it, and a window + controller + client built like
    :func:`station.app.build_station` does (which cannot point a demo station at the relay)."""

    emulator: Emulator
    relay: FirstByteRelay
    window: MainWindow
    feed: CameraFeed
    client: LivenessClient
    journal: AuditJournal
    _journals: Any

    @classmethod
    def build(cls, pool: list[BGRImage]) -> VerifyRig:
        application()
        emulator = Emulator(scenario=Scenario.LIVE).start()
        relay = FirstByteRelay(("127.0.0.1", emulator.port)).start()
        client = make_client(emulator, relay.url)
        journals = bench_journal()
        journal = journals.__enter__()
        controller = bench_controller(client, journal)
        feed = CameraFeed(lambda: SyntheticCamera(pool, 30.0))
        window = MainWindow(controller, environment="sandbox", demo=True)
        window.preview.attach_source(feed.latest)
        feed.status_changed.connect(window.show_camera_status)
        feed.start()
        window.show()
        return cls(emulator, relay, window, feed, client, journal, journals)

    async def wait_live(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while self.window.preview.latest_frame() is None or self.window.preview.frames_painted < 3:
            if time.monotonic() > deadline:
                raise TimeoutError("the bench camera did not start")
            await asyncio.sleep(0.02)

    async def capture(self, timeout: float = 30.0) -> tuple[float, Any]:  # noqa: ASYNC109
        """Press Capture (as Space does); the perf_counter time of the press and the report."""
        await self.wait_live()
        finished = asyncio.ensure_future(wait_signal(self.window.controller.finished, timeout))
        await asyncio.sleep(0)  # the waiter is connected before the press
        pressed = time.perf_counter()
        self.window.capture()
        (report,) = await finished
        self.window.next_customer()
        await asyncio.sleep(0.03)  # a live frame or two before the next press
        return pressed, report

    async def aclose(self) -> None:
        await self.window.controller.wait_idle()
        self.feed.stop()
        self.window.close()
        self.window.deleteLater()
        await self.client.aclose()
        self.relay.stop()
        self.emulator.stop()
        self._journals.__exit__(None, None, None)


def make_client(emulator: Emulator, base_url: str) -> LivenessClient:
    return LivenessClient(
        Credential(Environment.SANDBOX, emulator.token),
        base_url=base_url,
        timeouts=Timeouts(connect=5, read=15, write=15, deadline=30),
        retry=RetryPolicy(attempts=1),
    )


async def measure_stall(rig: VerifyRig, frame: BGRImage, delay_s: float = 1.0) -> tuple[float, float, float]:
    """(real, naive) longest UI event-loop gap in ms while one verification waits ``delay_s``,
    and when the real one began (ms after the capture press)."""
    recorder = TickRecorder()
    rig.emulator.set_scenario(Scenario.SLOW, delay=delay_s)
    try:
        await rig.capture()  # warm: the connection is open, the scenario in place
        recorder.start()
        await asyncio.sleep(0.1)
        pressed, _report = await rig.capture()
        ended = time.perf_counter()
        real, real_at = recorder.max_gap_ms(pressed - 0.05, ended)

        done = asyncio.get_running_loop().create_future()

        def naive_capture() -> None:
            jpeg = encode_jpeg(frame, DEFAULT_JPEG_QUALITY)  # on the UI thread
            response = _naive_post(rig.emulator.base_url, rig.emulator, jpeg)
            done.set_result(response.status_code)

        await asyncio.sleep(0.1)
        start = time.perf_counter()
        asyncio.get_running_loop().call_soon(naive_capture)
        await done
        naive, _ = recorder.max_gap_ms(start - 0.05, time.perf_counter())
    finally:
        recorder.stop()
        rig.emulator.set_scenario(Scenario.LIVE)
    return real, naive, real_at - 50.0


async def measure_capture_to_request(
    rig: VerifyRig, frame: BGRImage, samples: int
) -> tuple[list[float], list[float]]:
    """(real, naive) ms from the capture action to the request's first byte at the relay."""
    real: list[float] = []
    await rig.capture()  # warm-up: connection open
    for _ in range(samples):
        pressed, _report = await rig.capture()
        first = rig.relay.first_request_after(pressed)
        if first is not None:
            real.append((first - pressed) * 1000.0)
    naive: list[float] = []
    for _ in range(samples):
        pressed = time.perf_counter()
        jpeg = encode_jpeg(frame, DEFAULT_JPEG_QUALITY)  # on the UI thread, then a blocking POST
        _naive_post(rig.relay.url, rig.emulator, jpeg)
        first = rig.relay.first_request_after(pressed)
        if first is not None:
            naive.append((first - pressed) * 1000.0)
        await asyncio.sleep(0.02)
    return real, naive


async def measure_overhead(
    rig: VerifyRig, frame: BGRImage, samples: int
) -> tuple[list[float], list[float], list[float]]:
    """(real overhead ms, naive overhead ms, emulator ms) for verifications of a 1080p frame.

    Real: a controller with its own long-lived client straight to the emulator (no relay),
    Space (``try_capture``) → ``finished``. Naive: encode + a new httpx client + blocking POST + parse
    + decide, inline. Each minus the emulator's handler time for the same request.
    """
    client = make_client(rig.emulator, rig.emulator.base_url)
    controller = bench_controller(client, rig.journal)
    policy = DecisionPolicy()
    real: list[float] = []
    server_ms: list[float] = []
    naive: list[float] = []
    try:
        with rig.emulator.timing() as durations:
            for index in range(samples + 2):
                seen = len(durations)
                _, total_ms = await timed_verification(controller, frame)
                if index >= 2 and len(durations) == seen + 1:  # two warm-ups
                    real.append(total_ms - durations[seen] * 1000.0)
                    server_ms.append(durations[seen] * 1000.0)
            for _ in range(samples):
                seen = len(durations)
                start = time.perf_counter()
                jpeg = encode_jpeg(frame, DEFAULT_JPEG_QUALITY)
                response = _naive_post(rig.emulator.base_url, rig.emulator, jpeg)
                decide(parse_liveness_response(response.content), policy)
                total = time.perf_counter() - start
                if len(durations) == seen + 1:
                    naive.append((total - durations[seen]) * 1000.0)
                await asyncio.sleep(0.01)
    finally:
        await controller.wait_idle()
        await client.aclose()
    return real, naive, server_ms
