"""The shipping state as a value the GUI can show without knowing anything about shipping.

The status bar shows :func:`status_text` ("all shipped", "412 records waiting, oldest 3 h",
"relay refused the certificate"); :func:`needs_attention` turns the health indicator amber
once the oldest unshipped record is older than the policy's alert age, or the journal no
longer matches what was shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["ShipState", "ShipStatus", "format_age", "needs_attention", "status_text"]


class ShipState(StrEnum):
    OFF = "off"
    #: Connecting, sending, or waiting for the resend window to pass.
    SHIPPING = "shipping"
    #: Nothing waits: every row is acknowledged.
    SHIPPED = "shipped"
    #: The last attempt failed; ``last_error`` says why, a retry is scheduled.
    FAILING = "failing"
    #: The journal no longer matches the anchor (rolled back, replaced …): shipping goes on,
    #: the anchor is not moved, and the SIEM sees the head move backwards.
    INTEGRITY = "integrity"


@dataclass(frozen=True, slots=True)
class ShipStatus:
    state: ShipState
    #: Rows not yet acknowledged by the target.
    waiting: int = 0
    oldest_waiting_age: timedelta | None = None
    last_error: str | None = None
    last_shipped_at: datetime | None = None
    acked_sequence: int = 0
    errors_total: int = 0


def format_age(age: timedelta) -> str:
    seconds = max(age.total_seconds(), 0.0)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def status_text(status: ShipStatus) -> str:
    """The short text for the status bar."""
    if status.state is ShipState.OFF:
        return QT_TRANSLATE_NOOP("Health", "shipping off")
    if status.state in (ShipState.FAILING, ShipState.INTEGRITY) and status.last_error:
        return status.last_error
    if status.waiting == 0:
        return QT_TRANSLATE_NOOP("Health", "all shipped")
    one = status.waiting == 1
    if status.oldest_waiting_age is None:
        template = (
            QT_TRANSLATE_NOOP("Health", "{count} record waiting")
            if one
            else QT_TRANSLATE_NOOP("Health", "{count} records waiting")
        )
        return Phrase(template, count=status.waiting)
    template = (
        QT_TRANSLATE_NOOP("Health", "{count} record waiting, oldest {age}")
        if one
        else QT_TRANSLATE_NOOP("Health", "{count} records waiting, oldest {age}")
    )
    return Phrase(template, count=status.waiting, age=format_age(status.oldest_waiting_age))


def needs_attention(status: ShipStatus, alert_age: timedelta) -> bool:
    """True when the health indicator should turn amber."""
    if status.state is ShipState.INTEGRITY:
        return True
    return status.oldest_waiting_age is not None and status.oldest_waiting_age > alert_age
