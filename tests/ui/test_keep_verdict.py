"""F6 in the real window: the verdict stays for another timeout, and the operator is told (WCAG 2.2.1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from tests.ui.test_station_flow import capture


def test_f6_keeps_the_verdict_and_says_so(qtbot: QtBot, station: Station) -> None:
    window = station.window
    qtbot.keyClick(window, Qt.Key.Key_F6)  # no verdict yet: nothing happens, nothing is said
    assert "longer" not in window.statusBar().currentMessage()
    capture(qtbot, station)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert "The verdict stays 60 s longer (9 more allowed)." in window.statusBar().currentMessage()
    assert station.controller.desk.verdict_time.extra_s == 60.0
    assert window.preview.is_frozen  # still the verdict on screen
