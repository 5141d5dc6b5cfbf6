"""The operator's screen never misleads: issue 14's findings, each as it was found.

(Finding 1, the verdict that must fit, is tests/ui/test_verdict_fits.py; finding 3, the guide's
order and oval, is in tests/vision.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QSpinBox
from pytestqt.qtbot import QtBot

from station.app import Station, StationConfig, build_station
from station.application.readiness import NO_TOKEN_FIX
from station.application.recording import AttemptContext, JournalRecorder, UnavailableRecorder
from station.application.settings_store import SettingsStore
from station.audit import AuditJournal
from station.config import Settings, resolve_settings
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from station.emulator import Scenario
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.ui.admin import AdminActions
from station.ui.pin_dialog import PinDialog
from station.ui.settings_dialog import SettingsDialog
from station.ui.signin_dialog import OperatorSignInDialog
from tests.ui.conftest import cell, close_station, journal_rows, start_station, supervisor
from tests.ui.test_station_flow import capture
from tests.ui.test_verdict_fits import clipped


def run(qtbot: QtBot, work: object) -> None:
    task = asyncio.ensure_future(work)  # type: ignore[call-overload]
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()


# -- 2. "Ready" when it is not ----------------------------------------------------------------


@pytest.fixture
def no_token_station(
    qtbot: QtBot, journal: AuditJournal, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Station]:
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN", raising=False)
    station = build_station(
        StationConfig(camera="demo", base_url="http://127.0.0.1:9"),
        recorder=JournalRecorder(journal),
        journal=journal,
    )
    qtbot.addWidget(station.window)
    station.start()
    qtbot.waitUntil(lambda: station.window.preview.latest_frame() is not None, timeout=10_000)
    yield station
    close_station(qtbot, station)


def test_no_token_is_never_ready_and_says_where_to_fix_it(qtbot: QtBot, no_token_station: Station) -> None:
    window = no_token_station.window
    assert window.banner.title_text == "Not ready"
    assert "Call IT support to enrol one" in window.banner.message_text  # Settings needs the PIN
    assert window.banner.message_text[:1].isupper()
    token = window.health_strip.chips[window.health.parts[0].part]
    assert "missing" in token.text()
    assert window.preview._guidance is None  # the guide never says Ready either
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.banner.title_text == "Not ready"  # refused before any call: nothing to journal
    # In the operator's words, whole: never the CLI's advice (it named SUREPASS_SANDBOX_TOKEN).
    assert window.banner.message_text == NO_TOKEN_FIX
    assert not window.preview.is_frozen


def test_a_journal_that_cannot_be_written_is_flagged_at_start(qtbot: QtBot, journal: AuditJournal) -> None:
    station = start_station(qtbot, recorder=UnavailableRecorder("the disk is full"))
    try:
        window = station.window
        assert window.banner.title_text == "Not ready"
        assert "audit journal cannot be written" in window.banner.message_text
        assert "Journal: cannot write" in window.health_strip.chips[window.health.parts[2].part].text()
        assert station.emulator is not None
        assert window.preview.latest_frame() is not None and window.camera_is_live  # a frame is there
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert not station.controller.busy  # refused: no attempt started
        assert "audit journal cannot be written" in window.banner.message_text
        assert not window.preview.is_frozen
        # The journal comes back: the next Space is the one and only request the emulator sees.
        station.verifier.recorder = JournalRecorder(journal)
        qtbot.waitUntil(lambda: station.port.readiness().ready, timeout=5_000)  # the next journal check
        capture(qtbot, station)
        assert station.emulator.requests_received == 1  # no paid call that could never be final
    finally:
        close_station(qtbot, station)


def test_transient_messages_never_cover_the_camera_state(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.statusBar().showMessage("Settings applied.")
    camera = window.health_strip.chips[window.health.parts[1].part]
    assert camera.isVisible() and "live" in camera.text()
    assert window.statusBar().currentMessage() == "Settings applied."


# -- 4. settings change by accident -----------------------------------------------------------


def test_the_wheel_does_not_change_an_unfocused_spin_box(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), camera_lister=list, environ={})
    qtbot.addWidget(dialog)
    dialog.show()
    retention = dialog.fields["audit_retention_days"]
    assert isinstance(retention, QSpinBox)
    assert not retention.hasFocus()
    centre = retention.rect().center()
    wheel = QWheelEvent(
        centre.toPointF(),
        retention.mapToGlobal(centre).toPointF(),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(retention, wheel)
    assert retention.value() == 2555
    retention.setFocus()
    qtbot.waitUntil(retention.hasFocus, timeout=2_000)
    QApplication.sendEvent(retention, wheel)
    assert retention.value() == 2554  # focused: the wheel is the operator's intent


# -- 5. small things that add up ---------------------------------------------------------------


def test_dialogs_grow_with_their_messages(qtbot: QtBot, tmp_path: Path) -> None:
    sign_in = OperatorSignInDialog(station_id="branch-042-counter-3")
    qtbot.addWidget(sign_in)
    sign_in.show()
    sign_in.id_edit.setText("x" * 200)
    sign_in.ok_button.click()
    QApplication.processEvents()
    assert sign_in.error_text()
    assert clipped(sign_in.error_label, sign_in.error_text()) is None
    guard = PinGuard(People(), PinLedger(tmp_path / "pins.sqlite3"))
    pin = PinDialog(guard, "close the station")
    qtbot.addWidget(pin)
    pin.show()
    pin.pin_edit.setText("482913")
    pin.ok_button.click()
    qtbot.waitUntil(lambda: bool(pin.error_text()), timeout=10_000)
    QApplication.processEvents()
    assert "No administrator PIN is configured" in pin.error_text()
    assert clipped(pin.error_label, pin.error_text()) is None


@pytest.fixture
def reviewing(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
        supervisor_check=lambda _action: supervisor("sup2"),
    )
    yield running
    close_station(qtbot, running)


def test_review_actions_appear_without_moving_anything_and_answer_f9(
    qtbot: QtBot, reviewing: Station, journal: AuditJournal
) -> None:
    window = reviewing.window
    before = {name: getattr(window, name).geometry() for name in ("tabs", "next_button", "capture_button")}
    assert capture(qtbot, reviewing).kind is OutcomeKind.REVIEW
    assert window.confirm_button.isVisible() and window.reject_button.isVisible()
    after = {name: getattr(window, name).geometry() for name in ("tabs", "next_button", "capture_button")}
    assert after == before
    with qtbot.waitSignal(reviewing.controller.followup_recorded, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.banner.kind is OutcomeKind.LIVE
    review = journal_rows(journal)[0]
    assert review.record.kind == "review" and review.record.supervisor_id == "sup2"


def test_escape_after_a_menu_cancels_at_once(qtbot: QtBot, station: Station) -> None:
    assert station.emulator is not None
    station.emulator.set_scenario("hang")
    window = station.window
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: station.emulator is not None and station.emulator.requests_received == 1, timeout=10_000
    )
    menu = window.station_menu
    menu.popup(window.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(menu.isVisible, timeout=2_000)
    menu.close()
    with qtbot.waitSignal(station.controller.cancelled, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)


def test_the_demo_menu_lists_every_scenario(station: Station) -> None:
    assert set(station.window.scenario_actions) == {scenario.value for scenario in Scenario}


def test_the_network_check_checks_the_endpoint_in_use(qtbot: QtBot, station: Station, tmp_path: Path) -> None:
    from station.app import attach_admin
    from station.ui.netcheck_dialog import NetworkCheckDialog

    guard = PinGuard(People(), PinLedger(tmp_path / "p.sqlite3"))
    store = SettingsStore(
        lambda: resolve_settings(), admin_file=None, user_file=None, guard=guard, persist=False
    )
    admin = attach_admin(station, store, guard, kiosk=False)
    admin.open_network_check()
    dialog = admin._dialogs[-1]
    assert isinstance(dialog, NetworkCheckDialog)
    qtbot.addWidget(dialog)
    assert station.emulator is not None
    assert dialog.base_url == station.emulator.base_url  # the emulator the demo uses, not the sandbox


def test_history_shows_the_operator_and_links_a_review_to_its_attempt(
    qtbot: QtBot, reviewing: Station, journal: AuditJournal
) -> None:
    window = reviewing.window
    attempt = capture(qtbot, reviewing)
    with qtbot.waitSignal(reviewing.controller.followup_recorded, timeout=5_000):
        window.confirm_button.click()
    table = window.history.table
    qtbot.waitUntil(lambda: table.rowCount() >= 2 and table.item(0, 7) is not None, timeout=5_000)
    assert cell(table, 0, 2) == "LIVE (review)"
    assert cell(table, 0, 7) == f"→ #{attempt.audit_sequence}"
    assert cell(table, 1, 5) == "op1"


def test_demo_history_names_the_demo_operator(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(qtbot, recorder=JournalRecorder(journal), journal=journal)
    try:
        capture(qtbot, running)
        assert journal_rows(journal)[0].record.operator_id == "demo"
    finally:
        close_station(qtbot, running)


def test_store_in_demo_is_in_memory(tmp_path: Path) -> None:
    admin_file_path = tmp_path / "admin-settings.toml"
    guard = PinGuard(People(hash_pin("482913")), PinLedger(tmp_path / "pins.sqlite3"))
    store = SettingsStore(
        lambda: resolve_settings(), admin_file=None, user_file=tmp_path / "s.toml", guard=guard, persist=False
    )
    approval, _tries_left = guard.approve_admin("482913", "change jpeg quality")
    resolved = store.save({"jpeg_quality": 70}, approval)
    assert resolved.settings.jpeg_quality == 70
    assert not admin_file_path.exists() and not (tmp_path / "s.toml").exists()
    assert isinstance(AdminActions, type)
