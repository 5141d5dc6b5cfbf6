"""What the shipper asks of a destination, so a syslog relay and a spool folder look alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from station.ship.event import ShippedEvent

__all__ = ["ShipTarget"]


class ShipTarget(Protocol):
    """One destination. Methods raise :class:`~station.ship.errors.ShipError`; never block forever."""

    #: The cursor's name in the journal (``syslog_tls``, ``jsonl``).
    name: str
    #: True when the destination gives no acknowledgement (plain TLS syslog): delivery counts
    #: only once the resend window has passed on a connection that is still open.
    needs_resend_window: bool

    def open(self) -> None:
        """Connect (or open the file); idempotent when already open."""

    def send(self, events: Sequence[ShippedEvent]) -> None:
        """Hand over ``events`` in order."""

    def is_alive(self) -> bool:
        """False if the other side has closed the connection since the last send."""

    def closed_reason(self) -> str:
        """Why :meth:`is_alive` last found the connection closed, for the status bar."""

    def close(self) -> None:
        """Close; idempotent; never raises."""
