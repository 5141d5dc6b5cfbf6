"""The service's typed errors, for the client's callers. They are defined in
:mod:`station.endpoint.errors`, so the settings model can raise and catch them without the client."""

from station.endpoint.errors import (
    AuthError,
    BadRequestError,
    BadResponseError,
    ConfigurationError,
    EnvironmentMismatchError,
    LivenessAPIError,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceUnavailableError,
    TLSError,
    TokenMalformedError,
    TokenMissingError,
)

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
