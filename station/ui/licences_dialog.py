"""Help ▸ About ▸ Licences: the third-party notices the station ships with, read-only.

The notices are a large plain-text file (every licence in full); the dialog shows it in a
monospace viewer with a find box, and says where the file is so an administrator can hand it
to the bank's review. The text comes from :mod:`station.licences`, which also explains a
development run that has no built notices.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.licences import Notices, read_notices

__all__ = ["LicencesDialog", "show_licences"]

translate = QCoreApplication.translate


class LicencesDialog(QDialog):
    """A read-only viewer of the notices with translate("Licences", "Find next") (Enter in the find box)."""

    def __init__(self, notices: Notices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LicencesDialog")
        self.setWindowTitle(translate("Licences", "Licences"))
        self.resize(900, 640)
        where = (
            translate("Licences", "Third-party components and their licences ({path})").format(
                path=notices.path
            )
            if notices.path
            else translate("Licences", "Third-party licences")
        )
        self.location = QLabel(where)
        self.location.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("LicencesText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(
            QPlainTextEdit.LineWrapMode.NoWrap if notices.path else QPlainTextEdit.LineWrapMode.WidgetWidth
        )
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.text.setPlainText(notices.text)
        self.search = QLineEdit()
        self.search.setPlaceholderText(translate("Licences", "Find (a component, a licence…)"))
        self.search.returnPressed.connect(self.find_next)
        find_button = QPushButton(translate("Licences", "Find next"))
        find_button.clicked.connect(self.find_next)
        self.find_status = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(find_button)
        row.addWidget(self.find_status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.location)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def find_next(self) -> bool:
        """Select the next match, wrapping to the top once; say so when there is none."""
        needle = self.search.text()
        if not needle:
            return False
        found = self.text.find(needle)
        if not found:
            cursor = self.text.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            self.text.setTextCursor(cursor)
            found = self.text.find(needle, QTextDocument.FindFlag(0))
        self.find_status.setText("" if found else translate("Licences", "not found"))
        return found


def show_licences(parent: QWidget | None = None) -> LicencesDialog:
    """Open the dialog (modeless) with the shipped notices; the caller may keep the reference."""
    dialog = LicencesDialog(read_notices(), parent)
    dialog.show()
    return dialog
