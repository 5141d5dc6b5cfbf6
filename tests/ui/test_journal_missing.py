"""The screen turns "Journal: missing" at once when the journal file is deleted or replaced under a
running window, and the desk refuses to capture (no paid call whose verdict could not be final).

Before, the station kept writing to the deleted file, showed "Journal: writable" and a final LIVE.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.health import JOURNAL_MISSING_FIX, Level, Part
from station.audit import AuditJournal
from tests.ui.conftest import AUDIT_KEY


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_the_strip_says_journal_missing_and_the_desk_refuses_to_capture(
    qtbot: QtBot, station: Station, journal: AuditJournal, tmp_path: Path, how: str
) -> None:
    window = station.window
    chip = window.health_strip.chips[Part.JOURNAL]
    assert chip.text() == "● Journal: writable"
    qtbot.waitUntil(lambda: journal.head() is not None, timeout=5_000)  # the start-up policy row
    rows_before = journal.head()
    if how == "deleted":
        journal.path.unlink()  # what the file dialog's context menu did
    else:
        with AuditJournal.open(tmp_path / "other" / "audit.sqlite3", AUDIT_KEY) as other:
            other_path = other.path
        os.replace(other_path, journal.path)
    qtbot.waitUntil(lambda: chip.text() == "■ Journal: missing", timeout=10_000)
    assert window.health.part(Part.JOURNAL).level is Level.BAD
    assert not window.health.ready
    assert chip.toolTip() == JOURNAL_MISSING_FIX
    assert "Journal bad: missing" in window.health_strip.accessibleDescription()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert station.emulator is not None
    assert station.emulator.requests_received == 0  # no paid call
    assert not station.controller.busy
    assert window.banner.message_text == JOURNAL_MISSING_FIX
    assert journal.head() == rows_before  # nothing written to the orphaned file


def test_a_station_started_over_a_deleted_journal_says_missing_and_refuses_to_capture(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A restart over a deleted journal no longer starts "Audit record #1": the journal is not
    opened, the strip says missing, and nothing is captured until an administrator acts."""
    from station.app import StationConfig, build_station
    from station.application.recording import open_journal
    from tests.audit.support import make_record
    from tests.ui.conftest import close_station

    demo_journal = tmp_path / "demo-audit.sqlite3"  # a demo station's journal: same rules
    with open_journal(demo_journal) as written:
        for i in range(35):
            written.append(make_record(i))
    demo_journal.unlink()
    station = build_station(StationConfig(demo=True, audit_db=tmp_path / "audit.sqlite3"))
    qtbot.addWidget(station.window)
    station.start()
    try:
        window = station.window
        chip = window.health_strip.chips[Part.JOURNAL]
        assert chip.text() == "■ Journal: missing"
        assert not demo_journal.exists()  # no new chain started
        qtbot.waitUntil(
            lambda: window.preview.latest_frame() is not None and window.camera_is_live, timeout=10_000
        )
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert station.emulator is not None and station.emulator.requests_received == 0
        assert window.banner.message_text == JOURNAL_MISSING_FIX
    finally:
        close_station(qtbot, station)
