"""The service's environments and base URLs, for the client's callers. They are defined in
:mod:`station.endpoint.environments`, so the settings model can use them without the client."""

from station.endpoint.environments import (
    BALANCE_PATH,
    LIVENESS_PATH,
    Environment,
    base_url_for,
    is_loopback_host,
    known_environment_of,
    normalize_host,
    validate_base_url,
)

__all__ = [
    "BALANCE_PATH",
    "LIVENESS_PATH",
    "Environment",
    "base_url_for",
    "is_loopback_host",
    "known_environment_of",
    "normalize_host",
    "validate_base_url",
]
