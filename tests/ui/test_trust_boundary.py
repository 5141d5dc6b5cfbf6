"""The trust boundary on screen: the policy hash journaled, a stopped station, a camera that is
not live, development overrides marked, wrong PINs journaled."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import StationConfig, attach_admin, build_station
from station.application.readiness import POLICY_STOP_FIX
from station.application.recording import AttemptContext, JournalRecorder
from station.application.settings_store import SettingsStore
from station.audit import AuditJournal
from station.config import AdminSettingsFile, resolve_settings
from station.emulator import Emulator
from station.resources import sample_path
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from tests.ui.conftest import close_station, start_station
from tests.ui.test_station_flow import capture


def policy_rows(journal: AuditJournal) -> list[str]:
    return [row.record.notes or "" for row in reversed(journal.recent(50)) if row.record.kind == "policy"]


def run(qtbot: QtBot, work: object) -> None:
    task = asyncio.ensure_future(work)  # type: ignore[call-overload]
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()


def test_the_policy_hash_is_journaled_at_start_and_when_it_changes(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    station = start_station(qtbot, recorder=JournalRecorder(journal), journal=journal)
    try:
        qtbot.waitUntil(lambda: len(policy_rows(journal)) == 1, timeout=5_000)
        assert "effective policy sha256 none" in policy_rows(journal)[0]
        changed = dataclasses.replace(station.config, policy_hash="ab" * 32)
        run(qtbot, station.apply(changed))
        qtbot.waitUntil(lambda: len(policy_rows(journal)) == 2, timeout=5_000)
        assert f"effective policy sha256 {'ab' * 32}" in policy_rows(journal)[1]
        run(qtbot, station.apply(changed))  # the same policy again: nothing new to record
        assert len(policy_rows(journal)) == 2
    finally:
        close_station(qtbot, station)


def test_a_policy_that_cannot_be_used_stops_verification(qtbot: QtBot, journal: AuditJournal) -> None:
    reason = "Verification stopped: the station's policy or settings cannot be used (…). Call IT support."
    config = StationConfig(demo=True, blocked=reason)
    station = build_station(config, recorder=JournalRecorder(journal), journal=journal)
    qtbot.addWidget(station.window)
    station.start()
    try:
        qtbot.waitUntil(lambda: station.window.preview.latest_frame() is not None, timeout=10_000)
        qtbot.keyClick(station.window, Qt.Key.Key_Space)
        assert station.emulator is not None
        assert station.emulator.requests_received == 0
        assert station.window.banner.title_text == "Not ready"
        assert station.window.banner.message_text == POLICY_STOP_FIX  # short: the reason is journaled
        qtbot.waitUntil(lambda: len(policy_rows(journal)) == 1, timeout=5_000)
        (row,) = [r for r in journal.recent(10) if r.record.kind == "policy"]
        assert row.record.outcome == "ERROR"
        assert "verification stopped" in (row.record.notes or "")
    finally:
        close_station(qtbot, station)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(scenario="live") as running:
        yield running


def test_a_picture_as_the_camera_is_refused_and_marked(
    qtbot: QtBot, journal: AuditJournal, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", emulator.token)
    config = StationConfig(camera=f"image:{sample_path('face.jpg')}", base_url=emulator.base_url)
    station = build_station(config, recorder=JournalRecorder(journal), journal=journal)
    qtbot.addWidget(station.window)
    station.start()
    try:
        window = station.window
        qtbot.waitUntil(lambda: window.preview.latest_frame() is not None, timeout=10_000)
        assert window.preview.watermark is not None and "NOT A LIVE CAMERA" in window.preview.watermark
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert emulator.requests_received == 0
        assert "not a live camera" in window.banner.message_text
        allowed = dataclasses.replace(config, allow_non_live_camera=True)
        run(qtbot, station.apply(allowed))
        assert "NOT A LIVE CAMERA" in (window.preview.watermark or "")  # still marked
        report = capture(qtbot, station)
        assert report.final
        assert emulator.requests_received == 1
    finally:
        close_station(qtbot, station)


def test_development_overrides_are_marked(qtbot: QtBot, journal: AuditJournal) -> None:
    station = start_station(qtbot, recorder=JournalRecorder(journal), journal=journal)
    try:
        assert station.window.overrides_badge.isHidden()
        config = dataclasses.replace(station.config, dev_overrides=("STATION_LIVENESS_THRESHOLD",))
        run(qtbot, station.apply(config))
        assert not station.window.overrides_badge.isHidden()
        assert "STATION_LIVENESS_THRESHOLD" in station.window.overrides_badge.toolTip()
        qtbot.waitUntil(
            lambda: any("STATION_LIVENESS_THRESHOLD" in note for note in policy_rows(journal)), timeout=5_000
        )
    finally:
        close_station(qtbot, station)


def test_wrong_pins_are_journaled(qtbot: QtBot, journal: AuditJournal, tmp_path: Path) -> None:
    station = start_station(
        qtbot, recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")), journal=journal
    )
    try:
        admin_file = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"k" * 32)
        guard = PinGuard(People(hash_pin("482913")), PinLedger(tmp_path / "pins.sqlite3"))
        store = SettingsStore(
            lambda: resolve_settings(admin_file=admin_file),
            admin_file=admin_file,
            user_file=None,
            guard=guard,
        )
        attach_admin(station, store, guard, kiosk=False)
        from station.ui.pin_dialog import PinDialog

        dialog = PinDialog(guard, "close the station")
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.pin_edit.setText("111999")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: dialog.error_text().startswith("Wrong PIN"), timeout=10_000)
        qtbot.waitUntil(lambda: any(r.record.kind == "pin" for r in journal.recent(10)), timeout=5_000)
        (row,) = [r for r in journal.recent(10) if r.record.kind == "pin"]
        assert row.record.notes == "administrator: PIN wrong (close the station)"
        assert row.record.outcome == "REFUSED"
        assert "111999" not in repr(row)
        # The right PIN is on record too (issue 22: every attempt, wrong, locked out or right).
        dialog.pin_edit.setText("482913")
        with qtbot.waitSignal(dialog.accepted, timeout=10_000):
            dialog.ok_button.click()
        qtbot.waitUntil(
            lambda: len([r for r in journal.recent(10) if r.record.kind == "pin"]) == 2, timeout=5_000
        )
        newest = next(r for r in journal.recent(10) if r.record.kind == "pin")
        assert (newest.record.notes, newest.record.outcome) == (
            "administrator: PIN right (close the station)",
            "APPROVED",
        )
    finally:
        close_station(qtbot, station)
