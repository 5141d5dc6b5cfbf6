"""What the emulator should do with the next request: a named scenario plus its few parameters.

Why a separate module: the same configuration arrives three ways (the ``Emulator`` constructor and
``set_scenario``, the ``/_emulator/scenario`` control endpoint, per-request ``X-Emulator-*``
headers) and must be validated the same way each time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "HEADER_DELAY",
    "HEADER_FAILURES",
    "HEADER_RETRY_AFTER",
    "HEADER_SCENARIO",
    "HEADER_STATUS",
    "MAX_DELAY_SECONDS",
    "Scenario",
    "ScenarioConfig",
    "ScenarioError",
]

HEADER_SCENARIO = "X-Emulator-Scenario"
HEADER_FAILURES = "X-Emulator-Failures"
HEADER_DELAY = "X-Emulator-Delay"
HEADER_RETRY_AFTER = "X-Emulator-Retry-After"
HEADER_STATUS = "X-Emulator-Status"

#: ``slow`` never waits longer than this, so a typo cannot wedge a test run for hours.
MAX_DELAY_SECONDS = 600.0


class ScenarioError(ValueError):
    """A scenario name or parameter is not valid."""


class Scenario(StrEnum):
    """How the emulator answers liveness requests. See ``station/emulator/__init__.py``."""

    AUTO = "auto"
    LIVE = "live"
    SPOOF = "spoof"
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    LOW_DETECTION = "low_detection"
    NOT_OK = "not_ok"
    ERROR_THEN_OK = "error_then_ok"
    ERROR = "error"
    RATE_LIMITED = "rate_limited"
    SLOW = "slow"
    HANG = "hang"
    RESET = "reset"
    MALFORMED_JSON = "malformed_json"
    UNAUTHORIZED = "unauthorized"

    @classmethod
    def parse(cls, value: str) -> Scenario:
        """The scenario called ``value`` (case-insensitive, ``-`` accepted for ``_``)."""
        key = value.strip().lower().replace("-", "_")
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ScenarioError(f"unknown scenario {value!r}; known: {names}") from None


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """A scenario and its parameters; parameters a scenario does not use are ignored.

    - ``failures``: how many calls fail first (``error_then_ok``, ``rate_limited``).
    - ``delay``: seconds to wait before answering (``slow``).
    - ``retry_after``: seconds sent in the ``Retry-After`` header (``rate_limited``).
    - ``status``: the 5xx status of ``error`` and ``error_then_ok``.
    """

    name: Scenario = Scenario.AUTO
    failures: int = 2
    delay: float = 2.0
    retry_after: int = 1
    status: int = 503

    def __post_init__(self) -> None:
        name: object = self.name
        if not isinstance(name, Scenario):
            object.__setattr__(self, "name", Scenario.parse(str(name)))
        if isinstance(self.failures, bool) or not isinstance(self.failures, int):
            raise ScenarioError("failures must be an integer")
        if self.failures < 0:
            raise ScenarioError("failures must be 0 or more")
        if isinstance(self.delay, bool) or not isinstance(self.delay, int | float):
            raise ScenarioError("delay must be a number of seconds")
        if not math.isfinite(self.delay) or not 0 <= self.delay <= MAX_DELAY_SECONDS:
            raise ScenarioError(f"delay must be between 0 and {MAX_DELAY_SECONDS:g} seconds")
        if isinstance(self.retry_after, bool) or not isinstance(self.retry_after, int):
            raise ScenarioError("retry_after must be an integer number of seconds")
        if self.retry_after < 0:
            raise ScenarioError("retry_after must be 0 or more")
        if isinstance(self.status, bool) or not isinstance(self.status, int):
            raise ScenarioError("status must be an integer")
        if not 500 <= self.status <= 599:
            raise ScenarioError("status must be a 5xx code (500-599)")

    @classmethod
    def of(cls, value: ScenarioConfig | Scenario | str) -> ScenarioConfig:
        """Accept a config, a :class:`Scenario` or a scenario name."""
        if isinstance(value, ScenarioConfig):
            return value
        if isinstance(value, Scenario):
            return cls(name=value)
        return cls(name=Scenario.parse(value))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScenarioConfig:
        """Parse the control endpoint's JSON object (``name`` required, parameters optional)."""
        unknown = set(data) - {"name", "failures", "delay", "retry_after", "status"}
        if unknown:
            raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
        name = data.get("name")
        if not isinstance(name, str):
            raise ScenarioError('"name" (a scenario name) is required')
        config = cls(name=Scenario.parse(name))
        params = ("failures", "delay", "retry_after", "status")
        changes: dict[str, Any] = {k: data[k] for k in params if k in data}
        return replace(config, **changes) if changes else config

    def with_headers(self, headers: Mapping[str, str]) -> ScenarioConfig:
        """This config overridden by per-request ``X-Emulator-*`` headers (case-insensitive)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        changes: dict[str, Any] = {}
        if (name := lowered.get(HEADER_SCENARIO.lower())) is not None:
            changes["name"] = Scenario.parse(name)
        for header, field, convert in (
            (HEADER_FAILURES, "failures", int),
            (HEADER_DELAY, "delay", float),
            (HEADER_RETRY_AFTER, "retry_after", int),
            (HEADER_STATUS, "status", int),
        ):
            raw = lowered.get(header.lower())
            if raw is None:
                continue
            try:
                changes[field] = convert(raw.strip())
            except ValueError:
                raise ScenarioError(f"{header}: not a valid number: {raw!r}") from None
        return replace(self, **changes) if changes else self

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``GET /_emulator/scenario`` returns."""
        data = asdict(self)
        data["name"] = self.name.value
        return data
