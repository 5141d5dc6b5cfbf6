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

from station.application.attempt import CANCELLED_MESSAGE, AttemptReport
from station.application.kinds import ErrorKind, RecordKind, error_kind
from station.core.models import OutcomeKind, RetryReason
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["HEADLINES", "NOT_FINAL_WORD", "VerdictText", "verdict_text"]

NOT_FINAL_WORD: Final = QT_TRANSLATE_NOOP("Headline", "NOT FINAL")

#: The banner's large word per outcome (the same English as the outcome's value, for the logs).
HEADLINES: Final[dict[OutcomeKind, str]] = {
    OutcomeKind.LIVE: QT_TRANSLATE_NOOP("Headline", "LIVE"),
    OutcomeKind.SPOOF: QT_TRANSLATE_NOOP("Headline", "SPOOF"),
    OutcomeKind.RETRY: QT_TRANSLATE_NOOP("Headline", "RETRY"),
    OutcomeKind.REVIEW: QT_TRANSLATE_NOOP("Headline", "REVIEW"),
    OutcomeKind.ERROR: QT_TRANSLATE_NOOP("Headline", "ERROR"),
}

#: The action line per outcome: short enough for two lines at the banner's size on 1024×768.
_ACTIONS: Final[dict[OutcomeKind | RetryReason, str]] = {
    OutcomeKind.LIVE: QT_TRANSLATE_NOOP("Verdict", "Live person confirmed. Continue with the customer."),
    OutcomeKind.SPOOF: QT_TRANSLATE_NOOP(
        "Verdict", "Liveness not confirmed. Try once more, then the manual identity check."
    ),
    OutcomeKind.REVIEW: QT_TRANSLATE_NOOP("Verdict", "Borderline: a supervisor must confirm or reject."),
    RetryReason.NO_FACE: QT_TRANSLATE_NOOP("Verdict", "No face found. Ask the customer to face the camera."),
    RetryReason.SEVERAL_FACES: QT_TRANSLATE_NOOP(
        "Verdict", "More than one person in frame. Only the customer in view, please."
    ),
    RetryReason.LOW_DETECTION: QT_TRANSLATE_NOOP(
        "Verdict", "Face not clear enough. More light, face the camera, hold still."
    ),
    RetryReason.ANALYSIS_FAILED: QT_TRANSLATE_NOOP(
        "Verdict", "The picture could not be analysed. Capture again."
    ),
}

#: The action line per kind of error: one table, keyed by kind (never by a message's words).
_ERROR_ACTIONS: Final[dict[ErrorKind, str]] = {
    ErrorKind.AUTH: QT_TRANSLATE_NOOP(
        "Verdict", "Access refused. Call IT support: the token needs renewing."
    ),
    ErrorKind.RATE_LIMITED: QT_TRANSLATE_NOOP("Verdict", "Service busy. Wait a minute, then capture again."),
    ErrorKind.UNAVAILABLE: QT_TRANSLATE_NOOP(
        "Verdict", "Service unavailable. Wait a minute, then capture again."
    ),
    ErrorKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "Verdict", "No answer in time. Check the network, then capture again."
    ),
    ErrorKind.TLS: QT_TRANSLATE_NOOP("Verdict", "Secure connection failed. Do not retry; call IT support."),
    ErrorKind.NETWORK: QT_TRANSLATE_NOOP(
        "Verdict", "Service not reachable. Check the network, then capture again."
    ),
    ErrorKind.BAD_REQUEST: QT_TRANSLATE_NOOP(
        "Verdict", "Request refused. Capture again; if it repeats, call IT."
    ),
    ErrorKind.CONFIGURATION: QT_TRANSLATE_NOOP(
        "Verdict", "Request refused. Capture again; if it repeats, call IT."
    ),
    ErrorKind.BAD_RESPONSE: QT_TRANSLATE_NOOP(
        "Verdict", "Unreadable answer. Capture again; if it repeats, call IT."
    ),
    ErrorKind.CANCELLED: CANCELLED_MESSAGE,
}

