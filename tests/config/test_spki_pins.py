"""``service_spki_pins``: one or more base64 SHA-256 pins, from policy as text or a JSON list."""

from __future__ import annotations

import base64
import hashlib

import pytest

from station.config.model import SECURITY_FIELDS, SettingsError, parse_settings

PIN_A = base64.b64encode(hashlib.sha256(b"key a").digest()).decode()
PIN_B = base64.b64encode(hashlib.sha256(b"key b").digest()).decode()


@pytest.mark.parametrize(
    "value",
    [f"{PIN_A},{PIN_B}", f" {PIN_A} , sha256/{PIN_B} ,", [PIN_A, PIN_B], [PIN_A, PIN_B, PIN_A]],
)
def test_pins_are_read_and_reach_the_client(value: object) -> None:
    settings = parse_settings({"service_spki_pins": value})
    assert settings.service_spki_pins == f"{PIN_A},{PIN_B}"
    assert settings.to_network().spki_pins == (PIN_A, PIN_B)


def test_no_pin_by_default() -> None:
    assert parse_settings({}).to_network().spki_pins == ()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "one or more base64"),
        (",", "one or more base64"),
        ("not a pin!", "not base64"),
        (base64.b64encode(b"sixteen bytes...").decode(), "not a SHA-256 digest"),
        (hashlib.sha256(b"x").hexdigest(), "not a SHA-256 digest"),  # hex, not base64
    ],
)
def test_a_bad_pin_is_named(value: str, words: str) -> None:
    with pytest.raises(SettingsError, match="service_spki_pins") as caught:
        parse_settings({"service_spki_pins": value})
    assert words in str(caught.value)


def test_the_pin_is_security_relevant() -> None:
    assert "service_spki_pins" in SECURITY_FIELDS
