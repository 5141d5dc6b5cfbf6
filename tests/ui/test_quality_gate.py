"""The capture gate on the real station: guide, objection, override, calls saved, off the UI thread."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.gate import GateVerdict, QualityGate
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.camera import StillImageSource
from station.core.models import OutcomeKind
from station.resources import sample_path
from station.vision.quality import Instruction, QualityAnalyser
from tests.images import read_bgr
from tests.ui.conftest import close_station, journal_rows, start_station
from tests.ui.test_station_flow import capture


@pytest.fixture(scope="module")
def dark_face(tmp_path_factory: pytest.TempPathFactory) -> Path:
    image = read_bgr(sample_path("face.jpg"))
    path = tmp_path_factory.mktemp("quality") / "dark-face.png"
    cv2.imwrite(str(path), (image * 0.25).astype(np.uint8))
    assert QualityAnalyser().analyse(read_bgr(path)).instruction is Instruction.TOO_DARK
    return path


def gated(qtbot: QtBot, journal: AuditJournal, picture: Path) -> Station:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(operator_id="op3")),
        journal=journal,
        quality_gate=True,
        source_factory=lambda: StillImageSource(picture),
    )
    qtbot.waitUntil(lambda: running.window.gate.latest is not None, timeout=10_000)
    return running


@pytest.fixture
def dark_station(qtbot: QtBot, journal: AuditJournal, dark_face: Path) -> Iterator[Station]:
    running = gated(qtbot, journal, dark_face)
    yield running
    close_station(qtbot, running)


def test_gate_objects_once_then_the_operator_may_override(
    qtbot: QtBot, dark_station: Station, journal: AuditJournal
) -> None:
    window, emulator = dark_station.window, dark_station.emulator
    assert emulator is not None
    assert window.gate.latest is not None
    assert window.gate.latest.instruction is Instruction.TOO_DARK
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.banner.title_text == "Not ready"
    assert "Too dark" in window.banner.message_text
    assert "capture anyway" in window.banner.detail_text
    assert emulator.requests_received == 0
    report = capture(qtbot, dark_station)  # the second press overrides
    assert report.kind is not OutcomeKind.ERROR
    assert emulator.requests_received == 1
    (stored,) = journal_rows(journal)[:1]
    assert "quality gate overridden: too_dark" in (stored.record.notes or "")
    assert window.gate.calls_saved == 0


def test_an_objection_let_go_is_a_call_saved(
    qtbot: QtBot, dark_station: Station, journal: AuditJournal
) -> None:
    window = dark_station.window
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Return)  # next customer instead of overriding
    assert window.gate.calls_saved == 1
    assert window.calls_saved_label.text() == "Calls saved this shift: 1"
    qtbot.waitUntil(lambda: len(journal_rows(journal)[:5]) == 1, timeout=5_000)
    (event,) = journal_rows(journal)[:1]
    assert event.record.kind == "quality_gate"
    assert event.record.operator_id == "op3"
    assert "too_dark" in (event.record.notes or "")
    assert dark_station.emulator is not None
    assert dark_station.emulator.requests_received == 0


def test_ready_picture_goes_straight_through(qtbot: QtBot, journal: AuditJournal) -> None:
    running = gated(qtbot, journal, sample_path("face.jpg"))
    try:
        qtbot.waitUntil(lambda: running.window.gate.latest is not None and running.window.gate.latest.ready)
        report = capture(qtbot, running)
        assert report.kind is OutcomeKind.LIVE
        assert "overridden" not in " ".join(report.notes)
    finally:
        close_station(qtbot, running)


def test_analysis_runs_off_the_ui_thread_and_barely_touches_the_preview(
    qtbot: QtBot, dark_station: Station
) -> None:
    feed = dark_station.quality
    assert feed is not None
    assert feed.thread_ident is not None
    assert feed.thread_ident != threading.get_ident()
    # The UI thread's share is the guide drawn in the paint: compare paints with and without it.
    preview = dark_station.window.preview
    report = dark_station.window.gate.latest

    def paint_ms(guided: bool) -> float:
        preview.set_guidance(report if guided else None)
        samples = []
        for _ in range(30):
            started = time.perf_counter()
            preview.repaint()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    assert paint_ms(True) - paint_ms(False) < 5.0


def test_gate_rules() -> None:
    analyser = QualityAnalyser()
    ready = analyser.analyse(read_bgr(sample_path("face.jpg")))
    dark = analyser.analyse((read_bgr(sample_path("face.jpg")) * 0.25).astype(np.uint8))
    gate = QualityGate()
    assert gate.on_capture() is GateVerdict.ALLOW  # no report yet: never block
    gate.update(ready)
    assert gate.on_capture() is GateVerdict.ALLOW
    gate.update(dark)
    assert gate.on_capture() is GateVerdict.OBJECT
    assert gate.on_capture() is GateVerdict.OVERRIDE
    assert gate.overridden() is Instruction.TOO_DARK
    assert gate.on_capture() is GateVerdict.OBJECT
    gate.update(ready)
    assert gate.on_capture() is GateVerdict.ALLOW  # the operator fixed it: the objection is let go
    assert gate.let_go() is Instruction.TOO_DARK
    assert gate.calls_saved == 1
    assert QualityGate(enabled=False, latest=dark).on_capture() is GateVerdict.ALLOW


def test_automatic_capture_counts_down_captures_and_stops_on_escape(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    running = gated(qtbot, journal, sample_path("face.jpg"))
    try:
        window = running.window
        qtbot.waitUntil(lambda: window.gate.latest is not None and window.gate.latest.ready, timeout=10_000)
        window.set_auto_capture(0.5)
        with qtbot.waitSignal(running.controller.finished, timeout=20_000) as finished:
            qtbot.waitUntil(lambda: window.preview.capture_progress is not None, timeout=10_000)
        assert finished.args[0].kind is OutcomeKind.LIVE
        assert window.preview.capture_progress is None
        qtbot.keyClick(window, Qt.Key.Key_Return)  # next customer: the countdown starts again…
        qtbot.waitUntil(lambda: window.preview.capture_progress is not None, timeout=10_000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # …and Esc stops it for this customer
        assert window.preview.capture_progress is None
        assert "Automatic capture stopped" in window.statusBar().currentMessage()
        assert running.emulator is not None
        requests = running.emulator.requests_received
        assert window.gate.latest is not None
        window.show_quality(window.gate.latest)  # ready again: still stopped
        assert window.preview.capture_progress is None
        assert running.emulator.requests_received == requests
    finally:
        close_station(qtbot, running)
