"""Dialogs for the administrator PIN: entering it, and creating it the first time.

:func:`require_admin_pin` is what the rest of the UI calls before a security-relevant change. It
never allows silently: with no PIN set yet it asks to *create* one first (new PIN twice, with the
PIN rule); a wrong PIN keeps the dialog open with the tries left; a locked PIN says for how long.
A damaged PIN file fails closed (the change is refused and the reason shown).

The PIN is only ever held in the line edit and passed to :class:`~station.security.pin.AdminPin`;
it is never logged or shown.

Trust on first use, said plainly: whoever opens a security setting on a station that has no PIN
yet creates it. Set the PIN when the station is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.security.pin import (
    LOCKOUT_AFTER,
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    AdminPin,
    PinError,
    PinLockedError,
    PinNotSetError,
    check_pin_rule,
)

__all__ = [
    "PIN_RULE_TEXT",
    "PinCreateDialog",
    "PinDialog",
    "require_admin_pin",
    "wrong_pin_message",
]

PIN_RULE_TEXT = (
    f"The PIN must have {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits, must not be one digit repeated "
    "and must not be a run such as 123456."
)
_ERROR_STYLE = "QLabel { color: #B71C1C; font-weight: bold; }"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def wrong_pin_message(tries_left: int) -> str:
    """``Wrong PIN: 3 tries left``."""
    return f"Wrong PIN: {tries_left} {'try' if tries_left == 1 else 'tries'} left"


def _pin_edit(accessible_name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(PIN_MAX_DIGITS)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(rf"\d{{0,{PIN_MAX_DIGITS}}}"), edit))
    edit.setAccessibleName(accessible_name)
    return edit


def _error_label(accessible_name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(_ERROR_STYLE)
    label.setAccessibleName(accessible_name)
    label.hide()
    return label


class PinDialog(QDialog):
    """Asks for the administrator PIN; ``accepted`` only when the PIN is right.

    A wrong PIN keeps the dialog open and says how many tries are left before the lockout.
    ``clock`` should be the same clock the :class:`AdminPin` uses (it only words the lockout
    that a wrong PIN has just started; later lockout messages come from the PIN itself).
    """

    def __init__(
        self,
        pin: AdminPin,
        reason: str = "",
        parent: QWidget | None = None,
        *,
        clock: Clock = _utc_now,
    ) -> None:
        super().__init__(parent)
        self._pin = pin
        self._clock = clock
        self.setWindowTitle("Administrator PIN")
        self.setObjectName("PinDialog")

        self.reason_label = QLabel(
            f"The administrator PIN is needed to {reason}."
            if reason
            else "This change needs the administrator PIN."
        )
        self.reason_label.setWordWrap(True)
        self.pin_edit = _pin_edit("Administrator PIN")
        self.error_label = _error_label("PIN error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setAccessibleName("Confirm PIN")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&PIN:", self.pin_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.pin_edit.setFocus()

        if pin.locked_until is not None:
            self._show_error(str(PinLockedError(pin.locked_until, self._now())))

    def _now(self) -> datetime:
        return self._clock()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def error_text(self) -> str:
        """The error shown now, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def accept(self) -> None:
        entered = self.pin_edit.text()
        self.pin_edit.clear()  # never left in the field, whatever happens next
        if not entered:
            self._show_error("Enter the administrator PIN.")
            return
        try:
            ok = self._pin.verify(entered)
        except PinLockedError as exc:
            self._show_error(str(exc))
            return
        except PinNotSetError:
            self._show_error("No administrator PIN has been set yet.")
            return
        except PinError as exc:  # a damaged or unreadable PIN file: fail closed
            self._show_error(f"The PIN cannot be checked: {exc}")
            return
        if ok:
            self.error_label.hide()
            super().accept()
            return
        until = self._pin.locked_until
        if until is not None:
            self._show_error(str(PinLockedError(until, self._now())))
        else:
            self._show_error(wrong_pin_message(LOCKOUT_AFTER - self._pin.failed_attempts))
        self.pin_edit.setFocus()


class PinCreateDialog(QDialog):
    """Creates the administrator PIN (new PIN twice, with the rule shown); for a station with none."""

    def __init__(self, pin: AdminPin, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pin = pin
        self.setWindowTitle("Create the administrator PIN")
        self.setObjectName("PinCreateDialog")

        intro = "No administrator PIN has been set on this station. Create one now"
        intro += f": {reason}" if reason else "."
        self.reason_label = QLabel(intro)
        self.reason_label.setWordWrap(True)
        self.rule_label = QLabel(PIN_RULE_TEXT)
        self.rule_label.setWordWrap(True)
        self.new_edit = _pin_edit("New administrator PIN")
        self.confirm_edit = _pin_edit("Repeat the new administrator PIN")
        self.error_label = _error_label("PIN error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText("Create PIN")
        self.ok_button.setAccessibleName("Create PIN")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&New PIN:", self.new_edit)
        form.addRow("&Repeat it:", self.confirm_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.rule_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.new_edit.setFocus()

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _fail(self, text: str) -> None:
        self.new_edit.clear()
        self.confirm_edit.clear()
        self.error_label.setText(text)
        self.error_label.show()
        self.new_edit.setFocus()

    def accept(self) -> None:
        new, again = self.new_edit.text(), self.confirm_edit.text()
        if new != again:
            self._fail("The two PINs are not the same. Enter the new PIN twice.")
            return
        try:
            check_pin_rule(new)
            # Without ``current``: refused (WrongPinError) if a PIN appeared meanwhile.
            self._pin.set_pin(new)
        except PinError as exc:
            self._fail(str(exc))
            return
        self.new_edit.clear()
        self.confirm_edit.clear()
        super().accept()


def require_admin_pin(parent: QWidget | None, pin: AdminPin, reason: str) -> bool:
    """True only if the administrator PIN was entered correctly (or has just been created).

    Blocks in a modal dialog (``exec``). With no PIN set yet, asks to create one first.
    """
    if not pin.is_set:
        creating = PinCreateDialog(pin, reason, parent)
        try:
            return creating.exec() == QDialog.DialogCode.Accepted and pin.is_set
        finally:
            creating.deleteLater()
    asking = PinDialog(pin, reason, parent)
    try:
        return asking.exec() == QDialog.DialogCode.Accepted
    finally:
        asking.deleteLater()
