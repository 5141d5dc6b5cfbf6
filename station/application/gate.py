"""The capture gate: when the picture is not ready, Capture asks once before a paid call is spent.

Plain state, no Qt, so its rules are tested directly. The first press while the local analyser says
"not ready" *objects* (nothing is sent; the operator sees why). A second press while that objection
stands *overrides* it (the attempt is sent and its audit record says the gate was overridden and
why). An objection the operator lets go — they fix the problem and capture when ready, or move on
to the next customer — is a call saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from station.vision.quality import Instruction, QualityReport

__all__ = ["GateVerdict", "QualityGate"]


class GateVerdict(Enum):
    ALLOW = "allow"
    OBJECT = "object"
    OVERRIDE = "override"


@dataclass
class QualityGate:
    enabled: bool = True
    latest: QualityReport | None = None
    objection: Instruction | None = None
    calls_saved: int = 0

    def update(self, report: QualityReport) -> None:
        self.latest = report

    def on_capture(self) -> GateVerdict:
        """What a press of Capture does now."""
        if not self.enabled or self.latest is None:
            return GateVerdict.ALLOW
        if self.latest.ready:
            return GateVerdict.ALLOW  # a standing objection was resolved: the caller lets it go
        if self.objection is not None:
            return GateVerdict.OVERRIDE
        self.objection = self.latest.instruction
        return GateVerdict.OBJECT

    def overridden(self) -> Instruction | None:
        """The objection the operator just overrode (cleared; not a call saved)."""
        objection, self.objection = self.objection, None
        return objection

    def let_go(self) -> Instruction | None:
        """The operator moved on without overriding: the objection, now counted as a call saved."""
        objection, self.objection = self.objection, None
        if objection is not None:
            self.calls_saved += 1
        return objection
