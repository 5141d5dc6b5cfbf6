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

__all__ = ["ExitCode", "exit_code_for_error", "exit_code_for_outcome"]


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
