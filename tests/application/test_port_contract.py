"""The verifier port's contract, run against every implementation: the in-process one, and the
station service's client over a real Unix socket to a service serving the same parts
(``tests/service/serving.py``). Real emulator, real journal, real PINs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import numpy as np
import pytest

from station.api import Credential, Environment, LivenessClient, RetryPolicy, Timeouts
from station.application.health import Level, Part
from station.application.kinds import ErrorKind, EventKind, RecordKind
from station.application.port import (
    Capture,
    CounterTerms,
    DeskEvent,
    FacePick,
    InProcessVerifier,
    LocalFailure,
    PickRefusedError,
    ReviewDecision,
    ReviewRefusal,
    ReviewRefusedError,
    VerifierPort,
)
from station.application.readiness import NO_TOKEN_FIX, NotReady
from station.application.recording import AttemptContext, JournalRecorder, UnavailableRecorder
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.service.client import ServiceVerifier
from tests.service.serving import serving_ports

pytestmark = pytest.mark.anyio

SUPERVISOR_PIN = "736251"

#: Builds a port from the trusted side's parts.
PortFactory = Callable[[Verifier, PinGuard | None], Awaitable[VerifierPort]]


@asynccontextmanager
async def in_process_ports() -> AsyncIterator[PortFactory]:
    async def build(parts: Verifier, pins: PinGuard | None) -> VerifierPort:
        return InProcessVerifier(parts, pins)

    yield build


#: One entry per implementation: the factories it builds ports with, for one test.
IMPLEMENTATIONS: dict[str, Callable[[], AbstractAsyncContextManager[PortFactory]]] = {
    "in-process": in_process_ports,
    "service": serving_ports,
}

_conforms: type[VerifierPort] = InProcessVerifier  # mypy checks the structure
_conforms_too: type[VerifierPort] = ServiceVerifier


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
async def make_port(request: pytest.FixtureRequest) -> AsyncIterator[PortFactory]:
    async with IMPLEMENTATIONS[request.param]() as factory:
        yield factory


@pytest.fixture
def pins(tmp_path: Path) -> PinGuard:
    return PinGuard(People(None, {"sup2": hash_pin(SUPERVISOR_PIN)}), PinLedger(tmp_path / "pins.sqlite3"))


def capture_of(frame: np.ndarray, sequence: int = 7) -> Capture:
    return Capture(encode_jpeg(frame), frame_sequence=sequence, session_id="s-1", customer_ref="CIF-9")


def verifier(client: LivenessClient | None, journal: AuditJournal, **decision: object) -> Verifier:
    recorder = JournalRecorder(journal, AttemptContext())
    return Verifier(client, DecisionPolicy(**decision), recorder)  # type: ignore[arg-type]


async def signed_in(port: VerifierPort, operator: str = "op1") -> VerifierPort:
    assert await port.authenticate_operator(operator, None) is not None
    return port


async def test_a_ready_port_verifies_and_journals(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
) -> None:
    port = await make_port(verifier(client, journal), None)
    assert port.readiness().ready
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.LIVE and report.final
    assert report.customer_ref == "CIF-9" and report.session_id == "s-1"
    assert "frame 7" in report.notes
    assert emulator.requests_received == 1


async def test_a_port_refuses_a_capture_without_the_consent_policy_asks_for(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
) -> None:
    parts = verifier(client, journal)
    parts.consent_required = True
    report = await (await make_port(parts, None)).verify(capture_of(frame))
    assert report.error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0


@pytest.mark.parametrize("hold", [NotReady.JOURNAL, NotReady.TOKEN, NotReady.CAMERA])
async def test_a_port_that_is_not_ready_sends_nothing(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
    hold: NotReady,
) -> None:
    parts = verifier(client, journal)
    if hold is NotReady.JOURNAL:
        parts.recorder = UnavailableRecorder("the disk is full")
    elif hold is NotReady.TOKEN:
        parts.swap_client(None, "No service token is enrolled.", NotReady.TOKEN)
    else:
        parts.camera_refusal = "Not a live camera."
    port = await make_port(parts, None)
    assert port.readiness().holds_for(hold)
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.NOT_READY
    assert emulator.requests_received == 0


async def reviewed(port: VerifierPort, frame: np.ndarray) -> int:
    await signed_in(port)
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.REVIEW and report.final and report.audit_sequence is not None
    return report.audit_sequence


async def test_a_supervisor_settles_a_review_with_their_own_pin(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, frame: np.ndarray, pins: PinGuard
) -> None:
    port = await make_port(verifier(client, journal, review_upper=0.999), pins)
    attempt = await reviewed(port, frame)
    settled = await port.settle_review(ReviewDecision(attempt, "SUP2", SUPERVISOR_PIN, False))
    assert settled.kind is OutcomeKind.SPOOF and settled.final
    assert settled.record_kind is RecordKind.REVIEW and settled.supervisor_id == "sup2"
    assert settled.settles_sequence == attempt
    with pytest.raises(ReviewRefusedError) as again:  # settled once: never a second time
        await port.settle_review(ReviewDecision(attempt, "sup2", SUPERVISOR_PIN, True))
    assert again.value.refusal is ReviewRefusal.NOT_A_REVIEW


@pytest.mark.parametrize(
    ("supervisor", "secret", "refusal"),
    [
        ("op1", SUPERVISOR_PIN, ReviewRefusal.OWN_ATTEMPT),
        (" OP1 ", SUPERVISOR_PIN, ReviewRefusal.OWN_ATTEMPT),  # the same person, spelled otherwise
        ("sup2", "000000", ReviewRefusal.WRONG_SECRET),
        ("nobody", SUPERVISOR_PIN, ReviewRefusal.WRONG_SECRET),
    ],
)
async def test_the_trusted_side_refuses_a_review_it_cannot_accept(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    pins: PinGuard,
    supervisor: str,
    secret: str,
    refusal: ReviewRefusal,
) -> None:
    port = await make_port(verifier(client, journal, review_upper=0.999), pins)
    attempt = await reviewed(port, frame)
    rows = len(journal.recent(50))
    with pytest.raises(ReviewRefusedError) as refused:
        await port.settle_review(ReviewDecision(attempt, supervisor, secret, True))
    assert refused.value.refusal is refusal
    assert len(journal.recent(50)) == rows  # nothing settled


async def test_no_review_is_settled_without_a_way_to_check_the_supervisor(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, frame: np.ndarray
) -> None:
    port = await make_port(verifier(client, journal, review_upper=0.999), None)
    attempt = await reviewed(port, frame)
    with pytest.raises(ReviewRefusedError) as refused:
        await port.settle_review(ReviewDecision(attempt, "sup2", SUPERVISOR_PIN, True))
    assert refused.value.refusal is ReviewRefusal.CANNOT_CHECK


async def test_only_a_journaled_review_can_be_settled(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, frame: np.ndarray, pins: PinGuard
) -> None:
    port = await signed_in(await make_port(verifier(client, journal), pins))
    live = await port.verify(capture_of(frame))
    assert live.audit_sequence is not None
    for sequence in (live.audit_sequence, live.audit_sequence + 100, -1):  # a LIVE, or no attempt
        with pytest.raises(ReviewRefusedError) as refused:
            await port.settle_review(ReviewDecision(sequence, "sup2", SUPERVISOR_PIN, True))
        assert refused.value.refusal is ReviewRefusal.NOT_A_REVIEW


async def test_operators_are_taken_as_people_compare_them(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal
) -> None:
    port = await make_port(verifier(client, journal), None)
    identity = await port.authenticate_operator("  Alice ", None)
    assert identity is not None and identity.operator_id == "alice"
    assert await port.authenticate_operator("   ", None) is None


async def test_the_attempt_is_recorded_under_the_operator_the_trusted_side_confirmed(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, frame: np.ndarray
) -> None:
    port = await signed_in(await make_port(verifier(client, journal), None), "Alice")
    await port.verify(capture_of(frame))
    assert journal.recent(1)[0].record.operator_id == "alice"


async def test_alice_cannot_settle_alices_review_by_spelling_her_name_otherwise(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, frame: np.ndarray, tmp_path: Path
) -> None:
    guard = PinGuard(People(None, {"alice": hash_pin(SUPERVISOR_PIN)}), PinLedger(tmp_path / "p.sqlite3"))
    port = await signed_in(await make_port(verifier(client, journal, review_upper=0.999), guard), "alice")
    report = await port.verify(capture_of(frame))
    assert report.audit_sequence is not None
    with pytest.raises(ReviewRefusedError) as refused:
        await port.settle_review(ReviewDecision(report.audit_sequence, "Alice", SUPERVISOR_PIN, True))
    assert refused.value.refusal is ReviewRefusal.OWN_ATTEMPT


async def test_terms_tell_the_desk_the_rules_it_runs_the_counter_by(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal
) -> None:
    parts = verifier(client, journal, several_faces=SeveralFacesPolicy.OPERATOR_PICKS)
    parts.consent_required, parts.deadline_s, parts.jpeg_quality = True, 12.5, 85
    terms = (await make_port(parts, None)).terms()
    assert terms == CounterTerms(
        SeveralFacesPolicy.OPERATOR_PICKS, True, 12.5, 85, supervisors_available=False
    )


async def test_terms_say_whether_a_supervisor_can_settle_a_review_from_the_trusted_sides_list(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, tmp_path: Path, pins: PinGuard
) -> None:
    """The trusted side counts its own supervisors: a guard with none, or no guard at all, says no
    REVIEW can be settled here (the screen says "call IT"); the desk cannot say otherwise."""
    nobody = PinGuard(People(None, {}), PinLedger(tmp_path / "none.sqlite3"))
    assert (await make_port(verifier(client, journal), pins)).terms().supervisors_available
    assert not (await make_port(verifier(client, journal), nobody)).terms().supervisors_available
    assert not (await make_port(verifier(client, journal), None)).terms().supervisors_available


async def test_the_trusted_side_reads_the_balance_with_its_own_client(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, emulator: Emulator
) -> None:
    """The desk has no token and no client of its own: the service part of its health strip, and
    the balance for the fleet's heartbeat, are what the trusted side read."""
    check = await (await make_port(verifier(client, journal), None)).check_service()
    assert (check.health.part, check.health.level) == (Part.SERVICE, Level.GOOD)
    assert check.balance == emulator.balance > 0
    assert check.health.word == "balance " + f"{emulator.balance:,}".replace(",", " ")
    assert check.health.fix == ""


