"""CaptureWorker with real sources: frames flow, old frames are dropped, stop is prompt, and
a camera that is missing or comes and goes is reported in plain states, never a crash.

Synchronisation is only ever by waiting on the slot's Condition or on the state recorder's
Condition (notified from ``on_state``), each with a timeout.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pytest

from station.camera import (
    CameraRefusedError,
    CameraState,
    CaptureWorker,
    DeviceSource,
    Frame,
    FullPicture,
    LatestFrameSlot,
    StillImageSource,
    VideoFileSource,
    parse_source,
)
from station.camera.worker import fps_is_news
from station.resources import sample_path
from station.security.camera_identity import CameraIdentity, camera_refusal
from station.words import Phrase
from tests.camera.support import StateRecorder, frame_number, write_video

S = CameraState


class TrackingSlot(LatestFrameSlot):
    """A real slot that also remembers (weakly) every array handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[weakref.ref[np.ndarray]] = []

    def put(self, image: np.ndarray, full: FullPicture | None = None) -> Frame:
        self.refs.append(weakref.ref(image))
        return super().put(image, full)

    def alive(self) -> int:
        return sum(1 for ref in self.refs if ref() is not None)


def _collect_numbers(slot: LatestFrameSlot, until_wrap: bool, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    numbers: list[int] = []
    seqs: list[int] = []
    last = 0
    while time.monotonic() < deadline:
        frame = slot.wait_for_seq(last, timeout=deadline - time.monotonic())
        if frame is None:
            break
        assert frame.seq > last
        last = frame.seq
        seqs.append(frame.seq)
        numbers.append(frame_number(frame))
        if until_wrap and len(numbers) > 1 and numbers[-1] < numbers[-2]:
            break
    assert seqs == sorted(seqs)
    return numbers


def test_video_file_through_worker_flows_loops_and_stops(video_path: Path, recorder: StateRecorder) -> None:
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: VideoFileSource(video_path), slot, on_state=recorder)
    worker.start()
    try:
        first = slot.wait_for_seq(0, timeout=5.0)
        assert first is not None
        assert first.image.shape == (240, 320, 3)
        assert recorder.wait_for_state(S.LIVE, timeout=5.0)
        assert worker.status.source == "Video file clip.avi"

        numbers = _collect_numbers(slot, until_wrap=True, timeout=5.0)
        assert numbers[-1] < numbers[-2], f"never looped past the end: {numbers}"
        assert max(numbers) >= 25  # got near the end of the 30-frame clip before wrapping

        # The measured rate is reported (about once a second) while live.
        assert recorder.wait_for(lambda st: any(s.fps > 0 for s in st), timeout=5.0)
        assert 20.0 < worker.status.fps < 120.0  # the clip is 60 fps
    finally:
        start = time.monotonic()
        stopped = worker.stop(timeout=2.0)
        elapsed = time.monotonic() - start
    assert stopped
    assert elapsed < 1.0
    assert not worker.is_running
    assert worker.status.state is S.STOPPED
    assert recorder.states() == [S.OPENING, S.LIVE, S.STOPPED]
    # Nothing is published after STOPPED.
    seq_after_stop = slot.seq
    assert slot.wait_for_seq(seq_after_stop, timeout=0.1) is None


def test_slow_reader_gets_the_newest_frame_not_a_backlog(video_path: Path) -> None:
    slot = TrackingSlot()
    worker = CaptureWorker(lambda: VideoFileSource(video_path), slot)
    worker.start()
    try:
        held = slot.wait_for_seq(0, timeout=5.0)
        assert held is not None
        # The reader "stalls" while holding a frame; the worker carries on writing.
        assert slot.wait_for_seq(held.seq + 5, timeout=5.0) is not None
        latest = slot.latest()
        assert latest is not None
        assert latest.seq - held.seq >= 6  # skipped straight to the newest: no queue
        assert held.image[0, 0, 0] == held.image[-1, -1, 0]  # and the held frame is intact
        del latest
    finally:
        assert worker.stop()
    gc.collect()
    assert len(slot.refs) >= 7
    # Alive: the frame the reader holds and the one in the slot. Everything else was freed.
    assert slot.alive() == 2


def test_state_callback_errors_do_not_stop_the_camera(video_path: Path) -> None:
    calls = threading.Event()

    def broken_listener(_status: object) -> None:
        calls.set()
        raise RuntimeError("listener bug")

    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: VideoFileSource(video_path), slot, on_state=broken_listener)
    with worker:
        assert calls.wait(5.0)
        assert slot.wait_for_seq(3, timeout=5.0) is not None
        assert worker.status.state is S.LIVE
    assert not worker.is_running


