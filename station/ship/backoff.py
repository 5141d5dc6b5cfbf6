"""Exponential backoff with full jitter, capped.

After a relay outage a thousand stations must not reconnect in the same second: each waits a
uniformly random time between 0 and ``min(cap, base · 2^failures)`` ("full jitter", as AWS's
architecture blog measured it to spread retries best), so the reconnections spread over the
whole cap (5 minutes by default) and the relay tier recovers.
"""

from __future__ import annotations

import random

__all__ = ["BASE_DELAY_S", "full_jitter"]

BASE_DELAY_S = 1.0


def full_jitter(failures: int, cap_s: float, rng: random.Random, base_s: float = BASE_DELAY_S) -> float:
    """Seconds to wait after ``failures`` consecutive failures (1 for the first)."""
    ceiling = min(cap_s, base_s * 2.0 ** min(max(failures - 1, 0), 62))
    return rng.uniform(0.0, ceiling)
