"""What one verification tells about the service, for the health strip.

The balance is read every few minutes; calls happen far more often. So every call's outcome is
news: a 401, a reset, a timeout or a 503 turns the service part from green at once (a strip that
stays "Service: balance 1 000" after the service stopped answering misleads the operator), and an
answer after a failure asks for a fresh balance reading.
"""

from __future__ import annotations

from typing import Final

from station.application.attempt import AttemptReport
from station.application.health import Level, Part, PartHealth, service_health
from station.application.kinds import ErrorKind
from station.words import QT_TRANSLATE_NOOP

__all__ = ["NOT_ANSWERING", "NOT_ANSWERING_FIX", "answered", "call_health"]

NOT_ANSWERING: Final = QT_TRANSLATE_NOOP("Health", "not answering")
NOT_ANSWERING_FIX: Final = QT_TRANSLATE_NOOP(
    "Health", "The service did not answer the last verification. Wait a minute; if it lasts, call IT."
)

#: Failures that say the service (or the way to it) is not well; others say nothing about it.
_SERVICE_FAULTS: Final = frozenset(
    {
        ErrorKind.AUTH,
        ErrorKind.TLS,
        ErrorKind.NETWORK,
        ErrorKind.TIMEOUT,
        ErrorKind.UNAVAILABLE,
        ErrorKind.RATE_LIMITED,
        ErrorKind.BAD_RESPONSE,
    }
)


def call_health(report: AttemptReport) -> PartHealth | None:
    """The service part after ``report``'s call, or None when the call says nothing new (it was
    answered, cancelled, refused before sending, or failed inside the station)."""
    if report.error_kind not in _SERVICE_FAULTS:
        return None
    error = report.error
    if report.error_kind in (ErrorKind.AUTH, ErrorKind.TLS, ErrorKind.NETWORK) and error is not None:
        return service_health(None, error)
    return PartHealth(Part.SERVICE, Level.WARN, NOT_ANSWERING, NOT_ANSWERING_FIX)


def answered(report: AttemptReport) -> bool:
    """The service gave a verdict: it is reachable and takes the token."""
    return report.outcome is not None and report.verification is not None
