"""The administrator PIN that guards the security settings and supervisor confirmations.

Only a salted, slow hash is stored: ``hashlib.scrypt`` (n=2**14, r=8, p=1, a 16-byte random salt,
a 32-byte key). The parameters are stored beside the hash, so they can be raised later; a PIN
checked against older parameters is re-hashed with the current ones when it is next entered
correctly. Comparison is constant-time (``hmac.compare_digest``).

Five wrong PINs in a row lock the PIN for five minutes; each further lockout before a correct PIN
doubles the time (10, 20, 40 … minutes, at most a day). The count and the lockout live in the same
file as the hash, written atomically with mode 0600, and are re-read before each check, so
restarting the station does not reset them.

The PIN itself is never stored, logged or put into an exception message.

Limits, said plainly: anyone who can write the station user's files can delete ``admin_pin.json``
and so remove the PIN; file permissions and the OS account are the boundary here, as for the
settings file itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import json
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from station.locations import user_config_dir
from station.security.files import atomic_write_text

__all__ = [
    "LOCKOUT_AFTER",
    "LOCKOUT_BASE",
    "LOCKOUT_MAX",
    "PIN_FILENAME",
    "PIN_MAX_DIGITS",
    "PIN_MIN_DIGITS",
    "AdminPin",
    "PinError",
    "PinFileError",
    "PinLockedError",
    "PinNotSetError",
    "PinRuleError",
    "ScryptParams",
    "WrongPinError",
    "check_pin_rule",
    "default_pin_path",
]

_log = logging.getLogger(__name__)

PIN_FILENAME: Final = "admin_pin.json"
PIN_MIN_DIGITS: Final = 6
PIN_MAX_DIGITS: Final = 12
#: Wrong PINs in a row before the PIN locks.
LOCKOUT_AFTER: Final = 5
LOCKOUT_BASE: Final = timedelta(minutes=5)
LOCKOUT_MAX: Final = timedelta(hours=24)

_SALT_BYTES = 16
_FORMAT_VERSION = 1

Clock = Callable[[], datetime]


class PinError(ValueError):
    """Base of the PIN errors; messages are for the person at the keyboard."""


class PinRuleError(PinError):
    """A new PIN that breaks the rule (6–12 digits, not trivially guessable)."""


class WrongPinError(PinError):
    """The current PIN given to change the PIN is wrong."""


class PinNotSetError(PinError):
    """No administrator PIN has been set yet."""


class PinFileError(PinError):
    """The PIN file exists but cannot be read or is damaged. The station fails closed."""


class PinLockedError(PinError):
    """Too many wrong PINs: no PIN is checked until ``until``."""

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
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
    dklen: int = 32

    def check(self) -> None:
        """Refuse parameters no honest file holds (they could also make a check take minutes)."""
        if not (2**10 <= self.n <= 2**20 and self.n & (self.n - 1) == 0):
            raise PinFileError("the admin PIN file is damaged: scrypt n is out of range")
        if not (1 <= self.r <= 32 and 1 <= self.p <= 16 and 16 <= self.dklen <= 64):
            raise PinFileError("the admin PIN file is damaged: scrypt parameters are out of range")

    def derive(self, pin: str, salt: bytes) -> bytes:
        maxmem = 128 * self.r * self.n * self.p + 2 * 1024 * 1024 * 32
        return hashlib.scrypt(
            pin.encode("utf-8"), salt=salt, n=self.n, r=self.r, p=self.p, maxmem=maxmem, dklen=self.dklen
        )


#: What new hashes use. Raising these makes existing hashes upgrade on the next correct PIN.
CURRENT_PARAMS: Final = ScryptParams()


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


@dataclass(frozen=True, slots=True)
class _State:
    params: ScryptParams | None = None
    salt: bytes | None = None
    digest: bytes | None = None
    failed_attempts: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None

    @property
    def is_set(self) -> bool:
        return self.digest is not None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise PinFileError(f"the admin PIN file is damaged: {what} is missing")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise PinFileError(f"the admin PIN file is damaged: {what} is not base64") from None


def _count(raw: Any, what: str) -> int:
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise PinFileError(f"the admin PIN file is damaged: {what} is not a count")
    return raw


def _decode(document: Any) -> _State:
    if not isinstance(document, dict) or document.get("version") != _FORMAT_VERSION:
        raise PinFileError("the admin PIN file is damaged or from a newer station version")
    locked_raw = document.get("locked_until")
    locked_until = None
    if locked_raw is not None:
        try:
            locked_until = datetime.fromisoformat(str(locked_raw))
        except ValueError:
            raise PinFileError("the admin PIN file is damaged: locked_until is not a time") from None
        if locked_until.tzinfo is None:
            raise PinFileError("the admin PIN file is damaged: locked_until has no time zone")
    state = _State(
        failed_attempts=_count(document.get("failed_attempts"), "failed_attempts"),
        lockouts=_count(document.get("lockouts"), "lockouts"),
        locked_until=locked_until,
    )
    if document.get("hash") is None:
        return state
    if document.get("kdf") != "scrypt":
        raise PinFileError("the admin PIN file is damaged: unknown key derivation")
    raw_params = document.get("params")
    if not isinstance(raw_params, dict):
        raise PinFileError("the admin PIN file is damaged: scrypt parameters are missing")
    try:
        params = ScryptParams(**{k: _count(raw_params.get(k), k) for k in ("n", "r", "p", "dklen")})
    except TypeError:
        raise PinFileError("the admin PIN file is damaged: scrypt parameters are wrong") from None
    params.check()
    salt = _unb64(document.get("salt"), "salt")
    digest = _unb64(document.get("hash"), "hash")
    if len(salt) < _SALT_BYTES or len(digest) != params.dklen:
        raise PinFileError("the admin PIN file is damaged: salt or hash has the wrong length")
    return replace(state, params=params, salt=salt, digest=digest)


def _encode(state: _State) -> str:
    document: dict[str, Any] = {"version": _FORMAT_VERSION}
    if state.is_set:
        assert state.params is not None
        assert state.salt is not None
        assert state.digest is not None
        document.update(
            kdf="scrypt",
            params={
                "n": state.params.n,
                "r": state.params.r,
                "p": state.params.p,
                "dklen": state.params.dklen,
            },
            salt=_b64(state.salt),
            hash=_b64(state.digest),
        )
    document.update(
        failed_attempts=state.failed_attempts,
        lockouts=state.lockouts,
        locked_until=state.locked_until.isoformat() if state.locked_until else None,
    )
    return json.dumps(document, indent=2) + "\n"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def default_pin_path() -> Path:
    """``admin_pin.json`` in the station's config directory."""
    return user_config_dir() / PIN_FILENAME


