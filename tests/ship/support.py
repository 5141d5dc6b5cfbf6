"""Helpers for the shipping tests: a config pointing at the test relay, a shipper on a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from station.audit import AuditJournal
from station.ship import ShipConfig, Shipper, SyslogTlsTarget, TargetKind
from tests.audit.support import KEY, make_record

STATION = "branch-042-desk-1"


def relay_config(port: int, ca_pem: Path, **overrides: Any) -> ShipConfig:
    """Fast settings for tests: 1 s resend window and backoff cap, no heartbeat unless asked."""
    fields: dict[str, Any] = {
        "target": TargetKind.SYSLOG_TLS,
        "station_id": STATION,
        "relay_host": "127.0.0.1",
        "relay_port": port,
        "ca_bundle": ca_pem,
        "resend_window": timedelta(seconds=1),
        "backoff_cap": timedelta(seconds=1),
        "heartbeat_interval": timedelta(days=1),
        "connect_timeout": timedelta(seconds=5),
    }
    fields.update(overrides)
    return ShipConfig(**fields)


def fill(journal: AuditJournal, count: int, start: int = 0) -> list[int]:
    return [journal.append(make_record(start + i)) for i in range(count)]


def shipper_for(journal: AuditJournal, config: ShipConfig, anchor: Path | None = None, **kw: Any) -> Shipper:
    return Shipper(journal, config, SyslogTlsTarget(config), key=KEY, anchor_path=anchor, **kw)


@contextmanager
def running(shipper: Shipper) -> Iterator[Shipper]:
    """The shipper on a worker thread, as the GUI runs it; stopped and joined on exit."""
    thread = threading.Thread(target=shipper.run, name="shipper", daemon=True)
    thread.start()
    try:
        yield shipper
    finally:
        shipper.request_stop()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the shipper did not stop"
