"""The client's network settings: timeouts, bounded retries, TLS trust and proxy. Plain data the
settings model builds (:meth:`station.config.Settings.to_network` and friends) and the client uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from station.endpoint.errors import ConfigurationError

__all__ = ["NetworkSettings", "RetryPolicy", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``deadline`` bounds one whole verification, every retry and wait included."""

    connect: float = 5.0
    read: float = 15.0
    write: float = 15.0
    deadline: float = 30.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "deadline"):
            if not getattr(self, name) > 0:
                raise ConfigurationError(f"the {name} timeout must be a positive number of seconds")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter; Retry-After honoured up to a cap."""

    attempts: int = 3
    backoff_initial: float = 0.5
    backoff_max: float = 4.0
    retry_after_cap: float = 10.0

    def __post_init__(self) -> None:
        if not 1 <= self.attempts <= 10:
            raise ConfigurationError("retry attempts must be between 1 and 10")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.retry_after_cap < 0:
            raise ConfigurationError("retry waits cannot be negative")


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """TLS trust and proxy, as a bank network needs them; never from the process environment.

    ``spki_pins``: base64 SHA-256 digests of the SubjectPublicKeyInfo the service's certificate
    may carry (machine policy ``service_spki_pins``); empty = no pin.
    """

    ca_bundle: Path | None = None
    proxy: str | None = None
    spki_pins: tuple[str, ...] = ()
