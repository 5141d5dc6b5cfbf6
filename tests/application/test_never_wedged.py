"""Issue 23: a fault anywhere in an attempt ends it as an ERROR, journaled (or not final), and the
session is ready for the next capture; and nothing is sent that the station could not keep.

Each test injects an unexpected exception at one await of the attempt (the port, the JPEG
encoding, the request, the decision, the journal write) against the real emulator and journal.
Faults in the port itself come through :class:`FaultyPort`, a wrapper around the real in-process
port that fails the calls a test names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest

from station.api import LivenessClient
from station.application import attempt as attempt_module
from station.application import session as session_module
from station.application.attempt import UNEXPECTED_MESSAGE, AttemptReport
from station.application.consent import NOT_ASKED, Consent, ConsentNotice, ConsentRecord
from station.application.desk import Desk
from station.application.kinds import ErrorKind
from station.application.port import (
    Capture,
    CounterTerms,
    DeskEvent,
    FacePick,
    InProcessVerifier,
    LocalFailure,
    OperatorIdentity,
    ReviewDecision,
    ServiceCheck,
)
from station.application.readiness import NotReady, Readiness
from station.application.recording import AttemptContext, JournalRecorder, UnavailableRecorder
from station.application.session import Phase, Refusal
from station.application.verdict_text import verdict_text
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import Emulator
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio


class UnexpectedFaultError(RuntimeError):
    """Nothing the station expects: a bug, a driver's surprise."""


class FaultyPort:
    """The real in-process port, failing each call named in :attr:`failing` with a fault."""

    def __init__(self, inner: InProcessVerifier) -> None:
        self.inner = inner
        self.failing: set[str] = set()
        self.fault = UnexpectedFaultError("boom")

    def _maybe_fail(self, call: str) -> None:
        if call in self.failing:
            raise self.fault

    def readiness(self) -> Readiness:
        self._maybe_fail("readiness")
        return self.inner.readiness()

    def terms(self) -> CounterTerms:
        self._maybe_fail("terms")
        return self.inner.terms()

    async def refresh(self) -> Readiness:
        self._maybe_fail("refresh")
        return await self.inner.refresh()

    async def check_service(self) -> ServiceCheck:
        self._maybe_fail("check_service")
        return await self.inner.check_service()

    async def verify(self, capture: Capture) -> AttemptReport:
        self._maybe_fail("verify")
        return await self.inner.verify(capture)

    async def record_failure(self, failure: LocalFailure) -> AttemptReport:
        self._maybe_fail("record_failure")
        return await self.inner.record_failure(failure)

    async def pick_face(self, pick: FacePick) -> AttemptReport:
        self._maybe_fail("pick_face")
        return await self.inner.pick_face(pick)

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        self._maybe_fail("settle_review")
        return await self.inner.settle_review(decision)

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        self._maybe_fail("authenticate_operator")
        return await self.inner.authenticate_operator(operator_id, secret)

    async def record_event(self, event: DeskEvent) -> None:
        self._maybe_fail("record_event")
        await self.inner.record_event(event)

    async def wait_idle(self) -> None:
        await self.inner.wait_idle()


def faulty_desk(verifier: Verifier, clock: Clock) -> tuple[Desk, FaultyPort]:
    port = FaultyPort(InProcessVerifier(verifier))
    return Desk(port, clock=clock), port


def make_desk(client: LivenessClient, journal: AuditJournal, clock: Clock) -> tuple[Desk, FaultyPort]:
    recorder = JournalRecorder(journal, AttemptContext(station_id="st-1", operator_id="op1"))
    return faulty_desk(Verifier(client, DecisionPolicy(), recorder), clock)


def attempt_rows(journal: AuditJournal) -> list[str | None]:
    return [row.record.outcome for row in reversed(journal.recent(50)) if row.record.kind == "verification"]


def raise_fault(*_args: object, **_kwargs: object) -> None:
    raise UnexpectedFaultError("boom")


async def raise_fault_async(*_args: object, **_kwargs: object) -> None:
    raise UnexpectedFaultError("boom")


def capture_of(frame: np.ndarray, consent: ConsentRecord = NOT_ASKED) -> Capture:
    return Capture(encode_jpeg(frame), frame_sequence=1, session_id="s-1", consent=consent)