def test_missing_camera_reports_failed_and_keeps_retrying(recorder: StateRecorder) -> None:
    slot = LatestFrameSlot()
    attempts = 0
    retried = threading.Event()

    def factory() -> DeviceSource:
        nonlocal attempts
        attempts += 1
        if attempts >= 3:
            retried.set()
        return DeviceSource(99)

    worker = CaptureWorker(factory, slot, on_state=recorder, reconnect_delay=0.01, max_reconnect_delay=0.02)
    worker.start()
    try:
        assert recorder.wait_for_state(S.FAILED, timeout=5.0)
        status = worker.status
        assert status.retrying
        # Plain words for the operator; the backend's own text stays in the detail (and the log).
        assert status.message.startswith("Camera not available. Check that it is plugged in")
        assert "V4L2" not in status.message and "CAP_ANY" not in status.message
        assert "Could not open camera number 99" in status.detail
        assert status.source == "Camera 99"
        assert worker.is_running  # it did not crash and keeps trying
        assert retried.wait(5.0)  # opened again and again, from a fresh source each time
        assert worker.status.state is S.FAILED
    finally:
        assert worker.stop(timeout=2.0)
    assert slot.latest() is None
    assert recorder.states() == [S.OPENING, S.FAILED, S.STOPPED]


def test_camera_that_appears_later_goes_live_by_itself(tmp_path: Path, recorder: StateRecorder) -> None:
    """A video file that is not there yet stands in for a camera plugged in after start-up."""
    path = tmp_path / "later.avi"
    slot = LatestFrameSlot()
    worker = CaptureWorker(
        lambda: VideoFileSource(path), slot, on_state=recorder, reconnect_delay=0.02, max_reconnect_delay=0.05
    )
    worker.start()
    try:
        assert recorder.wait_for_state(S.FAILED, timeout=5.0)
        assert "Video file not found" in worker.status.detail
        write_video(tmp_path / "staging.avi", frames=10, fps=100.0).rename(path)
        assert recorder.wait_for_state(S.LIVE, timeout=5.0)
        assert slot.wait_for_seq(0, timeout=5.0) is not None
    finally:
        assert worker.stop()
    assert recorder.states() == [S.OPENING, S.FAILED, S.LIVE, S.STOPPED]


def test_file_gone_at_loop_point_is_lost_then_recovers(tmp_path: Path, recorder: StateRecorder) -> None:
    """Reads fail and re-opens fail while the file is away; pictures return when it is back.

    The source plays the real file once and then reports a read failure (as a device or a
    network share does when it disappears); the worker must re-open it from the factory, which
    fails while the file is moved away.
    """
    original = write_video(tmp_path / "clip.avi", frames=200, fps=200.0)  # 1 s per pass
    parked = tmp_path / "parked.avi"
    slot = LatestFrameSlot()
    attempts = 0
    retried_while_away = threading.Event()

    def factory() -> VideoFileSource:
        nonlocal attempts
        attempts += 1
        if not original.exists() and attempts >= 5:
            retried_while_away.set()
        return _OneShotThenFail(original)

    worker = CaptureWorker(factory, slot, on_state=recorder, reconnect_delay=0.02, max_reconnect_delay=0.05)
    worker.start()
    try:
        assert recorder.wait_for_state(S.LIVE, timeout=5.0)
        original.rename(parked)  # the "camera" goes away; the current pass ends and fails
        assert recorder.wait_for_state(S.RECONNECTING, timeout=5.0)
        assert retried_while_away.wait(5.0)  # several re-opens failed meanwhile...
        assert worker.status.state is S.RECONNECTING  # ...without leaving RECONNECTING
        assert "Video file not found" in worker.status.detail
        lost_at = slot.seq
        parked.rename(original)  # and comes back
        assert recorder.wait_for_state(S.LIVE, count=2, timeout=5.0)
        assert slot.wait_for_seq(lost_at, timeout=5.0) is not None
    finally:
        assert worker.stop()
    assert recorder.states() == [S.OPENING, S.LIVE, S.LOST, S.RECONNECTING, S.LIVE, S.STOPPED]
    lost = next(s for s in recorder.statuses if s.state is S.LOST)
    assert lost.message == "Camera disconnected — reconnecting…"
    assert lost.detail == "The video file stopped delivering pictures."
    assert lost.retrying


