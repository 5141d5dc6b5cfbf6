"""Who may approve what: the administrator and the named supervisors, each with their own PIN.

Where their PIN hashes come from, first found wins:

1. machine policy: ``admin_pin_hash`` (one ``scrypt$…`` line) and ``supervisors`` (a JSON list of
   ``{"id": "…", "pin_hash": "scrypt$…"}``), deployed by Group Policy, Intune or a policy file;
2. ``people.json`` in the machine config folder, written by ``station admin init`` and ``station
   admin supervisor add`` run with the OS's administrator rights: on Linux it is then owned by
   root and not writable by the operators, and a file that is not is refused (as a policy file is).

Nothing in the operator's profile counts, and no screen ever offers to create the administrator
PIN: with none configured, administrator actions are unavailable and say how IT sets one.

:class:`PinGuard` checks a PIN against these hashes through :class:`~station.security.lockout.PinLedger`,
so wrong PINs lock out across every process of the machine.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from station.security.files import atomic_write_text, untrusted_because
from station.security.identity import normalise_identity
from station.security.lockout import PinLedger
from station.security.pin import (
    PinError,
    PinFileError,
    PinHash,
    PinLockedError,
    PinNotSetError,
    hash_pin,
)

__all__ = [
    "ADMINISTRATOR",
    "APPROVAL_LIFETIME_S",
    "NO_ADMIN_PIN",
    "PEOPLE_FILENAME",
    "AdminApproval",
    "People",
    "PinAttempt",
    "PinGuard",
    "PinResult",
    "is_os_administrator",
    "read_people_file",
    "write_people_file",
]

#: The identity the administrator's PIN is counted and journaled under.
ADMINISTRATOR: Final = "administrator"
PEOPLE_FILENAME: Final = "people.json"
NO_ADMIN_PIN: Final = (
    "No administrator PIN is configured on this station, so administrator actions are unavailable. "
    "IT sets one by policy (admin_pin_hash, see `station admin hash-pin`) or with "
    "`station admin init` run as an administrator of this computer."
)
_MAX_ID = 64


@functools.cache
def _decoy() -> PinHash:
    """A hash compared against for an unknown supervisor, so the time taken does not tell which
    ids exist (made once, when first needed)."""
    return hash_pin("480269")


def _check_id(identity: Any, origin: str) -> str:
    text = normalise_identity(str(identity or ""))
    if not text or len(text) > _MAX_ID or not text.isprintable() or text == ADMINISTRATOR:
        raise PinFileError(f"{origin}: {identity!r} is not a usable supervisor id")
    return text


@dataclass(frozen=True)
class People:
    admin: PinHash | None = None
    supervisors: Mapping[str, PinHash] = field(default_factory=dict)
    #: Where they were read from (a policy, a file), for messages.
    origin: str = ""

    @classmethod
    def parse(cls, admin_pin_hash: Any, supervisors: Any, origin: str) -> People:
        admin = PinHash.parse(str(admin_pin_hash)) if admin_pin_hash else None
        found: dict[str, PinHash] = {}
        if supervisors:
            if not isinstance(supervisors, list):
                raise PinFileError(f"{origin}: supervisors must be a list of {{id, pin_hash}}")
            for item in supervisors:
                if not isinstance(item, Mapping):
                    raise PinFileError(f"{origin}: each supervisor must be {{id, pin_hash}}")
                identity = _check_id(item.get("id"), origin)
                if identity in found:
                    raise PinFileError(f"{origin}: supervisor {identity!r} is listed twice")
                found[identity] = PinHash.parse(str(item.get("pin_hash", "")))
        return cls(admin, found, origin)

    def to_document(self) -> dict[str, Any]:
        return {
            "admin_pin_hash": str(self.admin) if self.admin else None,
            "supervisors": [
                {"id": ident, "pin_hash": str(h)} for ident, h in sorted(self.supervisors.items())
            ],
        }


def read_people_file(path: Path, *, trusted_owner: int = 0) -> People:
    """``people.json``; empty if absent. :class:`PinFileError` if it is not trustworthy or damaged."""
    if not path.exists() and not path.is_symlink():
        return People(origin=str(path))
    problem = untrusted_because(path, trusted_owner)
    if problem is not None:
        raise PinFileError(f"{path}: {problem}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PinFileError(f"{path}: the file cannot be read ({exc})") from None
    if not isinstance(document, dict):
        raise PinFileError(f"{path}: the file must hold one JSON object")
    return People.parse(document.get("admin_pin_hash"), document.get("supervisors"), str(path))


def write_people_file(path: Path, people: People) -> None:
    """Write ``people.json`` readable by the operators' station processes (mode 0644); the caller
    holds the OS's administrator rights, so the file ends up owned by root."""
    atomic_write_text(path, json.dumps(people.to_document(), indent=2) + "\n", mode=0o644)


