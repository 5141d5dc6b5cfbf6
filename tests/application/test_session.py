"""The customer session without Qt: every transition and every policy, against the real emulator
over loopback, a real client and a real journal."""

from __future__ import annotations

import asyncio
import hashlib
import re

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.attempt import AttemptReport
from station.application.consent import ConsentNotice
from station.application.desk import Desk
from station.application.gate import QualityGate
from station.application.kinds import RecordKind
from station.application.port import InProcessVerifier, ReviewRefusal, ReviewRefusedError
from station.application.recording import AttemptContext, JournalRecorder, UnavailableRecorder
from station.application.session import (
    KIND_SESSION,
    CloseReason,
    CustomerSession,
    Phase,
    Refusal,
    SessionError,
    SessionPolicy,
)
from station.application.verifier import Verifier
from station.audit import AuditJournal, AuditWriteError, StoredRecord
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.vision.quality import Instruction, QualityAnalyser
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio


def make_desk(
    client: LivenessClient,
    journal: AuditJournal,
    clock: Clock,
    *,
    policy: SessionPolicy | None = None,
    decision: DecisionPolicy | None = None,
    gate: QualityGate | None = None,
    operator: str = "op1",
) -> Desk:
    recorder = JournalRecorder(journal, AttemptContext(station_id="st-1", operator_id=operator))
    verifier = Verifier(client, decision or DecisionPolicy(), recorder)
    port = InProcessVerifier(verifier, supervisors(journal))
    return Desk(port, gate=gate or QualityGate(enabled=False), policy=policy, clock=clock)


#: Every supervisor the tests' station knows, and their PIN.
SUPERVISOR_PIN = "736251"
_PEOPLE: list[People] = []


def supervisors(journal: AuditJournal) -> PinGuard:
    """The station's supervisors (hashed once: scrypt is slow on purpose), with an attempt ledger
    beside the test's own journal."""
    if not _PEOPLE:
        hashed = hash_pin(SUPERVISOR_PIN)
        _PEOPLE.append(People(None, {"sup9": hashed, "bob": hashed, "alice": hashed}))
    return PinGuard(_PEOPLE[0], PinLedger(journal.path.parent / "pins.sqlite3"))


def parts(desk: Desk) -> Verifier:
    """The in-process trusted side's parts, for a test to change under the desk."""
    assert isinstance(desk.port, InProcessVerifier)
    return desk.port.verifier


class HeldRecorder(JournalRecorder):
    """The real journal recorder, held at the door once ``hold()`` is called, so a test can act
    while a follow-up decision is being journaled."""

    def __init__(self, journal: AuditJournal, context: AttemptContext) -> None:
        super().__init__(journal, context)
        self.arrived = asyncio.Event()
        self._door: asyncio.Event | None = None

    def hold(self) -> None:
        self._door = asyncio.Event()

    def release(self) -> None:
        assert self._door is not None
        self._door.set()

    async def __call__(self, report: AttemptReport) -> int:
        if self._door is not None:
            self.arrived.set()
            await self._door.wait()
        return await super().__call__(report)


async def capture(session: CustomerSession, frame: np.ndarray) -> AttemptReport:
    check = session.check_capture(has_frame=True)
    assert check.allowed, check
    return await session.verify(frame, check.notes)


def rows(journal: AuditJournal, kind: str | None = None) -> list[StoredRecord]:
    found = list(reversed(journal.recent(100)))
    return [row for row in found if kind is None or row.record.kind == kind]


