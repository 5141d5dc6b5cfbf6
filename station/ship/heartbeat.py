"""The heartbeat: a journal row every few minutes that carries the station's health and the head.

Shipped like every other row, it lets the bank's monitoring alert on silence (no heartbeat from a
station), on a backlog, and — because it names the chain head (last sequence and MAC) — on a
head that moved backwards, which is how the SIEM sees a journal truncated, rolled back or
replaced. Facts the shipper does not own (policy hash, credit balance, last verification) come
through :data:`FleetFactsSource`, which the composition root wires to the parts that know them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from station import __version__
from station.audit import KIND_HEARTBEAT, AuditRecord, Backlog
from station.audit.records import format_timestamp

__all__ = ["FleetFacts", "FleetFactsSource", "heartbeat_record", "no_facts"]


@dataclass(frozen=True, slots=True)
class FleetFacts:
    """What the rest of the station knows; None where it does not (yet)."""

    policy_hash: str | None = None
    credit_balance: float | None = None
    last_verification_at: datetime | None = None


#: Called by the shipper's thread when a heartbeat is due; must be quick and never raise.
FleetFactsSource = Callable[[], FleetFacts]


def no_facts() -> FleetFacts:
    return FleetFacts()


def heartbeat_record(
    *,
    station_id: str,
    facts: FleetFacts,
    backlog: Backlog,
    head: tuple[int, str] | None,
    now: datetime,
) -> AuditRecord:
    """The row to append. ``notes`` holds the health as compact JSON (well under the 2 KB cap)."""
    oldest = backlog.oldest_recorded_at
    health = {
        "version": __version__,
        "policy_hash": facts.policy_hash,
        "last_verification_at": (
            format_timestamp(facts.last_verification_at) if facts.last_verification_at else None
        ),
        "credit_balance": facts.credit_balance,
        "unshipped": backlog.count,
        "oldest_unshipped_age_s": None if oldest is None else round((now - oldest).total_seconds(), 3),
        "head_sequence": head[0] if head else None,
        "head_mac": head[1] if head else None,
    }
    return AuditRecord(
        kind=KIND_HEARTBEAT,
        requested_at=now,
        station_id=station_id,
        policy_hash=facts.policy_hash,
        notes=json.dumps(health, separators=(",", ":"), sort_keys=True),
    )
