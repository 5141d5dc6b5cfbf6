"""The shipper: the journal's rows to the bank's relay (or a spool folder), at least once, in order.

How "at least once, never lost" holds
    * The journal is the spool. The only state is the target's cursor in the journal's own
      database (:mod:`station.audit.cursor`), which moves forward only, in its own transaction.
    * Rows go in sequence order, in batches, from the in-memory *send position*. On any error
      the connection is closed and the send position rewinds to the cursor: everything not
      acknowledged is sent again on the next connection.
    * Plain TLS syslog has no acknowledgement. A row is acknowledged only once it was sent more
      than the resend window ago (60 s by default) on a connection the relay has not closed
      since; rsyslogd killed in the middle of a batch closes the connection, so the window is
      resent. Duplicates are cheap (the SIEM drops them by event id); loss is not.
    * After a failure the next attempt waits a full-jitter backoff, capped (5 min by default).
    * Purge never removes a row the cursor has not passed (the journal checks the cursor table).

The anchor
    Each time the cursor moves, the acknowledged head is written to the local anchor file
    (:mod:`station.audit.anchor`), but only after checking that the journal still matches the
    previous anchor: a journal found rolled back or replaced keeps shipping (the SIEM must see
    it) while the anchor stays as evidence and the status says what happened.

Threads
    :meth:`Shipper.run` is meant for one worker thread (never the GUI thread: sends block up to
    the connect timeout). :meth:`Shipper.status` and :meth:`Shipper.wake` may be called from
    any thread. ``station ship --once`` uses :meth:`Shipper.run_until_idle`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from station.audit import (
    KIND_HEARTBEAT,
    KIND_VERIFICATION,
    Anchor,
    AuditError,
    AuditJournal,
    advance_anchor,
    compare_with_anchor,
    read_anchor,
)
from station.ship.backoff import full_jitter
from station.ship.config import ShipConfig
from station.ship.errors import ShipError
from station.ship.event import ShippedEvent
from station.ship.heartbeat import FleetFacts, FleetFactsSource, heartbeat_record, no_facts
from station.ship.metrics import FleetHealth, write_health
from station.ship.status import ShipState, ShipStatus
from station.ship.target import ShipTarget

__all__ = ["DEFAULT_BATCH", "Shipper"]

log = logging.getLogger(__name__)

#: Rows per send: about 100 kB of frames, a fraction of a second on a branch line.
DEFAULT_BATCH = 200
#: How often an idle shipper looks for new rows when nobody calls :meth:`Shipper.wake`.
POLL_INTERVAL_S = 2.0
#: The Prometheus file is rewritten at least this often, and whenever the state changes.
_METRICS_EVERY_S = 30.0


@dataclass(slots=True)
class _Sent:
    sequence: int
    mac: str
    at: float  # monotonic


class Shipper:
    """Ships one journal to one target. See the module docstring."""

    def __init__(
        self,
        journal: AuditJournal,
        config: ShipConfig,
        target: ShipTarget,
        *,
        key: bytes,
        anchor_path: Path | None,
        facts: FleetFactsSource = no_facts,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        batch_size: int = DEFAULT_BATCH,
        on_status: Callable[[ShipStatus], None] | None = None,
    ) -> None:
        journal_id = journal.journal_id
        if journal_id is None:
            raise AuditError("The journal has no id: open it for writing first (it is then upgraded).")
        self._journal = journal
        self._journal_id = journal_id
        self._config = config
        self._target = target
        self._key = key
        self._anchor_path = anchor_path
        self._facts = facts
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._batch = batch_size
        cursor = journal.register_ship_target(target.name)
        self._acked = cursor.acked_sequence
        self._position = cursor.acked_sequence
        self._in_flight: deque[_Sent] = deque()
        self._more_pending = False
        self._failures = 0
        self._errors_total = 0
        self._retry_at = 0.0
        self._last_error: str | None = None
        self._integrity: str | None = None
        self._last_shipped_at: datetime | None = None
        last_heartbeat = journal.latest(KIND_HEARTBEAT)
        self._last_heartbeat_at = last_heartbeat.recorded_at if last_heartbeat else None
        self._last_facts = FleetFacts()
        self._status = ShipStatus(ShipState.SHIPPING, acked_sequence=self._acked)
        self._status_lock = threading.Lock()
        #: Told each new status, on the shipper's thread (the station pushes it to its health strip).
        self._on_status = on_status
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._metrics_written_at = -_METRICS_EVERY_S
        self._metrics_state: tuple[object, ...] = ()

    # ------------------------------------------------------------------ any thread

    def status(self) -> ShipStatus:
        with self._status_lock:
            return self._status

    def wake(self) -> None:
        """New rows were appended: ship now rather than at the next poll."""
        self._wake.set()

    def request_stop(self) -> None:
        """Make :meth:`run` (or :meth:`run_until_idle`) return soon; the cursor stays consistent."""
        self._stopping.set()
        self._wake.set()

    # ------------------------------------------------------------------ the worker thread

    def run(self) -> None:
        """Ship until :meth:`request_stop`; backoff and polling wait on an event, not a sleep."""
        try:
            while not self._stopping.is_set():
                delay = self.step()
                if delay > 0:
                    self._wake.wait(delay)
                    self._wake.clear()
        finally:
            self._target.close()

    def run_until_idle(self, timeout: float) -> ShipStatus:
        """Ship everything there is and wait out the resend window; stop at the first failure.

        For a scheduled task (``station ship --once``). Returns the final status.
        """
        deadline = self._clock() + timeout
        try:
            while not self._stopping.is_set():
                delay = self.step()
                status = self.status()
                if status.state is ShipState.FAILING or self._idle():
                    return status
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return status
                if delay > 0:
                    self._wake.wait(min(delay, remaining))
                    self._wake.clear()
            return self.status()
        finally:
            self._target.close()

    def step(self) -> float:
        """One round: heartbeat if due, (re)connect, send one batch, acknowledge what is due.

        Returns how many seconds to wait before the next round.
        """
        self._heartbeat_if_due()
        now = self._clock()
        if now < self._retry_at:
            return self._retry_at - now
        try:
            self._ship()
        except (ShipError, AuditError) as exc:
            return self._failed(exc)
        self._failures = 0
        self._last_error = None
        self._publish(up=True)
        return self._next_delay()

    # ------------------------------------------------------------------ internals

    def _idle(self) -> bool:
        return (
            not self._in_flight and not self._more_pending and not self._journal.rows_after(self._position, 1)
        )

    def _ship(self) -> None:
        if self._in_flight and not self._target.is_alive():
            raise ShipError(self._target.closed_reason())
        if not self._in_flight and not self._target.is_alive():
            # Nothing is owed on this connection: one the relay closed while idle is simply
            # reconnected, without counting as a failure.
            self._target.close()
        rows = self._journal.rows_after(self._position, self._batch)
        self._more_pending = len(rows) == self._batch
        if rows:
            self._target.open()
            events = [
                ShippedEvent.from_stored(row, station_id=self._config.station_id, journal_id=self._journal_id)
                for row in rows
            ]
            self._target.send(events)
            sent_at = self._clock()
            self._in_flight.extend(_Sent(row.sequence, row.mac, sent_at) for row in rows)
            self._position = rows[-1].sequence
        self._acknowledge()

    def _acknowledge(self) -> None:
        if not self._in_flight:
            return
        last: _Sent | None = None
        if self._target.needs_resend_window:
            due = self._clock() - self._config.resend_window.total_seconds()
            if self._in_flight[0].at > due:
                return
            if not self._target.is_alive():
                raise ShipError(self._target.closed_reason())
            while self._in_flight and self._in_flight[0].at <= due:
                last = self._in_flight.popleft()
        else:
            last = self._in_flight[-1]
            self._in_flight.clear()
        if last is None:
            return
        self._journal.advance_ship_cursor(self._target.name, last.sequence, last.mac)
        self._acked = last.sequence
        self._last_shipped_at = datetime.now(UTC)
        self._move_anchor(last.sequence, last.mac)

    def _move_anchor(self, sequence: int, mac: str) -> None:
        if self._anchor_path is None:
            return
        try:
            previous = read_anchor(self._anchor_path, self._key)
            if previous is not None:
                continuity = compare_with_anchor(self._journal, previous)
                if continuity.finding is not None:
                    if self._integrity is None:
                        log.error("audit journal %s: %s", continuity.finding.value, continuity.message)
                    self._integrity = f"journal {continuity.finding.value} since it was last shipped"
                    return
            anchor = Anchor(self._journal_id, sequence, mac, self._target.name, datetime.now(UTC))
            advance_anchor(self._anchor_path, self._key, anchor)
            self._integrity = None
        except AuditError as exc:
            log.error("audit anchor: %s", exc)
            self._integrity = "the audit anchor cannot be checked"

    def _failed(self, exc: Exception) -> float:
        self._target.close()
        self._in_flight.clear()
        self._position = self._acked  # rewind: resend everything not acknowledged
        self._more_pending = False
        self._failures += 1
        self._errors_total += 1
        self._last_error = str(exc)
        delay = full_jitter(self._failures, self._config.backoff_cap.total_seconds(), self._rng)
        self._retry_at = self._clock() + delay
        log.warning("shipping to %s failed (%s); retrying in %.1f s", self._target.name, exc, delay)
        self._publish(up=False)
        return delay

    def _next_delay(self) -> float:
        if self._more_pending:
            return 0.0
        candidates = [POLL_INTERVAL_S]
        if self._in_flight and self._target.needs_resend_window:
            due_at = self._in_flight[0].at + self._config.resend_window.total_seconds()
            candidates.append(due_at - self._clock() + 0.01)
        if self._last_heartbeat_at is not None:
            next_beat = self._last_heartbeat_at + self._config.heartbeat_interval - datetime.now(UTC)
            candidates.append(next_beat.total_seconds())
        return max(0.0, min(candidates))

    def _heartbeat_if_due(self) -> None:
        now = datetime.now(UTC)
        if (
            self._last_heartbeat_at is not None
            and now - self._last_heartbeat_at < self._config.heartbeat_interval
        ):
            return
        try:
            facts = self._facts()
        except Exception:  # a facts source must never stop shipping; the heartbeat goes without
            log.exception("fleet facts unavailable for the heartbeat")
            facts = FleetFacts()
        try:
            if facts.last_verification_at is None:
                last = self._journal.latest(KIND_VERIFICATION)
                facts = FleetFacts(
                    facts.policy_hash, facts.credit_balance, last.recorded_at if last else None
                )
            record = heartbeat_record(
                station_id=self._config.station_id,
                facts=facts,
                backlog=self._journal.backlog(self._acked),
                head=self._journal.head(),
                now=now,
            )
            self._journal.append(record)
        except (AuditError, ValueError) as exc:
            log.warning("heartbeat not recorded: %s", exc)
        self._last_heartbeat_at = now
        self._last_facts = facts

    def _publish(self, *, up: bool) -> None:
        try:
            backlog = self._journal.backlog(self._acked)
        except AuditError as exc:
            log.warning("cannot read the shipping backlog: %s", exc)
            return
        now = datetime.now(UTC)
        age = None if backlog.oldest_recorded_at is None else now - backlog.oldest_recorded_at
        error: str | None
        if self._integrity is not None:
            state, error = ShipState.INTEGRITY, self._integrity
        elif not up:
            state, error = ShipState.FAILING, self._last_error
        else:
            state, error = (ShipState.SHIPPED if backlog.count == 0 else ShipState.SHIPPING), None
        status = ShipStatus(
            state=state,
            waiting=backlog.count,
            oldest_waiting_age=age,
            last_error=error,
            last_shipped_at=self._last_shipped_at,
            acked_sequence=self._acked,
            errors_total=self._errors_total,
        )
        with self._status_lock:
            changed, self._status = status != self._status, status
        if changed and self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:  # a listener's fault never stops shipping
                log.exception("the shipping status listener failed")
        self._write_metrics(status, age, up)

    def _write_metrics(self, status: ShipStatus, age: timedelta | None, up: bool) -> None:
        path = self._config.prometheus_textfile
        if path is None:
            return
        key = (status.state, status.waiting, status.errors_total, status.acked_sequence)
        if key == self._metrics_state and self._clock() - self._metrics_written_at < _METRICS_EVERY_S:
            return
        facts = self._last_facts
        head = self._journal.head()
        health = FleetHealth(
            station_id=self._config.station_id,
            target=self._target.name,
            unshipped=status.waiting,
            oldest_unshipped_age_s=0.0 if age is None else age.total_seconds(),
            errors_total=status.errors_total,
            acked_sequence=status.acked_sequence,
            head_sequence=head[0] if head else 0,
            up=up,
            last_verification_at=facts.last_verification_at,
            last_shipped_at=status.last_shipped_at,
            credit_balance=facts.credit_balance,
        )
        try:
            write_health(path, health)
        except OSError as exc:
            log.warning("cannot write the Prometheus textfile %s: %s", path, exc)
            return
        self._metrics_state = key
        self._metrics_written_at = self._clock()
