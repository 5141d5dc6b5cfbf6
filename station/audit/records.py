"""What one audit row holds, and the single canonical byte form its HMAC is computed over.

Auditors must be able to re-check a MAC from an export with nothing but the key and this rule:
``HMAC-SHA256(key, canonical_json(row without "mac"))``, where ``canonical_json`` is sorted-key,
compact, ASCII-only JSON of the row's column values *as stored* (timestamps as ISO 8601 strings
ending in ``Z``, reals as floats, NULL as ``null``) and the row includes ``prev_mac``, the MAC of
the row before it. Keeping that rule in one small module means the journal, ``verify`` and any
outside tool agree byte for byte.

The record never carries the API token or the image: only the SHA-256 of the bytes submitted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from station import __version__

__all__ = [
    "COLUMNS",
    "GENESIS_MAC",
    "KIND_CHECKPOINT",
    "KIND_REVIEW",
    "KIND_VERIFICATION",
    "AuditRecord",
    "StoredRecord",
    "compute_mac",
    "format_timestamp",
    "parse_timestamp",
]

KIND_VERIFICATION = "verification"
KIND_REVIEW = "review"
#: Reserved for the rows :meth:`AuditJournal.purge` writes; ``append`` refuses it.
KIND_CHECKPOINT = "checkpoint"

#: ``prev_mac`` of the very first row of a journal (no row before it).
GENESIS_MAC = "0" * 64

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``: fixed width, so text order is time order."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp {moment!r} has no time zone; audit times must be aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """The inverse of :func:`format_timestamp` (also accepts other ISO 8601 forms)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    """One verification attempt (or review, or other station event) as the caller describes it.

    Every field but ``kind`` is optional: an attempt that failed before the service answered has
    no status, score or verdict, and says why in ``error_class``/``error_message``. The journal
    assigns ``sequence``, ``recorded_at``, ``prev_mac`` and ``mac`` (see :class:`StoredRecord`).
    Construction validates types, so a bad value fails here rather than half-way into a write.
    """

    kind: str = KIND_VERIFICATION
    requested_at: datetime | None = None
    responded_at: datetime | None = None
    station_id: str | None = None
    operator_id: str | None = None
    customer_ref: str | None = None
    environment: str | None = None
    api_host: str | None = None
    client_id: str | None = None
    http_status: int | None = None
    message_code: str | None = None
    attempts: int | None = None
    outcome: str | None = None
    score: float | None = None
    service_verdict: str | None = None
    service_threshold: float | None = None
    station_threshold: float | None = None
    face_count: int | None = None
    primary_detection_score: float | None = None
    image_sha256: str | None = None
    app_version: str | None = __version__
    error_class: str | None = None
    error_message: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError("kind must be a non-empty string")
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.name == "kind":
                continue
            expected = _FIELD_TYPES[f.name]
            if expected is float:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError(f"{f.name} must be a number, not {type(value).__name__}")
                if not math.isfinite(value):
                    raise ValueError(f"{f.name} must be a finite number, not {value!r}")
            elif expected is int:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{f.name} must be an int, not {type(value).__name__}")
            elif expected is datetime:
                if not isinstance(value, datetime):
                    raise TypeError(f"{f.name} must be a datetime, not {type(value).__name__}")
                format_timestamp(value)  # raises for naive datetimes
            elif not isinstance(value, str):
                raise TypeError(f"{f.name} must be a str, not {type(value).__name__}")
        if self.image_sha256 is not None and not _SHA256_HEX.fullmatch(self.image_sha256):
            raise ValueError("image_sha256 must be 64 lower-case hex digits (a SHA-256 digest)")

    def to_columns(self) -> dict[str, Any]:
        """The column values exactly as they are stored (and MAC'd)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            expected = _FIELD_TYPES[f.name]
            if value is None:
                out[f.name] = None
            elif expected is datetime:
                out[f.name] = format_timestamp(value)
            elif expected is float:
                out[f.name] = float(value)  # 1 and 1.0 must serialise alike after a round trip
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_columns(cls, row: Mapping[str, Any]) -> AuditRecord:
        """Rebuild a record from stored column values (the inverse of :meth:`to_columns`)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            value = row[f.name]
            if value is not None and _FIELD_TYPES[f.name] is datetime:
                value = parse_timestamp(value)
            kwargs[f.name] = value
        return cls(**kwargs)


_FIELD_TYPES: dict[str, type] = {
    "kind": str,
    "requested_at": datetime,
    "responded_at": datetime,
    "station_id": str,
    "operator_id": str,
    "customer_ref": str,
    "environment": str,
    "api_host": str,
    "client_id": str,
    "http_status": int,
    "message_code": str,
    "attempts": int,
    "outcome": str,
    "score": float,
    "service_verdict": str,
    "service_threshold": float,
    "station_threshold": float,
    "face_count": int,
    "primary_detection_score": float,
    "image_sha256": str,
    "app_version": str,
    "error_class": str,
    "error_message": str,
    "notes": str,
}

_SQL_TYPES = {str: "TEXT", datetime: "TEXT", int: "INTEGER", float: "REAL"}

#: Every column of the journal table, in table order, with its STRICT type and constraint.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("sequence", "INTEGER PRIMARY KEY"),
    ("recorded_at", "TEXT NOT NULL"),
    *((name, _SQL_TYPES[t] + (" NOT NULL" if name == "kind" else "")) for name, t in _FIELD_TYPES.items()),
    # Only checkpoint rows (written by purge) fill these three.
    ("purged_rows", "INTEGER"),
    ("purged_through", "INTEGER"),
    ("purged_through_mac", "TEXT"),
    ("prev_mac", "TEXT NOT NULL"),
    ("mac", "TEXT NOT NULL"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    """Sorted-key compact ASCII JSON of every column but ``mac`` (``prev_mac`` included)."""
    body = {name: row[name] for name in COLUMN_NAMES if name != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode(
        "ascii"
    )


def compute_mac(key: bytes, row: Mapping[str, Any]) -> str:
    """HMAC-SHA256 of :func:`canonical_bytes`, lower-case hex."""
    return hmac.new(key, canonical_bytes(row), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A row as the journal holds it: the caller's record plus what the journal assigned."""

    sequence: int
    recorded_at: datetime
    record: AuditRecord
    prev_mac: str
    mac: str
    purged_rows: int | None = None
    purged_through: int | None = None
    purged_through_mac: str | None = None

    @property
    def is_checkpoint(self) -> bool:
        """True for the rows purge leaves in place of the rows it removed."""
        return self.purged_through is not None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoredRecord:
        return cls(
            sequence=row["sequence"],
            recorded_at=parse_timestamp(row["recorded_at"]),
            record=AuditRecord.from_columns(row),
            prev_mac=row["prev_mac"],
            mac=row["mac"],
            purged_rows=row["purged_rows"],
            purged_through=row["purged_through"],
            purged_through_mac=row["purged_through_mac"],
        )
