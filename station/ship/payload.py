"""The message body, JSON or CEF, trimmed so that a whole frame stays under 2 KB.

Why 2 KB: many relays and SIEM inputs still default to 2 048-byte messages (RFC 5425 requires
receivers to accept 2 048 octets, larger is optional) and silently cut longer ones, which would
cut the structured data or the JSON in half. The journal caps free text at 2 048 bytes, so a row
with a long error and long notes would not fit: the longest text fields are halved (their end
replaced by ``…``) until the frame fits, and the body says which (``"trimmed": [...]``). The
MAC still covers the full row, which stays in the journal and in every export.

CEF (ArcSight, Microsoft Sentinel's CEF connector)::

    CEF:0|Station|station|<version>|<kind>|<name>|<severity 0-10>|<key=value …>

header fields escape ``\\`` and ``|``; extension values escape ``\\``, ``=``, CR and LF.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from station import __version__
from station.audit.records import KIND_CHAIN_RESTARTED, KIND_HEARTBEAT
from station.ship.config import PayloadFormat
from station.ship.event import ShippedEvent
from station.ship.rfc5424 import frame, message

__all__ = ["MAX_FRAME_BYTES", "cef_body", "encode_frame", "encode_message", "json_body"]

#: A whole frame (length prefix included) is at most this long.
MAX_FRAME_BYTES = 2000
#: Fields never shortened to fit a frame: what a SIEM rule or a dedup keys on.
_PROTECTED = frozenset(
    {"kind", "outcome", "recorded_at", "requested_at", "responded_at", "image_sha256", "consent", "trimmed"}
)
_ELLIPSIS = "…"


def json_body(event: ShippedEvent, fields: dict[str, Any]) -> str:
    """ASCII-only compact JSON of the row's non-NULL fields plus its event id."""
    return json.dumps({"event_id": event.event_id, **fields}, ensure_ascii=True, separators=(",", ":"))


_CEF_SEVERITY = {"LIVE": 1, "RETRY": 3, "ERROR": 5, "REVIEW": 6, "SPOOF": 8}
#: Kinds whose severity does not follow the outcome: a heartbeat is routine; a chain started over
#: a vanished journal is for the SIEM to look at (rows were lost on the PC).
_CEF_KIND_SEVERITY = {KIND_HEARTBEAT: 0, KIND_CHAIN_RESTARTED: 8}
#: Journal field → CEF extension key (custom strings carry a label, as CEF requires).
_CEF_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("operator_id", "suser", None),
    ("supervisor_id", "duser", None),
    ("outcome", "outcome", None),
    ("client_id", "externalId", None),
    ("customer_ref", "cs3", "customerRef"),
    ("session_id", "cs4", "sessionId"),
    ("policy_hash", "cs5", "policyHash"),
    ("camera_source", "cs6", "cameraSource"),
    ("score", "cfp1", "score"),
    ("antispoof_score", "cfp2", "antispoofScore"),
    ("station_threshold", "cfp3", "threshold"),
    ("http_status", "cn2", "httpStatus"),
    ("settles_sequence", "cn3", "settlesSequence"),
    # The "attempt started" row an outcome closes (schema 3): the SIEM pairs the two, and finds a
    # paid call whose outcome never came. CEF has three custom numbers; flexNumber1 is the fourth.
    ("started_sequence", "flexNumber1", "startedSequence"),
    # The OS account the trusted side saw on the caller's connection (the kernel's word, not the
    # operator's), beside the operator it confirmed (suser).
    ("caller_account", "suid", None),
    ("api_host", "dhost", None),
    ("app_version", "cs2", "appVersion"),
)


def _cef_header(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _cef_value(value: Any) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


def cef_body(event: ShippedEvent, fields: dict[str, Any]) -> str:
    """One CEF line; sequence, event id and MACs in named extensions."""
    outcome = fields.get("outcome")
    name = f"{event.kind} {outcome}" if outcome else event.kind
    severity = _CEF_KIND_SEVERITY.get(event.kind, _CEF_SEVERITY.get(str(outcome), 3))
    recorded = datetime.fromisoformat(event.recorded_at.replace("Z", "+00:00"))
    ext: list[tuple[str, Any]] = [
        ("rt", int(recorded.timestamp() * 1000)),
        ("dvchost", event.station_id),
        ("cs1", event.event_id),
        ("cs1Label", "eventId"),
        ("cn1", event.sequence),
        ("cn1Label", "sequence"),
        ("flexString1", event.mac),
        ("flexString1Label", "mac"),
        ("flexString2", event.prev_mac),
        ("flexString2Label", "prevMac"),
    ]
    for field, key, label in _CEF_FIELDS:
        if fields.get(field) is not None:
            ext.append((key, fields[field]))
            if label is not None:
                ext.append((key + "Label", label))
    text = fields.get("error_message") or fields.get("notes")
    if text:
        ext.append(("msg", text))
    if "trimmed" in fields:
        ext.append(("reason", "trimmed " + ",".join(fields["trimmed"])))
    extension = " ".join(f"{key}={_cef_value(value)}" for key, value in ext)
    header = "|".join(
        _cef_header(part)
        for part in ("CEF:0", "Station", "station", __version__, event.kind, name, str(severity))
    )
    return f"{header}|{extension}"


def _encoded_size(value: str) -> int:
    return len(json.dumps(value, ensure_ascii=True))


def encode_frame(event: ShippedEvent, fmt: PayloadFormat) -> bytes:
    """The framed message for ``event``, at most :data:`MAX_FRAME_BYTES` long.

    While too long, the text field that takes the most room is cut to half (never the kind,
    outcome, times, digests or the event id), so several long fields end up sharing the room.
    """
    render: Callable[[ShippedEvent, dict[str, Any]], str] = (
        cef_body if fmt is PayloadFormat.CEF else json_body
    )
    fields = dict(event.fields)
    framed = frame(message(event, render(event, fields)))
    trimmed: list[str] = []
    while len(framed) > MAX_FRAME_BYTES:
        candidates = [
            name
            for name, value in fields.items()
            if name not in _PROTECTED and isinstance(value, str) and len(value) > 1
        ]
        if not candidates:
            raise ValueError(f"row {event.sequence} cannot be shipped in {MAX_FRAME_BYTES} bytes")
        longest = max(candidates, key=lambda name: _encoded_size(fields[name]))
        value = fields[longest].removesuffix(_ELLIPSIS)
        fields[longest] = value[: len(value) // 2] + _ELLIPSIS
        if longest not in trimmed:
            trimmed.append(longest)
        fields["trimmed"] = trimmed
        framed = frame(message(event, render(event, fields)))
    return framed


def encode_message(event: ShippedEvent, fmt: PayloadFormat) -> bytes:
    """The RFC 5424 message of :func:`encode_frame` without the octet count (RELP frames it)."""
    return encode_frame(event, fmt).split(b" ", 1)[1]
