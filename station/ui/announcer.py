"""What the station says to a screen reader on its own, and when: live-region announcements.

Two kinds, following WCAG's live regions and Qt 6.8's :class:`QAccessibleAnnouncementEvent`:

* a new verdict is **assertive** (it interrupts whatever the reader was saying), and is said
  **once**: showing the same report again (a language change, a repaint) says nothing;
* the guide's instruction is **polite** (it waits for the reader to finish), is said only when it
  **changes**, and **never while a verdict is being read**: not while a verdict is on screen, and
  not within the time it takes to speak the last verdict (about 2.5 words a second).

The rules (:class:`AnnouncementRules`) are plain Python, tested without Qt; :class:`Announcer`
sends what they allow as accessibility events from the verdict banner (the live region), so
AT-SPI on Linux and UI Automation on Windows forward them to the screen reader. It also emits
:attr:`Announcer.announced` for tests and the screenshots.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

__all__ = ["WORDS_PER_SECOND", "Announcement", "AnnouncementRules", "Announcer", "Politeness"]

#: A screen reader's usual pace (about 150 words a minute); a verdict's words take this long.
WORDS_PER_SECOND: Final = 2.5


class Politeness(enum.Enum):
    POLITE = "polite"
    ASSERTIVE = "assertive"


@dataclass(frozen=True, slots=True)
class Announcement:
    text: str
    politeness: Politeness


class AnnouncementRules:
    """Which texts are announced, by the rules above (no Qt: ``clock`` is seconds, monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_verdict: object = None
        self._reading_until = float("-inf")
        self._last_guide: str | None = None

    def verdict(self, text: str, key: object) -> Announcement | None:
        """A verdict is shown: announce it unless this verdict (``key``: the report) already was."""
        if not text or key is self._last_verdict:
            return None
        self._last_verdict = key
        self._reading_until = self._clock() + len(text.split()) / WORDS_PER_SECOND
        self._last_guide = None  # the first instruction after the verdict is news again
        return Announcement(text, Politeness.ASSERTIVE)

    def guide(self, text: str | None, *, verdict_on_screen: bool) -> Announcement | None:
        """The guide's instruction now (None: no guide): announced only when it changed, and not
        while a verdict is on screen or still being read."""
        if verdict_on_screen or self._clock() < self._reading_until:
            return None
        if text == self._last_guide:
            return None
        self._last_guide = text
        return None if not text else Announcement(text, Politeness.POLITE)


_QT_POLITENESS: Final = {
    Politeness.POLITE: QAccessible.AnnouncementPoliteness.Polite,
    Politeness.ASSERTIVE: QAccessible.AnnouncementPoliteness.Assertive,
}


class Announcer(QObject):
    """Sends the announcements the rules allow, from ``region`` (the verdict banner)."""

    #: Every announcement sent: its text and its :class:`Politeness`.
    announced = Signal(str, object)

    def __init__(self, region: QWidget, rules: AnnouncementRules | None = None) -> None:
        super().__init__(region)
        self._region = region
        self.rules = rules or AnnouncementRules()

    def verdict(self, text: str, key: object) -> bool:
        return self._send(self.rules.verdict(text, key))

    def guide(self, text: str | None, *, verdict_on_screen: bool) -> bool:
        return self._send(self.rules.guide(text, verdict_on_screen=verdict_on_screen))

    def _send(self, announcement: Announcement | None) -> bool:
        if announcement is None:
            return False
        event = QAccessibleAnnouncementEvent(self._region, announcement.text)
        event.setPoliteness(_QT_POLITENESS[announcement.politeness])
        QAccessible.updateAccessibility(event)
        self.announced.emit(announcement.text, announcement.politeness)
        return True