async def test_the_service_check_says_why_the_trusted_side_has_no_client(
    make_port: PortFactory, journal: AuditJournal
) -> None:
    parts = verifier(None, journal)
    parts.swap_client(None, "No service token is enrolled.", NotReady.TOKEN)
    check = await (await make_port(parts, None)).check_service()
    assert (check.health.level, check.health.word, check.balance) == (Level.BAD, "not configured", None)
    assert check.health.fix == NO_TOKEN_FIX  # the operator's words: call IT


async def test_a_token_the_liveness_service_refuses_is_the_service_parts_health(
    make_port: PortFactory, journal: AuditJournal, emulator: Emulator
) -> None:
    async with LivenessClient(
        Credential(Environment.SANDBOX, "sk_sandbox_" + "0" * 32),
        base_url=emulator.base_url,
        timeouts=Timeouts(connect=2, read=5, write=2, deadline=10),
        retry=RetryPolicy(attempts=1),
    ) as refused:
        check = await (await make_port(verifier(refused, journal), None)).check_service()
    assert (check.health.level, check.health.word, check.balance) == (Level.BAD, "refused", None)
    assert emulator.token not in repr(check)


async def test_a_failure_before_sending_is_journaled_as_an_error_and_nothing_is_sent(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal, emulator: Emulator
) -> None:
    port = await make_port(verifier(client, journal), None)
    failure = LocalFailure(ErrorKind.ENCODING, "The captured frame could not be encoded.", "s-1", "CIF-9")
    report = await port.record_failure(failure)
    assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.ENCODING and report.final
    assert journal.recent(1)[0].record.customer_ref == "CIF-9"
    assert emulator.requests_received == 0