#: A supervisor's decision on a REVIEW: who decided, and what to do next.
_SUPERVISOR: Final[dict[OutcomeKind, str]] = {
    OutcomeKind.LIVE: QT_TRANSLATE_NOOP(
        "Verdict", "Confirmed live by the supervisor. Continue with the customer."
    ),
    OutcomeKind.SPOOF: QT_TRANSLATE_NOOP(
        "Verdict", "Rejected by the supervisor. Use the branch's manual identity check."
    ),
}
#: A REVIEW nobody on this station can settle (no supervisor configured, or unreadable).
_NO_SUPERVISOR: Final = QT_TRANSLATE_NOOP(
    "Verdict", "No supervisor can settle this here. Call IT; use the manual identity check."
)
#: The details after the last attempt (the decision's own words would offer another try).
_EXHAUSTED_DETAILS: Final = QT_TRANSLATE_NOOP(
    "Refusal",
    "No more attempts for this customer: follow the branch's manual identity check. "
    "Press Enter for the next customer.",
)
_FACE_PICK: Final = QT_TRANSLATE_NOOP(
    "Verdict", "Several faces. Click the customer's face or press its number."
)
_EXHAUSTED: Final = QT_TRANSLATE_NOOP("Verdict", "No more attempts. Use the branch's manual identity check.")
_NOT_FINAL: Final = QT_TRANSLATE_NOOP("Verdict", "Not recorded: do not rely on this result. Call IT support.")
_LOCAL_ERROR: Final = QT_TRANSLATE_NOOP("Verdict", "Not verified. See the details, then capture again.")


@dataclass(frozen=True, slots=True)
class VerdictText:
    #: The large word: LIVE, SPOOF, RETRY, REVIEW, ERROR, NOT FINAL.
    headline: str
    #: The one instruction.
    action: str
    #: Everything else, for the details panel (may be empty).
    details: str = ""
    #: The banner's look: the outcome, or ERROR for a verdict that is not final.
    kind: OutcomeKind = OutcomeKind.ERROR


def verdict_text(
    report: AttemptReport,
    *,
    face_pick_offered: bool = False,
    attempts_exhausted: bool = False,
    review_unsettleable: bool = False,
) -> VerdictText:
    """The banner's headline, action line and details for ``report``: decided on its kinds (the
    outcome, the error's kind, who decided), never on its message."""
    if not report.final:
        reason = report.audit_error or QT_TRANSLATE_NOOP("Details", "no journal row was written")
        not_written = Phrase(
            QT_TRANSLATE_NOOP("Details", "The audit record could not be written ({reason}). {message}"),
            reason=reason,
            message=report.message,
        )
        return VerdictText(NOT_FINAL_WORD, _NOT_FINAL, not_written, OutcomeKind.ERROR)
    outcome = report.outcome
    kind = report.kind
    if kind is OutcomeKind.ERROR:
        fault = report.error_kind or (error_kind(report.error) if report.error is not None else None)
        action = _ERROR_ACTIONS.get(fault, _LOCAL_ERROR) if fault is not None else _LOCAL_ERROR
        details = "" if fault is ErrorKind.CANCELLED else report.message
        return VerdictText(HEADLINES[kind], action, details, kind)
    details = report.message
    if report.record_kind is RecordKind.REVIEW and report.supervisor_id is not None and kind in _SUPERVISOR:
        action = _SUPERVISOR[kind]  # the supervisor decided: no more tries are offered
    elif kind is OutcomeKind.REVIEW and review_unsettleable:
        action = _NO_SUPERVISOR
    elif face_pick_offered:
        action = _FACE_PICK
    elif attempts_exhausted and kind is not OutcomeKind.LIVE:
        action, details = _EXHAUSTED, _EXHAUSTED_DETAILS
    elif outcome is not None and outcome.retry_reason is not None:
        action = _ACTIONS[outcome.retry_reason]
    else:
        action = _ACTIONS.get(kind, report.message)
    return VerdictText(HEADLINES[kind], action, details if details != action else "", kind)
