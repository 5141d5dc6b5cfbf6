"""Operator sign-in at the start of a shift."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from station.ui.signin_dialog import OperatorSignInDialog, operator_id_problem


@pytest.fixture
def dialog(qtbot: QtBot) -> OperatorSignInDialog:
    opened = OperatorSignInDialog(station_id="branch-12-desk-3")
    qtbot.addWidget(opened)
    opened.open()
    return opened


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Enter your operator id."),
        ("   ", "Enter your operator id."),
        ("j smith", "may only contain"),
        ("op7;DROP", "may only contain"),
        ("é.dupont", "may only contain"),
        ("x" * 33, "at most 32 characters"),
    ],
)
def test_an_empty_or_invalid_id_is_refused(dialog: OperatorSignInDialog, text: str, problem: str) -> None:
    dialog.id_edit.setText(text)
    dialog.ok_button.click()
    assert problem in dialog.error_text()
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.operator_id() is None


def test_a_valid_id_is_trimmed_and_accepted(qtbot: QtBot, dialog: OperatorSignInDialog) -> None:
    assert "branch-12-desk-3" in dialog.intro_label.text()
    with qtbot.waitSignal(dialog.accepted, timeout=2_000):
        dialog.id_edit.setText("  j.smith_B-7  ")
        dialog.ok_button.click()
    assert dialog.operator_id() == "j.smith_B-7"
    assert dialog.error_text() == ""


def test_cancel_leaves_no_operator(qtbot: QtBot, dialog: OperatorSignInDialog) -> None:
    dialog.id_edit.setText("op7")
    with qtbot.waitSignal(dialog.rejected, timeout=2_000):
        dialog.cancel_button.click()
    assert dialog.operator_id() is None


def test_the_rule_allows_32_characters() -> None:
    assert operator_id_problem("a" * 32) is None
    assert operator_id_problem("A-b_c.9") is None
