"""RFC 5424 syslog messages with structured data, framed by octet counting (RFC 5425/6587).

Why by hand: the one RFC 5424 handler on PyPI (``rfc5424-logging-handler``, last release 2019)
connects in its constructor, raises when the relay is down and drops records on error; the
standard library's ``SysLogHandler`` has neither TLS nor RFC 5424. A message is a few lines of
formatting, and owning it lets the shipper resend exactly the same bytes.

Format::

    <PRI>1 TIMESTAMP HOSTNAME station - MSGID [station@32473 station="…" journal="…" seq="…"
    eid="…" mac="…" prev="…"] MSG

* PRI: facility 13 (log audit); severity from the row (:func:`severity`).
* TIMESTAMP: the row's ``recorded_at`` (UTC, microseconds); HOSTNAME: the station id made
  printable ASCII (the exact id is in the structured data).
* MSGID: the row's kind (``verification``, ``review``, ``heartbeat``, ``checkpoint``,
  ``chain_restarted`` …).
* SD-ID ``station@32473``: 32473 is the enterprise number RFC 5612 reserves for examples; a
  vendor with its own IANA Private Enterprise Number puts it here (:data:`SD_ID`).
* MSG: ASCII-only JSON or CEF (so no BOM is needed), never a raw newline.
"""

from __future__ import annotations

import re

from station.audit.records import KIND_CHAIN_RESTARTED, KIND_CHECKPOINT
from station.ship.event import ShippedEvent

__all__ = ["APP_NAME", "FACILITY_AUDIT", "SD_ID", "frame", "message", "severity", "structured_data"]

APP_NAME = "station"
SD_ID = "station@32473"
FACILITY_AUDIT = 13
_NOT_PRINTUSASCII = re.compile(r"[^\x21-\x7e]")

_INFO, _NOTICE, _WARNING = 6, 5, 4


def severity(event: ShippedEvent) -> int:
    """Informational for routine rows; notice for a SPOOF, a REVIEW and a purge; warning for an
    attempt that ended in an error and for a chain an administrator started over a vanished
    journal (a SIEM rule can key on these)."""
    outcome = event.fields.get("outcome")
    if event.kind == KIND_CHAIN_RESTARTED:
        return _WARNING
    if event.kind == KIND_CHECKPOINT or outcome in ("SPOOF", "REVIEW"):
        return _NOTICE
    if outcome == "ERROR":
        return _WARNING
    return _INFO


def _param(value: str) -> str:
    """RFC 5424 PARAM-VALUE: ``"``, ``\\`` and ``]`` escaped with a backslash."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def structured_data(event: ShippedEvent) -> str:
    params = (
        ("station", event.station_id),
        ("journal", event.journal_id),
        ("seq", str(event.sequence)),
        ("eid", event.event_id),
        ("mac", event.mac),
        ("prev", event.prev_mac),
    )
    return "[" + SD_ID + "".join(f' {name}="{_param(value)}"' for name, value in params) + "]"


def _hostname(station_id: str) -> str:
    return _NOT_PRINTUSASCII.sub("_", station_id)[:255] or "-"


def message(event: ShippedEvent, body: str) -> bytes:
    """The whole RFC 5424 message (without framing)."""
    pri = FACILITY_AUDIT * 8 + severity(event)
    header = f"<{pri}>1 {event.recorded_at} {_hostname(event.station_id)} {APP_NAME} - {event.kind}"
    return f"{header} {structured_data(event)} {body}".encode()


def frame(msg: bytes) -> bytes:
    """Octet-counting framing (RFC 5425 §4.3): ``MSG-LEN SP SYSLOG-MSG``."""
    return str(len(msg)).encode("ascii") + b" " + msg
