"""What the verdict banner says: one large headline, one short action line, the rest as details.

The banner must be read at arm's length on a 1024×768 kiosk screen, so it carries one instruction
the operator can act on (or read to the customer); the full explanation — the provider's advice,
the cause of an error, what the journal said — goes to the details the operator can open. One
table per outcome, here, so every screen and every language (see the translation catalogues)
shows the same instruction for the same outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from station.api.errors import (
    AuthError,
    BadRequestError,
    BadResponseError,
    ConfigurationError,
    LivenessAPIError,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ServiceUnavailableError,
    TLSError,
)
from station.application.attempt import CANCELLED_MESSAGE, AttemptReport
from station.core.models import OutcomeKind, RetryReason

__all__ = ["NOT_FINAL_WORD", "VerdictText", "verdict_text"]

NOT_FINAL_WORD: Final = "NOT FINAL"

#: The action line per outcome: short enough for two lines at the banner's size on 1024×768.
_ACTIONS: Final[dict[OutcomeKind | RetryReason, str]] = {
    OutcomeKind.LIVE: "Live person confirmed. Continue with the customer.",
    OutcomeKind.SPOOF: "Liveness not confirmed. Try once more, then the manual identity check.",
    OutcomeKind.REVIEW: "Borderline: a supervisor must confirm or reject.",
    RetryReason.NO_FACE: "No face found. Ask the customer to face the camera.",
    RetryReason.SEVERAL_FACES: "More than one person in frame. Only the customer in view, please.",
    RetryReason.LOW_DETECTION: "Face not clear enough. More light, face the camera, hold still.",
    RetryReason.ANALYSIS_FAILED: "The picture could not be analysed. Capture again.",
}

#: The action line per kind of error (the most specific class first).
_ERROR_ACTIONS: Final[tuple[tuple[type[LivenessAPIError], str], ...]] = (
    (AuthError, "Access refused. Call IT support: the token needs renewing."),
    (RateLimitedError, "Service busy. Wait a minute, then capture again."),
    (ServiceUnavailableError, "Service unavailable. Wait a minute, then capture again."),
    (RequestTimeoutError, "No answer in time. Check the network, then capture again."),
    (TLSError, "Secure connection failed. Do not retry; call IT support."),
    (NetworkError, "Service not reachable. Check the network, then capture again."),
    (BadRequestError, "Request refused. Capture again; if it repeats, call IT."),
    (ConfigurationError, "Request refused. Capture again; if it repeats, call IT."),
    (BadResponseError, "Unreadable answer. Capture again; if it repeats, call IT."),
)

_FACE_PICK: Final = "Several faces. Click the customer's face, or capture again."
_EXHAUSTED: Final = "No more attempts. Use the branch's manual identity check."
_NOT_FINAL: Final = "Not recorded: do not rely on this result. Call IT support."
_LOCAL_ERROR: Final = "Not verified. See the details, then capture again."


@dataclass(frozen=True, slots=True)
class VerdictText:
    #: The large word: LIVE, SPOOF, RETRY, REVIEW, ERROR, NOT FINAL.
    headline: str
    #: The one instruction.
    action: str
    #: Everything else, for the details panel (may be empty).
    details: str = ""


def _error_action(error: LivenessAPIError | None) -> str:
    for kind, action in _ERROR_ACTIONS:
        if isinstance(error, kind):
            return action
    return _LOCAL_ERROR


def verdict_text(
    report: AttemptReport, *, face_pick_offered: bool = False, attempts_exhausted: bool = False
) -> VerdictText:
    """The banner's headline, action line and details for ``report``."""
    if not report.final:
        reason = report.audit_error or "no journal row was written"
        details = f"The audit record could not be written ({reason}). {report.message}"
        return VerdictText(NOT_FINAL_WORD, _NOT_FINAL, details)
    outcome = report.outcome
    if report.kind is OutcomeKind.ERROR:
        if report.message == CANCELLED_MESSAGE:
            return VerdictText(report.kind.value, CANCELLED_MESSAGE)
        return VerdictText(report.kind.value, _error_action(report.error), report.message)
    if face_pick_offered:
        action = _FACE_PICK
    elif attempts_exhausted and report.kind is not OutcomeKind.LIVE:
        action = _EXHAUSTED
    elif outcome is not None and outcome.retry_reason is not None:
        action = _ACTIONS[outcome.retry_reason]
    else:
        action = _ACTIONS.get(report.kind, report.message)
    details = report.message if report.message != action else ""
    return VerdictText(report.kind.value, action, details)
