"""Whether the trusted side can keep what a capture would produce: the verifier port's readiness.

A capture costs a paid call. The desk asks :class:`Readiness` before every capture and refuses,
with the reason on screen, whenever something the attempt needs is missing; the trusted side
(:class:`~station.application.verifier.Verifier`) asks again before it sends, so the two layers
agree even if a caller skips the first check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from station.api.errors import AuthError, LivenessAPIError
from station.application.health import JournalState, Level, Part, PartHealth, journal_health
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "NO_ANSWER",
    "NO_TOKEN_FIX",
    "POLICY_STOP_FIX",
    "Hold",
    "NotReady",
    "Readiness",
    "client_hold",
    "journal_part",
    "token_health",
]

#: Short enough for the banner at 1024×768: the policy's own error (long, technical) is in the log
#: and the journal's policy record, not on the operator's screen.
POLICY_STOP_FIX: Final = QT_TRANSLATE_NOOP(
    "Health", "Verification stopped: the station's policy or settings cannot be used. Call IT support."
)
#: The operator cannot enrol a token (Settings needs the administrator PIN): they call IT.
NO_TOKEN_FIX: Final = QT_TRANSLATE_NOOP(
    "Health", "No service token is enrolled: verification is off. Call IT support to enrol one."
)

#: A part the station service holds (its token, its service check) when the service did not answer.
NO_ANSWER: Final = QT_TRANSLATE_NOOP("Health", "no answer")


class NotReady(StrEnum):
    """A reason the trusted side would not send a capture now."""

    #: The audit journal cannot be written: no verdict could be final.
    JOURNAL = "journal"
    #: No usable token (none enrolled, malformed, for the other environment).
    TOKEN = "token"  # noqa: S105 - a reason's name, not a secret
    #: The client could not be built for another reason (a refused base URL, a bad proxy).
    CLIENT = "client"
    #: Machine policy stopped verification (a broken or refused policy).
    POLICY = "policy"
    #: The configured camera is a picture or a video file, refused outside demo and training.
    CAMERA = "camera"
    #: The station service (the trusted side on an installed station) cannot be reached.
    SERVICE = "service"


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


def client_hold(error: LivenessAPIError) -> NotReady:
    """Why a client could not be built, as a kind: the token's fault, or the configuration's."""
    return NotReady.TOKEN if isinstance(error, AuthError) else NotReady.CLIENT


#: The token part of the health strip for each reason there is no client: (word, fix or None to
#: show the hold's own message).
_TOKEN_PART: Final[dict[NotReady, tuple[str, str | None]]] = {
    NotReady.TOKEN: (QT_TRANSLATE_NOOP("Health", "missing"), NO_TOKEN_FIX),
    NotReady.POLICY: (QT_TRANSLATE_NOOP("Health", "stopped"), POLICY_STOP_FIX),
    NotReady.CLIENT: (QT_TRANSLATE_NOOP("Health", "not configured"), None),
    #: The token is the station service's: until it answers, nothing is known of it.
    NotReady.SERVICE: (NO_ANSWER, None),
}


def token_health(readiness: Readiness) -> PartHealth:
    """The token part of the health strip, from the trusted side's readiness (never from words).

    A trusted side that has not answered (the station service not yet asked, or down) is bad here:
    the station is not "Ready" on a token nobody has seen."""
    for hold in readiness.holds:
        if hold.reason in _TOKEN_PART:
            word, fix = _TOKEN_PART[hold.reason]
            return PartHealth(Part.TOKEN, Level.BAD, word, fix or hold.message)
    return PartHealth(Part.TOKEN, Level.GOOD, QT_TRANSLATE_NOOP("Health", "enrolled"))


def journal_part(readiness: Readiness) -> PartHealth:
    """The journal part of the health strip where the journal is the trusted side's (the station
    service's; the window's process cannot look at it): from the service's readiness."""
    if readiness.holds_for(NotReady.SERVICE):
        return PartHealth(Part.JOURNAL, Level.WARN, NO_ANSWER)
    for hold in readiness.holds:
        if hold.reason is NotReady.JOURNAL:
            cannot_write = QT_TRANSLATE_NOOP("Health", "cannot write")
            return PartHealth(Part.JOURNAL, Level.BAD, cannot_write, hold.message)
    return journal_health(JournalState.WRITABLE)
