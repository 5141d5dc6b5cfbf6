"""Exit codes of ``station verify`` and friends: one table, used by the code and the README."""

from __future__ import annotations

from enum import IntEnum

from station.api.errors import (
    AuthError,
    BadRequestError,
    ConfigurationError,
    LivenessAPIError,
)
from station.core.models import OutcomeKind

__all__ = ["AuditVerifyCode", "ExitCode", "exit_code_for_error", "exit_code_for_outcome"]


class ExitCode(IntEnum):
    LIVE = 0
    FAILURE = 1
    SPOOF = 2
    RETRY = 3
    AUTH = 4
    SERVICE = 5
    REVIEW = 6
    USAGE = 64
    INTERRUPTED = 130


class AuditVerifyCode(IntEnum):
    """Exit codes of ``station audit verify``: what a SIEM or an IT script branches on."""

    #: The chain is intact and every paid call has its outcome.
    INTACT = 0
    #: The chain is broken, the anchor tells of a journal deleted or replaced, or the journal
    #: cannot be read: evidence is in doubt (an incident).
    BROKEN = 1
    #: The chain is intact, but one or more "attempt started" rows have no outcome: a request
    #: went out and its answer was never recorded (reconcile with the provider's billing).
    OPEN_ATTEMPTS = 3


def exit_code_for_outcome(kind: OutcomeKind) -> ExitCode:
    return {
        OutcomeKind.LIVE: ExitCode.LIVE,
        OutcomeKind.SPOOF: ExitCode.SPOOF,
        OutcomeKind.RETRY: ExitCode.RETRY,
        OutcomeKind.REVIEW: ExitCode.REVIEW,
        OutcomeKind.ERROR: ExitCode.SERVICE,
    }[kind]


def exit_code_for_error(error: LivenessAPIError) -> ExitCode:
    if isinstance(error, AuthError):
        return ExitCode.AUTH
    if isinstance(error, ConfigurationError | BadRequestError):
        return ExitCode.USAGE
    return ExitCode.SERVICE
