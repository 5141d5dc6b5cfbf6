"""The client's errors. Every failure of a verification is one of these, never a raw httpx error.

::

    LivenessAPIError                 any failure talking to the service; carries http_status,
    │                                message_code, attempts, client_id (never the token)
    ├── ConfigurationError           the client was set up wrongly (plain http off loopback, bad URL)
    ├── AuthError                    401/403: the token is missing, expired, invalid or for the
    │   │                            other environment
    │   ├── TokenMissingError        no token enrolled for this environment
    │   │   └── TokenMalformedError  the enrolled token cannot be a bearer token (a space, a
    │   │                            control or non-ASCII character): as good as none
    │   └── EnvironmentMismatchError a token for one environment about to go to the other
    ├── BadRequestError              400/404/413/422 and other 4xx: the input was refused
    ├── RateLimitedError             429 after every allowed attempt
    ├── ServiceUnavailableError      500/502/503/504 after every allowed attempt
    ├── RequestTimeoutError          connect/read timeout, or the overall deadline passed
    ├── NetworkError                 DNS, refused, reset, proxy failure
    │   └── TLSError                 the certificate or handshake failed (never retried)
    └── BadResponseError             the answer is not the documented shape
        └── ResponseParseError       a field has a wrong type, a score outside 0..1, …

Messages are in plain words for an operator or support; they never include the token, and
``__str__`` is the message alone (no request headers, no body dumps).
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BadRequestError",
    "BadResponseError",
    "ConfigurationError",
    "EnvironmentMismatchError",
    "LivenessAPIError",
    "NetworkError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ResponseParseError",
    "ServiceUnavailableError",
    "TLSError",
    "TokenMalformedError",
    "TokenMissingError",
]


class LivenessAPIError(Exception):
    """A verification could not be completed."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        message_code: str | None = None,
        attempts: int = 0,
        client_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.message_code = message_code
        self.attempts = attempts
        self.client_id = client_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, http_status={self.http_status!r}, "
            f"message_code={self.message_code!r}, attempts={self.attempts!r})"
        )


class ConfigurationError(LivenessAPIError):
    """The client was configured in a way that is refused (for example http:// off loopback)."""


class AuthError(LivenessAPIError):
    """The service refused the credentials, or the station refused to send them."""


class TokenMissingError(AuthError):
    """No token is enrolled for the environment."""


class TokenMalformedError(TokenMissingError):
    """The token holds characters a bearer token cannot (RFC 6750): it could never authenticate."""


class EnvironmentMismatchError(AuthError):
    """A token enrolled for one environment was about to be sent to the other."""


class BadRequestError(LivenessAPIError):
    """The service refused the request itself (4xx other than 401/403/429)."""


class RateLimitedError(LivenessAPIError):
    """429 Too Many Requests after every allowed attempt."""


class ServiceUnavailableError(LivenessAPIError):
    """5xx after every allowed attempt."""


class RequestTimeoutError(LivenessAPIError):
    """No answer in time: a connect or read timeout, or the overall deadline."""


class NetworkError(LivenessAPIError):
    """The request did not reach the service or the connection broke."""


class TLSError(NetworkError):
    """The secure connection could not be established (certificate or handshake)."""


class BadResponseError(LivenessAPIError):
    """The service answered with something that is not the documented response."""


class ResponseParseError(BadResponseError):
    """A field of the answer has the wrong type or an impossible value."""