def is_os_administrator() -> bool:
    """root on POSIX; a member of Administrators (elevated) on Windows."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    return os.geteuid() == 0


class PinResult(StrEnum):
    """What became of one PIN attempt: every one is journaled (issue 22, failure 3)."""

    RIGHT = "right"
    WRONG = "wrong"
    #: This wrong PIN started a lockout.
    LOCKOUT_STARTED = "wrong, lockout started"
    #: Typed while locked out: not even compared.
    LOCKED_OUT = "refused while locked out"
    #: No such PIN is configured (no administrator PIN, no supervisors).
    NOT_CONFIGURED = "refused: none configured"
    #: The PIN store cannot be read or the count kept: fail closed.
    UNCHECKABLE = "refused: cannot be checked"


@dataclass(frozen=True, slots=True)
class PinAttempt:
    #: ``administrator`` or ``supervisor <id>`` (the id as typed, normalised).
    who: str
    result: PinResult
    #: What the PIN was for ("audit purge", "open the settings"…).
    action: str = ""

    @property
    def words(self) -> str:
        """The journal's note: ``administrator: PIN wrong (audit purge)``."""
        return f"{self.who}: PIN {self.result.value}" + (f" ({self.action})" if self.action else "")


#: How long an administrator's approval may wait before it is redeemed (the PIN is asked on the
#: settings dialog's OK and the settings are saved at once: this is far more than that takes).
APPROVAL_LIFETIME_S: Final = 120.0


@dataclass(frozen=True, slots=True, eq=False)
class AdminApproval:
    """Proof that the administrator's PIN was right for :attr:`action`.

    Only :meth:`PinGuard.approve_admin` makes one that counts: the guard keeps the very object it
    issued and :meth:`PinGuard.redeem` accepts that object once, within
    :data:`APPROVAL_LIFETIME_S`. An approval built by any other code, or a copy of one, is not
    among those issued and is refused."""

    action: str
    #: ``time.monotonic()`` when the PIN was found right.
    issued_at: float


class PinGuard:
    """Checks the administrator's or a supervisor's PIN, with a machine-wide lockout, and tells
    :attr:`recorder` of every attempt: right, wrong, the one that starts a lockout, those typed
    while locked out. The recorder writes the station's own journal (never a file named on a
    command line); if it raises, the exception propagates and the action is refused."""

    def __init__(
        self, people: People, ledger: PinLedger, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.people = people
        self.ledger = ledger
        self.recorder: Callable[[PinAttempt], None] = lambda _attempt: None
        self._clock = clock
        #: The approvals issued and not yet redeemed, by identity (checks run in worker threads).
        self._issued: dict[int, AdminApproval] = {}
        self._issued_lock = threading.Lock()

    def approve_admin(self, pin: str, action: str = "") -> tuple[AdminApproval | None, int]:
        """As :meth:`check_admin`, and when the PIN is right an approval that
        :meth:`redeem` accepts once: ``(approval or None, tries left)``."""
        right, tries_left = self.check_admin(pin, action)
        if not right:
            return None, tries_left
        now = self._clock()
        approval = AdminApproval(action, now)
        with self._issued_lock:
            self._issued = {
                key: held for key, held in self._issued.items() if now - held.issued_at <= APPROVAL_LIFETIME_S
            }
            self._issued[id(approval)] = approval
        return approval, tries_left

    def redeem(self, approval: object) -> bool:
        """True once for an approval this guard issued less than :data:`APPROVAL_LIFETIME_S` ago;
        False for anything else (None, a forged or copied approval, one already redeemed)."""
        if not isinstance(approval, AdminApproval):
            return False
        with self._issued_lock:
            held = self._issued.pop(id(approval), None)
        return held is approval and self._clock() - approval.issued_at <= APPROVAL_LIFETIME_S

    @property
    def admin_configured(self) -> bool:
        return self.people.admin is not None

    def _checked(self, who: str, action: str, check: Callable[[], tuple[bool, int]]) -> tuple[bool, int]:
        try:
            right, tries_left = check()
        except PinLockedError as exc:
            result = PinResult.LOCKOUT_STARTED if exc.started else PinResult.LOCKED_OUT
            self.recorder(PinAttempt(who, result, action))
            raise
        except PinNotSetError:
            self.recorder(PinAttempt(who, PinResult.NOT_CONFIGURED, action))
            raise
        except PinError:
            self.recorder(PinAttempt(who, PinResult.UNCHECKABLE, action))
            raise
        self.recorder(PinAttempt(who, PinResult.RIGHT if right else PinResult.WRONG, action))
        return right, tries_left

    def check_admin(self, pin: str, action: str = "") -> tuple[bool, int]:
        """``(right, tries left)``. :class:`PinNotSetError` if no administrator PIN is configured,
        :class:`~station.security.pin.PinLockedError` while locked out."""

        def check() -> tuple[bool, int]:
            admin = self.people.admin
            if admin is None:
                raise PinNotSetError(NO_ADMIN_PIN)
            return self.ledger.check(ADMINISTRATOR, lambda: admin.matches(pin))

        return self._checked(ADMINISTRATOR, action, check)

    def check_supervisor(self, identity: str, pin: str, action: str = "") -> tuple[bool, int]:
        """A named supervisor's PIN (an unknown id is simply a wrong PIN, counted under that id)."""
        identity = normalise_identity(identity)
        return self._checked(f"supervisor {identity}", action, lambda: self._check_supervisor(identity, pin))

    def _check_supervisor(self, identity: str, pin: str) -> tuple[bool, int]:
        known = self.people.supervisors.get(identity)
        if not identity:
            raise PinNotSetError("Enter the supervisor's id.")
        if not self.people.supervisors:
            raise PinNotSetError(
                "No supervisors are configured on this station. IT adds them by policy (supervisors) "
                "or with `station admin supervisor add ID` run as an administrator of this computer."
            )
        hashed = known or _decoy()
        return self.ledger.check(f"supervisor:{identity}", lambda: hashed.matches(pin) and known is not None)
