"""The ranges a setting, a policy or a command-line option may take: one definition each.

A threshold is a fraction in [0, 1] whether it comes from the settings file, a machine policy, the
settings dialog's spin box or ``station verify --threshold``; the messages are the same everywhere
too ("must be between 0 and 1, got 1.7"), so a person reads one rule however they set the value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, TypeVar

__all__ = [
    "ATTEMPTS_PER_CUSTOMER",
    "AUTO_CAPTURE_SECONDS",
    "FRACTION",
    "JPEG_QUALITY",
    "RETENTION_DAYS",
    "RETRY_ATTEMPTS",
    "SHIP_SECONDS",
    "TCP_PORT",
    "TIMEOUT_SECONDS",
    "VERDICT_EXTENSIONS",
    "VERDICT_SECONDS",
    "Bounds",
]

N = TypeVar("N", int, float)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True, slots=True)
class Bounds:
    """A closed range ``[low, high]`` (``low`` itself excluded when ``low_open``)."""

    low: float
    high: float
    #: Singular unit for messages ("second", "day"); none for plain numbers.
    unit: str = ""
    low_open: bool = False

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return False
        above_low = value > self.low if self.low_open else value >= self.low
        return above_low and value <= self.high

    def _amount(self, value: float) -> str:
        if not self.unit:
            return _number(value)
        return f"{_number(value)} {self.unit}{'' if value == 1 else 's'}"

    def problem(self, value: float) -> str:
        """Why ``value`` is out of range, in plain words, the value echoed."""
        shown = _number(value)
        if self.low_open and self.low == 0 and not value > 0:
            return f"must be positive, got {shown}"
        if self.unit and math.isfinite(value):
            if value > self.high:
                return f"must be at most {self._amount(self.high)}, got {shown}"
            return f"must be at least {self._amount(self.low)}, got {shown}"
        return f"must be between {_number(self.low)} and {_number(self.high)}, got {shown}"

    def check(self, value: N) -> N:
        """``value`` if in range, else :class:`ValueError` with :meth:`problem`."""
        if value not in self:
            raise ValueError(self.problem(value))
        return value


#: Thresholds and scores.
FRACTION: Final = Bounds(0.0, 1.0)
JPEG_QUALITY: Final = Bounds(1, 100)
#: Requests per verification (the first and its retries).
RETRY_ATTEMPTS: Final = Bounds(1, 10)
#: No timeout above ten minutes makes sense at a counter; larger values are typing mistakes.
TIMEOUT_SECONDS: Final = Bounds(0.0, 600.0, unit="second", low_open=True)
#: At least a day; at most a century (larger values are typing mistakes).
RETENTION_DAYS: Final = Bounds(1, 36500, unit="day")
#: Answered attempts per customer before the branch's manual identity check.
ATTEMPTS_PER_CUSTOMER: Final = Bounds(1, 10)
#: How long a verdict may stay on screen.
VERDICT_SECONDS: Final = Bounds(5.0, 3600.0)
#: How many times the operator may extend one verdict's time on screen (0: never).
VERDICT_EXTENSIONS: Final = Bounds(0, 20)
#: A TCP port.
TCP_PORT: Final = Bounds(1, 65535)
#: Shipping's waits and windows: a second to a day.
SHIP_SECONDS: Final = Bounds(1.0, 86400.0, unit="second")
#: How long the picture must stay ready before an automatic capture.
AUTO_CAPTURE_SECONDS: Final = Bounds(0.5, 10.0)
