"""One journal row as the SIEM sees it: its event id, its fields, and a body that fits a frame.

Event ids
    ``UUIDv5(EVENT_NAMESPACE, "<station id>/<journal id>/<sequence>")``: the same every time the
    row is sent, so the SIEM drops a resent row as a duplicate (Elastic: as ``_id``; Splunk and
    QRadar: a dedup search on it). The journal id is part of the name because a journal that was
    replaced starts again at sequence 1: without it the new chain's rows would carry the old
    rows' ids and be dropped as duplicates, which would lose them.

What is never sent
    The token and the picture are not in the journal, so they cannot be shipped; the body carries
    only the stored columns (NULL columns left out, to keep frames small).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from station.audit import StoredRecord

__all__ = ["EVENT_NAMESPACE", "ShippedEvent", "event_id"]

#: The namespace of the station's event ids (UUIDv5 of a URL the project controls the meaning of).
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:station:audit-journal:event")


def event_id(station_id: str, journal_id: str, sequence: int) -> str:
    """The stable id of one row of one journal of one station."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{station_id}/{journal_id}/{sequence}"))


@dataclass(frozen=True, slots=True)
class ShippedEvent:
    """A stored row ready to format: who sends it, its id, and its stored column values."""

    station_id: str
    journal_id: str
    sequence: int
    event_id: str
    kind: str
    recorded_at: str
    mac: str
    prev_mac: str
    fields: dict[str, Any]

    @classmethod
    def from_stored(cls, stored: StoredRecord, *, station_id: str, journal_id: str) -> ShippedEvent:
        columns = stored.columns()
        body = {k: v for k, v in columns.items() if v is not None and k not in ("mac", "prev_mac")}
        return cls(
            station_id=station_id,
            journal_id=journal_id,
            sequence=stored.sequence,
            event_id=event_id(station_id, journal_id, stored.sequence),
            kind=stored.record.kind,
            recorded_at=columns["recorded_at"],
            mac=stored.mac,
            prev_mac=stored.prev_mac,
            fields=body,
        )
