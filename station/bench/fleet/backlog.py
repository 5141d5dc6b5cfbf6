"""A station's journal as it stands after an outage: days of rows with their real timestamps.

The journal stamps a row with the time of :meth:`~station.audit.AuditJournal.append`, and each
append is its own fsynced transaction; a thousand stations' three-day backlogs (a million rows)
would take hours that way and all carry today's time. This module writes the same rows the
journal would, with the same MAC chain (:func:`station.audit.records.compute_mac`, the head
record moved to the last row), dated across the outage, in one transaction per journal. The
journal itself is created by :meth:`AuditJournal.open` (schema, journal id) and reopened by the
shipper as usual; ``AuditJournal.verify`` accepts the result (the fleet test checks it).

What a station writes in a day
    ``verifications_per_day`` verification rows at random times within branch hours
    (09:00-17:00 UTC+5:30), and a heartbeat every five minutes round the clock (288 a day) that
    carries the head and the unshipped backlog as the shipper's own heartbeat would.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from station.audit import KIND_HEARTBEAT, KIND_VERIFICATION, AuditJournal, AuditRecord, Backlog
from station.audit.records import COLUMN_NAMES, GENESIS_MAC, compute_mac, format_timestamp
from station.ship.heartbeat import FleetFacts, heartbeat_record

__all__ = ["HEARTBEAT_EVERY", "BacklogPlan", "Built", "build_journal"]

HEARTBEAT_EVERY = timedelta(minutes=5)
_INSERT = (  # from the fixed column list only
    f"INSERT INTO journal ({', '.join(COLUMN_NAMES)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + name for name in COLUMN_NAMES)})"
)
_SET_HEAD = (
    "INSERT INTO journal_head (id, sequence, mac) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, mac = excluded.mac"
)
_BRANCH_OPEN_UTC = timedelta(hours=3, minutes=30)  # 09:00 IST
_BRANCH_HOURS = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class BacklogPlan:
    """What to write: ``days`` ending at ``end``; ``silent`` is a stretch with no row at all
    (the station was switched off); ``snapshot_at`` copies the journal once it holds that many
    rows (the old copy a rollback restores)."""

    station_id: str
    end: datetime
    days: float
    verifications_per_day: int
    seed: int
    silent: tuple[datetime, datetime] | None = None
    snapshot_at: int | None = None


@dataclass(frozen=True, slots=True)
class Built:
    journal_id: str
    rows: int
    heartbeats: int
    snapshot: Path | None


def _moments(plan: BacklogPlan, rng: random.Random) -> list[tuple[datetime, str]]:
    start = plan.end - timedelta(days=plan.days)
    events: list[tuple[datetime, str]] = []
    # heartbeats every five minutes, at a station-specific phase, the last one before `end`
    beat = start + timedelta(seconds=rng.uniform(0, HEARTBEAT_EVERY.total_seconds()))
    while beat < plan.end:
        events.append((beat, KIND_HEARTBEAT))
        beat += HEARTBEAT_EVERY
    day = datetime(start.year, start.month, start.day, tzinfo=UTC)
    while day < plan.end:
        opens = day + _BRANCH_OPEN_UTC
        for _ in range(plan.verifications_per_day):
            moment = opens + timedelta(seconds=rng.uniform(0, _BRANCH_HOURS.total_seconds()))
            if start <= moment < plan.end:
                events.append((moment, KIND_VERIFICATION))
        day += timedelta(days=1)
    if plan.silent is not None:
        off, on = plan.silent
        events = [e for e in events if not off <= e[0] < on]
    events.sort()
    return events


def _verification(station_id: str, at: datetime, rng: random.Random, n: int) -> AuditRecord:
    live = rng.random() < 0.93
    return AuditRecord(
        kind=KIND_VERIFICATION,
        requested_at=at - timedelta(seconds=2),
        responded_at=at - timedelta(milliseconds=300),
        station_id=station_id,
        operator_id=f"op-{rng.randrange(1, 6)}",
        customer_ref=f"CUST-{n:07d}",
        environment="production",
        api_host="api.liveness.example",
        client_id=f"face_liveness_v5_{rng.getrandbits(48):012x}",
        http_status=200,
        message_code="OK",
        attempts=1,
        outcome="LIVE" if live else "SPOOF",
        score=round(rng.uniform(0.7, 0.99) if live else rng.uniform(0.01, 0.3), 4),
        service_verdict="live" if live else "spoof",
        service_threshold=0.5,
        station_threshold=0.6,
        face_count=1,
        consent="given",
    )


def build_journal(path: Path, key: bytes, plan: BacklogPlan) -> Built:
    """Create ``path`` and fill it as :class:`BacklogPlan` says; returns what was written."""
    with AuditJournal.open(path, key) as journal:
        journal_id = journal.journal_id
    assert journal_id is not None  # a journal opened for writing has its id
    rng = random.Random(plan.seed)  # noqa: S311 - simulated traffic, not a secret
    conn = sqlite3.connect(path, isolation_level=None)
    snapshot: Path | None = None
    heartbeats = 0
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a scratch journal: one commit at the end
        conn.execute("BEGIN IMMEDIATE")
        prev = GENESIS_MAC
        sequence = 0
        verifications = 0
        unshipped_since: datetime | None = None
        for at, kind in _moments(plan, rng):
            if kind == KIND_HEARTBEAT:
                record = heartbeat_record(
                    station_id=plan.station_id,
                    facts=FleetFacts(policy_hash="p" * 64, credit_balance=1000.0 - verifications),
                    backlog=Backlog(sequence, unshipped_since),
                    head=(sequence, prev) if sequence else None,
                    now=at,
                )
                heartbeats += 1
            else:
                verifications += 1
                record = _verification(plan.station_id, at, rng, verifications)
            sequence += 1
            row = record.to_columns()
            row.update(
                sequence=sequence,
                recorded_at=format_timestamp(at),
                purged_rows=None,
                purged_through=None,
                purged_through_mac=None,
                prev_mac=prev,
            )
            prev = row["mac"] = compute_mac(key, row)
            conn.execute(_INSERT, row)
            unshipped_since = unshipped_since or at
            if plan.snapshot_at is not None and sequence == plan.snapshot_at:
                conn.execute(_SET_HEAD, (sequence, prev))
                conn.execute("COMMIT")
                snapshot = path.with_name(path.name + ".old-copy")
                with sqlite3.connect(snapshot) as copy:
                    conn.backup(copy)
                conn.execute("BEGIN IMMEDIATE")
        if sequence:
            conn.execute(_SET_HEAD, (sequence, prev))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return Built(journal_id, sequence, heartbeats, snapshot)


def restore(snapshot: Path, path: Path) -> None:
    """Put the old copy back in place of the journal (what a rollback does)."""
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(snapshot, path)
