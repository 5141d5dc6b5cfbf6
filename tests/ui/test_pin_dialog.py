"""The administrator PIN dialogs: real widgets, a PIN file in tmp_path and a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from station.security.pin import LOCKOUT_AFTER, AdminPin
from station.ui.pin_dialog import PinCreateDialog, PinDialog, require_admin_pin

PIN = "482916"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _pin(tmp_path: Path, clock: FakeClock, *, set_to: str | None = PIN) -> AdminPin:
    pin = AdminPin.load(tmp_path / "admin_pin.json", clock=clock)
    if set_to is not None:
        pin.set_pin(set_to)
    return pin


def _open(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_the_right_pin_accepts(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    dialog = PinDialog(_pin(tmp_path, clock), "Changing the threshold needs the PIN.", clock=clock)
    _open(qtbot, dialog)
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.pin_edit.accessibleName() == "Administrator PIN"
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.pin_edit.setText(PIN)
        dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.pin_edit.text() == ""


def test_the_pin_field_takes_digits_only(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PinDialog(_pin(tmp_path, FakeClock(), set_to=None))
    _open(qtbot, dialog)
    qtbot.keyClicks(dialog.pin_edit, "12ab3-4")
    assert dialog.pin_edit.text() == "1234"


def test_a_wrong_pin_says_how_many_tries_are_left_and_stays_open(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    dialog = PinDialog(_pin(tmp_path, clock), clock=clock)
    _open(qtbot, dialog)
    rejected: list[int] = []
    dialog.finished.connect(rejected.append)
    dialog.pin_edit.setText("111999")
    dialog.ok_button.click()
    assert dialog.error_text() == f"Wrong PIN: {LOCKOUT_AFTER - 1} tries left"
    dialog.pin_edit.setText("111998")
    dialog.ok_button.click()
    assert dialog.error_text() == f"Wrong PIN: {LOCKOUT_AFTER - 2} tries left"
    assert dialog.isVisible()
    assert rejected == []
    assert dialog.pin_edit.text() == ""


def test_five_wrong_pins_lock_and_the_right_pin_is_refused_until_the_lock_ends(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FakeClock()
    pin = _pin(tmp_path, clock)
    dialog = PinDialog(pin, clock=clock)
    _open(qtbot, dialog)
    for attempt in range(LOCKOUT_AFTER):
        dialog.pin_edit.setText(f"13579{attempt}")
        dialog.ok_button.click()
    assert dialog.error_text() == "Too many wrong PINs: locked for 5 more minutes"

    clock.now += timedelta(minutes=1)
    dialog.pin_edit.setText(PIN)
    dialog.ok_button.click()
    assert dialog.error_text() == "Too many wrong PINs: locked for 4 more minutes"
    assert dialog.isVisible()

    # A dialog opened while locked says so at once.
    again = PinDialog(pin, clock=clock)
    _open(qtbot, again)
    assert again.error_text() == "Too many wrong PINs: locked for 4 more minutes"

    clock.now += timedelta(minutes=4, seconds=1)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.pin_edit.setText(PIN)
        dialog.ok_button.click()


def test_an_empty_pin_is_not_checked(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    pin = _pin(tmp_path, clock)
    dialog = PinDialog(pin, clock=clock)
    _open(qtbot, dialog)
    dialog.ok_button.click()
    assert dialog.error_text() == "Enter the administrator PIN."
    assert pin.failed_attempts == 0


def test_creating_a_pin_needs_it_twice_and_follows_the_rule(qtbot: QtBot, tmp_path: Path) -> None:
    pin = _pin(tmp_path, FakeClock(), set_to=None)
    dialog = PinCreateDialog(pin, "to change the threshold")
    _open(qtbot, dialog)
    assert "6 to 12 digits" in dialog.rule_label.text()

    dialog.new_edit.setText(PIN)
    dialog.confirm_edit.setText("482917")
    dialog.ok_button.click()
    assert "not the same" in dialog.error_text()

    dialog.new_edit.setText("123456")
    dialog.confirm_edit.setText("123456")
    dialog.ok_button.click()
    assert dialog.error_text() == "The PIN must not be a run of consecutive digits."
    assert not pin.is_set
    assert dialog.isVisible()

    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.new_edit.setText(PIN)
        dialog.confirm_edit.setText(PIN)
        dialog.ok_button.click()
    assert pin.is_set
    assert pin.verify(PIN)


def _answer_modal(qtbot: QtBot, answer: object, seen: list[QDialog]) -> None:
    """Fill and confirm the modal dialog once ``exec()`` has shown it (checked on each timer tick)."""

    def tick() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QDialog) or modal in seen:
            QTimer.singleShot(10, tick)
            return
        seen.append(modal)
        assert callable(answer)
        try:
            answer(modal)
        finally:  # a failed check must not leave exec() waiting until the test times out
            if modal.isVisible():
                modal.reject()

    QTimer.singleShot(0, tick)


def test_require_admin_pin_asks_to_create_a_pin_when_none_is_set(qtbot: QtBot, tmp_path: Path) -> None:
    pin = _pin(tmp_path, FakeClock(), set_to=None)
    seen: list[QDialog] = []

    def create(dialog: PinCreateDialog) -> None:
        assert isinstance(dialog, PinCreateDialog)
        dialog.new_edit.setText(PIN)
        dialog.confirm_edit.setText(PIN)
        dialog.ok_button.click()

    _answer_modal(qtbot, create, seen)
    assert require_admin_pin(None, pin, "to change the threshold") is True
    assert pin.is_set


def test_require_admin_pin_refuses_when_creation_is_cancelled(qtbot: QtBot, tmp_path: Path) -> None:
    pin = _pin(tmp_path, FakeClock(), set_to=None)
    seen: list[QDialog] = []

    def cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, PinCreateDialog)
        dialog.reject()

    _answer_modal(qtbot, cancel, seen)
    assert require_admin_pin(None, pin, "to change the threshold") is False
    assert not pin.is_set


def test_require_admin_pin_checks_an_existing_pin(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    pin = _pin(tmp_path, clock)
    seen: list[QDialog] = []

    def wrong_then_cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin_edit.setText("999111")
        dialog.ok_button.click()
        assert dialog.error_text().startswith("Wrong PIN")
        dialog.reject()

    _answer_modal(qtbot, wrong_then_cancel, seen)
    assert require_admin_pin(None, pin, "reason") is False

    def right(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin_edit.setText(PIN)
        dialog.ok_button.click()

    _answer_modal(qtbot, right, seen)
    assert require_admin_pin(None, pin, "reason") is True
