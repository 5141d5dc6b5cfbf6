"""Administrator actions on the running station: settings applied without a restart, guarded close."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QSpinBox
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.settings_store import SettingsStore
from station.config import AdminSettingsFile, Origin, ResolvedSettings, resolve_settings
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from station.security.lockout import PinLedger
from station.security.people import AdminApproval, People, PinGuard
from station.security.pin import hash_pin
from station.ui.admin import AdminActions
from station.ui.pin_dialog import PinDialog
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
    assert station.verifier.policy.liveness_threshold == 0.99  # inside the trusted side
    assert station.window.gate.enabled
    assert station.client is old_client  # the service settings did not change: same connection
    station.window.next_customer()
    report = capture(qtbot, station)
    assert report.kind is OutcomeKind.SPOOF
    assert report.outcome is not None
    assert report.outcome.station_threshold == 0.99


ADMIN_PIN = "482913"


class PinGiven(AdminActions):
    """The administrator's actions with the PIN prompt answered (the PIN dialog has its own tests)."""

    def require_pin(self, action: str) -> AdminApproval | None:
        self.asked = [*getattr(self, "asked", []), action]
        approval, _tries_left = self.guard.approve_admin(ADMIN_PIN, action)  # the real guard's check
        return approval


def admin_for(tmp_path: Path, apply: object, *, persist: bool = True) -> PinGiven:
    key = b"k" * 32
    admin_file = AdminSettingsFile(tmp_path / "machine" / "admin-settings.toml", lambda: key)
    user_file = tmp_path / "user" / "settings.toml"
    store = SettingsStore(
        lambda: resolve_settings(admin_file=admin_file, user_file=user_file),
        admin_file=admin_file,
        user_file=user_file,
        guard=(guard := PinGuard(People(hash_pin(ADMIN_PIN)), PinLedger(tmp_path / "pins.sqlite3"))),
        persist=persist,
    )
    return PinGiven(store, apply, parent=lambda: None, guard=guard)  # type: ignore[arg-type]


def change_quality(qtbot: QtBot, admin: AdminActions, value: int) -> None:
    admin.open_settings()
    dialog = admin._dialogs[-1]
    assert isinstance(dialog, SettingsDialog)
    qtbot.addWidget(dialog)
    quality = dialog.fields["jpeg_quality"]
    assert isinstance(quality, QSpinBox)
    quality.setValue(value)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.ok_button.click()
    assert admin.applying is not None
    qtbot.waitUntil(admin.applying.done, timeout=5_000)
    run(qtbot, dialog.wait_idle())


def test_settings_dialog_saves_with_the_pin_and_applies(qtbot: QtBot, tmp_path: Path) -> None:
    applied: list[ResolvedSettings] = []

    async def apply(resolved: ResolvedSettings) -> None:
        applied.append(resolved)

    admin = admin_for(tmp_path, apply)
    change_quality(qtbot, admin, 80)
    assert admin.asked == ["change jpeg quality"]
    assert [r.settings.jpeg_quality for r in applied] == [80]
    assert applied[0].origin("jpeg_quality") is Origin.ADMINISTRATOR
    saved = (tmp_path / "machine" / "admin-settings.toml").read_text()
    assert "jpeg_quality = 80" in saved
    assert "# hmac-sha256 = " in saved
    assert not (tmp_path / "user" / "settings.toml").exists()  # the operator's file holds no security field


def test_demo_settings_are_never_written(qtbot: QtBot, tmp_path: Path) -> None:
    applied: list[ResolvedSettings] = []

    async def apply(resolved: ResolvedSettings) -> None:
        applied.append(resolved)

    admin = admin_for(tmp_path, apply, persist=False)
    change_quality(qtbot, admin, 70)
    assert [r.settings.jpeg_quality for r in applied] == [70]
    assert not (tmp_path / "machine").exists()
    assert not (tmp_path / "user").exists()


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


def test_demo_mode_keeps_its_own_journal(tmp_path: Path) -> None:
    from station.app import StationConfig
    from station.application.factory import open_recorder

    real_path = tmp_path / "audit.sqlite3"
    for config in (StationConfig(demo=True, audit_db=real_path), StationConfig(demo=True, audit_db=None)):
        _recorder, journal = open_recorder(config)
        assert journal is not None
        try:
            assert journal.path.name.startswith("demo-")
        finally:
            journal.close()
    assert not real_path.exists()


def _answer_pin_dialog(pin: str) -> list[QDialog]:
    """Type ``pin`` into the administrator's PIN dialog once its ``exec()`` shows it."""
    seen: list[QDialog] = []

    def tick() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, PinDialog):
            QTimer.singleShot(10, tick)
            return
        seen.append(modal)
        modal.pin_edit.setText(pin)
        modal.ok_button.click()

    QTimer.singleShot(0, tick)
    return seen


def test_the_settings_dialogs_pin_is_the_approval_the_store_redeems(qtbot: QtBot, tmp_path: Path) -> None:
    """No stand-in for the PIN: the real PIN dialog's approval reaches the store and saves."""

    async def apply(_resolved: ResolvedSettings) -> None:
        return None

    admin = admin_for(tmp_path, apply)
    real = AdminActions(admin.store, apply, parent=lambda: None, guard=admin.guard)
    seen = _answer_pin_dialog(ADMIN_PIN)
    change_quality(qtbot, real, 81)
    assert len(seen) == 1
    assert "jpeg_quality = 81" in (tmp_path / "machine" / "admin-settings.toml").read_text()


class ForgedPin(AdminActions):
    """A caller that skips the PIN dialog and makes up its own approval."""

    def require_pin(self, action: str) -> AdminApproval | None:
        return AdminApproval(action, time.monotonic())


def test_a_made_up_approval_saves_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    applied: list[ResolvedSettings] = []

    async def apply(resolved: ResolvedSettings) -> None:
        applied.append(resolved)

    admin = admin_for(tmp_path, apply)
    forged = ForgedPin(admin.store, apply, parent=lambda: None, guard=admin.guard)
    forged.open_settings()
    dialog = forged._dialogs[-1]
    assert isinstance(dialog, SettingsDialog)
    qtbot.addWidget(dialog)
    quality = dialog.fields["jpeg_quality"]
    assert isinstance(quality, QSpinBox)
    quality.setValue(82)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.ok_button.click()  # the dialog was fooled; the store is not
    assert forged.applying is None and applied == []
    assert warned and "jpeg_quality: needs the administrator PIN" in warned[0]
    assert not (tmp_path / "machine" / "admin-settings.toml").exists()
    run(qtbot, dialog.wait_idle())
