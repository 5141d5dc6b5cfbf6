"""The administrator PIN: hashing, checking, lockout with an injected clock, the rule."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.security.pin import (
    LOCKOUT_AFTER,
    AdminPin,
    PinFileError,
    PinLockedError,
    PinNotSetError,
    PinRuleError,
    WrongPinError,
    check_pin_rule,
)

PIN = "482913"
OTHER = "715068"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pin_path(tmp_path: Path) -> Path:
    return tmp_path / "cfg" / "admin_pin.json"


@pytest.fixture
def admin(pin_path: Path, clock: FakeClock) -> AdminPin:
    pin = AdminPin.load(pin_path, clock=clock)
    pin.set_pin(PIN)
    return pin


def _fail(admin: AdminPin, times: int) -> None:
    for _ in range(times):
        assert admin.verify("000001") is False


def test_no_pin_at_first(pin_path: Path) -> None:
    pin = AdminPin.load(pin_path)
    assert not pin.is_set
    assert pin.locked_until is None
    with pytest.raises(PinNotSetError):
        pin.verify(PIN)


def test_set_and_verify(admin: AdminPin, pin_path: Path, clock: FakeClock) -> None:
    assert admin.is_set
    assert admin.verify(PIN) is True
    assert admin.verify(OTHER) is False
    reloaded = AdminPin.load(pin_path, clock=clock)
    assert reloaded.is_set
    assert reloaded.verify(PIN) is True


def test_the_file_never_holds_the_pin(admin: AdminPin, pin_path: Path) -> None:
    text = pin_path.read_text()
    assert PIN not in text
    document = json.loads(text)
    assert document["kdf"] == "scrypt"
    assert document["params"] == {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
    assert len(document["salt"]) == 24  # 16 bytes, base64
    if os.name == "posix":
        assert stat.S_IMODE(pin_path.stat().st_mode) == 0o600


def test_same_pin_gets_a_new_salt(pin_path: Path, tmp_path: Path) -> None:
    first = AdminPin.load(pin_path)
    first.set_pin(PIN)
    second = AdminPin.load(tmp_path / "other.json")
    second.set_pin(PIN)
    a, b = json.loads(pin_path.read_text()), json.loads((tmp_path / "other.json").read_text())
    assert a["salt"] != b["salt"]
    assert a["hash"] != b["hash"]


def test_changing_needs_the_current_pin(admin: AdminPin) -> None:
    with pytest.raises(WrongPinError, match="current PIN"):
        admin.set_pin(OTHER)
    with pytest.raises(WrongPinError, match="wrong"):
        admin.set_pin(OTHER, current="999990")
    assert admin.failed_attempts == 1
    admin.set_pin(OTHER, current=PIN)
    assert admin.verify(OTHER) is True
    assert admin.verify(PIN) is False


def test_wrong_pins_count_and_a_right_one_resets(admin: AdminPin) -> None:
    _fail(admin, LOCKOUT_AFTER - 1)
    assert admin.failed_attempts == LOCKOUT_AFTER - 1
    assert admin.locked_until is None
    assert admin.verify(PIN) is True
    assert admin.failed_attempts == 0


def test_lockout_and_its_expiry(admin: AdminPin, clock: FakeClock, pin_path: Path) -> None:
    _fail(admin, LOCKOUT_AFTER)
    assert admin.locked_until == clock.now + timedelta(minutes=5)
    clock.advance(seconds=50)
    with pytest.raises(PinLockedError) as caught:
        admin.verify(PIN)  # even the right PIN is not checked while locked
    assert str(caught.value) == "Too many wrong PINs: locked for 5 more minutes"
    clock.advance(minutes=3)
    with pytest.raises(PinLockedError, match=r"^Too many wrong PINs: locked for 2 more minutes$"):
        admin.verify(PIN)
    # A restart does not lift the lockout.
    with pytest.raises(PinLockedError):
        AdminPin.load(pin_path, clock=clock).verify(PIN)
    clock.advance(minutes=2)
    assert admin.locked_until is None
    assert admin.verify(PIN) is True


def test_lockout_doubles_on_repeat(admin: AdminPin, clock: FakeClock) -> None:
    _fail(admin, LOCKOUT_AFTER)
    assert admin.locked_until == clock.now + timedelta(minutes=5)
    clock.advance(minutes=5)
    _fail(admin, LOCKOUT_AFTER)
    assert admin.locked_until == clock.now + timedelta(minutes=10)
    clock.advance(minutes=10)
    _fail(admin, LOCKOUT_AFTER)
    assert admin.locked_until == clock.now + timedelta(minutes=20)
    clock.advance(minutes=20)
    assert admin.verify(PIN) is True  # a right PIN resets the doubling
    _fail(admin, LOCKOUT_AFTER)
    assert admin.locked_until == clock.now + timedelta(minutes=5)


def test_pin_rule() -> None:
    for good in ("482913", "104729", "123456789012"[::-1][:11] + "7", "2718281828"):
        check_pin_rule(good)
    for bad, message in [
        ("12345", "6 to 12 digits"),
        ("4829130000123", "6 to 12 digits"),
        ("48291a", "digits only"),
        ("48 2913", "digits only"),
        ("４８２９１３", "digits only"),  # full-width digits
        ("777777", "one digit repeated"),
        ("123456", "consecutive"),
        ("987654", "consecutive"),
        ("890123", "consecutive"),
    ]:
        with pytest.raises(PinRuleError, match=message):
            check_pin_rule(bad)


def test_set_pin_enforces_the_rule(pin_path: Path) -> None:
    pin = AdminPin.load(pin_path)
    with pytest.raises(PinRuleError):
        pin.set_pin("1234")
    assert not pin_path.exists()


def test_a_damaged_file_fails_closed(pin_path: Path) -> None:
    pin_path.parent.mkdir(parents=True)
    pin_path.write_text("{not json")
    with pytest.raises(PinFileError, match="damaged"):
        AdminPin.load(pin_path)
    pin_path.write_text(json.dumps({"version": 1, "kdf": "scrypt", "hash": "AAAA", "params": {"n": 3}}))
    with pytest.raises(PinFileError, match="damaged"):
        AdminPin.load(pin_path)


def test_old_parameters_are_upgraded_on_a_right_pin(pin_path: Path) -> None:
    from station.security.pin import ScryptParams

    weak = ScryptParams(n=2**10, r=8, p=1)
    salt = bytes(range(16))
    import base64

    pin_path.parent.mkdir(parents=True)
    pin_path.write_text(
        json.dumps(
            {
                "version": 1,
                "kdf": "scrypt",
                "params": {"n": weak.n, "r": weak.r, "p": weak.p, "dklen": weak.dklen},
                "salt": base64.b64encode(salt).decode(),
                "hash": base64.b64encode(weak.derive(PIN, salt)).decode(),
            }
        )
    )
    pin = AdminPin.load(pin_path)
    assert pin.verify(PIN) is True
    assert json.loads(pin_path.read_text())["params"]["n"] == 2**14
    assert AdminPin.load(pin_path).verify(PIN) is True


def test_the_pin_is_not_logged(pin_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    pin = AdminPin.load(pin_path, clock=clock)
    pin.set_pin(PIN)
    pin.verify(OTHER)
    pin.verify(PIN)
    assert PIN not in caplog.text
    assert OTHER not in caplog.text
    assert PIN not in repr(pin)