class AdminPin:
    """The administrator PIN, backed by one small JSON file."""

    def __init__(self, path: Path, *, clock: Clock = _utc_now) -> None:
        self.path = path
        self._clock = clock
        self._state = _State()

    @classmethod
    def load(cls, path: Path | None = None, *, clock: Clock = _utc_now) -> AdminPin:
        """Read ``path`` (default: :func:`default_pin_path`); a missing file means no PIN yet."""
        pin = cls(default_pin_path() if path is None else path, clock=clock)
        pin._reload()
        return pin

    def __repr__(self) -> str:
        return f"AdminPin(path={str(self.path)!r}, is_set={self.is_set})"

    # -- state -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the PIN clock must return an aware (UTC) datetime")
        return now

    def _reload(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._state = _State()
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise PinFileError(f"the admin PIN file {self.path} cannot be read: {exc}") from None
        try:
            document = json.loads(text)
        except ValueError:
            raise PinFileError(f"the admin PIN file {self.path} is damaged (not JSON)") from None
        self._state = _decode(document)

    def _save(self, state: _State) -> None:
        atomic_write_text(self.path, _encode(state))
        self._state = state

    @property
    def is_set(self) -> bool:
        return self._state.is_set

    @property
    def failed_attempts(self) -> int:
        """Wrong PINs since the last correct one or the last lockout."""
        return self._state.failed_attempts

    @property
    def locked_until(self) -> datetime | None:
        """When the current lockout ends, or ``None`` if the PIN is not locked now."""
        until = self._state.locked_until
        if until is not None and self._now() < until:
            return until
        return None

    # -- operations ----------------------------------------------------------------------------

    def verify(self, pin: str) -> bool:
        """True if ``pin`` is the PIN. Raises :class:`PinLockedError` while locked out and
        :class:`PinNotSetError` if no PIN is set. A wrong PIN counts towards the lockout."""
        self._reload()
        state = self._state
        if not state.is_set:
            raise PinNotSetError("No administrator PIN has been set.")
        now = self._now()
        if state.locked_until is not None and now < state.locked_until:
            raise PinLockedError(state.locked_until, now)
        assert state.params is not None
        assert state.salt is not None
        assert state.digest is not None
        candidate = state.params.derive(pin, state.salt)
        if hmac.compare_digest(candidate, state.digest):
            self._on_success(pin, state)
            return True
        self._on_failure(state, now)
        return False

    def _on_success(self, pin: str, state: _State) -> None:
        fresh = replace(state, failed_attempts=0, lockouts=0, locked_until=None)
        if state.params != CURRENT_PARAMS:
            salt = secrets.token_bytes(_SALT_BYTES)
            fresh = replace(fresh, params=CURRENT_PARAMS, salt=salt, digest=CURRENT_PARAMS.derive(pin, salt))
            _log.info("admin PIN hash upgraded to the current scrypt parameters")
        if fresh != state:
            self._save(fresh)

    def _on_failure(self, state: _State, now: datetime) -> None:
        failed = state.failed_attempts + 1
        if failed < LOCKOUT_AFTER:
            _log.warning("wrong admin PIN (%d of %d before lockout)", failed, LOCKOUT_AFTER)
            self._save(replace(state, failed_attempts=failed, locked_until=None))
            return
        duration = min(LOCKOUT_BASE * (2 ** min(state.lockouts, 16)), LOCKOUT_MAX)
        until = now + duration
        _log.warning("wrong admin PIN %d times: locked until %s", failed, until.isoformat())
        self._save(replace(state, failed_attempts=0, lockouts=state.lockouts + 1, locked_until=until))

    def set_pin(self, new: str, current: str | None = None) -> None:
        """Set or change the PIN. Changing needs the ``current`` PIN (a wrong one counts)."""
        check_pin_rule(new)
        self._reload()
        if self._state.is_set:
            if current is None:
                raise WrongPinError("Enter the current PIN to change it.")
            if not self.verify(current):
                raise WrongPinError("The current PIN is wrong.")
        salt = secrets.token_bytes(_SALT_BYTES)
        self._save(_State(params=CURRENT_PARAMS, salt=salt, digest=CURRENT_PARAMS.derive(new, salt)))
        _log.info("admin PIN %s", "changed" if current is not None else "set")
