"""Runs one verification at a time for the window, on the qasync loop, and reports by signal.

The UI thread never waits here: encoding runs in a worker thread (``asyncio.to_thread``; OpenCV
releases the GIL), the request is an awaited httpx call on the event loop, and the result comes
back through :attr:`VerificationController.finished`. A second submit while one is in flight is
refused (no double submission); :meth:`cancel` cancels the request at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QObject, Signal

from station.api.client import LivenessClient
from station.attempt import (
    AttemptRecorder,
    AttemptReport,
    Submission,
    SubmissionKind,
    record_report,
    run_attempt,
)
from station.core.decision import DecisionPolicy
from station.core.encode import DEFAULT_JPEG_QUALITY, EncodeError, encode_jpeg
from station.core.models import OutcomeKind

__all__ = ["VerificationController"]

_log = logging.getLogger(__name__)


class VerificationController(QObject):
    """One verification in flight at most; results by signal, never by blocking."""

    #: A verification began (the UI shows its busy state).
    started = Signal()
    #: An :class:`~station.attempt.AttemptReport` (LIVE, SPOOF, RETRY, REVIEW or ERROR).
    finished = Signal(object)
    #: The operator cancelled the verification in flight.
    cancelled = Signal()
    busy_changed = Signal(bool)
    #: A follow-up decision (review, face pick) after it was journaled (or failed to be).
    followup_recorded = Signal(object)

    def __init__(
        self,
        client: LivenessClient | None,
        policy: DecisionPolicy,
        *,
        recorder: AttemptRecorder | None = None,
        jpeg_quality: int = DEFAULT_JPEG_QUALITY,
        unavailable_reason: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._policy = policy
        self._recorder = recorder
        self._quality = jpeg_quality
        self._unavailable_reason = unavailable_reason
        self._task: asyncio.Task[None] | None = None
        self._in_flight = False
        self._started_at = 0.0
        self._followups: set[asyncio.Task[None]] = set()

    @property
    def busy(self) -> bool:
        return self._in_flight

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started_at if self.busy else 0.0

    @property
    def policy(self) -> DecisionPolicy:
        return self._policy

    def set_policy(self, policy: DecisionPolicy) -> None:
        self._policy = policy

    def set_client(
        self, client: LivenessClient | None, unavailable_reason: str = ""
    ) -> LivenessClient | None:
        """Use another client from the next verification on; returns the old one for closing."""
        old, self._client = self._client, client
        self._unavailable_reason = unavailable_reason
        return old

    def set_jpeg_quality(self, quality: int) -> None:
        self._quality = quality

    def submit(
        self, frame: np.ndarray, *, customer_ref: str | None = None, notes: tuple[str, ...] = ()
    ) -> bool:
        """Start verifying ``frame``; False (and nothing sent) if one is already in flight."""
        if self.busy:
            return False
        self._started_at = time.monotonic()
        self._in_flight = True
        self.busy_changed.emit(True)
        self.started.emit()
        self._task = asyncio.ensure_future(self._run(frame, customer_ref, notes))
        self._task.add_done_callback(self._task_done)
        return True

    def _task_done(self, task: asyncio.Task[None]) -> None:
        # Runs however the task ended, even if it was cancelled before its first step. A
        # ``finished`` handler may already have started the next verification: leave that alone.
        if task is not self._task or not task.cancelled():
            return
        self._settle()
        self.cancelled.emit()

    def _settle(self) -> None:
        if self._in_flight:
            self._in_flight = False
            self.busy_changed.emit(False)

    def cancel(self) -> bool:
        if not self.busy:
            return False
        assert self._task is not None
        self._task.cancel()
        return True

    async def wait_idle(self) -> None:
        """For shutdown: cancel the verification in flight; let journal writes under way finish."""
        for followup in list(self._followups):
            await followup
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, frame: np.ndarray, customer_ref: str | None, notes: tuple[str, ...]) -> None:
        try:
            report = await self._verify(frame, customer_ref, notes)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # last resort: the operator sees an ERROR, the log has the rest
            _log.exception("verification failed unexpectedly")
            report = self._local_error(f"Unexpected failure ({type(exc).__name__}). Capture again.")
        self._settle()  # idle before ``finished``, so its handlers may submit again
        self.finished.emit(report)

    async def _verify(
        self, frame: np.ndarray, customer_ref: str | None, notes: tuple[str, ...]
    ) -> AttemptReport:
        if self._client is None:
            report = self._local_error(self._unavailable_reason or "The station is not configured.")
            return await self._record(report)
        try:
            content = await asyncio.to_thread(encode_jpeg, frame, self._quality)
        except EncodeError as exc:
            return await self._record(self._local_error(f"The captured frame could not be encoded: {exc}"))
        submission = Submission(SubmissionKind.IMAGE, content, filename="capture.jpg")
        return await run_attempt(
            self._client, submission, self._policy, self._recorder, notes=notes, customer_ref=customer_ref
        )

    async def _record(self, report: AttemptReport) -> AttemptReport:
        """Journal a report run_attempt did not: local failures and follow-up decisions."""
        return await record_report(self._recorder, report)

    def record_followup(self, report: AttemptReport) -> None:
        """Journal a follow-up decision off the UI thread; ``followup_recorded`` says when."""

        async def record() -> None:
            self.followup_recorded.emit(await self._record(report))

        self._followups.add(task := asyncio.ensure_future(record()))
        task.add_done_callback(self._followups.discard)

    def _local_error(self, message: str) -> AttemptReport:
        now = datetime.now(UTC)
        return AttemptReport(
            kind=OutcomeKind.ERROR,
            message=message,
            requested_at=now,
            answered_at=now,
            elapsed_ms=0.0,
            submission_sha256="",
            api_host=self._client.api_host if self._client else "",
            environment=self._client.environment.value if self._client else "",
        )
