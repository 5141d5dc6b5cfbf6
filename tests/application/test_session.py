"""The customer session without Qt: every transition and every policy, against the real emulator
over loopback, a real client and a real journal."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.api import Credential, Environment, LivenessClient, RetryPolicy, Timeouts
from station.application.attempt import AttemptReport
from station.application.consent import ConsentNotice
from station.application.desk import Desk
from station.application.gate import QualityGate
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
from station.audit import AuditJournal, StoredRecord
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.resources import sample_path
from station.vision.faces import FaceDetector
from station.vision.quality import Instruction, QualityAnalyser

pytestmark = pytest.mark.anyio

KEY = b"s" * 32


class Clock:
    """A hand-wound monotonic clock: the verdict timeout is tested without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture
def emulator(detector: FaceDetector) -> Iterator[Emulator]:
    with Emulator(scenario="live", detector=detector) as running:
        yield running


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    image = cv2.imread(str(sample_path("face.jpg")))
    assert image is not None
    return image


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[AuditJournal]:
    with AuditJournal.open(tmp_path / "audit.sqlite3", KEY) as opened:
        yield opened


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[LivenessClient]:
    async with LivenessClient(
        Credential(Environment.SANDBOX, emulator.token),
        base_url=emulator.base_url,
        timeouts=Timeouts(connect=2, read=5, write=2, deadline=10),
        retry=RetryPolicy(attempts=1),
    ) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


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
    return Desk(
        verifier, gate=gate or QualityGate(enabled=False), policy=policy, operator_id=operator, clock=clock
    )


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
    with pytest.raises(SessionError):
        await session.verify(frame)
    assert emulator.requests_received == 1
    await desk.verifier.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome == "LIVE"
    assert closing.record.customer_ref == "CIF-111"
    assert "verified" in (closing.record.notes or "")


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
    with pytest.raises(SessionError, match="locked"):
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


async def test_review_must_be_settled_by_another_person(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999), operator="op1")
    session = desk.session
    report = await capture(session, frame)
    assert report.kind is OutcomeKind.REVIEW
    assert session.review_pending
    assert session.check_capture(has_frame=True).refusal is Refusal.REVIEW_PENDING
    assert desk.next_customer() is Refusal.REVIEW_PENDING
    assert desk.session is session  # still the same customer
    clock.now += 3600
    assert not desk.clear_if_expired()  # a REVIEW never clears itself
    with pytest.raises(SessionError, match="own attempt"):
        await session.settle_review(confirmed=True, supervisor_id="op1")
    assert session.review_pending
    settled = await session.settle_review(confirmed=True, supervisor_id="sup9")
    assert settled.kind is OutcomeKind.LIVE and settled.final
    assert settled.supervisor_id == "sup9"
    assert settled.settles_sequence == report.audit_sequence
    assert session.close_reason is CloseReason.VERIFIED
    review = rows(journal, "review")[-1]
    assert f"attempt #{report.audit_sequence}" in (review.record.notes or "")
    assert "supervisor sup9 confirmed" in (review.record.notes or "")
    assert desk.next_customer() is None


async def test_a_rejected_review_closes_as_rejected(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999))
    session = desk.session
    await capture(session, frame)
    rejected = await session.settle_review(confirmed=False, supervisor_id="sup9")
    assert rejected.kind is OutcomeKind.SPOOF
    assert session.close_reason is CloseReason.REJECTED
    with pytest.raises(SessionError):
        await session.settle_review(confirmed=True, supervisor_id="sup9")


async def test_a_review_that_cannot_be_journaled_stays_open(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock, decision=DecisionPolicy(review_upper=0.999))
    session = desk.session
    await capture(session, frame)
    desk.verifier.recorder = UnavailableRecorder("disk full")
    settled = await session.settle_review(confirmed=True, supervisor_id="sup9")
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
    await desk.verifier.wait_idle()
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
    await desk.verifier.wait_idle()
    (closing,) = rows(journal, KIND_SESSION)
    assert "verdict cleared after the timeout" in (closing.record.notes or "")
    assert closing.record.outcome == "SPOOF"


async def test_a_live_verdict_also_clears_and_the_clearing_is_journaled(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray
) -> None:
    desk = make_desk(client, journal, clock)
    await capture(desk.session, frame)
    clock.now += 61
    assert desk.clear_if_expired()
    await desk.verifier.wait_idle()
    notes = [row.record.notes or "" for row in rows(journal, KIND_SESSION)]
    assert any("closed: verified" in note for note in notes)
    assert any("verdict cleared after 60 s" in note for note in notes)


async def test_nothing_to_clear_before_a_verdict(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    desk = make_desk(client, journal, clock)
    clock.now += 10_000
    assert not desk.clear_if_expired()
    assert desk.next_customer() is None
    await desk.verifier.wait_idle()
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


async def test_no_pick_unless_the_policy_says_so(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    emulator.set_scenario("several_faces")
    desk = make_desk(client, journal, clock)
    await capture(desk.session, frame)
    assert not desk.session.face_pick_offered
    with pytest.raises(SessionError):
        await desk.session.pick_face(0)


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
    task.cancel("cancelled: the station was asked to stop (SIGTERM)")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.phase is Phase.READY
    assert session.reference_locked
    (row,) = rows(journal, "verification")
    assert row.record.outcome == "ERROR"
    assert "SIGTERM" in (row.record.notes or "")
    assert row.record.customer_ref == "CIF-7"


async def test_a_verdict_without_a_journal_row_is_never_final(
    client: LivenessClient, clock: Clock, frame: np.ndarray
) -> None:
    verifier = Verifier(client, DecisionPolicy(), UnavailableRecorder("disk full"))
    desk = Desk(verifier, clock=clock)
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
    assert desk.session.check_capture(has_frame=True).refusal is Refusal.NOT_READY
    assert desk.next_customer() is None
    await desk.verifier.wait_idle()
    assert gate.calls_saved == 1
    (event,) = rows(journal, "quality_gate")
    assert "too_dark" in (event.record.notes or "")
    assert event.record.operator_id == "op1"


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


def test_session_policy_bounds() -> None:
    SessionPolicy(max_attempts=1, verdict_timeout_s=5)
    SessionPolicy(max_attempts=10, verdict_timeout_s=3600)
    for bad in ({"max_attempts": 0}, {"max_attempts": 11}, {"verdict_timeout_s": 4.9}):
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
    report = await capture(session, frame)
    assert report.final
    row = rows(journal, "verification")[-1].record
    assert row.consent == "given"
    assert row.consent_notice_version == "bank-2026-12"
    assert row.consent_notice_sha256 == NOTICE.sha256
    assert NOTICE.sha256 == hashlib.sha256(NOTICE.text.encode()).hexdigest()


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
    await desk.verifier.wait_idle()
    assert emulator.requests_received == 0
    (closing,) = rows(journal, KIND_SESSION)
    assert closing.record.outcome == "CONSENT_REFUSED"
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
