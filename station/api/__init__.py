"""The Surepass face-liveness v5 client. No Qt."""

from station.api.client import (
    LivenessClient,
    NetworkSettings,
    RetryPolicy,
    Timeouts,
    Verification,
    build_ssl_context,
)
from station.api.credentials import Credential
from station.api.environments import Environment, base_url_for
from station.api.errors import (
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
from station.api.schema import parse_liveness_response

__all__ = [
    "AuthError",
    "BadRequestError",
    "BadResponseError",
    "ConfigurationError",
    "Credential",
    "Environment",
    "EnvironmentMismatchError",
    "LivenessAPIError",
    "LivenessClient",
    "NetworkError",
    "NetworkSettings",
    "RateLimitedError",
    "RequestTimeoutError",
    "ResponseParseError",
    "RetryPolicy",
    "ServiceUnavailableError",
    "TLSError",
    "Timeouts",
    "TokenMalformedError",
    "TokenMissingError",
    "Verification",
    "base_url_for",
    "build_ssl_context",
    "parse_liveness_response",
]
