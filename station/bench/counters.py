"""The two stations the scripted day compares, as the operator's hands meet them: Space, the
picture's guide, Enter.

* :class:`StationCounter` — the real station: :meth:`MainWindow.capture` (what Space does) on the
  window of :func:`station.app.build_station`, its controller, customer session, quality gate,
  verifier, client and journal. Nothing is bypassed.
* :class:`NaiveCounter` — the first station most people write, on the same window and camera: Space
  encodes the newest frame and posts it at once (no guide, no busy flag: a double press is two
  paid calls), and its HTTP loop retries every error immediately (no backoff, no ``Retry-After``,
  a 2 s timeout, five tries). Its answers are decided by the same :func:`~station.core.decision.decide`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import httpx

from station.api.errors import ResponseParseError
from station.api.schema import parse_liveness_response
from station.app import Station
from station.application.attempt import AttemptReport
from station.camera import BGRImage
from station.core.decision import DecisionPolicy, decide
from station.core.encode import DEFAULT_JPEG_QUALITY, encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import LIVENESS_PATH

__all__ = ["NaiveCounter", "Press", "Result", "StationCounter"]


@dataclass(frozen=True, slots=True)
class Result:
    """What the operator reads after a press: the verdict's kind and its message."""

    kind: OutcomeKind
    message: str


@dataclass
class Press:
    """A press of Space that started a verification: when, and its result to come."""

    at: float
    result: asyncio.Future[Result]


class StationCounter:
    """The real station, driven through its window."""

    name = "station"

    def __init__(self, station: Station) -> None:
        self.station = station
        self._pending: asyncio.Future[Result] | None = None
        station.controller.finished.connect(self._finished)
        station.controller.cancelled.connect(self._cancelled)

    def _finished(self, report: AttemptReport) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_result(Result(report.kind, report.message))

    def _cancelled(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_result(Result(OutcomeKind.ERROR, "cancelled"))

    def press(self) -> Press | None:
        """Space. None if nothing was sent (the guide objected, or a verification is in flight)."""
        if self._verifying():
            self.station.window.capture()  # refused: the session is verifying
            return None
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending = future
        at = time.monotonic()
        self.station.window.capture()
        if self._verifying():
            return Press(at, future)
        self._pending = None
        return None

    def _verifying(self) -> bool:
        return self.station.controller.busy

    def guide_ready(self) -> bool:
        latest = self.station.window.gate.latest
        return latest is not None and latest.ready

    @property
    def refused_by_guide(self) -> int:
        """Captures the guide stopped and the operator let go (the shift's calls saved)."""
        return self.station.window.gate.calls_saved

    @property
    def has_guide(self) -> bool:
        return self.station.window.gate.enabled

    @property
    def session_closed(self) -> bool:
        return self.station.controller.session.closed

    def next_customer(self) -> None:
        """Enter."""
        self.station.window.next_customer()

    async def aclose(self) -> None:
        return None


class NaiveCounter:
    """The naive station on the same window and camera (see the module docstring)."""

    name = "naive"
    TRIES = 5
    TIMEOUT_S = 2.0

    def __init__(self, station: Station, base_url: str, token: str) -> None:
        self.station = station
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(self.TIMEOUT_S),
        )
        self._policy = DecisionPolicy()
        self._tasks: set[asyncio.Task[Result]] = set()

    def press(self) -> Press | None:
        frame = self.station.window.preview.latest_frame()
        if frame is None:
            return None
        at = time.monotonic()
        task = asyncio.ensure_future(self._verify(frame.copy()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return Press(at, task)

    async def _verify(self, frame: BGRImage) -> Result:
        content = await asyncio.to_thread(encode_jpeg, frame, DEFAULT_JPEG_QUALITY)
        for _ in range(self.TRIES):
            try:
                response = await self._client.post(
                    LIVENESS_PATH, files={"file": ("capture.jpg", content, "application/octet-stream")}
                )
            except httpx.HTTPError:
                continue
            if response.status_code != 200:
                continue
            try:
                outcome = decide(parse_liveness_response(response.content), self._policy)
            except ResponseParseError as exc:
                return Result(OutcomeKind.ERROR, f"unreadable answer: {exc}")
            return Result(outcome.kind, outcome.message)
        return Result(OutcomeKind.ERROR, "no answer after retries")

    def guide_ready(self) -> bool:
        return True  # no guide: the operator never waits for one

    refused_by_guide = 0
    has_guide = False
    session_closed = False

    def next_customer(self) -> None:
        return None

    async def aclose(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._client.aclose()
