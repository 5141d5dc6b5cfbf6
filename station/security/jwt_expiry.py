"""When a bearer token expires, read from its JWT ``exp`` claim, for warnings only.

The payload is base64url-decoded WITHOUT verifying the signature: the station cannot verify the
provider's tokens and does not need to. The result only decides whether to warn an operator that
the token should be renewed; the service remains the judge of whether a token is valid. A token
that is not a JWT, or has no usable ``exp``, has an unknown expiry (``None``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["EXPIRY_WARNING_WINDOW", "expiry_warning", "format_expiry", "token_expiry"]

#: Warn this long before a token expires.
EXPIRY_WARNING_WINDOW: Final = timedelta(days=7)
_MAX_TOKEN_CHARS = 16_384


def token_expiry(token: str) -> datetime | None:
    """The ``exp`` claim as an aware UTC datetime, or ``None`` if it cannot be read."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
        return None
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    payload = parts[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not isinstance(claims, dict):
        return None
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def format_expiry(exp: datetime) -> str:
    """``2025-06-01 12:00 UTC``."""
    return exp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _days(delta: timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds < 86_400:
        hours = max(1, math.ceil(seconds / 3600))
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = math.floor(seconds / 86_400)
    return f"{days} day{'s' if days != 1 else ''}"


def expiry_warning(
    exp: datetime | None, now: datetime | None = None, *, within: timedelta = EXPIRY_WARNING_WINDOW
) -> str | None:
    """A plain warning if the token has expired or expires within ``within``; else ``None``."""
    if exp is None:
        return None
    now = datetime.now(UTC) if now is None else now
    left = exp - now
    if left <= timedelta(0):
        return f"the token expired on {format_expiry(exp)} ({_days(left)} ago): enrol a new one"
    if left <= within:
        return f"the token expires in {_days(left)} (on {format_expiry(exp)}): enrol a new one soon"
    return None
