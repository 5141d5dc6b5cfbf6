"""The PIN dialogs: real widgets, a real PIN guard and attempt count in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from station.security.lockout import LOCKOUT_AFTER, PinLedger
from station.security.people import NO_ADMIN_PIN, People, PinGuard
from station.security.pin import hash_pin
from station.ui.pin_dialog import PinDialog, ask_supervisor, require_admin_pin

PIN, SUP_PIN = "482916", "736204"


@pytest.fixture
def guard(tmp_path: Path) -> PinGuard:
    people = People(hash_pin(PIN), {"sup1": hash_pin(SUP_PIN)})
    return PinGuard(people, PinLedger(tmp_path / "pins.sqlite3"))


def _open(qtbot: QtBot, dialog: PinDialog) -> PinDialog:
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def _submit(qtbot: QtBot, dialog: PinDialog, pin: str, identity: str | None = None) -> None:
    if identity is not None:
        dialog.id_edit.setText(identity)
    dialog.pin_edit.setText(pin)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.checking and dialog.ok_button.isEnabled(), timeout=10_000)


def test_the_right_pin_accepts_and_the_field_is_cleared(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "change liveness threshold"))
    assert dialog.reason_label.text() == "The administrator PIN is needed to change liveness threshold."
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.pin_edit.setText(PIN)
        dialog.ok_button.click()
    assert dialog.pin_edit.text() == ""


def test_the_pin_field_takes_digits_only(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "close the station"))
    qtbot.keyClicks(dialog.pin_edit, "12ab3-4")
    assert dialog.pin_edit.text() == "1234"


def test_a_wrong_pin_says_how_many_tries_are_left_and_stays_open(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "close the station"))
    finished: list[int] = []
    dialog.finished.connect(finished.append)
    _submit(qtbot, dialog, "111999")
    assert dialog.error_text() == f"Wrong PIN: {LOCKOUT_AFTER - 1} tries left"
    _submit(qtbot, dialog, "111998")
    assert dialog.error_text() == f"Wrong PIN: {LOCKOUT_AFTER - 2} tries left"
    assert dialog.isVisible() and finished == []
    assert dialog.pin_edit.text() == ""


def test_five_wrong_pins_lock_even_the_right_one(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "close the station"))
    for attempt in range(LOCKOUT_AFTER):
        _submit(qtbot, dialog, f"11199{attempt}")
    assert "locked for 5 more minutes" in dialog.error_text()
    _submit(qtbot, dialog, PIN)
    assert "locked" in dialog.error_text()
    assert dialog.isVisible()


def test_an_empty_pin_is_not_checked(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "close the station"))
    dialog.ok_button.click()
    assert dialog.error_text() == "Enter the PIN."
    assert not dialog.checking


def test_a_supervisor_gives_their_id_and_their_own_pin(qtbot: QtBot, guard: PinGuard) -> None:
    dialog = _open(qtbot, PinDialog(guard, "confirm this borderline result as live", supervisor=True))
    assert dialog.reason_label.text().startswith("A supervisor's PIN is needed")
    dialog.pin_edit.setText(SUP_PIN)
    dialog.ok_button.click()
    assert dialog.error_text() == "Enter the supervisor's id."
    _submit(qtbot, dialog, PIN, identity="sup1")  # the administrator's PIN is not sup1's
    assert dialog.error_text().startswith("Wrong PIN")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.id_edit.setText("sup1")
        dialog.pin_edit.setText(SUP_PIN)
        dialog.ok_button.click()
    assert dialog.approved_by == "sup1"


def _answer_modal(answer: Callable[[QDialog], None]) -> list[QDialog]:
    """Answer the modal dialog once ``exec()`` shows it; cancel it after five seconds regardless."""
    seen: list[QDialog] = []

    def tick() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QDialog):
            QTimer.singleShot(10, tick)
            return
        seen.append(modal)
        answer(modal)
        QTimer.singleShot(
            5_000, lambda: modal.reject() if shiboken6.isValid(modal) and modal.isVisible() else None
        )

    QTimer.singleShot(0, tick)
    return seen


def test_require_admin_pin_checks_the_pin(qtbot: QtBot, guard: PinGuard) -> None:
    def right(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin_edit.setText(PIN)
        dialog.ok_button.click()

    seen = _answer_modal(right)
    approval = require_admin_pin(None, guard, "close the station")
    assert approval is not None and approval.action == "close the station"
    assert len(seen) == 1
    assert guard.redeem(approval)  # the guard's own approval, good once
    assert not guard.redeem(approval)

    def cancel(dialog: QDialog) -> None:
        dialog.reject()

    _answer_modal(cancel)
    assert require_admin_pin(None, guard, "close the station") is None

    def wrong_then_cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin_edit.setText("111999")
        dialog.ok_button.click()
        dialog.wait_checked()
        dialog.reject()

    _answer_modal(wrong_then_cancel)
    assert require_admin_pin(None, guard, "close the station") is None  # a wrong PIN approves nothing


def test_no_screen_offers_to_create_the_administrator_pin(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: said.append(text))
    nobody = PinGuard(People(), PinLedger(tmp_path / "pins.sqlite3"))
    assert require_admin_pin(None, nobody, "close the station") is None
    assert said == [NO_ADMIN_PIN]
    assert QApplication.activeModalWidget() is None


def test_ask_supervisor_collects_what_they_typed_for_the_trusted_side(qtbot: QtBot) -> None:
    def approve(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.id_edit.setText(" sup1 ")
        dialog.pin_edit.setText("000000")  # not checked here: the trusted side checks it
        dialog.ok_button.click()

    _answer_modal(approve)
    given = ask_supervisor(None, "confirm this borderline result as live")
    assert given is not None and (given.supervisor_id, given.secret) == ("sup1", "000000")
    assert "000000" not in repr(given)  # the PIN never reaches a log
    _answer_modal(lambda dialog: dialog.reject())
    assert ask_supervisor(None, "confirm this borderline result as live") is None


def test_ask_supervisor_needs_an_id_and_a_pin(qtbot: QtBot) -> None:
    dialog = _open(qtbot, PinDialog(None, "reject this borderline result", supervisor=True))
    dialog.pin_edit.setText("123456")
    dialog.ok_button.click()
    assert dialog.error_text() == "Enter the supervisor's id." and dialog.isVisible()
    dialog.id_edit.setText("sup1")
    dialog.ok_button.click()
    assert dialog.error_text() == "Enter the PIN." and dialog.isVisible()  # the field was cleared
    assert dialog.credentials is None
