"""Issue 27, start-up: the camera opens on its thread while the window is built, and the station
shows the frame that was waiting; a camera the machine policy refuses is still never opened."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

import station.application.factory as factory
from station.app import StationConfig, build_station
from station.application.recording import JournalRecorder
from station.audit import AuditJournal
from station.camera import CameraState
from station.config import Mode
from station.launch import _early_camera_for
from station.security.camera_identity import CameraIdentity
from station.ui.camera_feed import open_camera_early
from tests.ui.conftest import close_station

C925E = CameraIdentity("Logitech Webcam C925e", vid="046d", pid="085b", serial="A1B2C3D4", bus="usb")


def test_the_early_camera_is_the_stations_and_its_waiting_frame_is_shown_first(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    config = StationConfig(demo=True, camera="demo")
    feed = open_camera_early(config)
    assert feed is not None
    # The camera delivers before the window exists.
    first = feed.slot.wait_for_seq(0, timeout=10.0)
    assert first is not None
    station = build_station(config, recorder=JournalRecorder(journal), journal=journal, camera=feed)
    qtbot.addWidget(station.window)
    try:
        assert station.camera is feed
        # The window heard the camera's state it missed while it was being built.
        assert feed.status is not None and feed.status.state is CameraState.LIVE
        assert station.window.preview.status_text().startswith("Camera is live.")
        painted: list[int] = []
        station.window.preview.frame_painted.connect(painted.append)
        station.start(maximised=False)
        qtbot.waitUntil(lambda: bool(painted), timeout=10_000)
        assert painted[0] >= first.seq  # a frame that was already there, or newer: never a wait for one
    finally:
        close_station(qtbot, station)


def test_a_camera_the_policy_refuses_is_not_opened_early(monkeypatch: pytest.MonkeyPatch) -> None:
    virtual = StationConfig(camera="device:OBS Virtual Camera", mode=Mode.PRODUCTION)
    assert open_camera_early(virtual) is None
    monkeypatch.setattr(factory, "identify_device", lambda _device: C925E)
    unapproved = StationConfig(camera="device:0", mode=Mode.PRODUCTION, approved_cameras="534d:2109")
    assert open_camera_early(unapproved) is None


def test_an_early_camera_on_other_terms_after_sign_in_is_stopped(qtbot: QtBot) -> None:
    opened_for = StationConfig(camera="demo", mode=Mode.DEVELOPMENT)
    feed = open_camera_early(opened_for)
    assert feed is not None
    assert _early_camera_for(feed, opened_for, opened_for) is feed
    stricter = dataclasses.replace(opened_for, mode=Mode.PRODUCTION)
    assert _early_camera_for(feed, stricter, opened_for) is None
    qtbot.waitUntil(lambda: feed.status is not None and feed.status.state is CameraState.STOPPED)
