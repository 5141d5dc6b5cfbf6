"""The settings dialog: a validated copy, plain problems, the PIN for security fields, tokens."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from station.api import Environment
from station.application.tokens import NO_SECURE_STORE, TokenStore
from station.config import ResolvedSettings, Settings, resolve_settings
from station.config.policy import POLICY_KEY, RegistryPolicy
from station.ui.settings_dialog import SettingsDialog
from tests.config.fake_registry import HKEY_LOCAL_MACHINE, REG_DWORD, REG_SZ, FakeRegistry
from tests.keyrings import MemoryKeyring

BASE = Settings(station_id="branch-12", camera="device:0")


class PinCheck:
    """Records what the dialog asked the PIN for (in the words the PIN prompt shows), and answers."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def __call__(self, action: str) -> bool:
        self.calls.append(action)
        return self.answer


_made: list[SettingsDialog] = []


@pytest.fixture(autouse=True)
def _background_work_ends_with_the_test(qtbot: QtBot) -> Iterator[None]:
    """Opening a dialog lists cameras and reads the keyring in the background: let that finish."""
    yield
    while _made:
        _idle(qtbot, _made.pop())


def _track(qtbot: QtBot, dialog: SettingsDialog) -> SettingsDialog:
    qtbot.addWidget(dialog)
    _made.append(dialog)
    return dialog


def _dialog(qtbot: QtBot, settings: Settings | ResolvedSettings = BASE, **kwargs: Any) -> SettingsDialog:
    kwargs.setdefault("environ", {})
    kwargs.setdefault("camera_lister", lambda: [(0, "Fake USB camera"), (2, "Document camera")])
    return _track(qtbot, SettingsDialog(settings, **kwargs))


def _idle(qtbot: QtBot, dialog: SettingsDialog) -> None:
    waiting = asyncio.ensure_future(dialog.wait_idle())
    qtbot.waitUntil(waiting.done, timeout=10_000)
    waiting.result()
    assert not dialog.busy


def _edit(dialog: SettingsDialog, name: str) -> QLineEdit:
    widget = dialog.fields[name]
    assert isinstance(widget, QLineEdit)
    return widget


def _jwt(exp: datetime) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'exp': int(exp.timestamp())})}.c2lnbmF0dXJl"


def test_ok_gives_a_validated_copy_and_leaves_the_original_alone(qtbot: QtBot) -> None:
    check = PinCheck(True)
    dialog = _dialog(qtbot, pin_check=check)
    dialog.open()
    _edit(dialog, "station_id").setText("  branch-12-desk-3 ")
    kiosk = dialog.fields["kiosk"]
    assert isinstance(kiosk, QCheckBox)
    kiosk.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        dialog.ok_button.click()
    result = dialog.result_settings()
    assert result is not None
    assert result.station_id == "branch-12-desk-3"
    assert result.kiosk is True
    assert BASE.station_id == "branch-12" and BASE.kiosk is False
    assert dialog.changes() == {"station_id": "branch-12-desk-3", "kiosk": True}
    # Both decide who can leave the station and which station the evidence names: the PIN.
    assert check.calls == ["change kiosk mode (full screen) and station id"]


def test_an_untouched_dialog_changes_nothing(qtbot: QtBot) -> None:
    tricky = BASE.with_changes(liveness_threshold=0.1234567891, review_upper=0.95)
    check = PinCheck(False)
    dialog = _dialog(qtbot, tricky, pin_check=check)
    dialog.open()
    dialog.ok_button.click()
    assert dialog.result_settings() == tricky
    assert dialog.changes() == {}
    assert check.calls == []


