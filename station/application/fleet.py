"""Shipping the journal off the machine while the station runs: one worker thread, its own
journal connection, and a status it pushes to the health strip (``on_status``, on its thread).

The shipper (:mod:`station.ship`) does the work; this module runs it beside the station: the
thread opens its own connection to the journal (SQLite connections stay on the thread that made
them), every row the station appends wakes it, and the heartbeat carries what the station knows
(policy hash, credit balance, last verification). Stopping is cooperative and quick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from station.audit import AuditError, AuditJournal
from station.ship import Shipper, ShipStatus, build_target
from station.ship.config import ShipConfig, TargetKind
from station.ship.heartbeat import FleetFacts, FleetFactsSource
from station.ship.status import ShipState
from station.threads import CooperativeThread

__all__ = ["FleetShipping", "StationFacts"]

_log = logging.getLogger(__name__)


class StationFacts:
    """What the heartbeat reports, updated by the station as it learns it (any thread)."""

    def __init__(self, policy_hash: str | None = None) -> None:
        self._lock = threading.Lock()
        self._facts = FleetFacts(policy_hash=policy_hash)

    def update(
        self,
        *,
        policy_hash: str | None = None,
        credit_balance: float | None = None,
        verified: bool = False,
    ) -> None:
        with self._lock:
            facts = self._facts
            self._facts = FleetFacts(
                policy_hash=policy_hash if policy_hash is not None else facts.policy_hash,
                credit_balance=credit_balance if credit_balance is not None else facts.credit_balance,
                last_verification_at=datetime.now(UTC) if verified else facts.last_verification_at,
            )

    def __call__(self) -> FleetFacts:
        with self._lock:
            return self._facts


class FleetShipping(CooperativeThread):
    """Runs a :class:`~station.ship.Shipper` for ``config`` until stopped."""

    def __init__(
        self,
        config: ShipConfig,
        journal_path: Path,
        key: bytes,
        *,
        anchor_path: Path | None,
        facts: FleetFactsSource,
        on_status: Callable[[ShipStatus], None] | None = None,
    ) -> None:
        if config.target is TargetKind.OFF:
            raise ValueError("shipping is off: there is nothing to run")
        super().__init__("fleet-shipping")
        self.config = config
        self._journal_path = journal_path
        self._key = key
        self._anchor_path = anchor_path
        self._facts = facts
        self._shipper: Shipper | None = None
        self._ready = threading.Event()
        self._failure: str | None = None
        self._on_status = on_status

    def _run(self) -> None:
        try:
            with AuditJournal.open(self._journal_path, self._key) as journal:
                shipper = Shipper(
                    journal,
                    self.config,
                    build_target(self.config),
                    key=self._key,
                    anchor_path=self._anchor_path,
                    facts=self._facts,
                    on_status=self._on_status,
                )
                self._shipper = shipper
                self._ready.set()
                if self._stop_event.is_set():
                    return
                shipper.run()
        except AuditError as exc:
            self._failure = str(exc)
            _log.error("shipping stopped: %s", exc)
        except Exception:  # a bug must end in a status, not a silent dead thread
            self._failure = "shipping stopped because of an internal error (see the log)"
            _log.exception("shipping crashed")
        finally:
            self._ready.set()
            if self._failure is not None and self._on_status is not None:
                self._on_status(self.status())  # the end of shipping is news too

    def wake(self) -> None:
        """A row was appended: ship it now rather than at the next poll."""
        if self._shipper is not None:
            self._shipper.wake()

    def status(self) -> ShipStatus:
        if self._failure is not None:
            return ShipStatus(ShipState.FAILING, last_error=self._failure)
        if self._shipper is None:
            return ShipStatus(ShipState.SHIPPING)
        return self._shipper.status()

    def stop(self, timeout: float = 5.0) -> bool:
        if self._shipper is not None:
            self._shipper.request_stop()
        else:
            self._stop_event.set()
        return super().stop(timeout)