Injector = Callable[[FaultyPort, pytest.MonkeyPatch], None]


def in_the_port(port: FaultyPort, monkeypatch: pytest.MonkeyPatch) -> None:
    port.failing.add("verify")


def in_the_terms(port: FaultyPort, monkeypatch: pytest.MonkeyPatch) -> None:
    port.failing.add("terms")


def in_the_encoding(port: FaultyPort, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "encode_jpeg", raise_fault)


def in_the_request(port: FaultyPort, monkeypatch: pytest.MonkeyPatch) -> None:
    assert port.inner.verifier.client is not None
    monkeypatch.setattr(port.inner.verifier.client, "verify_image", raise_fault_async)


def in_the_decision(port: FaultyPort, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attempt_module, "decide", raise_fault)


@pytest.mark.parametrize(
    "inject",
    [in_the_port, in_the_terms, in_the_encoding, in_the_request, in_the_decision],
    ids=lambda f: f.__name__,
)
async def test_a_fault_at_any_await_ends_the_attempt_as_a_journaled_error(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    frame: np.ndarray,
    monkeypatch: pytest.MonkeyPatch,
    inject: Injector,
) -> None:
    desk, port = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-2")
    with monkeypatch.context() as patch:
        inject(port, patch)
        check = session.check_capture(has_frame=True)
        assert check.allowed
        report = await session.verify(frame, (*check.notes, "a note"))
        port.failing.clear()
    # The row says whose attempt it was, with the notes it was sent with.
    assert (report.session_id, report.customer_ref) == (session.id, "CIF-2")
    assert "a note" in report.notes and report.consent == session.consent_record
    assert report.kind is OutcomeKind.ERROR
    assert report.final, report.audit_error  # a journal row exists
    assert report.error_kind is ErrorKind.UNEXPECTED
    assert "call IT" in report.message  # plain words, never a traceback
    assert "boom" not in report.message
    assert session.phase is Phase.RESULT
    assert session.attempts_answered == 0  # the customer's tries are not spent by a fault
    text = verdict_text(report)
    assert text.kind is OutcomeKind.ERROR and "capture again" in text.action
    assert attempt_rows(journal) == ["ERROR"]
    # The desk is ready for the next capture, which goes through.
    again = session.check_capture(has_frame=True)
    assert again.allowed, again
    second = await session.verify(frame, again.notes)
    assert second.kind is OutcomeKind.LIVE and second.final
    assert attempt_rows(journal) == ["ERROR", "LIVE"]


class FaultyRecorder(JournalRecorder):
    async def __call__(self, report: AttemptReport) -> int:
        raise UnexpectedFaultError("the journal's driver failed")