@pytest.mark.parametrize(
    ("name", "typed", "problem"),
    [
        ("liveness_threshold", "1.7", "Must be between 0 and 1, got 1.7"),
        ("liveness_threshold", "high", "Must be a number, got 'high'"),
        ("connect_timeout", "-1", "Must be positive, got -1"),
        ("ca_bundle", "/nowhere/bank-ca.pem", "/nowhere/bank-ca.pem does not exist"),
        ("base_url", "http://gateway.bank.example", "Plain http:// is only allowed to this machine"),
        ("station_id", "   ", "Must not be empty"),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_and_the_dialog_stays_open(
    qtbot: QtBot, name: str, typed: str, problem: str
) -> None:
    check = PinCheck(True)
    dialog = _dialog(qtbot, pin_check=check)
    dialog.open()
    _edit(dialog, name).setText(typed)
    dialog.ok_button.click()
    assert problem in dialog.problem_text(name)
    assert "need" in dialog.summary_label.text()
    assert dialog.isVisible()
    assert dialog.result_settings() is None
    assert check.calls == []  # nothing is authorised before it is valid

    # Fixed, the problem goes away and OK works.
    _edit(dialog, name).setText(dialog_value := _shown_default(name))
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        dialog.ok_button.click()
    assert dialog.problem_text(name) == ""
    assert dialog_value is not None


def _shown_default(name: str) -> str:
    value = getattr(BASE, name)
    return "" if value is None else str(value)


def test_a_decimal_comma_is_understood(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, pin_check=PinCheck(True))
    dialog.open()
    _edit(dialog, "read_timeout").setText("12,5")
    dialog.ok_button.click()
    result = dialog.result_settings()
    assert result is not None and result.read_timeout == 12.5


def test_a_problem_between_two_fields_is_shown_in_plain_words(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, pin_check=PinCheck(True))
    dialog.open()
    _edit(dialog, "liveness_threshold").setText("0.9")
    _edit(dialog, "review_upper").setText("0.8")
    dialog.ok_button.click()
    text = dialog.problem_text("review_upper")
    assert "must be above “liveness threshold”" in text.lower()
    assert "liveness_threshold" not in text
    assert dialog.isVisible()


def test_a_security_change_needs_the_pin_and_is_refused_without_it(qtbot: QtBot) -> None:
    refuse = PinCheck(False)
    dialog = _dialog(qtbot, pin_check=refuse)
    dialog.open()
    _edit(dialog, "liveness_threshold").setText("0.9")
    _edit(dialog, "station_id").setText("desk-9")
    dialog.ok_button.click()
    assert refuse.calls == ["change liveness threshold and station id"]
    summary = dialog.summary_label.text()
    assert "administrator PIN is needed to change liveness threshold, station id" in summary
    assert dialog.isVisible()
    assert dialog.result_settings() is None

    refuse.answer = True
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        dialog.ok_button.click()
    result = dialog.result_settings()
    assert result is not None and result.liveness_threshold == 0.9
    assert refuse.calls[-1] == "change liveness threshold and station id"


def test_every_security_field_is_guarded(qtbot: QtBot) -> None:
    check = PinCheck(True)
    dialog = _dialog(qtbot, pin_check=check)
    dialog.open()
    environment = dialog.fields["environment"]
    assert isinstance(environment, QComboBox)
    environment.setCurrentIndex(environment.findData("production"))
    _edit(dialog, "base_url").setText("https://gateway.bank.example/surepass")
    retention = dialog.fields["audit_retention_days"]
    retention.setValue(365)  # type: ignore[attr-defined]
    dialog.ok_button.click()
    (asked,) = check.calls
    # The environment follows the station's mode (machine policy): never changed here.
    assert not environment.isEnabled()
    assert asked == "change keep audit records (days) and service address (override)"
    assert "_" not in asked  # the labels the dialog shows, never internal field names


def test_the_camera_and_the_proxy_need_the_pin(qtbot: QtBot) -> None:
    check = PinCheck(False)
    dialog = _dialog(qtbot, pin_check=check)
    dialog.open()
    _edit(dialog, "proxy").setText("http://proxy.bank.example:8080")
    _edit(dialog, "camera").setText("image:/home/teller/photo.jpg")
    dialog.ok_button.click()
    assert check.calls == ["change camera and proxy"]
    assert dialog.result_settings() is None


def test_without_a_pin_check_every_guarded_change_is_refused(qtbot: QtBot) -> None:
    dialog = _track(qtbot, SettingsDialog(BASE, camera_lister=list))
    dialog.open()
    _edit(dialog, "station_id").setText("desk-9")
    dialog.ok_button.click()
    assert dialog.result_settings() is None
    assert "administrator PIN is needed" in dialog.summary_label.text()


def test_fields_set_by_policy_are_disabled_and_say_so(qtbot: QtBot) -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.8", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "kiosk", 1, REG_DWORD)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "jpeg_quality", 85, REG_DWORD)
    resolved = resolve_settings(policy_sources=[RegistryPolicy(registry)], environ={"STATION_DEADLINE": "20"})
    check = PinCheck(False)
    dialog = _track(qtbot, SettingsDialog(resolved, pin_check=check, camera_lister=list))
    dialog.open()
    for name in ("liveness_threshold", "kiosk", "deadline"):
        assert dialog.is_read_only(name), name
        assert not dialog.fields[name].isEnabled()
    assert not dialog.is_read_only("jpeg_quality")  # recommended: a default someone may change
    assert not dialog.is_read_only("station_id")
    assert dialog.notes["liveness_threshold"].text().startswith("Set by your organisation")
    assert "development override" in dialog.notes["deadline"].text()
    assert _edit(dialog, "liveness_threshold").text() == "0.8"
    _edit(dialog, "liveness_threshold").setText("0.1")  # programmatic; a person cannot type here
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        dialog.ok_button.click()
    result = dialog.result_settings()
    assert result is not None and result.liveness_threshold == 0.8
    assert check.calls == []
    assert "liveness_threshold" not in dialog.changes()


def test_network_check_sends_the_settings_as_entered(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, pin_check=PinCheck(True))
    dialog.open()
    _edit(dialog, "proxy").setText("http://proxy.bank.example:8080")
    with qtbot.waitSignal(dialog.network_check_requested, timeout=2_000) as blocker:
        dialog.netcheck_button.click()
    assert blocker.args[0].proxy == "http://proxy.bank.example:8080"
    assert dialog.isVisible()

    received: list[object] = []
    dialog.network_check_requested.connect(received.append)
    _edit(dialog, "proxy").setText("ftp://nope")
    dialog.netcheck_button.click()
    assert received == []
    assert "Must be a URL such as" in dialog.problem_text("proxy")


def test_detected_cameras_fill_the_list_off_the_ui_thread(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, pin_check=PinCheck(True))
    with qtbot.waitSignal(dialog.cameras_listed, timeout=10_000):
        dialog.show()
    combo = dialog.camera_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert "Camera 2: Document camera" in items
    combo.activated.emit(items.index("Camera 2: Document camera"))
    assert _edit(dialog, "camera").text() == "device:2"
    _idle(qtbot, dialog)


def test_token_status_without_a_secure_store(qtbot: QtBot) -> None:
    check = PinCheck(True)
    dialog = _dialog(qtbot, pin_check=check)
    with qtbot.waitSignal(dialog.tokens_updated, timeout=10_000):
        dialog.show()
    assert NO_SECURE_STORE in dialog.tokens.labels[Environment.SANDBOX].text()
    assert not dialog.tokens.set_token(Environment.SANDBOX)
    assert dialog.tokens.message.text() == NO_SECURE_STORE
    assert check.calls == []
    _idle(qtbot, dialog)


def test_an_expiring_env_token_is_warned_about(qtbot: QtBot) -> None:
    token = _jwt(datetime.now(UTC) + timedelta(days=3, hours=2))
    dialog = _dialog(qtbot, pin_check=PinCheck(True), environ={"SUREPASS_PRODUCTION_TOKEN": token})
    with qtbot.waitSignal(dialog.tokens_updated, timeout=10_000):
        dialog.tokens.refresh()
    status = dialog.tokens.labels[Environment.PRODUCTION].text()
    assert status.startswith("Enrolled (environment variable SUREPASS_PRODUCTION_TOKEN); expires ")
    warning = dialog.tokens.warnings[Environment.PRODUCTION]
    assert not warning.isHidden()
    assert "expires in 3 days" in warning.text()
    assert dialog.tokens.warnings[Environment.SANDBOX].isHidden()
    assert token not in status


def test_setting_and_clearing_a_token_needs_the_pin(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    token = _jwt(datetime.now(UTC) + timedelta(days=90))
    check = PinCheck(False)
    prompts: list[Environment] = []

    def prompt(environment: Environment) -> str:
        prompts.append(environment)
        return token

    dialog = _dialog(qtbot, pin_check=check, token_prompt=prompt)
    assert not dialog.tokens.set_token(Environment.SANDBOX)
    assert check.calls == ["change the sandbox service token"]
    assert prompts == []  # the secret is not even asked for without the PIN
    assert memory_keyring.store == {}

    check.answer = True
    with qtbot.waitSignal(dialog.tokens_updated, timeout=10_000):
        assert dialog.tokens.set_token(Environment.SANDBOX)
    assert memory_keyring.store == {("station", "sandbox"): token}
    assert dialog.tokens.labels[Environment.SANDBOX].text().startswith("Enrolled (OS keyring)")
    assert "stored in the OS keyring" in dialog.tokens.message.text()
    assert TokenStore(environ={}).status(Environment.SANDBOX).source == "OS keyring"

    with qtbot.waitSignal(dialog.tokens_updated, timeout=10_000):
        assert dialog.tokens.clear_token(Environment.SANDBOX)
    assert memory_keyring.store == {}
    assert dialog.tokens.labels[Environment.SANDBOX].text() == "Not enrolled"
    _idle(qtbot, dialog)


def test_a_token_with_spaces_is_not_stored(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = _dialog(qtbot, pin_check=PinCheck(True), token_prompt=lambda _env: "abc def")
    assert not dialog.tokens.set_token(Environment.SANDBOX)
    assert "nothing stored" in dialog.tokens.message.text()
    assert memory_keyring.store == {}


def test_every_shipping_target_is_offered() -> None:
    """A target the station can ship to (RELP included) is one the administrator can choose."""
    from station.ship.config import TargetKind
    from station.ui.settings_fields import CHOICES

    assert {data for data, _text in CHOICES["ship_target"]} == {kind.value for kind in TargetKind}
