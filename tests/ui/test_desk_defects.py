"""Issue 23's defects on the real window: each as the walk-through found it.

The rules themselves are tested without Qt (tests/application/test_never_wedged.py); these check
that the window shows them, with a frame really present and the requests counted at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.api import RetryPolicy, Timeouts
from station.app import Station, StationConfig, attach_admin, build_station
from station.application import session as session_module
from station.application.consent import ConsentNotice
from station.application.factory import stopped_because
from station.application.health import Level, Part
from station.application.kinds import ErrorKind
from station.application.readiness import NotReady
from station.application.recording import AttemptContext, JournalRecorder
from station.application.session import SessionPolicy
from station.application.settings_store import SettingsStore
from station.audit import AuditJournal
from station.camera import StillImageSource
from station.config import resolve_settings
from station.core.decision import DecisionPolicy, SeveralFacesPolicy
from station.core.models import OutcomeKind
from station.resources import sample_path
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.vision.quality import Instruction
from tests.images import read_bgr
from tests.ui.conftest import close_station, start_station, supervisor
from tests.ui.test_station_flow import capture
from tests.ui.test_verdict_fits import banner_problems


def frame_present(station: Station) -> None:
    window = station.window
    assert window.preview.latest_frame() is not None and window.camera_is_live


def refused(qtbot: QtBot, station: Station, key: Qt.Key = Qt.Key.Key_Space) -> None:
    """``key`` is refused: no attempt starts (the controller would be busy at once)."""
    frame_present(station)
    qtbot.keyClick(station.window, key)
    assert not station.controller.busy
    assert not station.window.preview.is_frozen


def only_requests(station: Station) -> int:
    assert station.emulator is not None
    return station.emulator.requests_received


# -- (a) the session never wedges ------------------------------------------------------------------


def test_an_unexpected_fault_ends_the_attempt_and_space_captures_again(
    qtbot: QtBot, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_encoder(_frame: np.ndarray, _quality: int) -> bytes:
        raise RuntimeError("a driver's surprise")

    with monkeypatch.context() as patch:
        patch.setattr(session_module, "encode_jpeg", broken_encoder)
        report = capture(qtbot, station)
    window = station.window
    assert report.kind is OutcomeKind.ERROR and report.final
    assert window.banner.kind is OutcomeKind.ERROR
    assert "capture again" in window.banner.message_text
    assert "surprise" not in window.banner.message_text  # plain words, never the exception
    assert not station.controller.busy
    second = capture(qtbot, station)  # once: "A verification is in progress" until a restart
    assert second.kind is OutcomeKind.LIVE
    assert "in progress" not in window.statusBar().currentMessage()


# -- (b) nothing sent that cannot be kept ------------------------------------------------------------


def test_no_token_refuses_space_with_a_frame_present(qtbot: QtBot, station: Station) -> None:
    client = station.verifier.client
    station.verifier.swap_client(None, "No service token is enrolled for sandbox.", NotReady.TOKEN)
    refused(qtbot, station)
    assert station.window.banner.title_text == "Not ready"
    station.verifier.swap_client(client)
    capture(qtbot, station)
    assert only_requests(station) == 1


def test_a_camera_that_is_not_live_refuses_space(qtbot: QtBot, station: Station) -> None:
    station.verifier.camera_refusal = (
        "The camera is a picture or a video file, not a live camera: verification is refused. "
        "Choose the counter's camera in Settings, or call IT."
    )
    refused(qtbot, station)
    assert "not a live camera" in station.window.banner.message_text
    station.verifier.camera_refusal = ""
    capture(qtbot, station)
    assert only_requests(station) == 1


@pytest.fixture
def consenting(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        consent=ConsentNotice("v1", "We check that you are present. Do you agree?"),
    )
    yield running
    close_station(qtbot, running)


def test_consent_not_given_refuses_space(qtbot: QtBot, consenting: Station) -> None:
    refused(qtbot, consenting)
    assert consenting.window.banner.title_text == "Consent"
    qtbot.keyClick(consenting.window, Qt.Key.Key_F7)
    capture(qtbot, consenting)
    assert only_requests(consenting) == 1


# -- (d) automatic capture waits for the customer's consent -----------------------------------------


def test_automatic_capture_never_runs_while_the_consent_notice_is_up(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        quality_gate=True,
        source_factory=lambda: StillImageSource(sample_path("face.jpg")),
        consent=ConsentNotice("v1", "We check that you are present. Do you agree?"),
    )
    try:
        window = running.window
        assert running.quality is not None
        qtbot.waitUntil(lambda: window.gate.latest is not None and window.gate.latest.ready, timeout=10_000)
        window.set_auto_capture(0.5)
        for _ in range(4):  # well past the half-second hold, on a ready picture behind the notice
            with qtbot.waitSignal(running.quality.report_ready, timeout=10_000):
                pass
            assert window.preview.capture_progress is None
            assert window.preview.notice is not None
        assert not running.controller.busy
        assert only_requests(running) == 0
        with qtbot.waitSignal(running.controller.finished, timeout=20_000):
            qtbot.keyClick(window, Qt.Key.Key_F7)  # the customer agrees: now the countdown runs
            qtbot.waitUntil(lambda: window.preview.capture_progress is not None, timeout=10_000)
        assert only_requests(running) == 1
    finally:
        close_station(qtbot, running)


# -- (e) the health strip learns from every call ------------------------------------------------------


def service_level(station: Station) -> Level:
    return station.window.health.part(Part.SERVICE).level


@pytest.mark.parametrize("scenario", ["error", "reset", "unauthorized"])
def test_a_failed_call_turns_the_service_from_green(qtbot: QtBot, station: Station, scenario: str) -> None:
    qtbot.waitUntil(lambda: service_level(station) is Level.GOOD, timeout=10_000)  # balance read
    assert station.emulator is not None
    station.emulator.set_scenario(scenario)
    assert capture(qtbot, station).kind is OutcomeKind.ERROR
    assert service_level(station) is not Level.GOOD
    chip = station.window.health_strip.chips[Part.SERVICE]
    assert "balance" not in chip.text()
    # The service answers again: the next verdict asks for a fresh reading, and it is green.
    station.emulator.set_scenario("live")
    assert capture(qtbot, station).kind is OutcomeKind.LIVE
    qtbot.waitUntil(lambda: service_level(station) is Level.GOOD, timeout=10_000)


def test_a_timeout_turns_the_service_from_green(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        scenario="hang",
        recorder=JournalRecorder(journal),
        journal=journal,
        timeouts=Timeouts(connect=2, read=2, write=2, deadline=5),  # "hang" never answers
        retry=RetryPolicy(attempts=1),
    )
    try:
        qtbot.waitUntil(lambda: service_level(running) is Level.GOOD, timeout=10_000)
        report = capture(qtbot, running)
        assert report.error_kind is ErrorKind.TIMEOUT
        assert service_level(running) is Level.WARN
        assert "not answering" in running.window.health_strip.chips[Part.SERVICE].text()
    finally:
        close_station(qtbot, running)


# -- (f) the banner says who decided and what comes next ----------------------------------------------


def test_a_supervisors_reject_says_so_and_offers_no_other_try(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
        supervisor_check=lambda _action: supervisor("sup2"),
    )
    try:
        window = running.window
        assert capture(qtbot, running).kind is OutcomeKind.REVIEW
        with qtbot.waitSignal(running.controller.followup_recorded, timeout=5_000):
            qtbot.keyClick(window, Qt.Key.Key_F10)
        banner = window.banner
        assert banner.kind is OutcomeKind.SPOOF
        assert "Rejected by the supervisor" in banner.message_text
        assert "manual identity check" in banner.message_text
        assert "once more" not in banner.message_text.lower()
        assert "Rejected by supervisor sup2" in window.details.text()
        assert "once more" not in window.details.text().lower()
    finally:
        close_station(qtbot, running)


def test_the_last_attempt_never_offers_another(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        scenario="spoof",
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        session=SessionPolicy(max_attempts=2),
    )
    try:
        window = running.window
        assert capture(qtbot, running).kind is OutcomeKind.SPOOF
        assert "once more" in window.banner.message_text.lower()  # the first: one more try
        assert capture(qtbot, running).kind is OutcomeKind.SPOOF
        assert "No more attempts" in window.banner.message_text
        assert "once more" not in window.details.text().lower()
        assert "manual identity check" in window.details.text()
    finally:
        close_station(qtbot, running)


# -- (g) smaller defects --------------------------------------------------------------------------


def test_going_back_to_live_leaves_no_old_details(qtbot: QtBot, station: Station) -> None:
    assert station.emulator is not None
    station.emulator.set_scenario("spoof")
    assert capture(qtbot, station).kind is OutcomeKind.SPOOF
    window = station.window
    assert "Liveness not confirmed" in window.details.text()
    qtbot.keyClick(window, Qt.Key.Key_Space)  # back to the live customer
    assert not window.preview.is_frozen
    assert window.details.text() == ""


def test_the_locked_reference_looks_locked_and_takes_no_keys(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.customer_ref.setText("CIF-42")
    assert station.emulator is not None
    station.emulator.set_scenario("spoof")
    capture(qtbot, station)
    assert not window.customer_ref.isEnabled()  # read-only alone still looked (and acted) editable
    assert window.customer_ref.text() == "CIF-42"
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.customer_ref.isEnabled() and window.customer_ref.text() == ""


def test_a_refusing_customer_has_no_ready_chip(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        quality_gate=True,
        source_factory=lambda: StillImageSource(sample_path("face.jpg")),
        consent=ConsentNotice("v1", "We check that you are present. Do you agree?"),
    )
    try:
        window = running.window
        assert running.quality is not None
        qtbot.waitUntil(lambda: window.gate.latest is not None and window.gate.latest.ready, timeout=10_000)
        qtbot.keyClick(window, Qt.Key.Key_F8)
        with qtbot.waitSignal(running.quality.report_ready, timeout=10_000):
            pass  # a fresh, ready report after the refusal
        assert window.preview._guidance is None
    finally:
        close_station(qtbot, running)


def test_a_picture_as_the_camera_is_never_called_live(qtbot: QtBot, station: Station) -> None:
    window = station.window
    chip = window.health_strip.chips[Part.CAMERA]
    assert "live ·" in chip.text() or chip.text().endswith("live")
    window.show_configuration(dev_overrides=(), refused=(), non_live_camera=True)
    assert "not a live camera" in chip.text()
    assert window.health.part(Part.CAMERA).level is Level.WARN
    assert "Not a live camera" in window.preview.status_text()  # the picture's caption too
    assert "is live" not in window.preview.status_text()


def test_a_face_is_picked_with_its_number_key(qtbot: QtBot, journal: AuditJournal) -> None:
    running = start_station(
        qtbot,
        scenario="several_faces",
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS),
    )
    try:
        capture(qtbot, running)
        assert running.controller.session.face_pick_offered
        assert "press its number" in running.window.banner.message_text
        with qtbot.waitSignal(running.controller.followup_recorded, timeout=5_000) as picked:
            qtbot.keyClick(running.window, Qt.Key.Key_1)
        assert "operator picked face 1" in " ".join(picked.args[0].notes)
    finally:
        close_station(qtbot, running)


def test_the_kiosk_fills_the_screen_without_a_window_manager(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.showNormal()
    window.resize(640, 480)
    window.enter_kiosk()
    assert window.isFullScreen()
    assert window.geometry().size() == window.screen().geometry().size()


def test_a_disabled_capture_says_why(qtbot: QtBot, station: Station) -> None:
    window = station.window
    assert window.capture_button.isEnabled() and window.capture_button.toolTip() == ""
    assert capture(qtbot, station).kind is OutcomeKind.LIVE
    assert not window.capture_button.isEnabled()
    assert "Press Enter for the next customer" in window.capture_button.toolTip()
    assert window.capture_button.accessibleDescription() == window.capture_button.toolTip()
    assert window.next_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.capture_button.isEnabled() and not window.next_button.isEnabled()


def test_verifying_shows_where_the_wait_ends(qtbot: QtBot, station: Station) -> None:
    assert station.emulator is not None
    station.emulator.set_scenario("slow")
    window = station.window
    frame_present(station)
    with qtbot.waitSignal(station.controller.finished, timeout=20_000):
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert station.controller.busy
        assert "/ 10 s" in window.banner.message_text  # the client's deadline (start_station's)


def test_a_review_nobody_here_can_settle_says_so_and_does_not_hold_the_counter(
    qtbot: QtBot, journal: AuditJournal, tmp_path: Path
) -> None:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
    )
    try:
        nobody = PinGuard(People(), PinLedger(tmp_path / "pins.sqlite3"))  # no supervisor configured
        store = SettingsStore(
            lambda: resolve_settings(), admin_file=None, user_file=None, guard=nobody, persist=False
        )
        attach_admin(running, store, nobody, kiosk=False)
        window = running.window
        assert capture(qtbot, running).kind is OutcomeKind.REVIEW
        assert "No supervisor can settle this here" in window.banner.message_text
        assert not window.confirm_button.isVisible()
        assert window.next_button.isEnabled()
        qtbot.keyClick(window, Qt.Key.Key_Return)  # once: blocked until a restart, for ever
        assert not window.preview.is_frozen
        qtbot.waitUntil(
            lambda: any(
                "no supervisor can settle a REVIEW" in (row.record.notes or "") for row in journal.recent(20)
            ),
            timeout=5_000,
        )
        qtbot.waitUntil(
            lambda: any("review left open" in (row.record.notes or "") for row in journal.recent(20)),
            timeout=5_000,
        )
    finally:
        close_station(qtbot, running)


def test_the_banner_never_says_ready_while_the_guide_objects(
    qtbot: QtBot, journal: AuditJournal, tmp_path: Path
) -> None:
    image = read_bgr(sample_path("face.jpg"))
    dark = tmp_path / "dark-face.png"
    cv2.imwrite(str(dark), (image * 0.25).astype(np.uint8))
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op1")),
        journal=journal,
        quality_gate=True,
        source_factory=lambda: StillImageSource(dark),
    )
    try:
        window = running.window
        qtbot.waitUntil(lambda: window.gate.latest is not None, timeout=10_000)
        assert window.gate.latest is not None and window.gate.latest.instruction is Instruction.TOO_DARK
        qtbot.waitUntil(lambda: window.banner.title_text != "Ready", timeout=5_000)
        assert window.banner.title_text == "Not ready"
        assert "Too dark" in window.banner.message_text  # what the guide on the picture says
        assert only_requests(running) == 0
    finally:
        close_station(qtbot, running)


def test_a_policy_typo_says_call_it_whole_at_1024(qtbot: QtBot, journal: AuditJournal) -> None:
    problem = ValueError(
        "/etc/opt/station/policies/managed/10-branch.json: line 7 column 18: expected ',' or '}' after "
        "the value of 'liveness_threshold' (read 2 files, the first 40 lines of each)"
    )
    config = StationConfig(demo=True, blocked=stopped_because(problem))
    running = build_station(config, recorder=JournalRecorder(journal), journal=journal)
    qtbot.addWidget(running.window)
    running.start(maximised=False)
    try:
        window = running.window
        window.fit_to_screen(QRect(0, 0, 1024, 768))
        qtbot.waitUntil(lambda: window.preview.latest_frame() is not None, timeout=10_000)
        QApplication.processEvents()
        assert window.banner.title_text == "Not ready"
        assert window.banner.message_text.endswith("Call IT support.")
        assert "line 7" not in window.banner.message_text  # the technical part is for the log and IT
        assert banner_problems(window.banner, window, "policy typo") == []
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert not running.controller.busy
        assert only_requests(running) == 0
    finally:
        close_station(qtbot, running)


def test_a_refused_key_says_why_under_the_verdict_whole_at_1024(qtbot: QtBot, station: Station) -> None:
    window = station.window
    window.showNormal()
    window.fit_to_screen(QRect(0, 0, 1024, 768))
    assert station.emulator is not None
    station.emulator.set_scenario("spoof")
    station.controller.desk.session.policy = SessionPolicy(max_attempts=1)
    assert capture(qtbot, station).kind is OutcomeKind.SPOOF  # the last attempt
    qtbot.keyClick(window, Qt.Key.Key_Space)
    QApplication.processEvents()
    assert window.banner.kind is OutcomeKind.SPOOF  # the verdict stays…
    assert "Press Enter for the next customer." in window.banner.detail_text  # …with why, whole
    assert banner_problems(window.banner, window, "refused at 1024") == []
