"""Issue 26, camera provenance: in production a virtual or unapproved camera is refused before
its first frame, with a journal row; the records name the camera's identity."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import station.application.factory as factory
from station.app import StationConfig, build_station
from station.application.factory import camera_verdict
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.audit.records import KIND_VERIFICATION
from station.camera import CameraState, StillImageSource
from station.config import Mode
from station.emulator import Emulator
from station.resources import sample_path
from station.security.camera_identity import CameraIdentity
from tests.ui.conftest import close_station
from tests.ui.test_station_flow import capture

C925E = CameraIdentity("Logitech Webcam C925e", vid="046d", pid="085b", serial="A1B2C3D4", bus="usb")


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(scenario="live") as running:
        yield running


def _camera_rows(journal: AuditJournal) -> list[tuple[str | None, str]]:
    return [(r.record.outcome, r.record.notes or "") for r in journal.recent(20) if r.record.kind == "camera"]


def test_a_virtual_camera_is_refused_before_its_first_frame(
    qtbot: QtBot, journal: AuditJournal, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", emulator.token)
    config = StationConfig(
        camera="device:OBS Virtual Camera", base_url=emulator.base_url, mode=Mode.PRODUCTION
    )
    station = build_station(config, recorder=JournalRecorder(journal), journal=journal)
    qtbot.addWidget(station.window)
    station.start()
    try:
        qtbot.waitUntil(
            lambda: station.camera.status is not None and station.camera.status.state is CameraState.FAILED,
            timeout=10_000,
        )
        status = station.camera.status
        assert (
            status is not None
            and "OBS Virtual Camera" in status.message
            and "virtual camera" in status.message
        )
        assert not status.retrying
        assert station.window.preview.latest_frame() is None
        qtbot.waitUntil(lambda: bool(_camera_rows(journal)), timeout=5_000)
        ((outcome, notes),) = _camera_rows(journal)
        assert outcome == "REFUSED"
        assert "before its first frame" in notes and "OBS Virtual Camera" in notes and "virtual" in notes
        qtbot.keyClick(station.window, Qt.Key.Key_Space)
        assert emulator.requests_received == 0
    finally:
        close_station(qtbot, station)


def test_the_same_camera_outside_production_is_not_refused() -> None:
    config = StationConfig(camera="device:OBS Virtual Camera", mode=Mode.DEVELOPMENT)
    verdict = camera_verdict(config)
    assert verdict.refusal == "" and not verdict.never_open
    assert "virtual" in verdict.label  # still named for what it is in every record


def test_an_unapproved_camera_is_refused_and_an_approved_one_runs() -> None:
    config = StationConfig(camera="device:0", mode=Mode.PRODUCTION, approved_cameras="534d:2109")
    refused = camera_verdict(config, identify=lambda _device: C925E)
    assert refused.never_open and "046d:085b" in refused.refusal and "approved" in refused.refusal
    approved = camera_verdict(
        dataclasses.replace(config, approved_cameras="534d:2109,046d:085b"), identify=lambda _d: C925E
    )
    assert approved.refusal == "" and not approved.never_open
    assert approved.label == "device:Logitech Webcam C925e, USB 046d:085b serial A1B2C3D4"


def test_every_attempt_record_names_the_camera(
    qtbot: QtBot, journal: AuditJournal, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An approved camera runs in production, and each attempt's record carries its identity
    (the device is the bundled still here: this machine has no camera)."""
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", emulator.token)
    monkeypatch.setattr(factory, "identify_device", lambda _device: C925E)
    config = StationConfig(
        camera="device:Logitech Webcam C925e",
        base_url=emulator.base_url,
        mode=Mode.PRODUCTION,
        approved_cameras="046d:085b",
        quality_gate=False,
    )
    station = build_station(
        config,
        recorder=JournalRecorder(journal, AttemptContext(station_id="s1", operator_id="op1")),
        journal=journal,
        source_factory=lambda: StillImageSource(sample_path("face.jpg")),
    )
    qtbot.addWidget(station.window)
    station.start()
    try:
        window = station.window
        qtbot.waitUntil(
            lambda: window.preview.latest_frame() is not None and window.camera_is_live, timeout=10_000
        )
        capture(qtbot, station)
        attempts = [r.record for r in journal.recent(20) if r.record.kind == KIND_VERIFICATION]
        assert (
            attempts
            and attempts[0].camera_source == "device:Logitech Webcam C925e, USB 046d:085b serial A1B2C3D4"
        )
        assert _camera_rows(journal) == []
    finally:
        close_station(qtbot, station)
