"""Administrator actions on the running station: settings applied without a restart, guarded close."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QSpinBox
from pytestqt.qtbot import QtBot

from station.app import Station
from station.config import Settings, default_settings_path, load_settings
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from station.ui.admin import AdminActions
from station.ui.settings_dialog import SettingsDialog
from tests.ui.test_station_flow import capture


def run(qtbot: QtBot, coroutine: object) -> None:
    task = asyncio.ensure_future(coroutine)  # type: ignore[call-overload]
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()


def test_new_settings_apply_without_a_restart(qtbot: QtBot, station: Station) -> None:
    assert station.config is not None
    assert capture(qtbot, station).kind is OutcomeKind.LIVE
    old_client = station.client
    stricter = dataclasses.replace(
        station.config, policy=DecisionPolicy(liveness_threshold=0.99), quality_gate=True
    )
    run(qtbot, station.apply(stricter))
    assert station.controller.policy.liveness_threshold == 0.99
    assert station.window.gate.enabled
    assert station.client is old_client  # the service settings did not change: same connection
    station.window.next_customer()
    report = capture(qtbot, station)
    assert report.kind is OutcomeKind.SPOOF
    assert report.outcome is not None
    assert report.outcome.station_threshold == 0.99


def test_settings_dialog_saves_and_applies(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_CONFIG_DIR", str(tmp_path))
    applied: list[Settings] = []

    async def apply(settings: Settings) -> None:
        applied.append(settings)

    admin = AdminActions(load_settings(), apply, parent=lambda: None)
    admin.open_settings()
    (dialog,) = admin._dialogs
    assert isinstance(dialog, SettingsDialog)
    qtbot.addWidget(dialog)
    quality = dialog.fields["jpeg_quality"]
    assert isinstance(quality, QSpinBox)
    quality.setValue(80)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.ok_button.click()
    assert admin.applying is not None
    qtbot.waitUntil(admin.applying.done, timeout=5_000)
    assert [s.jpeg_quality for s in applied] == [80]
    assert "jpeg_quality = 80" in default_settings_path().read_text()
    run(qtbot, dialog.wait_idle())


def test_kiosk_close_needs_the_guard(qtbot: QtBot, station: Station) -> None:
    asked: list[bool] = []

    def guard() -> bool:
        asked.append(True)
        return len(asked) > 1

    window = station.window
    window.set_close_guard(guard)
    assert not window.close()
    assert window.isVisible()
    assert window.close()
    assert asked == [True, True]


def test_demo_mode_keeps_its_own_journal() -> None:
    from station.app import config_from_settings

    settings = load_settings()
    demo = config_from_settings(settings, demo=True)
    real = config_from_settings(settings)
    assert real.audit_db == settings.audit_db
    assert demo.audit_db is not None
    assert demo.audit_db.parent == settings.audit_db.parent
    assert demo.audit_db.name == f"demo-{settings.audit_db.name}"
