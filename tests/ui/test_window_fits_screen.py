"""Issue 23 (c): the window's first size comes from the screen, never larger than it; a SPOOF at
1024×768 shows its whole word and its whole action line (real widgets, real font metrics)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.app import StationConfig, build_station
from station.application.recording import JournalRecorder
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from station.ui.screen_fit import first_geometry
from tests.ui.conftest import close_station, start_station
from tests.ui.test_pseudo_locale_fits import unfit_buttons
from tests.ui.test_station_flow import capture
from tests.ui.test_verdict_fits import banner_problems


@pytest.mark.parametrize(
    ("available", "maximised"),
    [
        (QRect(0, 0, 1024, 768), True),
        (QRect(0, 0, 1024, 728), True),  # a taskbar at the bottom
        (QRect(48, 0, 1232, 800), True),  # a taskbar on the left of a 1280×800 screen
        (QRect(0, 0, 1280, 800), False),
        (QRect(0, 0, 1920, 1040), False),
        (QRect(1920, 0, 1366, 768), True),  # the second screen, to the right of the first
    ],
)
def test_the_first_geometry_never_leaves_the_available_area(available: QRect, maximised: bool) -> None:
    geometry, is_maximised = first_geometry(available)
    assert is_maximised is maximised
    assert available.contains(geometry)
    if maximised:
        assert geometry == available


def test_a_new_window_is_no_larger_than_the_screen(qtbot: QtBot, journal: AuditJournal) -> None:
    """As built, before anything shows it: without a window manager nothing else resizes it (it
    was 1280×760 whatever the screen)."""
    station = build_station(StationConfig(demo=True), recorder=JournalRecorder(journal), journal=journal)
    window = station.window
    qtbot.addWidget(window)
    try:
        available = window.screen().availableGeometry()
        assert available.contains(window.geometry()), (window.geometry(), available)
        assert window.minimumWidth() <= available.width()
        station.start()
        # (offscreen's maximised window draws a fake 2 px frame inside the screen: sizes compared)
        assert window.width() <= available.width() and window.height() <= available.height()
    finally:
        close_station(qtbot, station)


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 800)])
def test_space_on_a_spoof_shows_the_whole_verdict(qtbot: QtBot, width: int, height: int) -> None:
    running = start_station(qtbot, scenario="spoof")
    try:
        window = running.window
        window.showNormal()
        window.fit_to_screen(QRect(0, 0, width, height))
        QApplication.processEvents()
        assert window.width() <= width and window.height() <= height
        report = capture(qtbot, running)
        assert report.kind is OutcomeKind.SPOOF
        QApplication.processEvents()
        banner = window.banner
        assert banner.title_text == "SPOOF"
        assert "Try once more" in banner.message_text
        assert banner_problems(banner, window, f"{width}x{height}") == []
        assert unfit_buttons(window) == []
    finally:
        close_station(qtbot, running)
