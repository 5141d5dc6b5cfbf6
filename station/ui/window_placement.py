"""Where the main window sits on the screen: Qt geometry only.

The first size comes from the screen's available area (all of it below 1280×800, never more than
it); the kiosk is fullscreen (the geometry set too: without a window manager nothing else makes
it the screen's) and comes back fullscreen when a second start brings it forward.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow

from station.ui.screen_fit import first_geometry

__all__ = ["MINIMUM_SIZE", "PlacedWindow"]

#: The smallest window the layout is made for (a 1024×768 kiosk screen, with a taskbar).
MINIMUM_SIZE = (960, 640)


class PlacedWindow(QMainWindow):
    """A main window that fits the screen it opens on, and may be closed only as its guard says."""

    def __init__(self) -> None:
        super().__init__()
        self._maximised = self.fit_to_screen()
        self._kiosk_fullscreen = False
        self._close_guard: Callable[[], bool] = lambda: True

    def fit_to_screen(self, available: QRect | None = None) -> bool:
        """The first geometry, from the screen's available area (``available`` for a test): all
        of it below 1280×800, never more than it. True when the window should open maximised."""
        area = available if available is not None else self.screen().availableGeometry()
        geometry, maximised = first_geometry(area)
        self.setMinimumSize(QSize(*MINIMUM_SIZE).boundedTo(area.size()))
        self.setGeometry(geometry)
        return maximised

    def show_on_screen(self) -> None:
        """Show at the first geometry: maximised below 1280×800 (by the window manager if there is
        one; the geometry already is the available area if there is none)."""
        self.showMaximized() if self._maximised else self.show()

    def enter_kiosk(self) -> None:
        """Fullscreen, and back to fullscreen whenever a second start brings the window forward."""
        self._kiosk_fullscreen = True
        self.setGeometry(self.screen().geometry())
        self.showFullScreen()

    def bring_to_front(self) -> None:
        """A second start of the kiosk asked for this window."""
        if self.isMinimized():
            self.showFullScreen() if self._kiosk_fullscreen else self.showMaximized()
        self.raise_()
        self.activateWindow()

    def set_close_guard(self, guard: Callable[[], bool]) -> None:
        """Closing asks ``guard`` first (the kiosk asks for the administrator PIN)."""
        self._close_guard = guard

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_guard():
            event.ignore()
            return
        self.closing()
        super().closeEvent(event)

    def closing(self) -> None:
        """The window is about to close (its guard agreed)."""
