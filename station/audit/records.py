"""What one audit row holds, the limits on what it may hold, and the byte form its HMAC covers.

Auditors must be able to re-check a MAC from an export with nothing but the key and this rule, so
it lives in one small module that the journal, ``verify``, the shipper and any outside tool share.

The MAC rule (schema versions 1, 2 and 3)
    ``mac = HMAC-SHA256(key, canonical_json(row))``, lower-case hex, where ``canonical_json`` is
    the JSON object of the row's stored column values with

    * every *version 1* column but ``mac`` always present (``null`` for SQL NULL) — that is
      ``sequence``, ``recorded_at``, ``kind`` … ``notes``, ``purged_rows``, ``purged_through``,
      ``purged_through_mac`` and ``prev_mac`` (the MAC of the row before, 64 zeros for row 1);
    * every *version 2* column (:data:`V2_FIELDS`: ``session_id`` … ``antispoof_score``) and
      every *version 3* column (:data:`V3_FIELDS`: ``started_sequence``, ``caller_account``)
      present **only when it is not NULL**;

    serialised with sorted keys, ``","`` and ``":"`` separators, ASCII only (``\\uXXXX``
    escapes), no NaN, timestamps as stored (ISO 8601 UTC with microseconds and ``Z``), reals as
    JSON floats (``1.0``, never ``1``). In Python: ``json.dumps(obj, sort_keys=True,
    separators=(",", ":"), ensure_ascii=True, allow_nan=False)``.

    Why the later columns drop out when NULL: an older journal is upgraded in place (``ALTER
    TABLE … ADD COLUMN``), so its old rows gain those columns as NULL. Leaving NULL version 2
    and 3 columns out of the canonical form keeps every old row's bytes — and MAC — identical,
    while any value later forced into one of them (or a value removed) still changes the bytes
    and breaks the MAC.

Limits
    Every text field has a cap in UTF-8 bytes (:data:`TEXT_LIMITS`): 256 for identifiers, 2 048
    for messages and notes, and tighter ones for codes. A 5 MB ``client_id`` from a hostile
    service is refused here, at :class:`AuditRecord` construction, with a :class:`ValueError`
    naming the field, before anything is written. Rows already stored by older versions are read
    back as they are (see :meth:`AuditRecord.from_columns`).

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
    "COLUMN_NAMES",
    "CONSENT_VALUES",
    "GENESIS_MAC",
    "KIND_ATTEMPT_STARTED",
    "KIND_CHAIN_RESTARTED",
    "KIND_CHECKPOINT",
    "KIND_HEARTBEAT",
    "KIND_REVIEW",
    "KIND_VERIFICATION",
    "RESERVED_KINDS",
    "TEXT_LIMITS",
    "V1_COLUMN_NAMES",
    "V2_COLUMN_NAMES",
    "V2_FIELDS",
    "V3_COLUMNS",
    "V3_FIELDS",
    "AuditRecord",
    "StoredRecord",
    "canonical_bytes",
    "compute_mac",
    "fit_text",
    "format_timestamp",
    "parse_timestamp",
    "stored_columns",
]

KIND_VERIFICATION = "verification"
KIND_REVIEW = "review"
#: Written before every paid call; the outcome row names it in ``started_sequence``. One that no
#: row names is an *open attempt*: the station stopped between sending and recording the answer.
KIND_ATTEMPT_STARTED = "attempt_started"
#: The shipper's periodic record: version, policy hash, backlog and the chain head (fleet health).
KIND_HEARTBEAT = "heartbeat"
#: Reserved for the rows :meth:`AuditJournal.purge` writes; ``append`` refuses it.
KIND_CHECKPOINT = "checkpoint"
#: Reserved for row 1 of a chain an administrator started over a vanished journal
#: (``station audit new-chain``): its notes name the old journal's id, last row and MAC.
KIND_CHAIN_RESTARTED = "chain_restarted"
#: The kinds only the journal itself writes; ``append`` refuses them.
RESERVED_KINDS = frozenset({KIND_CHECKPOINT, KIND_CHAIN_RESTARTED})

#: ``prev_mac`` of the very first row of a journal (no row before it).
GENESIS_MAC = "0" * 64

#: What ``consent`` may say: the customer agreed, declined, or was not asked (policy off).
CONSENT_VALUES = frozenset({"given", "refused", "not_asked"})

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: A kind is also the syslog MSGID when shipped: RFC 5424 allows 1-32 printable ASCII there.
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")

_ID = 256
_MESSAGE = 2048
#: Cap per text field, in UTF-8 bytes. Identifiers get 256 (a UUID, a CIF number, an operator's
#: directory name, the service's ``client_id`` — all far shorter); free text 2 048 (a sentence
#: with context; it also keeps a shipped syslog frame under 2 KB after trimming); codes less.
TEXT_LIMITS: dict[str, int] = {
    "kind": 32,
    "station_id": _ID,
    "operator_id": _ID,
    "customer_ref": _ID,
    "environment": 32,
    "api_host": 253,  # the longest DNS name
    "client_id": _ID,
    "message_code": 128,
    "outcome": 32,
    "service_verdict": 32,
    "image_sha256": 64,
    "app_version": 64,
    "error_class": 128,
    "error_message": _MESSAGE,
    "notes": _MESSAGE,
    "session_id": _ID,
    "supervisor_id": _ID,
    "camera_source": 512,  # "device:<name>" or a masked URL
    "dev_overrides": 512,
    "policy_hash": 128,
    "consent": 16,
    "consent_notice_version": 64,
    "consent_notice_sha256": 64,
    "instruction_language": 35,  # the longest BCP 47 tag registries advise supporting
    "caller_account": _ID,
}


def fit_text(name: str, value: str | None) -> str | None:
    """``value`` cut to ``name``'s limit with a visible marker, for the station's own free text.

    For text the station writes itself (an exception's message, notes): a long message must not
    cost the audit row. Identifiers and anything from the service are refused instead, by
    :class:`AuditRecord`, because a shortened id would be a wrong id.
    """
    limit = TEXT_LIMITS[name]
    if value is None or len(value.encode("utf-8", "surrogatepass")) <= limit:
        return value
    marker = " …[cut]"
    room = limit - len(marker.encode("utf-8"))
    return value.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore") + marker


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
    """One verification attempt (or review, heartbeat, other station event) as the caller says it.

    Every field but ``kind`` is optional: an attempt that failed before the service answered has
    no status, score or verdict, and says why in ``error_class``/``error_message``. The journal
    assigns ``sequence``, ``recorded_at``, ``prev_mac`` and ``mac`` (see :class:`StoredRecord`).
    Construction validates types and limits, so a bad value fails here rather than half-way into
    a write. The fields after ``notes`` came with schema version 2 and are filled by other parts
    of the station (the customer session, the policy, the consent step, the capture source).
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
    # ---- schema version 2
    #: The customer session this row belongs to (one customer, several attempts).
    session_id: str | None = None
    #: On a review or face-pick row: the sequence of the attempt it settles.
    settles_sequence: int | None = None
    supervisor_id: str | None = None
    #: ``device:Logitech C920``, ``file``, ``image``, ``stream``, ``demo``.
    camera_source: str | None = None
    #: Names of development overrides in force (comma-separated); NULL when none.
    dev_overrides: str | None = None
    policy_hash: str | None = None
    #: ``given``, ``refused`` or ``not_asked``.
    consent: str | None = None
    consent_notice_version: str | None = None
    consent_notice_sha256: str | None = None
    instruction_language: str | None = None
    antispoof_score: float | None = None
    # ---- schema version 3
    #: On an attempt's outcome row: the sequence of its ``attempt_started`` row.
    started_sequence: int | None = None
    #: The OS account of the process that asked for the attempt (the station service's socket
    #: peer); NULL when the station ran it in its own process.
    caller_account: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise ValueError(
                "kind must be 1-32 letters, digits, '_', '.' or '-' starting with a letter, "
                f"got {self.kind!r}"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.name == "kind":
                continue
            _check_type(f.name, value)
            limit = TEXT_LIMITS.get(f.name)
            if limit is not None and len(value.encode("utf-8", "surrogatepass")) > limit:
                raise ValueError(
                    f"{f.name} is too long: {len(value.encode('utf-8', 'surrogatepass'))} bytes, "
                    f"the journal stores at most {limit}"
                )
        for name in ("image_sha256", "consent_notice_sha256"):
            value = getattr(self, name)
            if value is not None and not _SHA256_HEX.fullmatch(value):
                raise ValueError(f"{name} must be 64 lower-case hex digits (a SHA-256 digest)")
        if self.consent is not None and self.consent not in CONSENT_VALUES:
            raise ValueError(f"consent must be one of {sorted(CONSENT_VALUES)}, got {self.consent!r}")
        for name in ("settles_sequence", "started_sequence"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must name a journal row (1 or more)")

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
        """Rebuild a record from stored column values (the inverse of :meth:`to_columns`).

        Rows are taken as stored, without the limits: a row an older version wrote (a 5 kB
        ``client_id``, say) must stay readable, since it is evidence. Missing version 2 columns
        and version 3 columns (a journal opened read-only before its upgrade) read as NULL.
        """
        record = object.__new__(cls)
        for f in fields(cls):
            value = row.get(f.name)
            if value is not None and _FIELD_TYPES[f.name] is datetime:
                value = parse_timestamp(value)
            object.__setattr__(record, f.name, value)
        return record


def _check_type(name: str, value: object) -> None:
    expected = _FIELD_TYPES[name]
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{name} must be a number, not {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value!r}")
    elif expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    elif expected is datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
        format_timestamp(value)  # raises for naive datetimes
    elif not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")


_V1_FIELD_TYPES: dict[str, type] = {
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
_V2_FIELD_TYPES: dict[str, type] = {
    "session_id": str,
    "settles_sequence": int,
    "supervisor_id": str,
    "camera_source": str,
    "dev_overrides": str,
    "policy_hash": str,
    "consent": str,
    "consent_notice_version": str,
    "consent_notice_sha256": str,
    "instruction_language": str,
    "antispoof_score": float,
}
_V3_FIELD_TYPES: dict[str, type] = {
    "started_sequence": int,
    "caller_account": str,
}
_FIELD_TYPES: dict[str, type] = {**_V1_FIELD_TYPES, **_V2_FIELD_TYPES, **_V3_FIELD_TYPES}

#: The columns added by schema version 2; in the MAC's canonical form only when not NULL.
V2_FIELDS: tuple[str, ...] = tuple(_V2_FIELD_TYPES)
#: The columns added by schema version 3; in the MAC's canonical form only when not NULL.
V3_FIELDS: tuple[str, ...] = tuple(_V3_FIELD_TYPES)

_SQL_TYPES = {str: "TEXT", datetime: "TEXT", int: "INTEGER", float: "REAL"}

#: The table of schema version 1 (station 0.1.0), in table order.
_V1_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sequence", "INTEGER PRIMARY KEY"),
    ("recorded_at", "TEXT NOT NULL"),
    *((name, _SQL_TYPES[t] + (" NOT NULL" if name == "kind" else "")) for name, t in _V1_FIELD_TYPES.items()),
    # Only checkpoint rows (written by purge) fill these three.
    ("purged_rows", "INTEGER"),
    ("purged_through", "INTEGER"),
    ("purged_through_mac", "TEXT"),
    ("prev_mac", "TEXT NOT NULL"),
    ("mac", "TEXT NOT NULL"),
)
#: Version 2 appends its columns after ``mac``: that is where ``ALTER TABLE ADD COLUMN`` puts
#: them, so a new journal and an upgraded one have the same layout.
V2_COLUMNS: tuple[tuple[str, str], ...] = tuple((name, _SQL_TYPES[t]) for name, t in _V2_FIELD_TYPES.items())
#: Version 3 appends its columns after version 2's, for the same reason.
V3_COLUMNS: tuple[tuple[str, str], ...] = tuple((name, _SQL_TYPES[t]) for name, t in _V3_FIELD_TYPES.items())
#: Every column of the journal table, in table order, with its STRICT type and constraint.
COLUMNS: tuple[tuple[str, str], ...] = (*_V1_COLUMNS, *V2_COLUMNS, *V3_COLUMNS)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
V1_COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in _V1_COLUMNS)
#: The table of schema version 2, in table order.
V2_COLUMN_NAMES: tuple[str, ...] = (*V1_COLUMN_NAMES, *V2_FIELDS)
#: The columns that are left out of the canonical form when NULL (added by an upgrade).
_LATER_NAMES = frozenset((*V2_FIELDS, *V3_FIELDS))


def stored_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of a stored row by name, later columns NULL where the table lacks them."""
    present = row.keys()
    return {name: (row[name] if name in present else None) for name in COLUMN_NAMES}


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    """The bytes the MAC covers: see the module docstring for the rule."""
    body: dict[str, Any] = {}
    for name in COLUMN_NAMES:
        if name == "mac":
            continue
        if name in _LATER_NAMES:
            try:
                value = row[name]
            except (KeyError, IndexError):  # a dict without it, or an older table's sqlite3.Row
                continue
            if value is None:
                continue
        else:
            value = row[name]  # a version 1 column must be there: a KeyError is a caller's bug
        body[name] = value
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

    def columns(self) -> dict[str, Any]:
        """The stored column values (for shipping and exports)."""
        out = self.record.to_columns()
        out.update(
            sequence=self.sequence,
            recorded_at=format_timestamp(self.recorded_at),
            purged_rows=self.purged_rows,
            purged_through=self.purged_through,
            purged_through_mac=self.purged_through_mac,
            prev_mac=self.prev_mac,
            mac=self.mac,
        )
        return out

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoredRecord:
        values = stored_columns(row)
        return cls(
            sequence=values["sequence"],
            recorded_at=parse_timestamp(values["recorded_at"]),
            record=AuditRecord.from_columns(values),
            prev_mac=values["prev_mac"],
            mac=values["mac"],
            purged_rows=values["purged_rows"],
            purged_through=values["purged_through"],
            purged_through_mac=values["purged_through_mac"],
        )