async def test_live_closes_the_session_and_space_does_not_capture_again(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-111")
    report = await capture(session, frame)
    assert report.kind is OutcomeKind.LIVE and report.final
    assert session.phase is Phase.CLOSED
    assert session.close_reason is CloseReason.VERIFIED
    check = session.check_capture(has_frame=True)
    assert check.refusal is Refusal.CLOSED
    assert "Enter for the next customer" in check.message
    with pytest.raises(SessionError, match=r"^cannot capture in the closed state$"):
        await session.verify(frame)
    assert emulator.requests_received == 1
    await desk.wait_idle()
    (attempt,) = rows(journal, "verification")
    assert attempt.record.session_id == session.id
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome == "LIVE"
    assert closing.record.customer_ref == "CIF-111"
    assert closing.record.notes == f"session {session.id} closed: verified; 1 answered of 1 attempt(s)"


async def test_a_new_session_has_a_fresh_id_and_nothing_on_screen(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = make_desk(client, journal, clock)
    first = desk.session
    assert re.fullmatch(r"[0-9a-f]{16}", first.id)  # 64 random bits, short enough to read out
    assert (first.has_verdict, first.outcome, first.close_reason) == (False, None, None)
    assert first.instruction_language is None
    assert desk.next_customer() is None
    assert desk.session.id != first.id
    named = CustomerSession(desk.port, QualityGate(enabled=False), session_id="given-id")
    assert named.id == "given-id"


async def test_an_empty_reference_is_no_reference(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    session = make_desk(client, journal, clock).session
    session.set_reference("CIF-1")
    session.set_reference(None)
    assert session.reference is None
    session.set_reference("CIF-1")
    session.set_reference("   ")
    assert session.reference is None


async def test_the_reference_is_locked_after_the_first_capture(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-111")
    session.set_reference(" CIF-112 ")  # still editable before the first capture
    await capture(session, frame)
    assert session.reference_locked
    with pytest.raises(SessionError, match=r"^the customer reference is locked after the first capture$"):
        session.set_reference("CIF-222")
    session.set_reference("CIF-112")  # the same value is not a change
    await capture(session, frame)
    attempts = rows(journal, "verification")
    assert [row.record.customer_ref for row in attempts] == ["CIF-112", "CIF-112"]
    # The next customer starts with an empty, editable reference.
    assert desk.next_customer() is None
    assert desk.session.reference is None
    desk.session.set_reference("CIF-222")


async def test_attempts_are_limited_then_the_manual_check(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock)
    session = desk.session
    first = await capture(session, frame)
    assert first.kind is OutcomeKind.SPOOF
    assert session.phase is Phase.RESULT
    assert session.attempts_left == 1
    await capture(session, frame)
    assert session.phase is Phase.CLOSED
    assert session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED
    check = session.check_capture(has_frame=True)
    assert check.refusal is Refusal.ATTEMPTS_EXHAUSTED
    assert "manual identity check" in check.message
    assert emulator.requests_received == 2


async def test_the_attempt_limit_is_policy(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("no_face")
    desk = make_desk(client, journal, clock, policy=SessionPolicy(max_attempts=3))
    session = desk.session
    for expected_left in (2, 1):
        await capture(session, frame)
        assert session.phase is Phase.RESULT
        assert session.attempts_left == expected_left
    await capture(session, frame)
    assert session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED
    assert session.attempts_answered == 3


async def test_answers_that_never_came_do_not_count(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("error", status=503)
    desk = make_desk(client, journal, clock, policy=SessionPolicy(max_attempts=1))
    session = desk.session
    for _ in range(3):
        report = await capture(session, frame)
        assert report.kind is OutcomeKind.ERROR
        assert session.phase is Phase.RESULT
    assert session.attempts_answered == 0
    assert session.attempts_started == 3
    emulator.set_scenario("spoof")
    await capture(session, frame)
    assert session.close_reason is CloseReason.ATTEMPTS_EXHAUSTED


@pytest.mark.parametrize("same_person", ["alice", " ALICE ", "ａｌｉｃｅ", "ALICE"])
async def test_the_operator_cannot_settle_her_own_review_under_another_spelling(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, same_person: str
) -> None:
    """Failure 6 of issue 22: operator ``Alice`` confirmed her own REVIEW as supervisor ``alice``."""
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999), operator="Alice")
    assert await desk.sign_in("Alice") is not None
    session = desk.session
    assert (await capture(session, frame)).kind is OutcomeKind.REVIEW
    # Alice is a supervisor too, with the right PIN: the trusted side still refuses her own attempt.
    with pytest.raises(ReviewRefusedError) as refused:
        await session.settle_review(confirmed=True, supervisor_id=same_person, secret=SUPERVISOR_PIN)
    assert refused.value.refusal is ReviewRefusal.OWN_ATTEMPT
    assert session.review_pending
    settled = await session.settle_review(confirmed=True, supervisor_id="  Bob ", secret=SUPERVISOR_PIN)
    assert settled.supervisor_id == "bob"  # stored as compared


async def test_review_must_be_settled_by_another_person(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999), operator="op1")
    assert await desk.sign_in("op1") is not None
    session = desk.session
    report = await capture(session, frame)
    assert report.kind is OutcomeKind.REVIEW
    assert session.review_pending
    assert session.check_capture(has_frame=True).refusal is Refusal.REVIEW_PENDING
    assert desk.next_customer() is Refusal.REVIEW_PENDING
    assert desk.session is session  # still the same customer
    clock.now += 3600
    assert not desk.clear_if_expired()  # a REVIEW never clears itself
    with pytest.raises(ReviewRefusedError) as own:
        await session.settle_review(confirmed=True, supervisor_id="op1", secret=SUPERVISOR_PIN)
    assert own.value.refusal is ReviewRefusal.OWN_ATTEMPT
    with pytest.raises(ReviewRefusedError) as wrong:
        await session.settle_review(confirmed=True, supervisor_id="sup9", secret="000000")
    assert wrong.value.refusal is ReviewRefusal.WRONG_SECRET
    assert session.review_pending and not rows(journal, "review")  # nothing journaled but PIN tries
    settled = await session.settle_review(confirmed=True, supervisor_id="sup9", secret=SUPERVISOR_PIN)
    assert settled.kind is OutcomeKind.LIVE and settled.final
    assert settled.message == "Confirmed live by supervisor sup9. You may continue with the customer."
    assert settled.supervisor_id == "sup9"
    assert settled.settles_sequence == report.audit_sequence
    assert session.close_reason is CloseReason.VERIFIED
    assert session.last_report is settled and session.outcome is OutcomeKind.LIVE
    review = rows(journal, "review")[-1]
    assert report.outcome is not None
    assert (
        f"supervisor sup9 confirmed review of attempt #{report.audit_sequence} (score {report.outcome.score})"
        in (review.record.notes or "")
    )
    # The settled verdict is a new one on screen: its timeout starts now, not at the REVIEW.
    clock.now += 59.9
    assert not desk.clear_if_expired()
    clock.now += 0.1
    assert desk.clear_if_expired()


async def test_a_rejected_review_closes_as_rejected(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999))
    session = desk.session
    await capture(session, frame)
    rejected = await session.settle_review(confirmed=False, supervisor_id="sup9", secret=SUPERVISOR_PIN)
    assert rejected.kind is OutcomeKind.SPOOF
    assert rejected.message == "Rejected by supervisor sup9. Follow the branch's manual identity check."
    assert "supervisor sup9 rejected review of attempt #" in (rows(journal, "review")[-1].record.notes or "")
    assert session.close_reason is CloseReason.REJECTED
    with pytest.raises(SessionError, match=r"^no review is waiting$"):
        await session.settle_review(confirmed=True, supervisor_id="sup9", secret=SUPERVISOR_PIN)


async def test_a_review_on_a_station_that_cannot_check_supervisors_stays_open(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    recorder = JournalRecorder(journal, AttemptContext(station_id="st-1"))
    verifier = Verifier(client, DecisionPolicy(review_upper=0.999), recorder)
    desk = Desk(InProcessVerifier(verifier, pins=None), clock=clock)
    session = desk.session
    await capture(session, frame)
    with pytest.raises(ReviewRefusedError) as refused:
        await session.settle_review(confirmed=True, supervisor_id="sup9", secret=SUPERVISOR_PIN)
    assert refused.value.refusal is ReviewRefusal.CANNOT_CHECK
    assert session.review_pending and not rows(journal, "review")


async def test_a_review_that_cannot_be_journaled_stays_open(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999))
    session = desk.session
    await capture(session, frame)
    parts(desk).recorder = UnavailableRecorder("disk full")
    settled = await session.settle_review(confirmed=True, supervisor_id="sup9", secret=SUPERVISOR_PIN)
    assert not settled.final
    assert session.review_pending


async def test_policy_may_let_the_next_customer_past_a_review(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(
        client,
        journal,
        clock,
        decision=DecisionPolicy(review_upper=0.999),
        policy=SessionPolicy(review_blocks_next=False),
    )
    await capture(desk.session, frame)
    assert desk.next_customer() is None
    await desk.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome == "REVIEW"


async def test_a_stale_verdict_clears_itself_and_is_journaled(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock, policy=SessionPolicy(verdict_timeout_s=60))
    first = desk.session
    await capture(first, frame)
    clock.now += 59.9
    assert not desk.clear_if_expired()
    clock.now += 0.2
    assert desk.clear_if_expired()
    assert first.close_reason is CloseReason.VERDICT_TIMEOUT
    assert desk.session is not first
    assert desk.session.phase is Phase.READY
    await desk.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert "verdict cleared after the timeout" in (closing.record.notes or "")
    assert closing.record.outcome == "SPOOF"


async def test_a_verdict_expires_at_exactly_the_timeout(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock, policy=SessionPolicy(verdict_timeout_s=60))
    await capture(desk.session, frame)
    shown = clock.now
    assert not desk.session.verdict_expired(now=shown + 59.9)
    assert desk.session.verdict_expired(now=shown + 60)  # a time given is used, not the clock's
    assert not desk.clear_if_expired()
    clock.now = shown + 60
    assert desk.clear_if_expired()


async def test_a_live_verdict_also_clears_and_the_clearing_is_journaled(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-3")
    await capture(session, frame)
    clock.now += 61
    assert desk.clear_if_expired()
    await desk.wait_idle()
    closed, cleared = rows(journal, KIND_SESSION)
    assert (closed.record.notes or "").startswith(f"session {session.id} closed: verified")
    assert cleared.record.notes == f"session {session.id}: verdict cleared after 60 s"
    assert cleared.record.customer_ref == "CIF-3"


async def test_nothing_to_clear_before_a_verdict(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = make_desk(client, journal, clock)
    clock.now += 10_000
    assert not desk.clear_if_expired()
    assert desk.next_customer() is None
    await desk.wait_idle()
    assert rows(journal) == []  # a session nobody was captured in leaves no record


async def test_the_operator_picks_a_face(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("several_faces")
    desk = make_desk(
        client, journal, clock, decision=DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS)
    )
    session = desk.session
    report = await capture(session, frame)
    assert report.kind is OutcomeKind.RETRY
    assert session.face_pick_offered
    with pytest.raises(SessionError, match="no face 3"):
        await session.pick_face(2)
    picked = await session.pick_face(1)
    assert picked.record_kind == "review"
    assert picked.outcome is not None and report.outcome is not None
    assert picked.outcome.primary_face == report.outcome.result.faces[1]
    assert picked.settles_sequence == report.audit_sequence
    assert not session.face_pick_offered
    stored = rows(journal, "review")[-1].record
    assert "operator picked face 2 of 2" in (stored.notes or "")


async def test_a_face_pick_is_made_once(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    """While the first pick is being journaled, a second press cannot pick again."""
    emulator.set_scenario("several_faces")
    recorder = HeldRecorder(journal, AttemptContext(station_id="st-1", operator_id="op1"))
    verifier = Verifier(client, DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS), recorder)
    session = Desk(InProcessVerifier(verifier), gate=QualityGate(enabled=False), clock=clock).session
    report = await capture(session, frame)
    with pytest.raises(SessionError, match=r"^no review is waiting$"):
        await session.settle_review(confirmed=True, supervisor_id="sup9", secret=SUPERVISOR_PIN)
    recorder.hold()
    first = asyncio.ensure_future(session.pick_face(0))
    await asyncio.wait_for(recorder.arrived.wait(), timeout=10)
    with pytest.raises(SessionError, match=r"^no face pick is offered now$"):
        await session.pick_face(1)
    recorder.release()
    picked = await first
    assert picked.outcome is not None and report.outcome is not None
    assert picked.outcome.primary_face == report.outcome.result.faces[0]
    assert picked.message == picked.outcome.message
    assert "operator picked face 1 of 2" in (rows(journal, "review")[-1].record.notes or "")


async def test_no_pick_while_a_review_waits(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(
        client,
        journal,
        clock,
        decision=DecisionPolicy(review_upper=0.999, several_faces=SeveralFacesPolicy.OPERATOR_PICKS),
    )
    await capture(desk.session, frame)
    assert desk.session.review_pending
    with pytest.raises(SessionError, match=r"^no face pick is offered now$"):
        await desk.session.pick_face(0)


async def test_no_pick_unless_the_policy_says_so(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("several_faces")
    desk = make_desk(client, journal, clock)
    await capture(desk.session, frame)
    assert not desk.session.face_pick_offered
    with pytest.raises(SessionError):
        await desk.session.pick_face(0)


async def test_the_trusted_side_refuses_a_pick_its_policy_no_longer_offers(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("several_faces")
    desk = make_desk(
        client, journal, clock, decision=DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS)
    )
    await capture(desk.session, frame)
    assert desk.session.face_pick_offered
    parts(desk).policy = DecisionPolicy()  # IT's new policy reached the trusted side meanwhile
    with pytest.raises(SessionError, match=r"^No face pick is open for that attempt\.$"):
        await desk.session.pick_face(0)
    assert not rows(journal, "review")


async def test_cancelled_attempt_is_journaled_and_the_reference_stays_locked(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("hang")
    desk = make_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-7")
    task = asyncio.ensure_future(capture(session, frame))
    deadline = asyncio.get_running_loop().time() + 10
    while emulator.requests_received == 0:
        assert asyncio.get_running_loop().time() < deadline, "the request never reached the emulator"
        await asyncio.sleep(0.01)
    assert session.phase is Phase.VERIFYING
    assert desk.next_customer() is Refusal.BUSY
    with pytest.raises(SessionError, match=r"^cannot close while a verification is in flight$"):
        session.close(CloseReason.SHUTDOWN)
    task.cancel("cancelled: the station was asked to stop (SIGTERM)")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.phase is Phase.READY
    assert session.reference_locked
    (row,) = rows(journal, "verification")
    assert row.record.outcome == "ERROR"
    assert "SIGTERM" in (row.record.notes or "")
    assert row.record.customer_ref == "CIF-7"
    assert desk.next_customer() is None
    await desk.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome is None  # no verdict was ever shown
    assert closing.record.notes == (
        f"session {session.id} closed: operator moved to the next customer; 0 answered of 1 attempt(s)"
    )


async def test_a_cancelled_second_attempt_leaves_the_first_verdict(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock)
    session = desk.session
    first = await capture(session, frame)
    emulator.set_scenario("hang")
    task = asyncio.ensure_future(capture(session, frame))
    deadline = asyncio.get_running_loop().time() + 10
    while emulator.requests_received < 2:
        assert asyncio.get_running_loop().time() < deadline, "the request never reached the emulator"
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.phase is Phase.RESULT
    assert session.last_report is first


class FailingRecorder(JournalRecorder):
    """A journal that opened, then fails on the write (the disk filled up during the shift,
    after the attempt's "attempt started" row went in)."""

    async def __call__(self, report: AttemptReport) -> int:
        if report.record_kind is RecordKind.ATTEMPT_STARTED:
            return await super().__call__(report)
        raise AuditWriteError("disk full")


async def test_a_verdict_without_a_journal_row_is_never_final(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    verifier = Verifier(client, DecisionPolicy(), FailingRecorder(journal))
    desk = Desk(InProcessVerifier(verifier), clock=clock)
    report = await capture(desk.session, frame)
    assert report.outcome is not None and report.outcome.kind is OutcomeKind.LIVE
    assert not report.final
    assert report.audit_error == "disk full"
    assert desk.session.phase is Phase.RESULT  # not closed as verified


async def test_the_quality_gate_objects_once_and_an_override_is_noted(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    gate = QualityGate(enabled=True)
    gate.update(QualityAnalyser().analyse((frame * 0.25).astype(np.uint8)))
    desk = make_desk(client, journal, clock, gate=gate)
    session = desk.session
    objection = session.check_capture(has_frame=True)
    assert objection.refusal is Refusal.NOT_READY
    assert objection.objection is Instruction.TOO_DARK
    assert gate.latest is not None and objection.message == gate.latest.text != ""
    assert emulator.requests_received == 0
    override = session.check_capture(has_frame=True)
    assert override.allowed
    assert override.notes == ("quality gate overridden: too_dark",)
    report = await session.verify(frame, override.notes)
    assert "quality gate overridden: too_dark" in report.notes
    assert gate.calls_saved == 0


async def test_an_objection_let_go_is_a_call_saved(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    gate = QualityGate(enabled=True)
    gate.update(QualityAnalyser().analyse((frame * 0.25).astype(np.uint8)))
    desk = make_desk(client, journal, clock, gate=gate)
    desk.session.set_reference("CIF-4")
    assert desk.session.check_capture(has_frame=True).refusal is Refusal.NOT_READY
    assert desk.next_customer() is None
    await desk.wait_idle()
    assert gate.calls_saved == 1
    (event,) = rows(journal, "quality_gate")
    assert "too_dark" in (event.record.notes or "")
    assert event.record.operator_id == "op1"
    assert event.record.customer_ref == "CIF-4"


async def test_an_objection_resolved_by_a_better_picture_is_a_call_saved(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    gate = QualityGate(enabled=True)
    analyser = QualityAnalyser()
    gate.update(analyser.analyse((frame * 0.25).astype(np.uint8)))
    desk = make_desk(client, journal, clock, gate=gate)
    assert desk.session.check_capture(has_frame=True).refusal is Refusal.NOT_READY
    gate.update(analyser.analyse(frame))
    assert gate.latest is not None and gate.latest.ready
    check = desk.session.check_capture(has_frame=True)
    assert check.allowed and check.notes == ()
    assert gate.calls_saved == 1


async def test_camera_and_frame_are_checked_before_the_gate(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    gate = QualityGate(enabled=True)
    desk = make_desk(client, journal, clock, gate=gate)
    stale = desk.session.check_capture(has_frame=True, camera_live=False, camera_problem="Camera lost.")
    assert stale.refusal is Refusal.CAMERA_NOT_LIVE
    assert stale.message.startswith("Camera lost. Wait until the live picture is back")
    assert desk.session.check_capture(has_frame=False).refusal is Refusal.NO_FRAME
    assert gate.objection is None


async def test_the_refusals_say_why_in_the_operators_words(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = make_desk(client, journal, clock)
    session = desk.session
    lost = session.check_capture(has_frame=True, camera_live=False)
    assert (lost.refusal, lost.message) == (
        Refusal.CAMERA_NOT_LIVE,
        "Wait until the live picture is back, then capture.",
    )
    no_frame = session.check_capture(has_frame=False)
    assert no_frame.message == "No camera picture yet. Check that the camera is connected, then try again."
    parts(desk).camera_refusal = "A still picture is not a live camera: captures are refused."
    still = session.check_capture(has_frame=True)
    assert (still.refusal, still.message) == (
        Refusal.CAMERA_NOT_LIVE,
        "A still picture is not a live camera: captures are refused.",
    )
    recorder = JournalRecorder(journal, AttemptContext(station_id="st-1"))
    no_token = Verifier(None, DecisionPolicy(), recorder, unavailable_reason="No sandbox token is enrolled.")
    check = CustomerSession(InProcessVerifier(no_token), QualityGate(enabled=False)).check_capture(
        has_frame=True
    )
    assert (check.refusal, check.message) == (Refusal.UNAVAILABLE, "No sandbox token is enrolled.")
    unconfigured = Verifier(None, DecisionPolicy(), recorder)
    check = CustomerSession(InProcessVerifier(unconfigured), QualityGate(enabled=False)).check_capture(
        has_frame=True
    )
    assert (check.refusal, check.message) == (Refusal.UNAVAILABLE, "The station is not configured.")


def test_session_policy_bounds() -> None:
    SessionPolicy(max_attempts=1, verdict_timeout_s=5)
    SessionPolicy(max_attempts=10, verdict_timeout_s=3600)
    for bad in (
        {"max_attempts": 0},
        {"max_attempts": 11},
        {"verdict_timeout_s": 4.9},
        {"verdict_timeout_s": 3600.1},
    ):
        with pytest.raises(ValueError, match="must be between"):
            SessionPolicy(**bad)


# -- consent ------------------------------------------------------------------------------------------

NOTICE = ConsentNotice("bank-2026-12", "We take one picture of your face to confirm you are here in person.")


def consent_desk(client: LivenessClient, journal: AuditJournal, clock: Clock) -> Desk:
    desk = make_desk(client, journal, clock)
    desk.notice = NOTICE
    desk.next_customer()  # the next session asks for consent
    return desk


async def test_consent_required_means_no_call_before_it_is_given(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk = consent_desk(client, journal, clock)
    session = desk.session
    assert session.consent_needed
    check = session.check_capture(has_frame=True)
    assert check.refusal is Refusal.CONSENT_NEEDED
    with pytest.raises(SessionError):
        await session.verify(frame)
    assert emulator.requests_received == 0
    session.give_consent()
    with pytest.raises(SessionError, match=r"^no consent is being asked for now$"):
        session.give_consent()
    with pytest.raises(SessionError, match=r"^no consent is being asked for now$"):
        session.refuse_consent()
    report = await capture(session, frame)
    assert report.final
    row = rows(journal, "verification")[-1].record
    assert row.consent == "given"
    assert row.consent_notice_version == "bank-2026-12"
    assert row.consent_notice_sha256 == NOTICE.sha256
    assert NOTICE.sha256 == hashlib.sha256(NOTICE.text.encode()).hexdigest()
    await desk.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert (closing.record.consent, closing.record.consent_notice_sha256) == ("given", NOTICE.sha256)


async def test_a_refusal_ends_the_session_journaled_with_no_call(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    desk = consent_desk(client, journal, clock)
    session = desk.session
    session.set_reference("CIF-9")
    session.refuse_consent()
    assert session.phase is Phase.CLOSED
    assert session.close_reason is CloseReason.CONSENT_REFUSED
    assert session.check_capture(has_frame=True).refusal is Refusal.CLOSED
    with pytest.raises(SessionError):
        session.give_consent()
    await desk.wait_idle()
    assert emulator.requests_received == 0
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome == "CONSENT_REFUSED"
    assert closing.record.notes == f"session {session.id} closed: consent refused; no capture, no call"
    assert closing.record.consent == "refused"
    assert closing.record.consent_notice_sha256 == NOTICE.sha256
    assert closing.record.customer_ref == "CIF-9"
    assert desk.next_customer() is None
    assert desk.session.consent_needed  # the next customer is asked again


async def test_no_consent_asked_when_policy_does_not(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock)
    assert not desk.session.consent_needed
    await capture(desk.session, frame)
    row = rows(journal, "verification")[-1].record
    assert row.consent == "not_asked"
    assert row.consent_notice_version is None and row.consent_notice_sha256 is None


# -- the customer's language ----------------------------------------------------------------------------

NOTICE_HI = ConsentNotice("bank-2026-12", "हम यह पुष्टि करने के लिए आपके चेहरे की एक तस्वीर लेते हैं कि आप स्वयं यहाँ हैं।")


async def test_a_language_switch_is_noted_once_on_the_next_attempt(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("spoof")
    desk = make_desk(client, journal, clock, policy=SessionPolicy(max_attempts=3))
    session = desk.session
    await capture(session, frame)
    session.set_instruction_language("en")  # the first language said is not a switch
    session.set_instruction_language("en")
    await capture(session, frame)
    session.set_instruction_language("hi")
    await capture(session, frame)
    first, second, third = (row.record for row in rows(journal, "verification"))
    assert (first.instruction_language, second.instruction_language, third.instruction_language) == (
        None,
        "en",
        "hi",
    )
    assert "language" not in (second.notes or "")
    assert "customer instruction language changed from en to hi" in (third.notes or "")


async def test_the_notice_follows_the_language_until_the_customer_answers(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = consent_desk(client, journal, clock)
    session = desk.session
    session.set_instruction_language("en")  # no notice given: the one shown stays
    assert session.notice is NOTICE
    session.set_instruction_language("hi", NOTICE_HI)
    assert session.notice is NOTICE_HI
    session.give_consent()
    session.set_instruction_language("en", NOTICE)  # after the answer the words agreed to stay
    assert session.notice is NOTICE_HI
    await capture(session, frame)
    row = rows(journal, "verification")[-1].record
    assert row.consent_notice_sha256 == NOTICE_HI.sha256
    assert "customer instruction language changed from hi to en" in (row.notes or "")
