"""The emulator's paths, its development token and its opening balance.

Why a module of their own: callers (the GUI's demo mode, the benchmark, tests) need these at
import time, and the server stack that serves them is imported only when the first client
connects (see :mod:`station.emulator.server`).
"""

from __future__ import annotations

__all__ = ["BALANCE_PATH", "CONTROL_PATH", "DEFAULT_BALANCE", "DEFAULT_TOKEN", "LIVENESS_PATH"]

#: A development token with no value anywhere: the emulator accepts it by default. Not a secret.
DEFAULT_TOKEN = "demo-token"  # noqa: S105
DEFAULT_BALANCE = 1000
LIVENESS_PATH = "/api/v1/ocr/face-liveness-v5"
BALANCE_PATH = "/api/v1/utils/usage/balance"
CONTROL_PATH = "/_emulator/scenario"
