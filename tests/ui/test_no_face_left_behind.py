"""Nothing keeps a customer's face: a day of verifications through every kind of answer and
failure, then every folder the station writes (its data, its logs, the temporary folder, caches)
is searched for a picture (JPEG, PNG) or the camera's raw frame bytes."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.application.factory import open_recorder
from station.core.models import OutcomeKind
from station.logfiles import HANDLER_NAME, configure_file_logging
from station.resources import sample_path
from tests.ui.conftest import close_station, start_station
from tests.ui.test_station_flow import capture

SIGNATURES = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}

#: Every kind of answer a day brings, in the order a trainer would show them.
DAY: list[tuple[str, dict[str, float]]] = [
    ("live", {}),
    ("spoof", {}),
    ("no_face", {}),
    ("several_faces", {}),
    ("low_detection", {}),
    ("not_ok", {}),
    ("error_then_ok", {"failures": 1}),
    ("error", {"status": 503}),
    ("rate_limited", {"failures": 1, "retry_after": 0}),
    ("slow", {"delay": 0.2}),
    ("malformed_json", {}),
    ("unauthorized", {}),
    ("reset", {}),
]


def raw_frame_samples() -> list[bytes]:
    """Stretches of the camera's own pixels (the demo camera shows this sample)."""
    image = cv2.imread(str(sample_path("face.jpg")))
    assert image is not None
    height = image.shape[0]
    rows = [image[height // 3].tobytes(), image[height // 2].tobytes(), image[2 * height // 3].tobytes()]
    return [row[len(row) // 2 : len(row) // 2 + 48] for row in rows]


def findings(folder: Path, raw: list[bytes]) -> list[str]:
    found: list[str] = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name, signature in SIGNATURES.items():
            if signature in data:
                found.append(f"{path}: {name} signature")
        if any(sample in data for sample in raw):
            found.append(f"{path}: raw camera pixels")
    return found


def test_a_day_of_verifications_leaves_no_face_anywhere(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, logs, temp, cache = (tmp_path / name for name in ("data", "logs", "tmp", "cache"))
    for folder in (data, logs, temp, cache):
        folder.mkdir()
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(data))
    monkeypatch.setenv("STATION_LOG_DIR", str(logs))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    configure_file_logging(logs, level=logging.DEBUG)
    from station.app import StationConfig

    recorder, journal = open_recorder(StationConfig(demo=True))
    assert journal is not None and journal.path.parent == data
    station = start_station(qtbot, recorder=recorder, journal=journal)
    outcomes: list[OutcomeKind] = []
    try:
        emulator = station.emulator
        assert emulator is not None
        for scenario, options in DAY:
            emulator.set_scenario(scenario, **options)
            outcomes.append(capture(qtbot, station, timeout=30_000).kind)
            qtbot.keyClick(station.window, Qt.Key.Key_Return)  # the next customer
        emulator.set_scenario("hang")  # and one the operator cancels
        qtbot.waitUntil(station.window.has_new_frame, timeout=10_000)
        sent = emulator.requests_received
        qtbot.keyClick(station.window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: emulator.requests_received > sent, timeout=10_000)
        with qtbot.waitSignal(station.controller.cancelled, timeout=10_000):
            qtbot.keyClick(station.window, Qt.Key.Key_Escape)
        assert station.window.preview.frozen_frame() is None  # the capture left memory with the session
    finally:
        close_station(qtbot, station)
        journal.close()
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
            handler.close()
    assert OutcomeKind.LIVE in outcomes and OutcomeKind.SPOOF in outcomes and OutcomeKind.ERROR in outcomes
    assert (data / "demo-audit.sqlite3").stat().st_size > 0
    assert any(logs.iterdir()), "the station logged nothing: the search would prove nothing"
    raw = raw_frame_samples()
    assert all(len(sample) == 48 for sample in raw)
    problems = [finding for folder in (data, logs, temp, cache) for finding in findings(folder, raw)]
    assert problems == []
