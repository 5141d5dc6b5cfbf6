"""Issue 27, start-up: the camera's first frame is painted in a window of its own before the station
(window, desk, service client, emulator) is imported or built, and that window lets go of the
camera when the station's window takes over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from station.app import StationConfig, build_station
from station.application.recording import JournalRecorder
from station.audit import AuditJournal
from station.camera import CameraState
from station.config import model
from station.launch import _show_first_frame
from station.locations import machine_folders
from station.ui import languages
from station.ui.camera_feed import CameraFeed, open_camera_early
from station.ui.early_window import show_early_preview
from tests.ui.conftest import close_station

_BEFORE_THE_STATION = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtWidgets import QApplication
    from station.cli import build_parser
    from station.launch import _show_first_frame, _station_config
    from station.config import Settings
    from station.ui.camera_feed import open_camera_early
    from station.ui.languages import station_languages

    args = build_parser().parse_args(["--demo"])
    config = _station_config(args)
    app = QApplication(sys.argv[:1])
    camera = open_camera_early(config)
    early = _show_first_frame(camera, station_languages(Settings(), remember=False), kiosk=False)
    print(json.dumps({
        "painted": early.first_frame_seq,
        "loaded": sorted(m for m in sys.modules if m in (
            "station.app", "station.ui.main_window", "station.application.desk",
            "station.emulator.server", "aiohttp", "pypdfium2")),
        "client": sorted(m for m in sys.modules if m in (
            "httpx", "keyring", "station.api.client", "station.application.session",
            "station.application.port", "station.application.recording")),
        "fleet": sorted(m for m in sys.modules if m in (
            "station.ship.shipper", "station.ship.metrics", "prometheus_client",
            "station.audit.journal", "qasync")),
        "ship_config": "station.ship.config" in sys.modules,
    }))
    early.hand_over()
    camera.stop()
    """
)


def test_the_first_frame_is_painted_before_the_station_is_imported_or_built(tmp_path: Path) -> None:
    # A fresh process, as `station --demo` starts: what was imported when the frame was on screen.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STATION_CONFIG_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", _BEFORE_THE_STATION], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["painted"] is not None  # a real camera frame was painted
    assert seen["loaded"] == []  # the window, application module, emulator and PDF reader came later
    # Nor the service client and httpx, the keyring, the customer session or the trusted side
    # (issue 27): the settings and the camera's verdict are read without them.
    assert seen["client"] == []
    # Nor the fleet shipper, its Prometheus textfile, the journal or qasync: the settings read the
    # shipping config (so the check below could fail) without the package loading the rest.
    assert seen["ship_config"] is True
    assert seen["fleet"] == []


_RUN_GUI_UNTIL_THE_FRAME = textwrap.dedent(
    """
    import json, os, sys
    import station.launch as launch
    from station.cli import build_parser

    def at_the_first_frame(camera, languages, *, kiosk):
        early = show(camera, languages, kiosk=kiosk)
        print(json.dumps({
            "painted": early.first_frame_seq if early is not None else None,
            "loaded": sorted(m for m in sys.modules if m in (
                "qasync", "station.ship.shipper", "prometheus_client", "station.app")),
            "later": sorted(m for m in sys.modules if m in (
                "asyncio", "urllib.request", "station.vision.quality", "station.vision.faces",
                "numpy.random")),
        }), flush=True)
        os._exit(0)  # the station itself is not what this looks at

    show, launch._show_first_frame = launch._show_first_frame, at_the_first_frame
    launch.run_gui(build_parser().parse_args(["--demo"]))
    """
)


def test_run_gui_shows_the_first_frame_before_qasync_and_the_shipper_are_imported(tmp_path: Path) -> None:
    # run_gui's own order (not a copy of its steps): what it had imported when the frame was shown.
    if machine_folders().installed:
        pytest.skip("an installed station logs to its machine folder; this test writes only tmp_path")
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        STATION_CONFIG_DIR=str(tmp_path / "config"),
        STATION_LOG_DIR=str(tmp_path / "logs"),
    )
    done = subprocess.run(
        [sys.executable, "-c", _RUN_GUI_UNTIL_THE_FRAME], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["painted"] is not None
    assert seen["loaded"] == []
    # Nor asyncio (the loop's), urllib.request (file:// camera paths), the guide's analyser and
    # face detector (the guide starts with the station), or numpy.random (the still picture's
    # sensor noise, which the demo has none of): about 100 ms of the first frame (issue 27).
    assert seen["later"] == []


def test_the_early_window_shows_the_cameras_frame_and_hands_the_camera_over(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    config = StationConfig(demo=True, camera="demo")
    feed = open_camera_early(config)
    assert feed is not None
    early = _show_first_frame(feed, languages.Languages(), kiosk=False)
    assert early is not None
    assert early.first_frame_seq is not None
    assert early.preview.latest_frame() is not None
    assert early.preview.is_polling
    station = build_station(config, recorder=JournalRecorder(journal), journal=journal, camera=feed)
    qtbot.addWidget(station.window)
    try:
        painted: list[int] = []
        station.window.preview.frame_painted.connect(painted.append)
        station.start(maximised=False)
        early.hand_over()
        assert not early.isVisible()
        assert not early.preview.is_polling  # the early window no longer reads the camera
        qtbot.waitUntil(lambda: bool(painted), timeout=10_000)
        assert painted[0] >= early.first_frame_seq  # the same camera, never restarted
        assert station.camera is feed and feed.status is not None and feed.status.state is CameraState.LIVE
    finally:
        close_station(qtbot, station)


def test_without_a_camera_the_wait_for_the_first_frame_ends(qtbot: QtBot, tmp_path: Path) -> None:
    from station.camera import parse_source

    missing = f"file:{tmp_path}/no-such-video.mp4"
    feed = CameraFeed(lambda: parse_source(missing))
    feed.start()
    early = show_early_preview(feed)
    try:
        assert early.wait_for_first_frame(timeout_s=0.3) is False
        assert early.first_frame_seq is None
    finally:
        early.hand_over()
        feed.stop()


def test_no_early_window_without_an_early_camera() -> None:
    assert _show_first_frame(None, languages.Languages(), kiosk=False) is None


def test_the_preview_languages_defaults_are_the_settings_defaults() -> None:
    assert languages.DEFAULT_INTERFACE_LANGUAGE == model.DEFAULT_INTERFACE_LANGUAGE
    assert languages.DEFAULT_CUSTOMER_LANGUAGES == model.DEFAULT_CUSTOMER_LANGUAGES


def test_the_preview_does_not_import_the_settings_models() -> None:
    probe = "import sys, station.ui.preview; print('station.config.model' in sys.modules)"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
