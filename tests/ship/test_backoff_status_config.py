"""Full-jitter backoff, the status-bar text, and the validation of ShipConfig."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from station.ship import (
    ShipConfig,
    ShipConfigError,
    ShipState,
    ShipStatus,
    TargetKind,
    needs_attention,
    status_text,
)
from station.ship.backoff import full_jitter


def test_full_jitter_grows_then_stays_under_the_cap() -> None:
    rng = random.Random(1)
    for failures, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (10, 300.0), (1000, 300.0)):
        delays = [full_jitter(failures, 300.0, rng) for _ in range(500)]
        assert min(delays) >= 0.0
        assert max(delays) <= ceiling
        assert max(delays) > ceiling * 0.9  # the whole range is used: that is the jitter


def test_a_thousand_stations_do_not_reconnect_together() -> None:
    rng = random.Random(7)
    delays = sorted(full_jitter(12, 300.0, rng) for _ in range(1000))
    per_ten_seconds = [sum(1 for d in delays if s <= d < s + 10) for s in range(0, 300, 10)]
    assert max(per_ten_seconds) < 80  # about 33 expected per 10 s slice; never a stampede


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (ShipStatus(ShipState.SHIPPED), "all shipped"),
        (
            ShipStatus(ShipState.SHIPPING, waiting=412, oldest_waiting_age=timedelta(hours=3)),
            "412 records waiting, oldest 3 h",
        ),
        (
            ShipStatus(ShipState.SHIPPING, waiting=1, oldest_waiting_age=timedelta(seconds=5)),
            "1 record waiting, oldest 5 s",
        ),
        (
            ShipStatus(ShipState.SHIPPING, waiting=9, oldest_waiting_age=timedelta(minutes=25)),
            "9 records waiting, oldest 25 min",
        ),
        (
            ShipStatus(ShipState.SHIPPING, waiting=9, oldest_waiting_age=timedelta(days=3)),
            "9 records waiting, oldest 3 days",
        ),
        (
            ShipStatus(ShipState.FAILING, waiting=412, last_error="relay refused the certificate"),
            "relay refused the certificate",
        ),
        (ShipStatus(ShipState.OFF), "shipping off"),
    ],
)
def test_status_text(status: ShipStatus, text: str) -> None:
    assert status_text(status) == text


def test_amber_past_the_alert_age_or_on_an_integrity_problem() -> None:
    hour = timedelta(hours=1)
    assert not needs_attention(ShipStatus(ShipState.SHIPPED), hour)
    assert not needs_attention(ShipStatus(ShipState.SHIPPING, 5, timedelta(minutes=59)), hour)
    assert needs_attention(ShipStatus(ShipState.FAILING, 5, timedelta(minutes=61)), hour)
    assert needs_attention(ShipStatus(ShipState.INTEGRITY, last_error="journal rolled back"), hour)


def test_defaults_match_the_issue() -> None:
    config = ShipConfig(station_id="s", target=TargetKind.SYSLOG_TLS, relay_host="relay.bank.example")
    assert config.relay_port == 6514
    assert config.resend_window == timedelta(seconds=60)
    assert config.backoff_cap == timedelta(minutes=5)
    assert config.heartbeat_interval == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": TargetKind.SYSLOG_TLS}, "relay_host: required"),
        ({"target": TargetKind.JSONL}, "jsonl_dir: required"),
        ({"relay_port": 0}, "relay_port: must be between 1 and 65535"),
        ({"client_cert": Path("c.pem")}, "client_cert, client_key: give both"),
        ({"prometheus_textfile": Path("health.txt")}, "only \\*.prom files"),
        ({"resend_window": timedelta(0)}, "resend_window: must be between"),
        ({"backoff_cap": timedelta(days=1)}, "backoff_cap: must be between"),
        ({"station_id": ""}, "station_id: must be 1-255 bytes"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"station_id": "s", **kwargs}
    with pytest.raises(ShipConfigError, match=message):
        ShipConfig(**fields)  # type: ignore[arg-type]