async def test_a_fault_in_the_journal_write_is_not_final_and_not_wedged(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk, _port = faulty_desk(Verifier(client, DecisionPolicy(), FaultyRecorder(journal)), clock)
    session = desk.session
    report = await session.verify(frame)
    assert not report.final
    assert session.phase is Phase.RESULT
    assert verdict_text(report).headline == "NOT FINAL"
    assert session.check_capture(has_frame=True).allowed


async def test_faults_in_the_verifier_and_the_journal_together_still_end_the_attempt(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    frame: np.ndarray,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk, port = faulty_desk(Verifier(client, DecisionPolicy(), FaultyRecorder(journal)), clock)
    port.failing.add("verify")
    report = await desk.session.verify(frame)
    assert report.kind is OutcomeKind.ERROR and not report.final
    assert desk.session.phase is Phase.RESULT


async def test_a_port_that_fails_to_record_the_failure_too_is_not_final_and_not_wedged(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    frame: np.ndarray,
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk, port = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-4")
    port.failing.update({"verify", "record_failure"})
    with caplog.at_level(logging.ERROR, logger="station.application.session"):
        report = await session.verify(frame, ("a note",))
    assert "the verification failed unexpectedly" in caplog.text
    assert "the error row could not be written" in caplog.text
    assert report.kind is OutcomeKind.ERROR and not report.final
    assert (report.error_kind, report.message) == (ErrorKind.UNEXPECTED, UNEXPECTED_MESSAGE)
    assert (report.audit_sequence, report.audit_error) == (None, "boom")
    assert (report.session_id, report.customer_ref, report.notes) == (session.id, "CIF-4", ("a note",))
    assert report.consent == session.consent_record
    # Nothing was sent: no request, no time, no host, no hash.
    assert (report.elapsed_ms, report.submission_sha256, report.api_host, report.environment) == (
        0.0,
        "",
        "",
        "",
    )
    assert report.requested_at == report.answered_at and report.requested_at.utcoffset() == timedelta(0)
    assert verdict_text(report).headline == "NOT FINAL"
    assert session.phase is Phase.RESULT
    port.fault = UnexpectedFaultError()  # a fault with no words: named by its type
    assert (await session.verify(frame)).audit_error == "UnexpectedFaultError"
    port.failing.clear()
    assert desk.session.check_capture(has_frame=True).allowed
    assert (await desk.session.verify(frame)).kind is OutcomeKind.LIVE


async def test_a_failing_event_write_never_reaches_the_counter(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    frame: np.ndarray,
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk, port = make_desk(client, journal, clock)
    port.failing.add("record_event")
    assert (await desk.session.verify(frame)).kind is OutcomeKind.LIVE  # closes: a session event
    assert desk.next_customer() is None
    with caplog.at_level(logging.ERROR, logger="station.application.background"):
        await desk.close()  # the failed write was owned and ended, never left pending
    assert desk.background.pending == 0
    assert "the session event failed: boom" in caplog.text


# -- nothing sent that cannot be kept ----------------------------------------------------------


async def test_an_unwritable_journal_refuses_the_capture_and_sends_nothing(
    client: LivenessClient, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    verifier = Verifier(client, DecisionPolicy(), UnavailableRecorder("the disk is full"))
    desk, port = faulty_desk(verifier, clock)
    readiness = port.readiness()
    assert readiness.holds_for(NotReady.JOURNAL) and not readiness.ready
    check = desk.session.check_capture(has_frame=True)
    assert check.refusal is Refusal.JOURNAL
    assert "audit journal cannot be written (the disk is full)" in check.message
    # The trusted side refuses on its own too, even when a caller skips the desk's check.
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0


async def test_a_journal_that_fails_later_holds_captures_until_it_is_back(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk, port = make_desk(client, journal, clock)
    port.inner.verifier.journal_problem = "the journal file was removed"
    assert desk.session.check_capture(has_frame=True).refusal is Refusal.JOURNAL
    assert (await port.verify(capture_of(frame))).error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0
    port.inner.verifier.journal_problem = ""
    assert (await desk.session.verify(frame)).kind is OutcomeKind.LIVE
    assert emulator.requests_received == 1


async def test_no_token_refuses_the_capture_and_sends_nothing(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk, port = make_desk(client, journal, clock)
    port.inner.verifier.swap_client(None, "No service token is enrolled for sandbox.", NotReady.TOKEN)
    check = desk.session.check_capture(has_frame=True)
    assert check.refusal is Refusal.UNAVAILABLE
    assert (await port.verify(capture_of(frame))).error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0


async def test_a_camera_that_is_not_live_refuses_the_capture_and_sends_nothing(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk, port = make_desk(client, journal, clock)
    port.inner.verifier.camera_refusal = "The camera is a picture or a video file, not a live camera."
    assert desk.session.check_capture(has_frame=True).refusal is Refusal.CAMERA_NOT_LIVE
    assert (await port.verify(capture_of(frame))).error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0


async def test_the_trusted_side_refuses_a_capture_without_the_consent_policy_asks_for(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    _desk, port = make_desk(client, journal, clock)
    port.inner.verifier.consent_required = True
    # A caller that skips the desk (and its consent notice) is refused all the same.
    refused = await port.verify(capture_of(frame))
    assert refused.kind is OutcomeKind.ERROR and refused.error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0
    notice = ConsentNotice("v1", "We check that you are present. Do you agree?")
    given = ConsentRecord.for_notice(Consent.GIVEN, notice)
    assert (await port.verify(capture_of(frame, given))).kind is OutcomeKind.LIVE
    assert emulator.requests_received == 1


def test_every_reason_not_to_send_is_a_refusal_the_desk_shows() -> None:
    assert set(session_module._HOLD_REFUSALS) == set(NotReady)
