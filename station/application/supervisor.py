"""Keeping the station's health current while it runs: the one supervisor, driven by a tick.

The composition root builds the parts and connects them; this object watches them. Each
:meth:`StationSupervisor.tick` starts the checks that are due, each at most once at a time, in the
desk's one :class:`~station.application.background.Background`:

* the journal file (a stat in a worker thread, every second): a journal deleted, replaced or cut
  under the station turns its part red, and the trusted side refuses captures;
* the service (the credit balance, every 5 minutes; 15 s after a call failed);
* the trusted side's readiness (:meth:`~station.application.port.VerifierPort.refresh`);
* the machine policy (read again every minute, applied when it changed).

Every call is news about the service (:meth:`learn_from_call`), and the journal's shipper pushes
its status (:meth:`shipping_changed`): nothing is polled that can tell. What it finds goes to one
``show`` callable (the window's health strip), and only when it differs from what it showed last for
that part: the journal is looked at every second, and an unchanged "writable" redrew the strip, the
banner and the guide each time (issue 27: the station's idle cost). No Qt here, so it is tested with
a hand-wound clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from station.application.attempt import AttemptReport
from station.application.background import Background
from station.application.call_health import answered, call_health
from station.application.fleet import StationFacts
from station.application.health import Level, Part, PartHealth, journal_health, service_health
from station.application.port import ServiceCheck, VerifierPort
from station.application.readiness import journal_part, token_health
from station.application.recording import ServiceKeepsTheJournal
from station.application.verifier import Verifier
from station.ship.status import ShipState, ShipStatus, needs_attention, status_text
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["Check", "Intervals", "StationSupervisor", "shipping_health"]

Clock = Callable[[], float]
Show = Callable[[PartHealth], None]


@dataclass(frozen=True, slots=True)
class Intervals:
    """How often each check runs, in seconds."""

    journal: float = 1.0
    service: float = 300.0
    #: How soon the service is read again after a call failed.
    service_retry: float = 15.0
    policy: float = 60.0
    readiness: float = 5.0


class Check:
    """The names of the supervisor's checks (one in flight at most, each)."""

    JOURNAL: Final = "journal"
    SERVICE: Final = "service"
    POLICY: Final = "policy"
    READINESS: Final = "readiness"


def shipping_health(status: ShipStatus, alert_age: timedelta) -> PartHealth:
    """The shipping part of the health strip from the shipper's status."""
    attention = status.state is ShipState.FAILING or needs_attention(status, alert_age)
    fix = (
        Phrase(
            QT_TRANSLATE_NOOP("Health", "Journal shipping: {status}. Call IT if it lasts."),
            status=status_text(status),
        )
        if attention
        else ""
    )
    return PartHealth(Part.SHIPPING, Level.WARN if attention else Level.GOOD, status_text(status), fix)


