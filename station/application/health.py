"""The station's health at a glance: token, camera, journal, service, shipping.

Each part is good, a warning, or bad, with one word for the health strip and, when it is not good,
where to fix it. "Ready" appears only when every part a verification needs is not bad: a station
with no token, no camera or no journal says so — and where to go — before any paid call, instead
of failing after one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from station.endpoint.errors import AuthError, LivenessAPIError, NetworkError, TLSError, TokenMissingError
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = [
    "JOURNAL_MISSING_FIX",
    "PART_NAMES",
    "REQUIRED_PARTS",
    "Health",
    "JournalState",
    "Level",
    "Part",
    "PartHealth",
    "journal_health",
    "service_health",
]


class Level(StrEnum):
    GOOD = "good"
    WARN = "warning"
    BAD = "bad"


class Part(StrEnum):
    TOKEN = "Token"  # noqa: S105 - the part's name, not a secret
    CAMERA = "Camera"
    JOURNAL = "Journal"
    SERVICE = "Service"
    SHIPPING = "Shipping"


#: Each part's name on the health strip (the enum's value is the same English, for logs).
PART_NAMES: Final[dict[Part, str]] = {
    Part.TOKEN: QT_TRANSLATE_NOOP("Health", "Token"),
    Part.CAMERA: QT_TRANSLATE_NOOP("Health", "Camera"),
    Part.JOURNAL: QT_TRANSLATE_NOOP("Health", "Journal"),
    Part.SERVICE: QT_TRANSLATE_NOOP("Health", "Service"),
    Part.SHIPPING: QT_TRANSLATE_NOOP("Health", "Shipping"),
}

#: The parts without which a verification cannot give a final verdict.
REQUIRED_PARTS: Final = (Part.TOKEN, Part.CAMERA, Part.JOURNAL, Part.SERVICE)


@dataclass(frozen=True, slots=True)
class PartHealth:
    part: Part
    level: Level
    #: One or two words for the strip: "enrolled", "live", "writable", "balance 1 234", "all shipped".
    word: str
    #: What is wrong and where to fix it, in the operator's words ("" when good).
    fix: str = ""


_UNKNOWN: Final = {
    part: PartHealth(part, Level.WARN, QT_TRANSLATE_NOOP("Health", "checking…"))
    for part in (*REQUIRED_PARTS, Part.SHIPPING)
}


@dataclass(frozen=True)
class Health:
    parts: tuple[PartHealth, ...] = tuple(_UNKNOWN.values())

    def with_part(self, health: PartHealth) -> Health:
        return replace(self, parts=tuple(health if p.part is health.part else p for p in self.parts))

    def part(self, part: Part) -> PartHealth:
        return next(p for p in self.parts if p.part is part)

    @property
    def problem(self) -> PartHealth | None:
        """The first needed part that is bad, or None."""
        return next((p for p in self.parts if p.part in REQUIRED_PARTS and p.level is Level.BAD), None)

    @property
    def ready(self) -> bool:
        return self.problem is None

    @property
    def problem_text(self) -> str:
        problem = self.problem
        return "" if problem is None else problem.fix


class JournalState(StrEnum):
    """What the station knows of its audit journal: decide on this, never on the words."""

    WRITABLE = "writable"
    #: The file the station writes was deleted, replaced or cut under it, or a restart found the
    #: journal gone: nothing more is written until an administrator starts a new chain.
    MISSING = "missing"
    #: The journal cannot be opened or written (locked, read-only, a full disk…).
    CANNOT_WRITE = "cannot write"


JOURNAL_MISSING_FIX: Final = QT_TRANSLATE_NOOP(
    "Health",
    "The audit journal file is missing, or another file is in its place: results cannot be final. "
    "Leave its folder as it is and call IT support.",
)


def journal_health(state: JournalState, reason: str = "") -> PartHealth:
    """The journal part of the health strip; a missing journal is bad at once."""
    if state is JournalState.WRITABLE:
        return PartHealth(Part.JOURNAL, Level.GOOD, QT_TRANSLATE_NOOP("Health", "writable"))
    if state is JournalState.MISSING:
        return PartHealth(
            Part.JOURNAL, Level.BAD, QT_TRANSLATE_NOOP("Health", "missing"), JOURNAL_MISSING_FIX
        )
    return PartHealth(
        Part.JOURNAL,
        Level.BAD,
        QT_TRANSLATE_NOOP("Health", "cannot write"),
        Phrase(
            QT_TRANSLATE_NOOP(
                "Health",
                "The audit journal cannot be written ({reason}): results would not be final. Call IT support.",  # noqa: E501 - one literal for lupdate
            ),
            reason=reason,
        ),
    )


def service_health(balance: float | None, error: Exception | None) -> PartHealth:
    """The service part from a balance check: the credits left, or why the service is not usable."""
    if error is None:
        shown = "?" if balance is None else f"{balance:,.0f}".replace(",", " ")
        return PartHealth(
            Part.SERVICE, Level.GOOD, Phrase(QT_TRANSLATE_NOOP("Health", "balance {amount}"), amount=shown)
        )
    if isinstance(error, TokenMissingError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            QT_TRANSLATE_NOOP("Health", "no token"),
            # The operator cannot enrol one (Settings needs the administrator PIN): they call IT.
            QT_TRANSLATE_NOOP(
                "Health", "No service token is enrolled: verification is off. Call IT support to enrol one."
            ),
        )
    if isinstance(error, AuthError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            QT_TRANSLATE_NOOP("Health", "refused"),
            QT_TRANSLATE_NOOP("Health", "The service refused the token: call IT support."),
        )
    if isinstance(error, TLSError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            QT_TRANSLATE_NOOP("Health", "TLS failed"),
            QT_TRANSLATE_NOOP("Health", "The secure connection to the service failed: call IT support."),
        )
    if isinstance(error, NetworkError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            QT_TRANSLATE_NOOP("Health", "unreachable"),
            QT_TRANSLATE_NOOP(
                "Health",
                "The service cannot be reached: check the network cable, then Station ▸ Network check.",
            ),
        )
    message = error.message if isinstance(error, LivenessAPIError) else type(error).__name__
    return PartHealth(
        Part.SERVICE,
        Level.WARN,
        QT_TRANSLATE_NOOP("Health", "balance unknown"),
        Phrase(QT_TRANSLATE_NOOP("Health", "The balance could not be read: {message}"), message=message),
    )
