"""Issue 23's defects on the real window: each as the walk-through found it.

The rules themselves are tested without Qt (tests/application/test_never_wedged.py); these check
that the window shows them, with a frame really present and the requests counted at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application import verifier as verifier_module
from station.application.consent import ConsentNotice
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from tests.ui.conftest import close_station, start_station
from tests.ui.test_station_flow import capture


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
        patch.setattr(verifier_module, "encode_jpeg", broken_encoder)
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
    station.verifier.swap_client(None, "No service token is enrolled for sandbox.")
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
