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

from station.api.errors import AuthError, LivenessAPIError, NetworkError, TLSError, TokenMissingError

__all__ = ["REQUIRED_PARTS", "Health", "Level", "Part", "PartHealth", "service_health"]


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
    part: PartHealth(part, Level.WARN, "checking…") for part in (*REQUIRED_PARTS, Part.SHIPPING)
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


def service_health(balance: float | None, error: Exception | None) -> PartHealth:
    """The service part from a balance check: the credits left, or why the service is not usable."""
    if error is None:
        shown = "?" if balance is None else f"{balance:,.0f}".replace(",", " ")
        return PartHealth(Part.SERVICE, Level.GOOD, f"balance {shown}")
    if isinstance(error, TokenMissingError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            "no token",
            "No service token: enrol one in Station ▸ Settings ▸ Service tokens.",
        )
    if isinstance(error, AuthError):
        return PartHealth(
            Part.SERVICE, Level.BAD, "refused", "The service refused the token: call IT support."
        )
    if isinstance(error, TLSError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            "TLS failed",
            "The secure connection to the service failed: call IT support.",
        )
    if isinstance(error, NetworkError):
        return PartHealth(
            Part.SERVICE,
            Level.BAD,
            "unreachable",
            "The service cannot be reached: check the network cable, then Station ▸ Network check.",
        )
    message = error.message if isinstance(error, LivenessAPIError) else type(error).__name__
    return PartHealth(
        Part.SERVICE, Level.WARN, "balance unknown", f"The balance could not be read: {message}"
    )
