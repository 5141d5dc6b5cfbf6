"""Whether the trusted side can keep what a capture would produce: the verifier port's readiness.

A capture costs a paid call. The desk asks :class:`Readiness` before every capture and refuses,
with the reason on screen, whenever something the attempt needs is missing; the trusted side
(:class:`~station.application.verifier.Verifier`) asks again before it sends, so the two layers
agree even if a caller skips the first check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Hold", "NotReady", "Readiness"]


class NotReady(StrEnum):
    """A reason the trusted side would not send a capture now."""

    #: The audit journal cannot be written: no verdict could be final.
    JOURNAL = "journal"
    #: No usable token (none enrolled, malformed) or no client for another reason.
    TOKEN = "token"  # noqa: S105 - a reason's name, not a secret
    #: Machine policy stopped verification (a broken or refused policy).
    POLICY = "policy"
    #: The configured camera is a picture or a video file, refused outside demo and training.
    CAMERA = "camera"


@dataclass(frozen=True, slots=True)
class Hold:
    reason: NotReady
    #: What is wrong and what to do, in the operator's words.
    message: str


@dataclass(frozen=True, slots=True)
class Readiness:
    holds: tuple[Hold, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.holds

    @property
    def first(self) -> Hold | None:
        return self.holds[0] if self.holds else None

    def holds_for(self, reason: NotReady) -> bool:
        return any(hold.reason is reason for hold in self.holds)
