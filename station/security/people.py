"""Who may approve what, and who may operate a shared kiosk: each person with their own PIN.

The administrator, the named supervisors and the operators of a shared kiosk account are kept as
scrypt hashes in ``people.json`` in the station's private store
(:mod:`station.security.private_store`: a folder only the station's service account or root can
read), written by ``station admin init`` / ``supervisor add`` / ``operator add`` run with the OS's
administrator rights. Machine policy no longer carries them (any local account can read a policy,
and a PIN hash it can read cracks offline): :mod:`station.config.policy` ignores and reports
``admin_pin_hash`` and ``supervisors``.

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

from station.security.files import untrusted_because
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
from station.security.private_store import PrivateStore

__all__ = [
    "ADMINISTRATOR",
    "APPROVAL_LIFETIME_S",
    "NO_ADMIN_PIN",
    "NO_OPERATORS",
    "NO_SUPERVISORS",
    "PEOPLE_FILENAME",
    "AdminApproval",
    "People",
    "PinAttempt",
    "PinGuard",
    "PinResult",
    "check_person_id",
    "is_os_administrator",
    "read_legacy_people_file",
    "read_people",
    "write_people",
]

#: The identity the administrator's PIN is counted and journaled under.
ADMINISTRATOR: Final = "administrator"
PEOPLE_FILENAME: Final = "people.json"
NO_ADMIN_PIN: Final = (
    "No administrator PIN is configured on this station, so administrator actions are unavailable. "
    "IT sets one with `station admin init` run as an administrator of this computer "
    "(a PIN hash in machine policy is no longer read)."
)
NO_SUPERVISORS: Final = (
    "No supervisors are configured on this station. IT adds them with "
    "`station admin supervisor add ID` run as an administrator of this computer."
)
NO_OPERATORS: Final = (
    "No operator PINs are configured on this station. IT adds them with "
    "`station admin operator add ID` run as an administrator of this computer."
)
_MAX_ID = 64


@functools.cache
def _decoy() -> PinHash:
    """A hash compared against for an unknown supervisor, so the time taken does not tell which
    ids exist (made once, when first needed)."""
    return hash_pin("480269")


def _check_id(identity: Any, origin: str, what: str = "supervisor") -> str:
    text = normalise_identity(str(identity or ""))
    if not text or len(text) > _MAX_ID or not text.isprintable() or text == ADMINISTRATOR:
        raise PinFileError(f"{origin}: {identity!r} is not a usable {what} id")
    return text


def check_person_id(identity: str, what: str) -> str:
    """``identity`` in its stored form (:func:`~station.security.identity.normalise_identity`);
    :class:`PinFileError` if it cannot be a supervisor's or an operator's id."""
    return _check_id(identity, "the command line", what)


def _hash_table(entries: Any, what: str, origin: str) -> dict[str, PinHash]:
    """``[{"id": …, "pin_hash": "scrypt$…"}, …]`` as ids (normalised) to hashes."""
    found: dict[str, PinHash] = {}
    if not entries:
        return found
    if not isinstance(entries, list):
        raise PinFileError(f"{origin}: {what}s must be a list of {{id, pin_hash}}")
    for item in entries:
        if not isinstance(item, Mapping):
            raise PinFileError(f"{origin}: each {what} must be {{id, pin_hash}}")
        identity = _check_id(item.get("id"), origin, what)
        if identity in found:
            raise PinFileError(f"{origin}: {what} {identity!r} is listed twice")
        found[identity] = PinHash.parse(str(item.get("pin_hash", "")))
    return found


@dataclass(frozen=True)
class People:
    admin: PinHash | None = None
    supervisors: Mapping[str, PinHash] = field(default_factory=dict)
    #: Where they were read from (a file), for messages.
    origin: str = ""
    #: The operators of a shared kiosk account, who sign in with their own PIN.
    operators: Mapping[str, PinHash] = field(default_factory=dict)

    @classmethod
    def parse(cls, admin_pin_hash: Any, supervisors: Any, origin: str, operators: Any = None) -> People:
        admin = PinHash.parse(str(admin_pin_hash)) if admin_pin_hash else None
        return cls(
            admin,
            _hash_table(supervisors, "supervisor", origin),
            origin,
            _hash_table(operators, "operator", origin),
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "admin_pin_hash": str(self.admin) if self.admin else None,
            "supervisors": [
                {"id": ident, "pin_hash": str(h)} for ident, h in sorted(self.supervisors.items())
            ],
            "operators": [{"id": ident, "pin_hash": str(h)} for ident, h in sorted(self.operators.items())],
        }


def _parse_document(text: str, origin: str) -> People:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise PinFileError(f"{origin}: the file is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise PinFileError(f"{origin}: the file must hold one JSON object")
    return People.parse(
        document.get("admin_pin_hash"), document.get("supervisors"), origin, document.get("operators")
    )


def read_people(store: PrivateStore) -> People:
    """``people.json`` of the private store; empty if absent. :class:`PinFileError` if the store or
    the file is not private to the trusted side (another account could read or write it), or the
    file is damaged."""
    store.check()
    path = store.path(PEOPLE_FILENAME)
    if not path.exists() and not path.is_symlink():
        return People(origin=str(path))
    store.check_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PinFileError(f"{path}: the file cannot be read ({exc})") from None
    return _parse_document(text, str(path))


def write_people(store: PrivateStore, people: People) -> Path:
    """Write ``people.json`` into the private store: mode 0600 from its first byte, the service
    account's when written as root."""
    store.open()
    return store.write_text(PEOPLE_FILENAME, json.dumps(people.to_document(), indent=2) + "\n")


def read_legacy_people_file(path: Path, *, trusted_owner: int = 0) -> People:
    """The ``people.json`` older stations kept in the machine config folder (root-owned, readable by
    all), read once to move it into the private store; empty if absent. :class:`PinFileError` if
    another account could have written it (its hashes are then not IT's) or it is damaged."""
    if not path.exists() and not path.is_symlink():
        return People(origin=str(path))
    problem = untrusted_because(path, trusted_owner)
    if problem is not None:
        raise PinFileError(f"{path}: {problem}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PinFileError(f"{path}: the file cannot be read ({exc})") from None
    return _parse_document(text, str(path))


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
    #: ``administrator``, ``supervisor <id>`` or ``operator <id>`` (the id as typed, normalised).
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
            raise PinNotSetError(NO_SUPERVISORS)
        hashed = known or _decoy()
        return self.ledger.check(f"supervisor:{identity}", lambda: hashed.matches(pin) and known is not None)

    def check_operator(self, operator_id: str, pin: str, action: str = "sign in") -> bool:
        """True when ``pin`` is the PIN of operator ``operator_id`` (a shared kiosk account, where
        each operator signs in with their own PIN). The id is normalised (``Alice`` is ``alice``);
        an unknown id is a wrong PIN, counted under that id, and takes as long as a known one.
        Every attempt is journaled; :class:`~station.security.pin.PinLockedError` while that
        operator is locked out, :class:`PinNotSetError` if no operator PINs are configured."""
        identity = normalise_identity(operator_id)
        right, _tries_left = self._checked(
            f"operator {identity}", action, lambda: self._check_operator(identity, pin)
        )
        return right

    def _check_operator(self, identity: str, pin: str) -> tuple[bool, int]:
        if not identity:
            raise PinNotSetError("Enter the operator's id.")
        if not self.people.operators:
            raise PinNotSetError(NO_OPERATORS)
        known = self.people.operators.get(identity)
        hashed = known or _decoy()
        return self.ledger.check(f"operator:{identity}", lambda: hashed.matches(pin) and known is not None)
