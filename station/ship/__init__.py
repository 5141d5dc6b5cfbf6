"""Fleet shipping: every station's audit journal reaches the bank's SIEM, at least once.

Qt-free; imports only :mod:`station.audit`, the standard library and ``truststore`` /
``prometheus_client``. One job per module:

============ ======================================================================================
config       :class:`ShipConfig`, the typed settings the station's policy maps onto
event        a row as the SIEM sees it: UUIDv5 event id, fields (never the token or the picture)
rfc5424      RFC 5424 header and structured data, RFC 5425 octet-counting frames
payload      JSON or CEF body, trimmed so a frame stays under 2 KB
tls, errors  the relay's TLS context; failures in plain words
syslog       the TLS syslog target (stdlib ``ssl`` + ``socket``)
relp         the RELP-over-TLS target: every record acknowledged by the relay
jsonl        the spool-folder target for file-tailing forwarders
shipper      cursor, resend window, backoff, heartbeat, anchor: the at-least-once loop
heartbeat    the periodic health row and the :data:`FleetFactsSource` hook
status       :class:`ShipStatus` and the status-bar text
metrics      the Prometheus textfile
cli, bench   ``station ship [--once]`` and the shipping benchmark
============ ======================================================================================

The names below are imported on first use (PEP 562): the settings read :mod:`station.ship.config`
before the station's first frame, and that does not load the shipper, its targets, the journal
or ``prometheus_client`` (issue 27).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from station.ship.config import PayloadFormat, ShipConfig, ShipConfigError, TargetKind
    from station.ship.errors import ShipError
    from station.ship.event import ShippedEvent, event_id
    from station.ship.heartbeat import FleetFacts, FleetFactsSource, no_facts
    from station.ship.jsonl import JsonlTarget
    from station.ship.relp import RelpTlsTarget
    from station.ship.shipper import Shipper
    from station.ship.status import ShipState, ShipStatus, needs_attention, status_text
    from station.ship.syslog import SyslogTlsTarget
    from station.ship.target import ShipTarget

_WHERE: Final = {
    "FleetFacts": "station.ship.heartbeat",
    "FleetFactsSource": "station.ship.heartbeat",
    "JsonlTarget": "station.ship.jsonl",
    "PayloadFormat": "station.ship.config",
    "RelpTlsTarget": "station.ship.relp",
    "ShipConfig": "station.ship.config",
    "ShipConfigError": "station.ship.config",
    "ShipError": "station.ship.errors",
    "ShipState": "station.ship.status",
    "ShipStatus": "station.ship.status",
    "ShipTarget": "station.ship.target",
    "ShippedEvent": "station.ship.event",
    "Shipper": "station.ship.shipper",
    "SyslogTlsTarget": "station.ship.syslog",
    "TargetKind": "station.ship.config",
    "event_id": "station.ship.event",
    "needs_attention": "station.ship.status",
    "no_facts": "station.ship.heartbeat",
    "status_text": "station.ship.status",
}

__all__ = [
    "FleetFacts",
    "FleetFactsSource",
    "JsonlTarget",
    "PayloadFormat",
    "RelpTlsTarget",
    "ShipConfig",
    "ShipConfigError",
    "ShipError",
    "ShipState",
    "ShipStatus",
    "ShipTarget",
    "ShippedEvent",
    "Shipper",
    "SyslogTlsTarget",
    "TargetKind",
    "build_target",
    "event_id",
    "needs_attention",
    "no_facts",
    "status_text",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def build_target(config: ShipConfig) -> ShipTarget:
    """The target ``config`` names (not for ``off``: there is nothing to build)."""
    from station.ship.config import ShipConfigError, TargetKind
    from station.ship.jsonl import JsonlTarget
    from station.ship.relp import RelpTlsTarget
    from station.ship.syslog import SyslogTlsTarget

    if config.target is TargetKind.SYSLOG_TLS:
        return SyslogTlsTarget(config)
    if config.target is TargetKind.RELP_TLS:
        return RelpTlsTarget(config)
    if config.target is TargetKind.JSONL:
        assert config.jsonl_dir is not None  # ShipConfig requires it for this target
        return JsonlTarget(config.jsonl_dir, config.station_id)
    raise ShipConfigError("target: shipping is off, there is no target to build")
