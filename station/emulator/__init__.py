"""A local emulator of the Surepass face-liveness v5 service, for tests, ``station verify`` and the
GUI's demo mode.

Why: the station must be developed and demonstrated without a provider token and without sending
anyone's face over the network, and its client must be tested against failures the real service
produces only rarely. The emulator serves the documented endpoints on loopback only, finds *real*
face boxes with OpenCV, and *emulates* the liveness scores (each ``reason`` says so).

Endpoints:

- ``POST /api/v1/ocr/face-liveness-v5`` (bearer token; multipart ``file``/``use_pdf``/``link``, or
  JSON ``{"link": ...}``; a ``link`` is fetched only from a loopback host).
- ``GET /api/v1/utils/usage/balance`` (bearer token; one credit per 200 liveness answer).
- ``GET``/``POST /_emulator/scenario`` (bearer token; JSON ``{"name", "failures", "delay",
  "retry_after", "status"}``).

Per request, the headers ``X-Emulator-Scenario``, ``X-Emulator-Failures``, ``X-Emulator-Delay``,
``X-Emulator-Retry-After`` and ``X-Emulator-Status`` override the active scenario.

Scenarios (:class:`Scenario`): ``auto`` (real detection, emulated live scores; no face → ``no_face``),
``live``, ``spoof``, ``no_face``, ``several_faces``, ``low_detection``, ``not_ok``,
``error_then_ok``, ``error``, ``rate_limited``, ``slow``, ``hang``, ``reset``, ``malformed_json``,
``unauthorized``.

Built on aiohttp (HTTP) and python-multipart (forms), within the bounds of
:mod:`station.emulator.limits`: the token is checked before a body is read, bodies, form parts,
JSON nesting and pixels are capped, a few requests are analysed at once, idle connections are
closed and link fetches have one deadline.
"""

from typing import TYPE_CHECKING

from station.emulator.endpoints import (
    BALANCE_PATH,
    CONTROL_PATH,
    DEFAULT_BALANCE,
    DEFAULT_TOKEN,
    LIVENESS_PATH,
)
from station.emulator.limits import Limits
from station.emulator.scenarios import Scenario, ScenarioConfig, ScenarioError
from station.emulator.state import RecordedRequest

if TYPE_CHECKING:
    from station.emulator.server import Emulator

__all__ = [
    "BALANCE_PATH",
    "CONTROL_PATH",
    "DEFAULT_BALANCE",
    "DEFAULT_TOKEN",
    "LIVENESS_PATH",
    "Emulator",
    "Limits",
    "RecordedRequest",
    "Scenario",
    "ScenarioConfig",
    "ScenarioError",
]


def __getattr__(name: str) -> object:
    """The server (OpenCV's detector, aiohttp) is imported when first asked for, so that
    ``station --demo`` can read its scenario without it before the first frame (issue 27)."""
    if name == "Emulator":
        from station.emulator.server import Emulator

        return Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
