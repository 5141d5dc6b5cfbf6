"""PINs: the rule, and the one salted, slow hash a PIN is kept as.

Only a hash is ever stored: ``hashlib.scrypt`` (n=2**14, r=8, p=1, a 16-byte random salt, a 32-byte
key), written as one line::

    scrypt$16384$8$1$<salt, base64>$<hash, base64>

and kept only in the station's private store (``people.json``, see
:mod:`station.security.private_store`), never in machine policy: a short PIN whose hash another
account can read falls to an offline search however slow the KDF (a 6-digit PIN in under a
minute). Comparison is constant-time (``hmac.compare_digest``).

Who holds which PIN is :mod:`station.security.people`; counting wrong PINs is
:mod:`station.security.lockout`. The PIN itself is never stored, logged or put in a message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

__all__ = [
    "PIN_MAX_DIGITS",
    "PIN_MIN_DIGITS",
    "PinError",
    "PinFileError",
    "PinHash",
    "PinLockedError",
    "PinNotSetError",
    "PinRuleError",
    "ScryptParams",
    "check_pin_rule",
    "hash_pin",
]

PIN_MIN_DIGITS: Final = 6
PIN_MAX_DIGITS: Final = 12
_SALT_BYTES: Final = 16


class PinError(ValueError):
    """Base of the PIN errors; messages are for the person at the keyboard."""


class PinRuleError(PinError):
    """A new PIN that breaks the rule (6–12 digits, not trivially guessable)."""


class PinNotSetError(PinError):
    """No such PIN is configured (no administrator PIN, an unknown supervisor)."""


class PinFileError(PinError):
    """A PIN hash or the file holding it cannot be used. The station fails closed."""


class PinLockedError(PinError):
    """Too many wrong PINs: no PIN of this person is checked until ``until``."""

    def __init__(self, until: datetime, now: datetime, *, started: bool = False) -> None:
        self.until = until
        #: This wrong PIN started the lockout (rather than a PIN typed while locked out).
        self.started = started
        super().__init__(f"Too many wrong PINs: locked for {_remaining(until - now)}")


def _remaining(delta: timedelta) -> str:
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes < 120:
        return f"{minutes} more minute{'s' if minutes != 1 else ''}"
    return f"{math.ceil(minutes / 60)} more hours"


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt's cost parameters; n=2**14, r=8 takes 16 MiB and a few tens of ms."""

    n: int = 2**14
    r: int = 8
    p: int = 1

    def check(self) -> None:
        """Refuse parameters no honest hash holds (they could also make a check take minutes)."""
        if not (2**10 <= self.n <= 2**20 and self.n & (self.n - 1) == 0):
            raise PinFileError("the PIN hash is damaged: scrypt n is out of range")
        if not (1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise PinFileError("the PIN hash is damaged: scrypt parameters are out of range")

    def derive(self, pin: str, salt: bytes, length: int) -> bytes:
        maxmem = 128 * self.r * self.n * self.p + 2 * 1024 * 1024 * 32
        return hashlib.scrypt(
            pin.encode("utf-8"), salt=salt, n=self.n, r=self.r, p=self.p, maxmem=maxmem, dklen=length
        )


#: What new hashes use.
CURRENT_PARAMS: Final = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise PinFileError(f"the PIN hash is damaged: the {what} is not base64") from None


@dataclass(frozen=True, slots=True)
class PinHash:
    """A PIN as it is kept: scrypt parameters, salt and derived key."""

    params: ScryptParams
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> PinHash:
        """``scrypt$n$r$p$salt$hash``; :class:`PinFileError` for anything else."""
        parts = str(text).strip().split("$")
        if len(parts) != 6 or parts[0] != "scrypt":
            raise PinFileError("the PIN hash is not of the form scrypt$n$r$p$salt$hash")
        try:
            params = ScryptParams(int(parts[1]), int(parts[2]), int(parts[3]))
        except ValueError:
            raise PinFileError("the PIN hash is damaged: scrypt parameters are not numbers") from None
        params.check()
        salt, digest = _unb64(parts[4], "salt"), _unb64(parts[5], "hash")
        if len(salt) < _SALT_BYTES or not 16 <= len(digest) <= 64:
            raise PinFileError("the PIN hash is damaged: salt or hash has the wrong length")
        return cls(params, salt, digest)

    def __str__(self) -> str:
        p = self.params
        return f"scrypt${p.n}${p.r}${p.p}${_b64(self.salt)}${_b64(self.digest)}"

    def __repr__(self) -> str:
        return "PinHash(<scrypt>)"

    def matches(self, pin: str) -> bool:
        """Constant-time comparison of ``pin``'s key with the stored one (a few tens of ms)."""
        candidate = self.params.derive(pin, self.salt, len(self.digest))
        return hmac.compare_digest(candidate, self.digest)


def hash_pin(pin: str) -> PinHash:
    """A new hash of ``pin`` (after the rule: :class:`PinRuleError` if it breaks it)."""
    check_pin_rule(pin)
    salt = secrets.token_bytes(_SALT_BYTES)
    return PinHash(CURRENT_PARAMS, salt, CURRENT_PARAMS.derive(pin, salt, 32))


def check_pin_rule(pin: str) -> None:
    """6–12 digits, not one digit repeated and not a straight run (123456, 987654)."""
    if not (pin.isascii() and pin.isdigit()):
        raise PinRuleError("The PIN must be digits only.")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinRuleError(f"The PIN must have {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits.")
    if len(set(pin)) == 1:
        raise PinRuleError("The PIN must not be one digit repeated.")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        raise PinRuleError("The PIN must not be a run of consecutive digits.")
