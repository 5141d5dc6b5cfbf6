"""The operator's desk: one customer session at a time, the shift's quality gate, the parts.

The window, the self-test and the benchmark's scripted day all drive this one object: capture,
next customer, clear a stale verdict. It owns what outlives a customer (the gate's count of calls
saved this shift, the signed-in operator, the session rules) and starts each new session with them.
"""

from __future__ import annotations

import time

from station.application.consent import ConsentNotice
from station.application.gate import QualityGate
from station.application.session import (
    Clock,
    CloseReason,
    CustomerSession,
    Refusal,
    SessionPolicy,
)
from station.application.verifier import Verifier
from station.security.identity import normalise_identity

__all__ = ["Desk"]


class Desk:
    def __init__(
        self,
        verifier: Verifier,
        *,
        gate: QualityGate | None = None,
        policy: SessionPolicy | None = None,
        operator_id: str | None = None,
        clock: Clock = time.monotonic,
        notice: ConsentNotice | None = None,
    ) -> None:
        self.verifier = verifier
        #: The consent notice new sessions ask about (None: policy does not ask).
        self.notice = notice
        self.gate = gate or QualityGate()
        self.policy = policy or SessionPolicy()
        self.operator_id = operator_id
        self._clock = clock
        self.session = self._new_session()

    def _new_session(self) -> CustomerSession:
        return CustomerSession(
            self.verifier,
            self.gate,
            self.policy,
            operator_id=self.operator_id,
            clock=self._clock,
            notice=self.notice,
        )

    def next_customer(self) -> Refusal | None:
        """Close this customer's session and start the next one; why not, if it may not."""
        refusal = self.session.move_on_refusal()
        if refusal is not None:
            return refusal
        self.session.close(CloseReason.NEXT_CUSTOMER)
        self.session = self._new_session()
        return None

    def clear_if_expired(self, now: float | None = None) -> bool:
        """Close a session whose verdict has been on screen too long; True if it was cleared."""
        if not self.session.verdict_expired(now):
            return False
        self.session.close(CloseReason.VERDICT_TIMEOUT)
        self.session = self._new_session()
        return True

    def sign_in(self, operator_id: str | None) -> None:
        """A new operator: their sessions and journal rows carry their id (a supervisor may not
        review their own attempt). Stored as people compare it (``Alice`` is ``alice``)."""
        operator_id = normalise_identity(operator_id) or None if operator_id else None
        self.operator_id = operator_id
        self.session.operator_id = operator_id
        self.verifier.recorder.with_context(operator_id=operator_id)

    def set_policy(self, policy: SessionPolicy) -> None:
        """New rules apply from the next customer on; the current session keeps its own."""
        self.policy = policy

    async def close(self) -> None:
        """The station closes: end the session (if nothing is in flight) and finish journal writes."""
        if self.session.move_on_refusal() is not Refusal.BUSY:
            self.session.close(CloseReason.SHUTDOWN)
        await self.verifier.wait_idle()
