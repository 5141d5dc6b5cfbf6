"""QualityMonitor: analyses on its own thread, throttled, only new frames, stops promptly.

Synchronisation is by threading.Event with timeouts, never by sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from station.camera import CaptureWorker, LatestFrameSlot, StillImageSource
from station.resources import sample_path
from station.vision.faces import FaceDetector
from station.vision.quality import FROZEN_MIN_REPEATS, Instruction, QualityAnalyser, QualityReport
from station.vision.quality_worker import QualityMonitor
from tests.vision import variants as v

WAIT = 10.0  # generous upper bound for any wait; tests normally finish far sooner


class Collector:
    """Records reports, the thread they arrived on and when; sets an event after ``want`` of them."""

    def __init__(self, want: int) -> None:
        self.want = want
        self.reports: list[QualityReport] = []
        self.threads: set[int] = set()
        self.times: list[float] = []
        self.enough = threading.Event()
        self.more = threading.Event()  # set by any report after the wanted ones
        self._lock = threading.Lock()

    def __call__(self, report: QualityReport) -> None:
        with self._lock:
            self.reports.append(report)
            self.threads.add(threading.get_ident())
            self.times.append(time.monotonic())
            if len(self.reports) > self.want:
                self.more.set()
            if len(self.reports) >= self.want:
                self.enough.set()


def _frozen_frame() -> np.ndarray:
    frame = v.sample("face.jpg")
    frame.flags.writeable = False
    return frame


@pytest.fixture
def monitors() -> Iterator[list[QualityMonitor]]:
    """Monitors started by a test; stopped at the end whatever happened."""
    started: list[QualityMonitor] = []
    yield started
    for monitor in started:
        monitor.stop(timeout=WAIT)


def test_analysis_runs_on_the_monitor_thread(detector: FaceDetector, monitors: list[QualityMonitor]) -> None:
    frame = _frozen_frame()
    seq = iter(range(1, 1_000_000))
    collector = Collector(want=2)
    monitor = QualityMonitor(lambda: (next(seq), frame), collector, 0.02, QualityAnalyser(detector))
    monitors.append(monitor)
    monitor.start()
    assert collector.enough.wait(WAIT)
    assert monitor.thread_ident is not None
    assert collector.threads == {monitor.thread_ident}
    assert threading.get_ident() not in collector.threads
    assert monitor.latest_report is collector.reports[-1]
    assert collector.reports[0].instruction is Instruction.READY


def test_analyses_only_new_frames(detector: FaceDetector, monitors: list[QualityMonitor]) -> None:
    frame = _frozen_frame()
    calls = threading.Event()
    count = 0

    def latest() -> tuple[int, np.ndarray]:
        nonlocal count
        count += 1
        if count >= 20:
            calls.set()
        return (7, frame)  # the same frame, seq 7, forever

    collector = Collector(want=1)
    monitor = QualityMonitor(latest, collector, 0.01, QualityAnalyser(detector))
    monitors.append(monitor)
    monitor.start()
    assert collector.enough.wait(WAIT)
    assert calls.wait(WAIT)  # it kept looking for a new frame ...
    assert not collector.more.is_set()  # ... but analysed seq 7 once only
    assert monitor.analyses == 1


def test_no_frame_yet_means_no_report(detector: FaceDetector, monitors: list[QualityMonitor]) -> None:
    polled = threading.Event()

    def latest() -> None:
        polled.set()
        return None

    collector = Collector(want=1)
    monitor = QualityMonitor(latest, collector, 0.01, QualityAnalyser(detector))
    monitors.append(monitor)
    monitor.start()
    assert polled.wait(WAIT)
    assert monitor.stop(timeout=WAIT)
    assert collector.reports == [] and monitor.latest_report is None


def test_throttles_a_burst_of_frames(detector: FaceDetector, monitors: list[QualityMonitor]) -> None:
    """A 500 fps "camera" (a new seq every 2 ms, the picture moving) is analysed in full at most
    once per interval; looks in between are at most one per watch interval."""
    shifted = [np.ascontiguousarray(np.roll(v.sample("face.jpg"), 3 * i, axis=1)) for i in range(7)]
    for frame in shifted:
        frame.flags.writeable = False
    interval, watch = 0.15, 0.05
    started = time.monotonic()

    def latest() -> tuple[int, np.ndarray]:
        seq = int((time.monotonic() - started) * 500)
        return (seq, shifted[seq % len(shifted)])

    collector = Collector(want=5)
    monitor = QualityMonitor(latest, collector, interval, QualityAnalyser(detector), watch_interval_s=watch)
    monitors.append(monitor)
    monitor.start()
    assert collector.enough.wait(WAIT)
    assert monitor.stop(timeout=WAIT)
    elapsed = time.monotonic() - started
    produced = elapsed * 500
    # Start-to-start: a report arrives ``elapsed_ms`` after its analysis began.
    starts = [t - r.elapsed_ms / 1000.0 for t, r in zip(collector.times, collector.reports, strict=True)]
    full = [t for t, r in zip(starts, collector.reports, strict=True) if not r.reused]
    assert len(full) >= 2
    assert np.diff(full).min() >= interval - 0.01, np.diff(full)
    assert np.diff(starts).min() >= watch - 0.01, np.diff(starts)
    assert monitor.analyses <= elapsed / watch + 1
    assert monitor.analyses < produced / 10  # the burst was mostly dropped


def _empty_counter(seed: int) -> np.ndarray:
    counter = v.with_noise(v.no_face(), 2.0, seed=seed)
    counter.flags.writeable = False
    return counter


def test_an_empty_counter_is_watched_cheaply_and_someone_arriving_is_analysed(
    detector: FaceDetector, monitors: list[QualityMonitor]
) -> None:
    """Issue 16: back off when nobody is there, come back when someone is. With the refresh of an
    empty picture set to ten minutes, only the arrival itself can wake the detector."""
    empty = [_empty_counter(seed) for seed in range(4)]
    arrived = v.pasted(600, 400, 150, 0, 0.75)  # face.jpg, three quarters size, on a grey 600x400
    arrived.flags.writeable = False
    state = {"seq": 0, "someone": False}

    def latest() -> tuple[int, np.ndarray]:
        state["seq"] += 1
        return (state["seq"], arrived if state["someone"] else empty[state["seq"] % 4])

    reports: list[QualityReport] = []
    enough, face_seen = threading.Event(), threading.Event()

    def on_report(report: QualityReport) -> None:
        reports.append(report)
        if len(reports) >= 12:
            enough.set()
        if report.face_count:
            face_seen.set()

    analyser = QualityAnalyser(detector, empty_refresh_s=600.0)
    monitor = QualityMonitor(latest, on_report, 0.05, analyser, watch_interval_s=0.01)
    monitors.append(monitor)
    monitor.start()
    assert enough.wait(WAIT)
    looks, runs = monitor.analyses, monitor.full_analyses
    before = list(reports)
    assert looks >= 12 and runs == 1  # a dozen looks, one detector run
    assert all(r.face_count == 0 for r in before) and all(r.reused for r in before[1:])

    state["someone"] = True
    assert face_seen.wait(WAIT)
    first = next(r for r in reports if r.face_count)
    assert not first.reused
    assert monitor.full_analyses >= 2


def test_stops_promptly(detector: FaceDetector) -> None:
    frame = _frozen_frame()
    seq = iter(range(1, 1_000_000))
    collector = Collector(want=1)
    monitor = QualityMonitor(lambda: (next(seq), frame), collector, 5.0, QualityAnalyser(detector))
    monitor.start()
    assert collector.enough.wait(WAIT)  # now resting in a 5 s interval
    began = time.monotonic()
    assert monitor.stop(timeout=2.0)
    assert time.monotonic() - began < 0.5
    assert not monitor.is_running


def test_stop_during_an_analysis_waits_for_it_only(detector: FaceDetector) -> None:
    frame = v.sample("face-large.jpg")
    frame.flags.writeable = False
    asked = threading.Event()

    def latest() -> tuple[int, np.ndarray]:
        asked.set()
        return (1, frame)

    monitor = QualityMonitor(latest, lambda r: None, 0.01, QualityAnalyser(detector))
    monitor.start()
    assert asked.wait(WAIT)  # the analysis of face-large starts about now
    began = time.monotonic()
    assert monitor.stop(timeout=WAIT)
    assert time.monotonic() - began < 1.0


def test_stop_before_start_and_start_twice(detector: FaceDetector) -> None:
    monitor = QualityMonitor(lambda: None, lambda r: None, 0.1, QualityAnalyser(detector))
    assert monitor.thread_ident is None
    assert monitor.stop()
    other = QualityMonitor(lambda: None, lambda r: None, 0.1, QualityAnalyser(detector))
    other.start()
    with pytest.raises(RuntimeError):
        other.start()
    assert other.stop(timeout=WAIT)


def test_rejects_a_bad_interval() -> None:
    with pytest.raises(ValueError, match="interval"):
        QualityMonitor(lambda: None, lambda r: None, 0.0)


def test_a_failing_callback_or_frame_does_not_kill_it(
    detector: FaceDetector, monitors: list[QualityMonitor], caplog: pytest.LogCaptureFixture
) -> None:
    frame = _frozen_frame()
    bad = np.zeros((4, 4, 2), np.uint8)
    seq = iter(range(1, 1_000_000))
    done = threading.Event()
    calls = 0

    def latest() -> tuple[int, np.ndarray]:
        n = next(seq)
        return (n, bad if n == 1 else frame)

    def on_report(report: QualityReport) -> None:
        nonlocal calls
        calls += 1
        if calls >= 2:
            done.set()
        raise RuntimeError("listener bug")

    monitor = QualityMonitor(latest, on_report, 0.01, QualityAnalyser(detector))
    monitors.append(monitor)
    monitor.start()
    assert done.wait(WAIT)
    assert monitor.is_running
    assert "analysis failed" in caplog.text and "callback failed" in caplog.text


def _camera_monitor(
    source: StillImageSource, detector: FaceDetector, collector: Collector
) -> tuple[CaptureWorker, QualityMonitor]:
    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: source, slot)

    def latest() -> tuple[int, np.ndarray] | None:
        frame = slot.latest()
        return None if frame is None else (frame.seq, frame.image)

    return worker, QualityMonitor(latest, collector, 0.05, QualityAnalyser(detector))


def test_the_demo_camera_is_ready_and_never_frozen(detector: FaceDetector) -> None:
    collector = Collector(want=FROZEN_MIN_REPEATS + 3)
    worker, monitor = _camera_monitor(
        StillImageSource(sample_path("face.jpg"), fps=30.0), detector, collector
    )
    with worker, monitor:
        assert collector.enough.wait(WAIT)
    seen = [(r.instruction.value, r.frame_difference, r.centre_offset) for r in collector.reports]
    assert not any(r.frozen for r in collector.reports), seen
    assert all(r.instruction is Instruction.READY for r in collector.reports), seen


def test_a_camera_repeating_one_frame_is_frozen(detector: FaceDetector) -> None:
    collector = Collector(want=FROZEN_MIN_REPEATS + 1)
    source = StillImageSource(sample_path("face.jpg"), fps=30.0, motion=0.0)
    worker, monitor = _camera_monitor(source, detector, collector)
    with worker, monitor:
        assert collector.enough.wait(WAIT)
    assert collector.reports[FROZEN_MIN_REPEATS].instruction is Instruction.FROZEN_CAMERA
    assert not any(r.frozen for r in collector.reports[:FROZEN_MIN_REPEATS])
