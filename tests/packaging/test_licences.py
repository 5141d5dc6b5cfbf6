"""Help ▸ About ▸ Licences finds the notices beside the frozen program or in a built checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import station.licences as licences
from station.licences import NOTICES_NAME, read_notices
from station.ui.licences_dialog import LicencesDialog
from tests.packaging.conftest import ROOT

NOTICES = "THIRD-PARTY NOTICES: Station\n\nQt 6.11.3  LGPL-3.0-only\nFFmpeg  LGPL-2.1-or-later\n"


def test_module_imports_no_qt() -> None:
    code = "import sys, station.licences; print(sorted(m for m in sys.modules if 'PySide6' in m))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_built_checkout_shows_its_bundles_notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(licences, "_CHECKOUT", tmp_path)
    (tmp_path / "dist" / "station").mkdir(parents=True)
    (tmp_path / "dist" / "station" / NOTICES_NAME).write_text(NOTICES, encoding="utf-8")
    notices = read_notices()
    assert notices.text == NOTICES
    assert notices.path == tmp_path / "dist" / "station" / NOTICES_NAME


def test_an_unbuilt_checkout_says_where_notices_come_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(licences, "_CHECKOUT", tmp_path)
    notices = read_notices()
    assert notices.path is None
    assert "python3 packaging/build" in notices.text


def test_a_frozen_station_reads_them_beside_its_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "_internal").mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "station"))
    missing = read_notices()
    assert missing.path is None and NOTICES_NAME in missing.text and "missing" in missing.text
    (tmp_path / NOTICES_NAME).write_text(NOTICES, encoding="utf-8")
    assert read_notices().path == tmp_path / NOTICES_NAME


def test_dialog_shows_the_text_and_finds_in_it(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = LicencesDialog(licences.Notices(NOTICES, tmp_path / NOTICES_NAME))
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText() == NOTICES
    assert dialog.text.isReadOnly()
    assert str(tmp_path / NOTICES_NAME) in dialog.location.text()
    dialog.search.setText("FFmpeg")
    assert dialog.find_next()
    assert dialog.text.textCursor().selectedText() == "FFmpeg"
    dialog.search.setText("Qt 6")
    assert dialog.find_next()  # before the cursor: found by wrapping to the top
    assert dialog.text.textCursor().selectedText() == "Qt 6"
    dialog.search.setText("GPL-2.0-only")
    assert not dialog.find_next()
    assert dialog.find_status.text() == "not found"
