"""Fleet health as a Prometheus text file, for node_exporter's or windows_exporter's textfile
collector: the bank's monitoring scrapes what it already scrapes, no port opens on the station.

``prometheus_client.write_to_textfile`` writes a temporary file and renames it, so the collector
never reads half a file. Every series carries ``station`` and ``target`` labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

__all__ = ["FleetHealth", "write_health"]


@dataclass(frozen=True, slots=True)
class FleetHealth:
    station_id: str
    target: str
    unshipped: int
    oldest_unshipped_age_s: float
    errors_total: int
    acked_sequence: int
    head_sequence: int
    up: bool
    last_verification_at: datetime | None = None
    last_shipped_at: datetime | None = None
    credit_balance: float | None = None


def write_health(path: Path, health: FleetHealth) -> None:
    """Replace ``path`` (a ``*.prom`` file) atomically with the current figures."""
    registry = CollectorRegistry()
    labels = ("station", "target")
    values = (health.station_id, health.target)

    def gauge(name: str, doc: str, value: float | None) -> None:
        if value is None:
            return  # unknown: no sample, rather than a misleading zero
        Gauge(name, doc, labels, registry=registry).labels(*values).set(value)

    gauge("station_ship_unshipped_records", "Journal rows the target has not acknowledged.", health.unshipped)
    gauge(
        "station_ship_oldest_unshipped_age_seconds",
        "Age of the oldest unacknowledged row (0 when none waits).",
        health.oldest_unshipped_age_s,
    )
    gauge("station_ship_errors", "Shipping failures since the shipper started.", health.errors_total)
    gauge(
        "station_ship_acked_sequence",
        "Highest journal sequence the target acknowledged.",
        health.acked_sequence,
    )
    gauge("station_audit_head_sequence", "Sequence of the newest journal row.", health.head_sequence)
    gauge("station_ship_up", "1 if the last shipping attempt succeeded.", 1.0 if health.up else 0.0)
    gauge(
        "station_last_verification_timestamp_seconds",
        "When the last verification was recorded (Unix time).",
        health.last_verification_at.timestamp() if health.last_verification_at else None,
    )
    gauge(
        "station_ship_last_success_timestamp_seconds",
        "When the cursor last moved (Unix time).",
        health.last_shipped_at.timestamp() if health.last_shipped_at else None,
    )
    gauge("station_credit_balance", "The service's credit balance, as last read.", health.credit_balance)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