async def test_a_counter_event_reaches_the_journal(
    make_port: PortFactory, client: LivenessClient, journal: AuditJournal
) -> None:
    port = await make_port(verifier(client, journal), None)
    await port.record_event(DeskEvent(EventKind.SESSION, "session s-1 closed: verified", "LIVE", "CIF-9"))
    await port.wait_idle()
    row = journal.recent(1)[0].record
    assert row.kind == EventKind.SESSION and row.customer_ref == "CIF-9" and row.outcome == "LIVE"


async def test_the_operator_picks_a_face_the_trusted_side_itself_offered(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
) -> None:
    emulator.set_scenario("several_faces")
    port = await signed_in(
        await make_port(verifier(client, journal, several_faces=SeveralFacesPolicy.OPERATOR_PICKS), None)
    )
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.RETRY and report.audit_sequence is not None
    with pytest.raises(PickRefusedError):
        await port.pick_face(FacePick(report.audit_sequence, 99))
    with pytest.raises(PickRefusedError):
        await port.pick_face(FacePick(report.audit_sequence + 100, 0))
    picked = await port.pick_face(FacePick(report.audit_sequence, 0))
    assert picked.final and picked.record_kind is RecordKind.REVIEW
    assert picked.settles_sequence == report.audit_sequence
    with pytest.raises(PickRefusedError):  # decided once
        await port.pick_face(FacePick(report.audit_sequence, 0))


async def test_nobody_but_the_attempts_operator_picks_its_face(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
) -> None:
    emulator.set_scenario("several_faces")
    parts = verifier(client, journal, several_faces=SeveralFacesPolicy.OPERATOR_PICKS)
    port = await signed_in(await make_port(parts, None), "op1")
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.RETRY and report.audit_sequence is not None
    await signed_in(port, "op2")  # another operator at the same station
    with pytest.raises(PickRefusedError):
        await port.pick_face(FacePick(report.audit_sequence, 0))
    await signed_in(port, "OP1")
    picked = await port.pick_face(FacePick(report.audit_sequence, 0))  # still open for its operator
    assert picked.final


async def test_no_pick_is_offered_where_policy_asks_for_a_retry(
    make_port: PortFactory,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    emulator: Emulator,
) -> None:
    emulator.set_scenario("several_faces")
    port = await make_port(verifier(client, journal), None)
    report = await port.verify(capture_of(frame))
    assert report.kind is OutcomeKind.RETRY and report.audit_sequence is not None
    with pytest.raises(PickRefusedError):
        await port.pick_face(FacePick(report.audit_sequence, 0))
