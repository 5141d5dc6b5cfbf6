"""Reading a JWT's expiry without verifying it, and the warning it leads to."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from station.security.jwt_expiry import expiry_warning, token_expiry


def make_jwt(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_reads_exp() -> None:
    exp = NOW + timedelta(days=30)
    assert token_expiry(make_jwt({"sub": "x", "exp": int(exp.timestamp())})) == exp


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token-without-dots",
        "a.b",
        "a.!!!.c",
        make_jwt({"sub": "no exp"}),
        make_jwt({"exp": "tomorrow"}),
        make_jwt({"exp": True}),
        make_jwt({"exp": 10**20}),
        "x." + base64.urlsafe_b64encode(b"[1,2]").decode() + ".y",
        "",
    ],
)
def test_unknown_expiry(token: str) -> None:
    assert token_expiry(token) is None


def test_warnings() -> None:
    assert expiry_warning(None, NOW) is None
    assert expiry_warning(NOW + timedelta(days=30), NOW) is None
    soon = expiry_warning(NOW + timedelta(days=3, hours=2), NOW)
    assert soon is not None
    assert soon.startswith("the token expires in 3 days")
    assert "2025-03-04 14:00 UTC" in soon
    hours = expiry_warning(NOW + timedelta(hours=5), NOW)
    assert hours is not None
    assert "5 hours" in hours
    expired = expiry_warning(NOW - timedelta(days=2), NOW)
    assert expired is not None
    assert expired.startswith("the token expired on 2025-02-27 12:00 UTC (2 days ago)")