class StationSupervisor:
    """See the module docstring. ``verifier`` is the in-process trusted side's parts (its journal
    and its client); ``recheck_policy`` reads the policy again and applies what changed."""

    def __init__(
        self,
        verifier: Verifier,
        port: VerifierPort,
        show: Show,
        *,
        background: Background,
        facts: StationFacts | None = None,
        recheck_policy: Callable[[], Awaitable[None]] | None = None,
        intervals: Intervals | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.verifier = verifier
        self.port = port
        self.facts = facts
        self.recheck_policy = recheck_policy
        self.intervals = intervals or Intervals()
        self._show = show
        self._background = background
        self._clock = clock
        #: When each check is next due (monotonic seconds): at the first tick, but the policy
        #: (just read by whoever built the station) one interval after it.
        self._due: dict[str, float] = dict.fromkeys((Check.JOURNAL, Check.SERVICE, Check.READINESS), 0.0)
        self._started = False
        self._running: dict[str, asyncio.Task[None]] = {}
        self._service_level: Level | None = None
        #: What was shown last for each part: an equal finding is not shown again.
        self._shown: dict[Part, PartHealth] = {}
        #: How many times each check was started (for tests and the bench).
        self.runs: Counter[str] = Counter()
        self._stopped = False

    # -- the tick ------------------------------------------------------------------------------

    def tick(self) -> None:
        """Start every check that is due (and not already running)."""
        if self._stopped:
            return
        now = self._clock()
        intervals = self.intervals
        if not self._started:
            self._started = True
            self._due[Check.POLICY] = now + intervals.policy
        self._when_due(Check.JOURNAL, now, intervals.journal, self.check_journal)
        self._when_due(Check.SERVICE, now, intervals.service, self.check_service)
        self._when_due(Check.READINESS, now, intervals.readiness, self._refresh)
        if self.recheck_policy is not None:
            self._when_due(Check.POLICY, now, intervals.policy, self.recheck_policy)

    def _when_due(self, check: str, now: float, interval: float, work: Callable[[], Awaitable[None]]) -> None:
        if now < self._due[check]:
            return
        self._due[check] = now + interval
        self.start(check, work)

    def start(self, check: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``check`` now, unless it is already running (then that run is the answer)."""
        running = self._running.get(check)
        if running is not None and not running.done():
            return running

        async def run() -> None:
            await work()

        task = self._background.spawn(run(), f"the {check} check")
        self._running[check] = task
        self.runs[check] += 1
        return task

    def due_in(self, check: str) -> float:
        """Seconds until ``check`` is next due (for tests and the log)."""
        return self._due.get(check, float("inf")) - self._clock()

    # -- the checks ----------------------------------------------------------------------------

    async def check_journal(self) -> None:
        """Look at the journal file (in a worker thread) and show its state; a missing journal
        turns the strip red and the trusted side refuses to capture."""
        recorder = self.verifier.recorder
        if isinstance(recorder, ServiceKeepsTheJournal):
            return  # the service's journal: its readiness says (:meth:`_refresh`)
        state = await asyncio.to_thread(recorder.journal_state)
        if self.verifier.recorder is not recorder:
            return  # the journal was swapped while it was looked at: the next check sees the new one
        self.verifier.journal_state = state
        self._publish(journal_health(state, getattr(recorder, "reason", "")))

    async def check_service(self) -> None:
        """Have the trusted side read the credit balance, and show the service's health (any
        failure is its health): on an installed station the service reads it with its token."""
        try:
            check = await self.port.check_service()
        except Exception as exc:  # any failure is the service's health, never a crash
            check = ServiceCheck(service_health(None, exc))
        if self.facts is not None and check.balance is not None:
            self.facts.update(credit_balance=check.balance)  # for the fleet's heartbeat
        self._show_service(check.health)

    async def _refresh(self) -> None:
        """Ask the trusted side again, and show what it said of the token, and on an installed
        station of its journal (the service's answer, or that it did not answer)."""
        readiness = await self.port.refresh()
        self._publish(token_health(readiness))
        if isinstance(self.verifier.recorder, ServiceKeepsTheJournal):
            self._publish(journal_part(readiness))

    def read_service_now(self) -> asyncio.Task[None]:
        """Read the service again now (new settings, a new client)."""
        self._due[Check.SERVICE] = self._clock() + self.intervals.service
        return self.start(Check.SERVICE, self.check_service)

    # -- what the parts tell ---------------------------------------------------------------------

    def learn_from_call(self, report: AttemptReport) -> None:
        """Every call is news about the service: a failed one turns its part from green at once
        (and the balance is read again soon); an answer after a failure reads it again now."""
        if self._stopped:
            return
        health = call_health(report)
        if health is not None:
            self._show_service(health)
            self._due[Check.SERVICE] = self._clock() + self.intervals.service_retry
        elif answered(report) and self._service_level is not Level.GOOD:
            self.read_service_now()

    def shipping_changed(self, status: ShipStatus, alert_age: timedelta) -> None:
        """The shipper's status, pushed by it (on the loop's thread)."""
        if not self._stopped:
            self._publish(shipping_health(status, alert_age))

    def _show_service(self, health: PartHealth) -> None:
        self._service_level = health.level
        self._publish(health)

    def _publish(self, health: PartHealth) -> None:
        """Show ``health`` unless it is what was shown last for its part (nothing drawn changes)."""
        if self._shown.get(health.part) == health:
            return
        self._shown[health.part] = health
        self._show(health)

    # -- the end -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """No more checks: a balance read under way is cancelled, the others finish."""
        self._stopped = True
        service = self._running.get(Check.SERVICE)
        if service is not None:
            service.cancel()
        for task in list(self._running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
