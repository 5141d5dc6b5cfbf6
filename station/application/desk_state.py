"""What the counter looks like now, as one immutable value the window draws.

The window keeps no copy of these facts: after every intent and every answer it asks the desk for
a :class:`DeskState` and sets its buttons and fields from it, so a rule (which action is on, and
why not) lives here, tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from station.application.attempt import AttemptReport
from station.application.session import REFUSAL_MESSAGES, Phase, Refusal
from station.application.verdict_text import VerdictText
from station.vision.quality import Instruction

__all__ = ["Banner", "BannerKind", "DeskState", "IdleScreen"]


class IdleScreen(StrEnum):
    """What the banner shows while no verification runs and no verdict is being drawn."""

    #: A part a verification needs is bad: what is wrong and where to fix it (never "Ready").
    UNAVAILABLE = "unavailable"
    #: The consent notice is up: the banner asks the operator for F7 / F8.
    CONSENT = "consent"
    #: The guide objects to the live picture: the banner says what, never "Ready".
    GUIDE = "guide"
    READY = "ready"


class BannerKind(StrEnum):
    """What the banner shows while no verification runs."""

    #: The idle screen (:meth:`~station.application.desk.Desk.idle_screen` says which).
    IDLE = "idle"
    #: The idle screen, after a verdict cleared itself (it says so, with the timeout).
    CLEARED = "cleared"
    #: The idle screen, after the operator cancelled a verification.
    CANCELLED = "cancelled"
    #: The quality gate objected to a capture: the objection, and "press Space again".
    NOT_READY = "not_ready"
    #: A capture was refused because something the station needs is missing: the reason.
    UNAVAILABLE = "unavailable"
    #: A verdict (or an error) for this customer.
    VERDICT = "verdict"
    #: The customer refused consent: no picture, the manual identity check.
    CONSENT_REFUSED = "consent_refused"


@dataclass(frozen=True, slots=True)
class Banner:
    """The banner as the desk decided it; the window only words and draws it (again after a
    language change: it keeps no copy)."""

    kind: BannerKind = BannerKind.IDLE
    #: A refusal's reason, in the operator's words (English source text).
    message: str = ""
    #: The gate's objection (NOT_READY).
    objection: Instruction | None = None
    #: The verdict's words for the session as it stood, and its report (VERDICT).
    verdict: VerdictText | None = None
    report: AttemptReport | None = None
    #: The timeout after which the verdict cleared itself (CLEARED).
    cleared_after_s: float | None = None


@dataclass(frozen=True, slots=True)
class DeskState:
    phase: Phase
    #: The consent notice is up: nothing is captured until the customer answers (F7 / F8).
    consent_needed: bool
    #: The customer reference can no longer change (the first capture was sent, or it closed).
    reference_locked: bool
    #: Why Space would not capture (or go back to live) now; None: it would.
    capture_refusal: Refusal | None
    #: Why Enter would not move to the next customer now; None: it would.
    next_refusal: Refusal | None
    #: A customer is on screen to move on from (a verdict, a locked reference, an objection).
    customer_on_screen: bool
    review_pending: bool
    #: A REVIEW is open that no supervisor on this station can settle (a configuration fault).
    review_unsettleable: bool
    face_pick_offered: bool
    attempts_left: int
    #: No part a verification needs is bad (the health the desk holds).
    station_ready: bool = True
    #: The camera has said it is live (or nothing yet).
    camera_live: bool = True
    banner: Banner = Banner()
    #: Which idle banner, when the banner is an idle one (IDLE, CLEARED, CANCELLED).
    idle_screen: IdleScreen = IdleScreen.READY
    #: What is wrong with the station and where to fix it (operator's words; "" when ready).
    problem: str = ""
    #: What the guide objects to in the live picture (None: nothing, or the gate is off).
    objection: Instruction | None = None
    #: The consent notice to show over the picture (None: none is asked now).
    notice: str | None = None
    #: A captured picture (being judged, or judged) is on screen instead of the live one.
    picture_held: bool = False
    #: A verification is in flight (from the capture until its answer or its cancel).
    verifying: bool = False
    #: The camera is a picture or a file (the configuration says so): marked on the picture.
    non_live_camera: bool = False

    @property
    def busy(self) -> bool:
        return self.verifying or self.phase is Phase.VERIFYING

    @property
    def capture_enabled(self) -> bool:
        return self.capture_refusal is None

    @property
    def next_enabled(self) -> bool:
        return self.customer_on_screen and self.next_refusal is None

    @property
    def capture_reason(self) -> str:
        """Why Capture is off, in the operator's words ("" when it is on)."""
        return REFUSAL_MESSAGES.get(self.capture_refusal, "") if self.capture_refusal else ""

    @property
    def next_reason(self) -> str:
        """Why Next customer is off while a customer is on screen ("" otherwise)."""
        if not self.customer_on_screen or self.next_refusal is None:
            return ""
        return REFUSAL_MESSAGES.get(self.next_refusal, "")
