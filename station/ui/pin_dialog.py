"""The PIN dialogs: the administrator's, and a named supervisor's (id + PIN).

:func:`require_admin_pin` is what the UI calls before a security-relevant change or closing the
kiosk; :func:`ask_supervisor` before settling a REVIEW (it only collects the supervisor's id and
PIN: the trusted side behind the verifier port checks them, and that the supervisor is not the
attempt's operator, and the desk shows its typed refusal). Neither ever allows silently, and no
screen offers to *create* a PIN: with none configured they say how IT sets one
(:data:`~station.security.people.NO_ADMIN_PIN`). A wrong PIN keeps the dialog open with the tries
left; a locked PIN says for how long; a damaged PIN store fails closed.

The check (scrypt and the machine-wide attempt count, which fsyncs) runs in a worker thread; the
result comes back by a queued signal, so the UI thread never waits on it. The PIN is only ever
held in the line edit and passed to :class:`~station.security.people.PinGuard`; it is never
logged or shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.application.desk import SupervisorCredentials
from station.application.people import (
    NO_ADMIN_PIN,
    PIN_MAX_DIGITS,
    AdminApproval,
    PinError,
    PinGuard,
    PinLockedError,
    PinNotSetError,
)

__all__ = ["PinDialog", "ask_supervisor", "require_admin_pin", "wrong_pin_message"]

translate = QCoreApplication.translate

_ERROR_STYLE = "QLabel { color: #B71C1C; font-weight: bold; }"

#: Runs the check; returns (right, tries left) or raises a PinError.
Check = Callable[[], tuple[bool, int]]


def wrong_pin_message(tries_left: int) -> str:
    """``Wrong PIN: 3 tries left``."""
    text = (
        translate("PinDialog", "Wrong PIN: {count} try left")
        if tries_left == 1
        else translate("PinDialog", "Wrong PIN: {count} tries left")
    )
    return text.format(count=tries_left)


def _pin_edit(accessible_name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(PIN_MAX_DIGITS)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(rf"\d{{0,{PIN_MAX_DIGITS}}}"), edit))
    edit.setAccessibleName(accessible_name)
    return edit


class PinDialog(QDialog):
    """Asks for a PIN (and, for a supervisor, their id); ``accepted`` only when it is right.

    Without a ``guard`` (a supervisor's decision on a REVIEW) it checks nothing: ``accepted`` once
    both were typed, with :attr:`credentials` for the trusted side to check."""

    #: (right, tries left, error text) from the worker thread.
    _checked = Signal(bool, int, str)

    def __init__(
        self,
        guard: PinGuard | None,
        action: str,
        parent: QWidget | None = None,
        *,
        supervisor: bool = False,
    ):
        super().__init__(parent)
        self._guard = guard
        self._action = action
        self._supervisor = supervisor
        self.setWindowTitle(
            translate("PinDialog", "Supervisor PIN")
            if supervisor
            else translate("PinDialog", "Administrator PIN")
        )
        self.setObjectName("PinDialog")
        reason = (
            translate("PinDialog", "A supervisor's PIN is needed to {action}.")
            if supervisor
            else translate("PinDialog", "The administrator PIN is needed to {action}.")
        )
        self.reason_label = QLabel(reason.format(action=action))
        self.reason_label.setWordWrap(True)
        self.id_edit = QLineEdit()
        self.id_edit.setAccessibleName(translate("PinDialog", "Supervisor id"))
        self.id_edit.setMaxLength(64)
        self.pin_edit = _pin_edit(
            translate("PinDialog", "Supervisor PIN")
            if supervisor
            else translate("PinDialog", "Administrator PIN")
        )
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setAccessibleName(translate("PinDialog", "PIN error"))
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setAccessibleName(translate("PinDialog", "Confirm PIN"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        if supervisor:
            form.addRow(translate("PinDialog", "Supervisor &id:"), self.id_edit)
        form.addRow(translate("PinDialog", "&PIN:"), self.pin_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        # The dialog grows with its message: a wrapped error or lockout line is never cut off.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(440)
        (self.id_edit if supervisor else self.pin_edit).setFocus()
        self._checked.connect(self._on_checked)
        self._worker: threading.Thread | None = None
        #: The supervisor's id once the PIN was right.
        self.approved_by: str | None = None
        #: What a supervisor typed, for the trusted side (only without a guard).
        self.credentials: SupervisorCredentials | None = None
        self._approval: AdminApproval | None = None

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.adjustSize()

    def error_text(self) -> str:
        """The error shown now, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    @property
    def checking(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def accept(self) -> None:
        if self.checking:
            return
        entered, identity = self.pin_edit.text(), self.id_edit.text().strip()
        self.pin_edit.clear()  # never left in the field, whatever happens next
        if self._supervisor and not identity:
            self._show_error(translate("PinDialog", "Enter the supervisor's id."))
            return
        if not entered:
            self._show_error(translate("PinDialog", "Enter the PIN."))
            return
        guard = self._guard
        if guard is None:  # the trusted side checks them, not this dialog
            self.credentials = SupervisorCredentials(identity, entered)
            super().accept()
            return
        check: Check
        if self._supervisor:
            check = lambda: guard.check_supervisor(identity, entered, self._action)  # noqa: E731
        else:
            check = lambda: self._approve(entered)  # noqa: E731
        self.ok_button.setEnabled(False)
        self._pending_id = identity if self._supervisor else None
        self._worker = threading.Thread(target=self._run, args=(check,), name="pin-check", daemon=True)
        self._worker.start()

    def _approve(self, entered: str) -> tuple[bool, int]:
        """The administrator's check, keeping the guard's approval when the PIN is right (set in
        the worker thread before the queued result reaches the UI thread)."""
        assert self._guard is not None  # an administrator's PIN is always checked here
        approval, tries_left = self._guard.approve_admin(entered, self._action)
        self._approval = approval
        return approval is not None, tries_left

    @property
    def approval(self) -> AdminApproval | None:
        """The guard's approval once the administrator's PIN was right, else None."""
        return self._approval if self.result() == QDialog.DialogCode.Accepted else None

    def _run(self, check: Check) -> None:
        try:
            right, left = check()
        except PinLockedError as exc:
            self._checked.emit(False, 0, str(exc))
        except PinNotSetError as exc:
            self._checked.emit(False, 0, str(exc))
        except PinError as exc:  # a damaged or unreadable PIN store: fail closed
            self._checked.emit(
                False, 0, translate("PinDialog", "The PIN cannot be checked: {problem}").format(problem=exc)
            )
        else:
            self._checked.emit(right, left, "")

    def _on_checked(self, right: bool, tries_left: int, error: str) -> None:
        self.ok_button.setEnabled(True)
        if right:
            self.approved_by = self._pending_id
            self.error_label.hide()
            super().accept()
            return
        self._show_error(error or wrong_pin_message(tries_left))
        self.pin_edit.setFocus()

    def wait_checked(self, timeout: float = 30.0) -> None:
        """For tests and closing: let a check under way finish."""
        if self._worker is not None:
            self._worker.join(timeout)


def require_admin_pin(parent: QWidget | None, guard: PinGuard, action: str) -> AdminApproval | None:
    """The guard's approval only if the administrator PIN was entered correctly (a modal dialog);
    the settings store redeems it to save a security-relevant change.

    With no administrator PIN configured it says how IT sets one and returns None.
    """
    if not guard.admin_configured:
        QMessageBox.information(parent, translate("PinDialog", "Administrator PIN"), NO_ADMIN_PIN)
        return None
    asking = PinDialog(guard, action, parent)
    try:
        return asking.approval if asking.exec() == QDialog.DialogCode.Accepted else None
    finally:
        asking.wait_checked()
        asking.deleteLater()


def ask_supervisor(parent: QWidget | None, action: str) -> SupervisorCredentials | None:
    """The supervisor's id and PIN to ``action``, for the trusted side to check; None if not given."""
    asking = PinDialog(None, action, parent, supervisor=True)
    try:
        return asking.credentials if asking.exec() == QDialog.DialogCode.Accepted else None
    finally:
        asking.deleteLater()
