"""What the shipper needs to know, as one typed, validated value.

Qt-free and independent of the station's settings module on purpose: the station's settings and
managed policy own these values (the relay is the bank's decision, not the operator's) and map
them onto :class:`ShipConfig`; ``station ship`` builds one from its command line meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

__all__ = [
    "DEFAULT_ALERT_AGE",
    "DEFAULT_BACKOFF_CAP",
    "DEFAULT_HEARTBEAT_INTERVAL",
    "DEFAULT_PORT",
    "DEFAULT_RESEND_WINDOW",
    "PayloadFormat",
    "ShipConfig",
    "ShipConfigError",
    "TargetKind",
]

#: RFC 5425's port for syslog over TLS.
DEFAULT_PORT = 6514
#: Plain TLS syslog has no acknowledgement: a record counts as delivered only once it was sent
#: this long ago on a connection that is still open, and a reconnect resends that window.
DEFAULT_RESEND_WINDOW = timedelta(seconds=60)
#: The longest wait between reconnection attempts (full jitter below it).
DEFAULT_BACKOFF_CAP = timedelta(minutes=5)
DEFAULT_HEARTBEAT_INTERVAL = timedelta(minutes=5)
#: Past this age of the oldest unshipped record the station's health indicator turns amber.
DEFAULT_ALERT_AGE = timedelta(hours=1)


class ShipConfigError(ValueError):
    """A shipping setting is missing or out of range; the message names it."""


class TargetKind(StrEnum):
    SYSLOG_TLS = "syslog_tls"
    #: RELP over TLS (rsyslog ``imrelp``): every record acknowledged by the relay.
    RELP_TLS = "relp_tls"
    JSONL = "jsonl"
    OFF = "off"


class PayloadFormat(StrEnum):
    #: A JSON body: Splunk, Elastic, QRadar's JSON parsing.
    JSON = "json"
    #: ArcSight Common Event Format: ArcSight, Microsoft Sentinel's CEF connector.
    CEF = "cef"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipConfig:
    """Where and how the journal is shipped. Construction validates; see the field comments."""

    target: TargetKind = TargetKind.OFF
    station_id: str
    #: The bank's syslog relay (``target = syslog_tls``).
    relay_host: str | None = None
    relay_port: int = DEFAULT_PORT
    #: PEM bundle of the CA(s) that sign the relay's certificate; None: the OS trust store.
    ca_bundle: Path | None = None
    #: Client certificate and key (PEM) for mutual TLS, if the relay asks for one.
    client_cert: Path | None = None
    client_key: Path | None = None
    payload_format: PayloadFormat = PayloadFormat.JSON
    resend_window: timedelta = DEFAULT_RESEND_WINDOW
    backoff_cap: timedelta = DEFAULT_BACKOFF_CAP
    heartbeat_interval: timedelta = DEFAULT_HEARTBEAT_INTERVAL
    #: Folder the ``jsonl`` target appends to (a forwarder such as Splunk UF tails it).
    jsonl_dir: Path | None = None
    #: ``*.prom`` file for node_exporter's / windows_exporter's textfile collector; None: none.
    prometheus_textfile: Path | None = None
    alert_age: timedelta = DEFAULT_ALERT_AGE
    connect_timeout: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if not self.station_id or len(self.station_id.encode()) > 255:
            raise ShipConfigError("station_id: must be 1-255 bytes (it names the station in the SIEM)")
        if self.target in (TargetKind.SYSLOG_TLS, TargetKind.RELP_TLS) and not self.relay_host:
            raise ShipConfigError(f"relay_host: required when shipping to a relay (target {self.target})")
        if not 1 <= self.relay_port <= 65535:
            raise ShipConfigError(f"relay_port: must be between 1 and 65535, got {self.relay_port}")
        if self.target is TargetKind.JSONL and self.jsonl_dir is None:
            raise ShipConfigError("jsonl_dir: required when shipping to JSONL files (target jsonl)")
        if (self.client_cert is None) != (self.client_key is None):
            raise ShipConfigError("client_cert, client_key: give both for mutual TLS, or neither")
        if self.prometheus_textfile is not None and self.prometheus_textfile.suffix != ".prom":
            raise ShipConfigError("prometheus_textfile: the textfile collector reads only *.prom files")
        for name, low, high in (
            ("resend_window", timedelta(seconds=1), timedelta(hours=1)),
            ("backoff_cap", timedelta(seconds=1), timedelta(hours=1)),
            ("heartbeat_interval", timedelta(seconds=1), timedelta(days=1)),
            ("alert_age", timedelta(minutes=1), timedelta(days=30)),
            ("connect_timeout", timedelta(seconds=1), timedelta(minutes=5)),
        ):
            value: timedelta = getattr(self, name)
            if not low <= value <= high:
                raise ShipConfigError(f"{name}: must be between {low} and {high}, got {value}")
