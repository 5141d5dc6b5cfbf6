"""The analyser on a stream (issue 16): tracking, unchanged pictures kept, an empty counter backed
off; and always the instruction a full analysis of the same frame gives."""

from __future__ import annotations

import itertools
import math

import numpy as np

from station.core.images import BGRImage
from station.vision.faces import MIN_FACE_CONFIDENCE, DetectedFace, FaceDetector
from station.vision.finder import FULL_SCAN_EVERY
from station.vision.quality import EMPTY_REFRESH_S, FACE_REFRESH_S, Instruction, QualityAnalyser
from tests.vision import variants as v


class CountingDetector(FaceDetector):
    """The real detector, counting its network runs."""

    def __init__(self) -> None:
        super().__init__()
        self.runs = 0

    def detect_square(
        self,
        image_bgr: BGRImage,
        square: tuple[int, int, int],
        *,
        short_range: bool = False,
        min_confidence: float = MIN_FACE_CONFIDENCE,
    ) -> list[DetectedFace]:
        self.runs += 1
        return super().detect_square(
            image_bgr, square, short_range=short_range, min_confidence=min_confidence
        )


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_unchanged_empty_counter_runs_the_detector_only_to_refresh() -> None:
    detector, clock = CountingDetector(), Clock()
    analyser = QualityAnalyser(detector, clock=clock)
    step = 0.125
    looks = round(3 * EMPTY_REFRESH_S / step)
    full: list[int] = []
    for index in range(looks):
        report = analyser.analyse_stream(v.with_noise(v.no_face(), 2.0, seed=index))
        assert report.instruction is Instruction.NO_FACE
        if not report.reused:
            full.append(index)
        clock.now += step
    # The first look, then one each EMPTY_REFRESH_S: three or four detector runs in 48 looks.
    assert full[0] == 0 and 3 <= len(full) <= 4
    assert all(b - a == round(EMPTY_REFRESH_S / step) for a, b in itertools.pairwise(full))

    before = detector.runs
    arrived = analyser.analyse_stream(v.pasted(600, 400, 150, 0, 0.75))
    assert not arrived.reused and arrived.face_count == 1 and detector.runs > before


def test_a_still_customer_is_re_examined_every_second() -> None:
    detector, clock = CountingDetector(), Clock()
    analyser = QualityAnalyser(detector, clock=clock)
    frame = v.sample("face.jpg")
    reports = []
    for index in range(16):
        reports.append(analyser.analyse_stream(v.with_noise(frame, 1.0, seed=index)))
        clock.now += 0.25
    assert {r.instruction for r in reports} == {Instruction.READY}
    fresh = [i for i, r in enumerate(reports) if not r.reused]
    assert fresh == list(range(0, 16, round(FACE_REFRESH_S / 0.25)))


def test_tracking_gives_the_full_analysis_instruction_for_a_moving_customer(detector: FaceDetector) -> None:
    """Frames of a customer swaying over a still background (every look a new picture): tracked
    looks are cheap and say what a full analysis of the same frame says."""
    counting, clock = CountingDetector(), Clock()
    stream = QualityAnalyser(counting, clock=clock)
    still = QualityAnalyser(detector)
    for name in ("face.jpg", "face-large.jpg"):
        stream.reset()
        runs_before = counting.runs
        looks = 12
        picture = v.sample(name)
        box = still.analyse(picture).face_box
        assert box is not None
        for index in range(looks):
            frame = v.moving_customer(picture, box, index * 0.25)
            tracked = stream.analyse_stream(frame)
            assert not tracked.reused
            assert tracked.instruction is still.analyse(frame).instruction is Instruction.READY
            assert tracked.face_fraction is not None
            assert tracked.face_fraction == _approx(still.analyse(frame).face_fraction, 0.15)
            clock.now += 0.1  # faster than the clock rule: the count decides
        # A full look is a full scan and a refinement (2 runs); a tracked look is one run.
        full_looks = math.ceil(looks / FULL_SCAN_EVERY)
        assert counting.runs - runs_before == 2 * full_looks + (looks - full_looks)


def _approx(value: float | None, rel: float) -> object:
    import pytest

    assert value is not None
    return pytest.approx(value, rel=rel)


def test_a_second_person_beside_a_still_customer_is_noticed_at_once() -> None:
    """The customer sits still (looks kept, nothing tracked for seconds); someone stepping in is a
    change, and with the last full scan a second or more ago that look is a full scan."""
    clock = Clock()
    analyser = QualityAnalyser(CountingDetector(), clock=clock)
    alone = v.two_faces()
    alone[:, 512:] = v.GREY  # the right-hand person is not there yet
    for index in range(3 * FULL_SCAN_EVERY):
        report = analyser.analyse_stream(v.with_noise(alone, 3.0, seed=index))
        assert report.face_count == 1
        clock.now += 0.25
    report = analyser.analyse_stream(v.with_noise(v.two_faces(), 3.0, seed=99))
    assert report.instruction is Instruction.SEVERAL_FACES


def test_a_second_person_beside_a_moving_customer_is_noticed_at_once() -> None:
    """Every look a new picture (the customer moves, so looks are tracked); someone appearing
    beside them changes the picture away from the customer: that look is a full scan."""
    clock = Clock()
    analyser = QualityAnalyser(CountingDetector(), clock=clock)
    pair = v.two_faces()
    alone = pair.copy()
    alone[:, 512:] = v.GREY
    box = (171, 62, 105, 105)  # the left face, as the guide measures it
    for index in range(FULL_SCAN_EVERY + 1):
        report = analyser.analyse_stream(v.moving_customer(alone, box, index * 0.25))
        assert report.face_count == 1
        clock.now += 0.1  # faster than the clock rule: only the change can call a full scan
    report = analyser.analyse_stream(v.moving_customer(pair, box, 2.0))
    assert report.instruction is Instruction.SEVERAL_FACES


def test_a_customer_swaying_over_a_still_background_is_tracked() -> None:
    counting = CountingDetector()
    clock = Clock()
    analyser = QualityAnalyser(counting, clock=clock)
    picture = v.sample("face.jpg")
    box = QualityAnalyser(FaceDetector()).analyse(picture).face_box
    assert box is not None
    reports = []
    for index in range(FULL_SCAN_EVERY):
        reports.append(analyser.analyse_stream(v.moving_customer(picture, box, index * 0.25)))
        clock.now += 0.1
    assert all(r.ready and not r.reused for r in reports)
    # One full look (scan + refinement), then one tracking run per look.
    assert counting.runs == 2 + (FULL_SCAN_EVERY - 1)


def test_a_new_frame_size_starts_afresh(analyser: QualityAnalyser) -> None:
    for _ in range(3):
        analyser.analyse_stream(v.sample("face.jpg"))
    report = analyser.analyse_stream(v.sample("face-large.jpg"))
    assert not report.reused and report.instruction is Instruction.READY
    assert (report.frame_width, report.frame_height) == (1896, 2735)


def test_a_frozen_camera_is_still_noticed_while_looks_are_reused(analyser: QualityAnalyser) -> None:
    frame = np.ascontiguousarray(v.no_face())
    reports = [analyser.analyse_stream(frame) for _ in range(5)]
    assert [r.reused for r in reports] == [False, True, True, True, True]
    assert reports[-1].instruction is Instruction.FROZEN_CAMERA
