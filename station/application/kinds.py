"""The kinds the counter decides on: why an attempt ended in an error, and what a journal row is.

Decisions are taken on these, never on a message's words (a reworded or translated sentence must
not change what the station does). The words for each kind live in one table each, beside the
banner's other texts (:mod:`station.application.verdict_text`).
"""

from __future__ import annotations

from enum import StrEnum

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

__all__ = ["ErrorKind", "EventKind", "RecordKind", "error_kind"]


class ErrorKind(StrEnum):
    """Why an attempt has no verdict from the service."""

    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "service_unavailable"
    TIMEOUT = "timeout"
    TLS = "tls"
    NETWORK = "network"
    BAD_REQUEST = "bad_request"
    CONFIGURATION = "configuration"
    BAD_RESPONSE = "bad_response"
    #: A client error of no more specific kind.
    OTHER = "other"
    #: The operator (or shutdown) cancelled the attempt.
    CANCELLED = "cancelled"
    #: The station refused before sending anything (no token, journal, camera…).
    NOT_READY = "not_ready"
    #: The captured frame could not be encoded.
    ENCODING = "encoding"
    #: Anything else: a fault in the station itself, ended as an error rather than a hang.
    UNEXPECTED = "unexpected"
    #: The "attempt started" row could not be written, so nothing was sent.
    JOURNAL_UNWRITABLE = "journal_unwritable"


#: The client's error tree, most specific class first.
_API_KINDS: tuple[tuple[type[LivenessAPIError], ErrorKind], ...] = (
    (AuthError, ErrorKind.AUTH),
    (RateLimitedError, ErrorKind.RATE_LIMITED),
    (ServiceUnavailableError, ErrorKind.UNAVAILABLE),
    (RequestTimeoutError, ErrorKind.TIMEOUT),
    (TLSError, ErrorKind.TLS),
    (NetworkError, ErrorKind.NETWORK),
    (BadRequestError, ErrorKind.BAD_REQUEST),
    (ConfigurationError, ErrorKind.CONFIGURATION),
    (BadResponseError, ErrorKind.BAD_RESPONSE),
)


def error_kind(error: BaseException) -> ErrorKind:
    """The kind of ``error``: the client's tree by class, anything else is UNEXPECTED."""
    for cls, kind in _API_KINDS:
        if isinstance(error, cls):
            return kind
    return ErrorKind.OTHER if isinstance(error, LivenessAPIError) else ErrorKind.UNEXPECTED


class RecordKind(StrEnum):
    """What an attempt's journal row is."""

    VERIFICATION = "verification"
    #: A decision taken on an attempt afterwards (a supervisor's review, the operator's face pick).
    REVIEW = "review"
    #: Written before the request goes out; the outcome row names it (``started_sequence``).
    ATTEMPT_STARTED = "attempt_started"


class EventKind(StrEnum):
    """The journal's station events (rows that are not attempts)."""

    SESSION = "session"
    QUALITY_GATE = "quality_gate"
    POLICY = "policy"
    PIN = "pin"
    #: A camera production refused before its first frame (virtual, or not approved).
    CAMERA = "camera"
    #: The station service refused a caller (an OS account outside its clients).
    SERVICE = "service"