class _OneShotThenFail(VideoFileSource):
    """A real video file source that plays the file once and then reports a read failure, the
    way a device or share does when it disappears (instead of quietly ending)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, loop=False)

    def read(self) -> np.ndarray:
        from station.camera import CameraError, SourceExhaustedError

        try:
            return super().read()
        except SourceExhaustedError as exc:
            raise CameraError("The video file stopped delivering pictures.") from exc


def test_video_played_once_ends_in_stopped(tmp_path: Path, recorder: StateRecorder) -> None:
    path = write_video(tmp_path / "once.avi", frames=5, fps=200.0)
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: VideoFileSource(path, loop=False), slot, on_state=recorder)
    worker.start()
    assert recorder.wait_for_state(S.STOPPED, timeout=5.0)
    assert worker.stop()
    assert worker.status.message == "The video file once.avi has ended."
    assert isinstance(worker.status.message, Phrase)  # marked: the window shows it translated
    assert slot.seq == 5
    assert recorder.states() == [S.OPENING, S.LIVE, S.STOPPED]


def test_bad_settings_fail_for_good(recorder: StateRecorder) -> None:
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: parse_source("webcam"), slot, on_state=recorder)
    worker.start()
    assert recorder.wait_for_state(S.FAILED, timeout=5.0)
    assert worker.stop(timeout=2.0)
    status = worker.status
    assert status.state is S.FAILED
    assert not status.retrying
    assert status.message.startswith("The camera is not set up correctly: unknown camera source")
    assert recorder.states() == [S.OPENING, S.FAILED]


def test_demo_source_runs_through_the_worker() -> None:
    slot = LatestFrameSlot()
    with CaptureWorker(lambda: parse_source("demo"), slot) as worker:
        first = slot.wait_for_seq(0, timeout=5.0)
        assert first is not None
        second = slot.wait_for_seq(first.seq, timeout=5.0)
        assert second is not None
        assert first.image.shape == second.image.shape == (512, 512, 3)
        assert not np.array_equal(first.image, second.image)
        assert worker.status.source == "Still image face.jpg"


def test_stop_is_immediate_during_backoff(recorder: StateRecorder) -> None:
    slot = LatestFrameSlot()
    worker = CaptureWorker(
        lambda: StillImageSource(Path("/nonexistent/face.jpg")),
        slot,
        on_state=recorder,
        reconnect_delay=5.0,
        max_reconnect_delay=5.0,
    )
    worker.start()
    assert recorder.wait_for_state(S.FAILED, timeout=5.0)
    start = time.monotonic()
    assert worker.stop(timeout=2.0)
    assert time.monotonic() - start < 0.5  # did not sit out the 5 s backoff


def test_worker_runs_once_and_rejects_bad_delays() -> None:
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: StillImageSource(sample_path("face.jpg")), slot)
    assert worker.stop()  # never started: trivially stopped
    assert worker.status.state is S.STOPPED
    worker = CaptureWorker(lambda: StillImageSource(sample_path("face.jpg")), slot)
    worker.start()
    with pytest.raises(RuntimeError, match="already started"):
        worker.start()
    assert worker.stop()
    with pytest.raises(ValueError, match="reconnect_delay"):
        CaptureWorker(lambda: StillImageSource(sample_path("face.jpg")), slot, reconnect_delay=0)


def test_a_camera_refused_by_policy_is_never_opened_nor_retried(recorder: StateRecorder) -> None:
    """Issue 26: the refusal is the operator's message, the worker ends, no frame is read."""
    slot = LatestFrameSlot()
    calls = 0

    def factory() -> DeviceSource:
        nonlocal calls
        calls += 1
        raise CameraRefusedError(
            "The camera 'OBS Virtual Camera' is a virtual camera: verification is refused."
        )

    worker = CaptureWorker(factory, slot, on_state=recorder, reconnect_delay=0.01, max_reconnect_delay=0.02)
    worker.start()
    try:
        assert recorder.wait_for_state(S.FAILED, timeout=5.0)
        status = worker.status
        assert status.message.startswith("The camera 'OBS Virtual Camera' is a virtual camera")
        assert not status.retrying
    finally:
        assert worker.stop(timeout=2.0)
    assert calls == 1
    assert slot.latest() is None


def test_a_refusal_keeps_its_marking_for_the_window(recorder: StateRecorder) -> None:
    """The window translates the refusal by its template: the worker hands it on as it was raised
    (issue 23: ``str(error)`` gave a Hindi screen the English sentence)."""
    virtual = CameraIdentity("OBS Virtual Camera", virtual_reason="a virtual camera's driver")
    refusal = camera_refusal(virtual, "", production=True)
    assert isinstance(refusal, Phrase)

    def factory() -> DeviceSource:
        raise CameraRefusedError(refusal)

    worker = CaptureWorker(factory, LatestFrameSlot(), on_state=recorder, reconnect_delay=0.01)
    worker.start()
    try:
        assert recorder.wait_for_state(S.FAILED, timeout=5.0)
        message = worker.status.message
        assert isinstance(message, Phrase) and message.template == refusal.template
        assert message.named == {"name": "'OBS Virtual Camera'", "reason": "a virtual camera's driver"}
    finally:
        assert worker.stop(timeout=2.0)


def test_a_frame_rate_is_news_only_when_it_moves_by_a_whole_frame_a_second() -> None:
    """Every status told redraws the window's strip and idle screen: jitter of a tenth is not news."""
    assert fps_is_news(0.0, 29.9)  # the first measurement
    assert not fps_is_news(29.9, 30.0)
    assert not fps_is_news(30.0, 29.2)
    assert fps_is_news(30.0, 28.9)
    assert fps_is_news(15.0, 30.0)
