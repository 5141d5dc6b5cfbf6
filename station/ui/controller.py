"""The window's adapter for the desk: runs the session's coroutines on the qasync loop and reports
by signal.

The flow's rules live in :mod:`station.application` (Qt-free, tested without a window); this
object only turns them into tasks and signals. The UI thread never waits here: encoding and journal
writes run in worker threads, the request is awaited on the event loop. One verification is in
flight at most; :meth:`cancel` cancels it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from station.application.attempt import AttemptReport
from station.application.desk import Desk
from station.application.kinds import ErrorKind
from station.application.port import ReviewRefusedError
from station.application.session import CaptureCheck, CustomerSession, Refusal, SessionError
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["STATION_CLOSED", "VerificationController"]

_log = logging.getLogger(__name__)

#: The journal's reason for an attempt cut short by closing the window.
STATION_CLOSED = "cancelled: the station was closed"


class VerificationController(QObject):
    """The desk, driven from the UI thread; results by signal, never by blocking."""

    #: A verification began (the UI shows its busy state).
    started = Signal()
    #: An :class:`~station.application.attempt.AttemptReport` (LIVE, SPOOF, RETRY, REVIEW or ERROR).
    finished = Signal(object)
    #: The verification in flight was cancelled.
    cancelled = Signal()
    busy_changed = Signal(bool)
    #: A follow-up decision (review, face pick) after it was journaled (or failed to be).
    followup_recorded = Signal(object)
    #: A new customer session began (the previous one closed): the view resets.
    session_started = Signal(object)
    #: The trusted side refused a supervisor's decision: a :class:`ReviewRefusal` (REVIEW stays).
    review_refused = Signal(object)
    #: The trusted side confirmed an operator (or refused one: None).
    signed_in = Signal(object)

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._task: asyncio.Task[None] | None = None
        self._in_flight = False
        self._started_at = 0.0

    @property
    def session(self) -> CustomerSession:
        return self.desk.session

    @property
    def busy(self) -> bool:
        return self._in_flight

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started_at if self.busy else 0.0

    # -- capture ------------------------------------------------------------------------------------

    def try_capture(
        self,
        frame: np.ndarray | None,
        *,
        sequence: int | None = None,
        reference: str | None = None,
    ) -> CaptureCheck:
        """Capture ``frame`` (camera frame number ``sequence``) for the current customer if the
        session allows it now; a frame already judged, or one from a camera that is not live,
        counts as no frame (the desk's rules)."""
        desk, session = self.desk, self.session
        if not session.reference_locked:
            session.set_reference(reference)
        fresh = frame is not None and desk.camera_live and desk.is_new_frame(sequence)
        check = session.check_capture(
            has_frame=fresh, camera_live=desk.camera_live, camera_problem=desk.camera_problem
        )
        if check.allowed and frame is not None and sequence is not None:
            self.desk.frame_sent(sequence)
            self._start(session, frame, sequence, check.notes)
        return check

    def _start(
        self, session: CustomerSession, frame: np.ndarray, sequence: int, notes: tuple[str, ...]
    ) -> None:
        self._started_at = time.monotonic()
        self._in_flight = self.desk.verifying = True
        self._task = asyncio.ensure_future(self._run(session, frame, sequence, notes))
        self._task.add_done_callback(self._task_done)
        self.busy_changed.emit(True)
        self.started.emit()

    async def _run(
        self, session: CustomerSession, frame: np.ndarray, sequence: int, notes: tuple[str, ...]
    ) -> None:
        try:
            camera = self.desk.camera
            label = camera.source if camera is not None else ""
            report = await session.verify(frame, notes, sequence=sequence, camera_label=label)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # last resort: the operator sees an ERROR, the log has the rest
            _log.exception("verification failed unexpectedly")
            report = await session.record_failure(
                ErrorKind.UNEXPECTED,
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "Unexpected failure ({name}). Capture again."),
                    name=type(exc).__name__,
                ),
            )
        self._settle()  # idle before ``finished``, so its handlers may capture again
        self.finished.emit(report)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        # Runs however the task ended, even if it was cancelled before its first step.
        if task is not self._task or not task.cancelled():
            return
        self._settle()
        self.cancelled.emit()

    def _settle(self) -> None:
        if self._in_flight:
            self._in_flight = self.desk.verifying = False
            self.busy_changed.emit(False)

    def cancel(self, why: str | None = None) -> bool:
        """Cancel the verification in flight (its journal row says ``why``)."""
        if not self.busy:
            return False
        assert self._task is not None
        self._task.cancel(why)
        return True

    # -- follow-ups --------------------------------------------------------------------------------

    def pick_face(self, index: int) -> bool:
        """Decide on face ``index`` alone, if the session offers a pick now."""
        if self.busy or not self.session.face_pick_offered:
            return False
        return self._followup(self.session.pick_face(index))

    def settle_review(self, *, confirmed: bool, supervisor_id: str, secret: str) -> bool:
        """Hand the supervisor's decision, id and PIN to the trusted side (which checks them)."""
        if self.busy or not self.session.review_pending:
            return False
        work = self.session.settle_review(confirmed=confirmed, supervisor_id=supervisor_id, secret=secret)
        return self._followup(work)

    def _followup(self, work: Coroutine[Any, Any, AttemptReport]) -> bool:
        async def run() -> None:
            try:
                report = await work
            except ReviewRefusedError as exc:
                _log.warning("review refused by the trusted side: %s", exc.refusal)
                self.review_refused.emit(exc.refusal)
                return
            except SessionError as exc:
                _log.warning("follow-up refused: %s", exc)
                return
            self.followup_recorded.emit(report)

        self.desk.background.spawn(run(), "a follow-up decision")
        return True

    # -- the operator ---------------------------------------------------------------------------------

    def sign_in(self, operator_id: str | None, secret: str | None = None) -> None:
        """Ask the trusted side to confirm ``operator_id``; ``signed_in`` says whom it confirmed."""

        async def run() -> None:
            confirmed = await self.desk.sign_in(operator_id, secret)
            self.signed_in.emit(confirmed)

        self.desk.background.spawn(run(), "the operator's sign-in")

    # -- consent ------------------------------------------------------------------------------------

    def give_consent(self) -> bool:
        if not self.session.consent_needed:
            return False
        self.session.give_consent()
        return True

    def refuse_consent(self) -> bool:
        return self.desk.refuse_consent()

    # -- the next customer ---------------------------------------------------------------------------

    def next_customer(self) -> Refusal | None:
        refusal = self.desk.next_customer()
        if refusal is None:
            self.session_started.emit(self.session)
        return refusal

    def clear_if_expired(self) -> bool:
        """Called on a timer: clear a verdict that has been on screen for the policy's timeout."""
        if self.busy or not self.desk.clear_if_expired():
            return False
        self.session_started.emit(self.session)
        return True

    async def wait_idle(self, why: str = STATION_CLOSED) -> None:
        """For shutdown: cancel the verification in flight (its journal row says ``why``); let
        journal writes under way finish."""
        await self.desk.background.wait_idle()
        if self._task is not None and not self._task.done():
            self._task.cancel(why)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.desk.close()
