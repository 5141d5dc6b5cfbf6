"""More time with a verdict: the operator extends its timeout with one key (WCAG 2.2.1).

A verdict, and the customer's picture with it, clears itself after the policy's timeout (60 s by
default): the next customer must not see it. An operator who needs longer (a screen reader still
speaking, a magnifier moving across the banner, a customer asking a question) presses one key to
keep it for another timeout, as WCAG 2.2.1 "Timing Adjustable" asks of a time limit, with a warning
shortly before it runs out. The bank's policy sets whether that is allowed and how often per verdict
(``verdict_extensions``: 0 turns it off; WCAG's "extend" option means at least ten). Every
extension, and every refused one, is journaled.

Qt-free: the desk calls it, the window binds the key and says what happened.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from station.core import bounds

__all__ = [
    "DEFAULT_VERDICT_EXTENSIONS",
    "WARNING_S",
    "Extension",
    "ExtensionPolicy",
    "ExtensionRefusal",
    "VerdictTime",
]

#: WCAG 2.2.1's "extend" option: the user may extend at least ten times.
DEFAULT_VERDICT_EXTENSIONS: Final = 10
#: WCAG 2.2.1: the user is warned, and given at least 20 seconds to extend, before time runs out.
WARNING_S: Final = 20.0


@dataclass(frozen=True, slots=True)
class ExtensionPolicy:
    """The bank's rule: how many extensions one verdict may have, each ``step_s`` long (the
    verdict timeout again)."""

    extensions: int = DEFAULT_VERDICT_EXTENSIONS
    step_s: float = 60.0

    def __post_init__(self) -> None:
        bounds.VERDICT_EXTENSIONS.check(self.extensions)
        bounds.VERDICT_SECONDS.check(self.step_s)

    @property
    def allowed(self) -> bool:
        return self.extensions > 0


class ExtensionRefusal(enum.Enum):
    NOT_ALLOWED = "not allowed by policy"
    LIMIT_REACHED = "limit reached"
    NO_VERDICT = "no verdict on screen"


@dataclass(frozen=True, slots=True)
class Extension:
    """What one press did: granted (``refusal`` None) or refused, and the extensions left."""

    refusal: ExtensionRefusal | None
    used: int
    left: int
    extra_s: float

    @property
    def granted(self) -> bool:
        return self.refusal is None


class VerdictTime:
    """The extensions of the verdict on screen. ``note`` journals each press (a session note)."""

    def __init__(self, policy: ExtensionPolicy, note: Callable[[str], None]) -> None:
        self.policy = policy
        self._note = note
        self._used = 0

    def verdict_shown(self) -> None:
        """A new verdict: its own extensions, from none."""
        self._used = 0

    @property
    def extra_s(self) -> float:
        """Seconds added to the verdict's timeout so far."""
        return self._used * self.policy.step_s

    def shifted(self, now: float) -> float:
        """``now`` as the unextended timeout sees it: pass it to the session's expiry check."""
        return now - self.extra_s

    def warning_due(self, elapsed_s: float, timeout_s: float) -> bool:
        """True in the last :data:`WARNING_S` seconds before the verdict clears, while an
        extension is still possible (the window says which key keeps it)."""
        remaining = timeout_s + self.extra_s - elapsed_s
        return 0 < remaining <= WARNING_S and self._left() > 0

    def extend(self, *, verdict_on_screen: bool) -> Extension:
        """The operator pressed the key: grant another timeout if the policy allows, and journal
        what happened either way."""
        refusal = None
        if not verdict_on_screen:
            refusal = ExtensionRefusal.NO_VERDICT
        elif not self.policy.allowed:
            refusal = ExtensionRefusal.NOT_ALLOWED
        elif self._left() == 0:
            refusal = ExtensionRefusal.LIMIT_REACHED
        else:
            self._used += 1
        result = Extension(refusal, self._used, self._left(), self.extra_s)
        if refusal is None:
            self._note(
                f"verdict time extended by {self.policy.step_s:g} s"
                f" ({self._used} of {self.policy.extensions})"
            )
        elif refusal is not ExtensionRefusal.NO_VERDICT:  # nothing on screen: nothing to record
            self._note(f"verdict time extension refused: {refusal.value}")
        return result

    def _left(self) -> int:
        return max(0, self.policy.extensions - self._used)
