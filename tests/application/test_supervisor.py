"""The station's supervisor without Qt: a hand-wound clock, the real emulator, client and journal."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.background import Background
from station.application.consent import NOT_ASKED
from station.application.fleet import StationFacts
from station.application.health import JournalState, Level, Part, PartHealth
from station.application.port import Capture, InProcessVerifier, ServiceCheck
from station.application.readiness import NotReady
from station.application.recording import AttemptContext, JournalRecorder
from station.application.supervisor import Check, Intervals, StationSupervisor
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.core.encode import encode_jpeg
from station.emulator import Emulator
from station.ship.status import ShipState, ShipStatus
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio


class Strip:
    """What the supervisor showed, part by part (the window's health strip, without the window)."""

    def __init__(self) -> None:
        self.shown: list[PartHealth] = []

    def __call__(self, health: PartHealth) -> None:
        self.shown.append(health)

    def last(self, part: Part) -> PartHealth | None:
        found = [health for health in self.shown if health.part is part]
        return found[-1] if found else None

    def count(self, part: Part) -> int:
        return sum(1 for health in self.shown if health.part is part)


class Parts:
    def __init__(self, client: LivenessClient | None, journal: AuditJournal, clock: Clock) -> None:
        self.verifier = Verifier(client, DecisionPolicy(), JournalRecorder(journal, AttemptContext()))
        self.port = InProcessVerifier(self.verifier)
        self.strip = Strip()
        self.background = Background()
        self.facts = StationFacts()
        self.policy_reads = 0
        self.supervisor = StationSupervisor(
            self.verifier,
            self.port,
            self.strip,
            background=self.background,
            facts=self.facts,
            recheck_policy=self.read_policy,
            clock=clock,
        )

    async def read_policy(self) -> None:
        self.policy_reads += 1

    async def tick(self) -> None:
        self.supervisor.tick()
        await self.background.wait_idle()


async def test_the_first_tick_reads_the_journal_and_the_service_then_each_on_its_interval(
    client: LivenessClient, journal: AuditJournal, clock: Clock, emulator: Emulator
) -> None:
    parts = Parts(client, journal, clock)
    await parts.tick()
    journal_part, service_part = parts.strip.last(Part.JOURNAL), parts.strip.last(Part.SERVICE)
    assert journal_part is not None and journal_part.level is Level.GOOD
    assert service_part is not None and service_part.level is Level.GOOD
    assert parts.facts().credit_balance == emulator.balance  # the fleet's heartbeat learns it too
    assert parts.policy_reads == 0  # the policy was just read by whoever built the station
    clock.now += 0.5
    await parts.tick()
    assert (parts.supervisor.runs[Check.JOURNAL], parts.supervisor.runs[Check.SERVICE]) == (1, 1)
    clock.now += 0.5
    await parts.tick()
    assert (parts.supervisor.runs[Check.JOURNAL], parts.supervisor.runs[Check.SERVICE]) == (2, 1)
    clock.now += Intervals().policy
    await parts.tick()
    assert parts.policy_reads == 1
    clock.now += Intervals().service
    await parts.tick()
    assert parts.supervisor.runs[Check.SERVICE] == 2


async def test_an_unchanged_finding_is_not_shown_again(
    client: LivenessClient, journal: AuditJournal, clock: Clock, emulator: Emulator
) -> None:
    """The journal is looked at every second; the strip (and the banner and guide the window
    redraws after it) hears only of a change."""
    parts = Parts(client, journal, clock)
    await parts.tick()
    for _ in range(5):
        clock.now += Intervals().journal
        await parts.tick()
    assert parts.supervisor.runs[Check.JOURNAL] == 6
    assert parts.strip.count(Part.JOURNAL) == 1
    clock.now += Intervals().service  # the same balance read again: nothing new to show
    await parts.tick()
    assert parts.supervisor.runs[Check.SERVICE] == 2
    assert parts.strip.count(Part.SERVICE) == 1
    journal.path.unlink()  # a change is shown at the next look
    clock.now += Intervals().journal
    await parts.tick()
    assert parts.strip.count(Part.JOURNAL) == 2
    shown = parts.strip.last(Part.JOURNAL)
    assert shown is not None and shown.level is Level.BAD
    clock.now += Intervals().journal
    await parts.tick()
    assert parts.strip.count(Part.JOURNAL) == 2  # still missing: said once


async def test_a_balance_that_changed_is_shown(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    parts = Parts(client, journal, clock)
    await parts.tick()
    capture = Capture(encode_jpeg(frame), frame_sequence=1, session_id="s", consent=NOT_ASKED)
    await parts.port.verify(capture)  # one paid call: the balance is one credit lower
    clock.now += Intervals().service
    await parts.tick()
    assert parts.strip.count(Part.SERVICE) == 2
    shown = parts.strip.last(Part.SERVICE)
    assert shown is not None and shown.word == f"balance {emulator.balance:,.0f}".replace(",", " ")


async def test_a_journal_removed_under_the_station_turns_red_and_holds_captures(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    parts = Parts(client, journal, clock)
    await parts.tick()
    assert parts.port.readiness().ready
    journal.path.unlink()
    clock.now += Intervals().journal
    await parts.tick()
    shown = parts.strip.last(Part.JOURNAL)
    assert shown is not None and shown.level is Level.BAD
    assert parts.verifier.journal_state is JournalState.MISSING
    assert parts.port.readiness().holds_for(NotReady.JOURNAL)
    capture = Capture(encode_jpeg(frame), frame_sequence=1, session_id="s", consent=NOT_ASKED)
    assert not (await parts.port.verify(capture)).final
    assert emulator.requests_received == 0


async def test_every_call_is_news_about_the_service(
    client: LivenessClient, journal: AuditJournal, clock: Clock, frame: np.ndarray, emulator: Emulator
) -> None:
    parts = Parts(client, journal, clock)
    await parts.tick()
    emulator.set_scenario("error")  # the service answers 5xx
    capture = Capture(encode_jpeg(frame), frame_sequence=1, session_id="s", consent=NOT_ASKED)
    failed = await parts.port.verify(capture)
    parts.supervisor.learn_from_call(failed)
    shown = parts.strip.last(Part.SERVICE)
    assert shown is not None and shown.level is not Level.GOOD  # at once, not in 5 minutes
    assert parts.supervisor.due_in(Check.SERVICE) == pytest.approx(Intervals().service_retry)
    emulator.set_scenario("live")
    answered = await parts.port.verify(capture)
    parts.supervisor.learn_from_call(answered)  # an answer after a failure: read it again now
    await parts.background.wait_idle()
    shown = parts.strip.last(Part.SERVICE)
    assert shown is not None and shown.level is Level.GOOD
    served = parts.strip.count(Part.SERVICE)
    parts.supervisor.learn_from_call(answered)  # already green: nothing to read again
    await parts.background.wait_idle()
    assert parts.strip.count(Part.SERVICE) == served


async def test_no_client_shows_why_in_the_operators_words(journal: AuditJournal, clock: Clock) -> None:
    parts = Parts(None, journal, clock)
    parts.verifier.swap_client(None, "run station token set", NotReady.TOKEN)
    await parts.tick()
    shown = parts.strip.last(Part.SERVICE)
    assert shown is not None and shown.level is Level.BAD and shown.word == "not configured"
    assert "station token" not in shown.fix  # the CLI's advice is for the log, not the operator


async def test_the_shippers_status_is_pushed_to_the_strip(journal: AuditJournal, clock: Clock) -> None:
    parts = Parts(None, journal, clock)
    parts.supervisor.shipping_changed(ShipStatus(ShipState.SHIPPED), timedelta(minutes=15))
    shown = parts.strip.last(Part.SHIPPING)
    assert shown is not None and shown.level is Level.GOOD
    parts.supervisor.shipping_changed(ShipStatus(ShipState.SHIPPED), timedelta(minutes=15))
    assert parts.strip.count(Part.SHIPPING) == 1  # the same status again: nothing to redraw
    parts.supervisor.shipping_changed(
        ShipStatus(ShipState.FAILING, last_error="relay refused"), timedelta(minutes=15)
    )
    shown = parts.strip.last(Part.SHIPPING)
    assert shown is not None and shown.level is Level.WARN and "Call IT" in shown.fix


async def test_after_close_nothing_is_checked_or_shown(
    client: LivenessClient, journal: AuditJournal, clock: Clock
) -> None:
    parts = Parts(client, journal, clock)
    parts.supervisor.tick()
    await parts.supervisor.aclose()  # a balance read under way is cancelled, the rest finish
    shown = len(parts.strip.shown)
    clock.now += 3600
    await parts.tick()
    parts.supervisor.shipping_changed(ShipStatus(ShipState.FAILING), timedelta(minutes=15))
    assert len(parts.strip.shown) == shown
    assert parts.background.pending == 0


class SlowRecorder(JournalRecorder):
    """The real recorder, whose file check waits until the test lets it answer."""

    def __init__(self, journal: AuditJournal) -> None:
        super().__init__(journal, AttemptContext())
        self.door = threading.Event()

    def journal_state(self) -> JournalState:
        self.door.wait(10)
        return JournalState.MISSING


async def test_a_journal_check_that_outlived_its_journal_changes_nothing(
    journal: AuditJournal, clock: Clock
) -> None:
    parts = Parts(None, journal, clock)
    slow = SlowRecorder(journal)
    parts.verifier.recorder = slow
    parts.supervisor.tick()  # the check looks at the slow journal in a worker thread
    parts.verifier.recorder = JournalRecorder(journal)  # meanwhile, the journal came back
    slow.door.set()
    await parts.background.wait_idle()
    assert parts.verifier.journal_state is JournalState.WRITABLE  # the stale answer was dropped
    assert not parts.port.readiness().holds_for(NotReady.JOURNAL)


class BrokenCheck(InProcessVerifier):
    async def check_service(self) -> ServiceCheck:
        raise RuntimeError("a fault in the trusted side")


async def test_a_service_check_that_fails_is_the_services_health_not_a_crash(
    journal: AuditJournal, clock: Clock
) -> None:
    parts = Parts(None, journal, clock)
    parts.supervisor.port = BrokenCheck(parts.verifier)
    await parts.tick()
    shown = parts.strip.last(Part.SERVICE)
    assert shown is not None and (shown.level, shown.word) == (Level.WARN, "balance unknown")
    assert "RuntimeError" in shown.fix
