"""The operator signs in at the start of a shift: their id goes into every audit record.

The id is required, trimmed, and 1–32 characters of ASCII letters, digits, ``-``, ``_`` and ``.``
(``op7``, ``j.smith``, ``B-0421``): short enough for the journal and the history table, and with
no spaces or symbols that could be confused when read back in an audit.
"""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["OPERATOR_ID_MAX", "OperatorSignInDialog", "operator_id_problem"]

translate = QCoreApplication.translate

OPERATOR_ID_MAX: Final = 32
_OPERATOR_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{OPERATOR_ID_MAX}}}")


def operator_id_problem(text: str) -> str | None:
    """Why ``text`` (already trimmed) is not an operator id, in plain words; ``None`` if it is one."""
    if not text:
        return translate("SignIn", "Enter your operator id.")
    if len(text) > OPERATOR_ID_MAX:
        return translate("SignIn", "The operator id must have at most {count} characters.").format(
            count=OPERATOR_ID_MAX
        )
    if not _OPERATOR_ID.fullmatch(text):
        return translate("SignIn", "The operator id may only contain letters, digits, '-', '_' and '.'.")
    return None


class OperatorSignInDialog(QDialog):
    """Asks for the operator id; :meth:`operator_id` holds it once accepted."""

    def __init__(self, parent: QWidget | None = None, *, station_id: str | None = None) -> None:
        super().__init__(parent)
        self._operator_id: str | None = None
        self.setWindowTitle(translate("SignIn", "Operator sign-in"))
        self.setObjectName("OperatorSignInDialog")

        intro = (
            translate(
                "SignIn",
                "Start of shift at station {station}: enter your operator id. It is written into the "
                "audit record of every verification you make.",
            ).format(station=station_id)
            if station_id
            else translate(
                "SignIn",
                "Start of shift: enter your operator id. It is written into the audit record of every "
                "verification you make.",
            )
        )
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.id_edit = QLineEdit()
        self.id_edit.setAccessibleName(translate("SignIn", "Operator id"))
        self.id_edit.setPlaceholderText(translate("SignIn", "e.g. j.smith"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel { color: #B71C1C; font-weight: bold; }")
        self.error_label.setAccessibleName(translate("SignIn", "Sign-in error"))
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText(translate("SignIn", "Sign in"))
        self.ok_button.setAccessibleName(translate("SignIn", "Sign in"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(translate("SignIn", "&Operator id:"), self.id_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        # The dialog grows with its message: a wrapped error line is never cut off.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(440)
        self.id_edit.setFocus()

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def operator_id(self) -> str | None:
        """The signed-in operator id after ``accept``; ``None`` before (or after a cancel)."""
        return self._operator_id

    def accept(self) -> None:
        text = self.id_edit.text().strip()
        problem = operator_id_problem(text)
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            self.adjustSize()
            self.id_edit.setFocus()
            return
        self._operator_id = text
        self.error_label.hide()
        super().accept()
