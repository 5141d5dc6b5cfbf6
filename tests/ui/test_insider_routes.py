"""Issue 22, failures 2 and 6 from the kiosk's keyboard: the settings and their file dialogs on a
production station, and a supervisor who is the operator under another spelling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from station.application.settings_store import SettingsStore
from station.config import AdminSettingsFile, resolve_settings
from station.security.lockout import PinLedger
from station.security.people import AdminApproval, People, PinGuard
from station.security.pin import hash_pin
from station.ui.admin import AdminActions
from station.ui.settings_dialog import SettingsDialog

ADMIN_PIN = "482913"


def _idle(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """The dialog reads tokens and lists cameras in the background: let that end with the test."""
    waiting = asyncio.ensure_future(dialog.wait_idle())
    qtbot.waitUntil(waiting.done, timeout=10_000)
    waiting.result()


class PinAnswered(AdminActions):
    """The administrator's actions with the PIN prompt answered ``answer``."""

    answer = False

    def require_pin(self, action: str) -> AdminApproval | None:
        self.asked = [*getattr(self, "asked", []), action]
        return self.guard.approve_admin(ADMIN_PIN if self.answer else "000000", action)[0]


def _admin(tmp_path: Path, *, installed: bool, answer: bool) -> PinAnswered:
    admin_file = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"k" * 32)

    async def apply(_resolved: object) -> None:
        return None

    guard = PinGuard(People(hash_pin(ADMIN_PIN)), PinLedger(tmp_path / "pins.sqlite3"))
    store = SettingsStore(
        lambda: resolve_settings(admin_file=admin_file, installed=installed),
        admin_file=admin_file,
        user_file=None,
        guard=guard,
    )
    admin = PinAnswered(store, apply, parent=lambda: None, guard=guard)
    admin.answer = answer
    return admin


def test_production_settings_open_only_with_the_administrator_pin(qtbot: QtBot, tmp_path: Path) -> None:
    refused = _admin(tmp_path, installed=True, answer=False)
    refused.open_settings()
    assert refused.asked == ["open the settings"]
    assert not any(isinstance(d, SettingsDialog) for d in refused._dialogs)
    development = _admin(tmp_path, installed=False, answer=False)
    development.open_settings()
    assert getattr(development, "asked", []) == []  # a developer's own checkout
    dialogs = [d for d in development._dialogs if isinstance(d, SettingsDialog)]
    assert len(dialogs) == 1
    qtbot.addWidget(dialogs[0])
    _idle(qtbot, dialogs[0])


def test_no_file_dialog_reaches_the_stations_folders_in_production(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure 2: Settings ▸ Audit journal file ▸ Browse… opened Qt's file dialog in the machine
    data folder, whose context menu deleted audit.sqlite3."""
    opened: list[str] = []

    def dialog(kind: str) -> object:
        def opens(*_args: object, **_kwargs: object) -> tuple[str, str]:
            opened.append(kind)
            return "", ""

        return opens

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog("save"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog("open"))
    production = SettingsDialog(resolve_settings(installed=True), pin_check=lambda _action: True)
    qtbot.addWidget(production)
    for name in ("audit_db", "ca_bundle"):
        assert getattr(production, f"{name}_browse_button", None) is None
        assert production.is_read_only(name)
        production._browse(name, production.fields[name])  # type: ignore[arg-type]
    assert opened == []
    development = SettingsDialog(resolve_settings(installed=False), pin_check=lambda _action: True)
    qtbot.addWidget(development)
    development.audit_db_browse_button.click()  # type: ignore[attr-defined]
    assert opened == ["save"]
    for made in (production, development):
        _idle(qtbot, made)
