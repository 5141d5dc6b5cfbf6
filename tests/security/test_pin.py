"""PIN hashing: the one line a PIN is kept as, checked in constant time; the PIN rule."""

from __future__ import annotations

import pytest

from station.security.pin import PinFileError, PinHash, PinRuleError, ScryptParams, check_pin_rule, hash_pin

PIN = "482913"


def test_a_hash_round_trips_through_its_one_line_form() -> None:
    hashed = hash_pin(PIN)
    line = str(hashed)
    assert line.startswith("scrypt$16384$8$1$")
    again = PinHash.parse(line)
    assert again == hashed
    assert again.matches(PIN)
    assert not again.matches("482914")
    assert PIN not in line and PIN not in repr(hashed)


def test_two_hashes_of_one_pin_differ_by_their_salt() -> None:
    assert str(hash_pin(PIN)) != str(hash_pin(PIN))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("", "not of the form"),
        ("bcrypt$1$2$3$4$5", "not of the form"),
        ("scrypt$x$8$1$AAAA$AAAA", "not numbers"),
        ("scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44, "n is out of range"),
        ("scrypt$2097152$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44, "n is out of range"),
        ("scrypt$16384$64$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44, "out of range"),
        ("scrypt$16384$8$1$not-base64!$" + "A" * 44, "salt is not base64"),
        ("scrypt$16384$8$1$AAAA$" + "A" * 44, "wrong length"),
    ],
)
def test_a_damaged_hash_is_refused(line: str, problem: str) -> None:
    with pytest.raises(PinFileError, match=problem):
        PinHash.parse(line)


def test_scrypt_bounds_are_powers_of_two_within_range() -> None:
    ScryptParams(2**10, 1, 1).check()
    ScryptParams(2**20, 32, 16).check()
    for bad in (ScryptParams(3000, 8, 1), ScryptParams(2**14, 0, 1), ScryptParams(2**14, 8, 17)):
        with pytest.raises(PinFileError):
            bad.check()


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("12345", "6 to 12 digits"),
        ("1234567890123", "6 to 12 digits"),
        ("48a913", "digits only"),
        ("４８２９１３", "digits only"),
        ("777777", "one digit repeated"),
        ("123456", "consecutive"),
        ("987654", "consecutive"),
        ("890123", "consecutive"),
    ],
)
def test_the_pin_rule(pin: str, problem: str) -> None:
    with pytest.raises(PinRuleError, match=problem):
        check_pin_rule(pin)
    with pytest.raises(PinRuleError):
        hash_pin(pin)


def test_good_pins_pass_the_rule() -> None:
    for pin in ("482913", "135790", "102938475612"):
        check_pin_rule(pin)
