"""The SIEM alert rules of the README ("What the SIEM should alert on"), as queries over what the
relay received. A bank writes them in its SIEM's language (SPL, AQL, KQL); these are the same
queries in Python, run over the fleet simulation's ``received.log``.

``sequence_gap``
    per station and journal id, the sequence numbers received are not contiguous from the
    first to the highest one received or named as head by a heartbeat;
``silent_heartbeat``
    per station, two heartbeats (by their own time) more than three intervals apart, or the last
    one more than three intervals before ``now``;
``head_backwards``
    per station, a heartbeat naming a lower head than an earlier heartbeat of the same journal,
    one event id seen with two different MACs (a rollback), or a second journal id (the
    journal was deleted or replaced).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from station.bench.fleet.received import Arrival

__all__ = ["Alert", "Rule", "run_rules"]

_HEARTBEAT = "heartbeat"


class Rule(StrEnum):
    SEQUENCE_GAP = "sequence_gap"
    SILENT_HEARTBEAT = "silent_heartbeat"
    HEAD_BACKWARDS = "head_backwards"


@dataclass(frozen=True, slots=True, order=True)
class Alert:
    rule: Rule
    station: str
    detail: str


def run_rules(arrivals: Iterable[Arrival], *, heartbeat_interval_s: float, now: float) -> list[Alert]:
    """Every alert the three rules raise, one per rule and station (the first reason found)."""
    seqs: dict[tuple[str, str], set[int]] = defaultdict(set)
    named_heads: dict[tuple[str, str], int] = defaultdict(int)
    beats: dict[str, list[tuple[float, str, int]]] = defaultdict(list)
    macs: dict[str, str] = {}
    journals: dict[str, list[str]] = defaultdict(list)
    two_macs: dict[str, str] = {}
    for a in arrivals:
        seqs[(a.station, a.journal)].add(a.seq)
        if a.journal not in journals[a.station]:
            journals[a.station].append(a.journal)
        seen = macs.setdefault(a.eid, a.mac)
        if seen != a.mac and a.station not in two_macs:
            two_macs[a.station] = f"event {a.eid} (seq {a.seq}) seen with two MACs"
        if a.msgid == _HEARTBEAT:
            head = a.health().get("head_sequence") or 0
            named_heads[(a.station, a.journal)] = max(named_heads[(a.station, a.journal)], int(head))
            beats[a.station].append((a.recorded_at, a.journal, int(head)))
    alerts: set[Alert] = set()
    for (station, journal), received in seqs.items():
        top = max(max(received), named_heads[(station, journal)])
        missing = top - min(received) + 1 - len(received)
        if missing:
            alerts.add(
                Alert(Rule.SEQUENCE_GAP, station, f"journal {journal[:8]}: {missing} sequence(s) missing")
            )
    limit = 3 * heartbeat_interval_s
    for station, heard in beats.items():
        heard.sort()
        times = [*sorted({t for t, _, _ in heard}), now]
        widest = max(b - a for a, b in itertools.pairwise(times))
        if widest > limit:
            alerts.add(Alert(Rule.SILENT_HEARTBEAT, station, f"no heartbeat for {widest / 60:.0f} min"))
        backwards = _backwards(heard)
        reason = two_macs.get(station) or backwards
        if len(journals[station]) > 1:
            reason = reason or f"{len(journals[station])} journal ids"
        if reason:
            alerts.add(Alert(Rule.HEAD_BACKWARDS, station, reason))
    for station, reason in two_macs.items():
        if station not in beats:
            alerts.add(Alert(Rule.HEAD_BACKWARDS, station, reason))
    unique: dict[tuple[Rule, str], Alert] = {}
    for alert in sorted(alerts):
        unique.setdefault((alert.rule, alert.station), alert)
    return sorted(unique.values())


def _backwards(heard: list[tuple[float, str, int]]) -> str | None:
    highest: dict[str, int] = {}
    for _, journal, head in heard:  # in the heartbeats' own time order
        if head < highest.get(journal, 0):
            return f"heartbeat names head {head} after head {highest[journal]}"
        highest[journal] = max(highest.get(journal, 0), head)
    return None
