"""The capture-quality analyser on real samples and generated variants: one instruction each."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from station.camera import StillImageSource
from station.resources import sample_path
from station.vision.faces import DetectedFace
from station.vision.guide import MAX_CENTRE_DX, MAX_CENTRE_DY, place_face
from station.vision.quality import (
    FROZEN_MIN_REPEATS,
    INSTRUCTION_TEXT,
    MIN_FACE_FRACTION,
    MIN_SHARPNESS,
    Instruction,
    QualityAnalyser,
    QualityReport,
    gray_signature,
    guide_oval,
)
from tests.images import u8
from tests.vision import variants as v
from tests.vision.fakes import FakeDetector as _FakeDetector

Image = np.ndarray


CASES: list[tuple[str, Callable[[], Image], Instruction]] = [
    ("face.jpg", lambda: v.sample("face.jpg"), Instruction.READY),
    ("face-large.jpg", lambda: v.sample("face-large.jpg"), Instruction.READY),
    ("dim but acceptable (x0.5)", lambda: v.darkened(0.5), Instruction.READY),
    ("sensor noise", lambda: v.with_noise(v.sample("face.jpg"), 2.0, seed=1), Instruction.READY),
    ("face-large slightly soft", lambda: v.blurred(1.5, "face-large.jpg"), Instruction.READY),
    ("darkened x0.3", lambda: v.darkened(0.3), Instruction.TOO_DARK),
    ("darkened x0.25", lambda: v.darkened(0.25), Instruction.TOO_DARK),
    ("washed out, dark half", lambda: v.washed_out(0.15, 110.0), Instruction.TOO_DARK),
    ("overexposed +100", lambda: v.overexposed(1.0, 100.0), Instruction.TOO_BRIGHT),
    ("overexposed x1.3+40", lambda: v.overexposed(1.3, 40.0), Instruction.TOO_BRIGHT),
    ("washed out, bright half", lambda: v.washed_out(0.15, 190.0), Instruction.TOO_BRIGHT),
    ("gaussian blur 1", lambda: v.blurred(1.0), Instruction.HOLD_STILL),
    ("gaussian blur 2", lambda: v.blurred(2.0), Instruction.HOLD_STILL),
    ("face-large blur 4", lambda: v.blurred(4.0, "face-large.jpg"), Instruction.HOLD_STILL),
    ("motion blur 15 px", lambda: v.motion_blurred(15), Instruction.HOLD_STILL),
    ("shrunk 0.6x", lambda: v.shrunk_in_frame(0.6), Instruction.MOVE_CLOSER),
    ("shrunk 0.5x (second look)", lambda: v.shrunk_in_frame(0.5), Instruction.MOVE_CLOSER),
    ("small on a large canvas", v.small_in_large_canvas, Instruction.MOVE_CLOSER),
    ("off centre", v.off_centre, Instruction.CENTRE_FACE),
    ("two faces", v.two_faces, Instruction.SEVERAL_FACES),
    ("no face", v.no_face, Instruction.NO_FACE),
    ("blank grey frame", lambda: np.full((480, 640, 3), 128, np.uint8), Instruction.NO_FACE),
]


@pytest.mark.parametrize(("image", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_each_variant_gets_its_instruction(
    analyser: QualityAnalyser, image: Callable[[], Image], expected: Instruction
) -> None:
    report = analyser.analyse(image())
    assert report.instruction is expected, report.to_json()
    assert report.text == INSTRUCTION_TEXT[expected]
    assert report.ready is (expected is Instruction.READY)
    assert not report.frozen


def test_ready_samples_have_margins(analyser: QualityAnalyser) -> None:
    for name in ("face.jpg", "face-large.jpg"):
        report = analyser.analyse(v.sample(name))
        assert report.face_count == 1 and report.face_box is not None
        assert report.face_fraction is not None and report.face_fraction > MIN_FACE_FRACTION * 1.1
        placement = place_face(report.frame_width, report.frame_height, report.face_box)
        assert abs(placement.dx) < MAX_CENTRE_DX * 0.9
        assert abs(placement.dy) < MAX_CENTRE_DY * 0.9
        assert report.sharpness is not None and report.sharpness > MIN_SHARPNESS * 2


def test_measurements_of_face_jpg(analyser: QualityAnalyser) -> None:
    report = analyser.analyse(v.sample("face.jpg"))
    assert report.face_box is not None
    # Where the detector's tracking look measures it, (176, 75, 100, 101): BlazeFace's box runs
    # from the brows to below the mouth, a little lower than the Haar cascade's (centre y 113.5).
    x, y, w, h = report.face_box
    assert abs(x + w / 2 - 226) < 8 and abs(y + h / 2 - 125.5) < 8
    assert 85 <= w <= 120 and 85 <= h <= 120
    assert (report.frame_width, report.frame_height) == (512, 512)
    assert report.face_fraction == pytest.approx(h / 512)
    # The light measured in the box moves a little with the box.
    assert report.brightness == pytest.approx(154, abs=8)
    assert report.contrast == pytest.approx(58, abs=6)
    assert report.frame_difference is None and report.repeats == 0
    assert report.elapsed_ms > 0


def test_sharpness_does_not_depend_on_resolution_or_light(analyser: QualityAnalyser) -> None:
    small = analyser.analyse(v.sample("face.jpg")).sharpness
    large = analyser.analyse(v.sample("face-large.jpg")).sharpness
    dim = analyser.analyse(v.darkened(0.5)).sharpness
    assert small is not None and large is not None and dim is not None
    assert large == pytest.approx(small, rel=0.2)
    assert dim == pytest.approx(small, rel=0.2)


def test_priority_dark_beats_small_and_blur(analyser: QualityAnalyser) -> None:
    import cv2

    dark_small_blurred = u8(
        cv2.GaussianBlur(cv2.convertScaleAbs(v.shrunk_in_frame(0.6), alpha=0.3), (0, 0), 2)
    )
    assert analyser.analyse(dark_small_blurred).instruction is Instruction.TOO_DARK


def test_priority_dark_beats_two_faces(analyser: QualityAnalyser) -> None:
    """Issue 14: light is judged before faces are counted (the old order said several faces)."""
    import cv2

    dark_pair = u8(cv2.convertScaleAbs(v.two_faces(), alpha=0.3))
    report = analyser.analyse(dark_pair)
    assert report.face_count == 2
    assert report.instruction is Instruction.TOO_DARK


def test_input_frame_is_never_written(analyser: QualityAnalyser) -> None:
    for image in (v.sample("face.jpg"), v.two_faces(), v.small_in_large_canvas()):
        before = image.copy()
        image.flags.writeable = False  # the camera slot hands over read-only frames
        analyser.analyse(image)
        assert np.array_equal(image, before)


def test_grayscale_and_bgra_inputs(analyser: QualityAnalyser) -> None:
    import cv2

    face = v.sample("face.jpg")
    assert analyser.analyse(u8(cv2.cvtColor(face, cv2.COLOR_BGR2GRAY))).ready
    assert analyser.analyse(u8(cv2.cvtColor(face, cv2.COLOR_BGR2BGRA))).ready


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (np.zeros((0, 0, 3), np.uint8), ValueError),
        (np.zeros((10, 10, 3), np.float32), TypeError),
        (np.zeros((10, 10, 2), np.uint8), ValueError),
    ],
)
def test_bad_inputs_raise_clearly(analyser: QualityAnalyser, bad: Image, error: type[Exception]) -> None:
    with pytest.raises(error):
        analyser.analyse(bad)


def test_to_json_keys_and_values(analyser: QualityAnalyser) -> None:
    report = analyser.analyse(v.sample("face.jpg"))
    data = report.to_json()
    assert data["instruction"] == "ready"
    assert set(data) >= {
        "instruction",
        "text",
        "ready",
        "face_count",
        "face_fraction",
        "centre_offset",
        "brightness",
        "contrast",
        "sharpness",
        "frozen",
        "elapsed_ms",
        "face_box",
    }
    assert report.face_box is not None and data["face_box"] == list(report.face_box)
    import json

    assert json.loads(json.dumps(data)) == data


def test_instruction_values_are_exactly_the_ten() -> None:
    assert {i.value for i in Instruction} == {
        "ready",
        "no_face",
        "several_faces",
        "move_closer",
        "move_back",
        "centre_face",
        "too_dark",
        "too_bright",
        "hold_still",
        "frozen_camera",
    }
    assert set(INSTRUCTION_TEXT) == set(Instruction)


# ------------------------------------------------------------------------------- guide oval


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 720), (512, 512), (1896, 2735), (100, 1000)])
def test_guide_oval_is_inside_the_frame_and_centred(w: int, h: int) -> None:
    x, y, ow, oh = guide_oval(w, h)
    assert x >= 0 and y >= 0 and x + ow <= w + 1e-9 and y + oh <= h + 1e-9
    assert x + ow / 2 == pytest.approx(w / 2)
    assert oh > ow > 0


@pytest.mark.parametrize(
    ("dx", "dy", "expected"),
    [(0.0, 0.0, 0.0), (0.5, 0.0, 0.5), (0.0, -1.0, 1.0), (-2.0, 0.0, 2.0), (0.6, 0.8, 1.0)],
)
def test_centre_offset_is_in_oval_half_axes(dx: float, dy: float, expected: float) -> None:
    x, y, ow, oh = guide_oval(640, 480)
    side = 60
    cx = x + ow / 2 + dx * ow / 2
    cy = y + oh / 2 + dy * oh / 2
    face = DetectedFace(round(cx - side / 2), round(cy - side / 2), side, side, 0.99)
    frame = np.full((480, 640, 3), 128, np.uint8)
    report = QualityAnalyser(_FakeDetector([face], frame.shape)).analyse(frame)
    assert report.centre_offset == pytest.approx(expected, abs=0.02)


def test_guide_oval_rejects_empty_frames() -> None:
    with pytest.raises(ValueError, match="positive"):
        guide_oval(0, 480)


# ------------------------------------------------------------------------------- frozen frames


def test_a_repeated_frame_is_frozen_after_n_analyses(analyser: QualityAnalyser) -> None:
    frame = v.sample("face.jpg")
    reports = [analyser.analyse_stream(frame) for _ in range(FROZEN_MIN_REPEATS + 2)]
    assert [r.frozen for r in reports] == [False] * FROZEN_MIN_REPEATS + [True, True]
    assert reports[-1].instruction is Instruction.FROZEN_CAMERA
    assert reports[-1].frame_difference == 0.0
    # Frozen outranks everything, and the face was still measured.
    assert reports[-1].face_count == 1


def test_one_changed_frame_resets_the_frozen_count(analyser: QualityAnalyser) -> None:
    frame = v.sample("face.jpg")
    for _ in range(FROZEN_MIN_REPEATS + 1):
        analyser.analyse_stream(frame)
    assert analyser.analyse_stream(v.with_noise(frame, 2.0, seed=3)).instruction is Instruction.READY
    assert not analyser.analyse_stream(frame).frozen


def test_a_noisy_sensor_is_never_frozen(analyser: QualityAnalyser) -> None:
    frame = v.sample("face.jpg")
    reports = [
        analyser.analyse_stream(v.with_noise(frame, 1.0, seed=i)) for i in range(FROZEN_MIN_REPEATS + 3)
    ]
    assert not any(r.frozen for r in reports)
    assert all(r.instruction is Instruction.READY for r in reports)


def test_the_demo_camera_is_not_frozen(analyser: QualityAnalyser) -> None:
    # The highest frame rate gives the least motion between two frames: the hardest case.
    source = StillImageSource(sample_path("face.jpg"), fps=240.0)
    source.open()
    try:
        reports = [analyser.analyse_stream(source.read()) for _ in range(FROZEN_MIN_REPEATS + 4)]
    finally:
        source.close()
    assert not any(r.frozen for r in reports), [r.frame_difference for r in reports]
    assert all(r.repeats == 0 for r in reports)
    assert {r.instruction for r in reports} == {Instruction.READY}


def test_a_still_source_without_motion_is_frozen(analyser: QualityAnalyser) -> None:
    source = StillImageSource(sample_path("face.jpg"), fps=240.0, motion=0.0)
    source.open()
    try:
        reports = [analyser.analyse_stream(source.read()) for _ in range(FROZEN_MIN_REPEATS + 1)]
    finally:
        source.close()
    assert reports[-1].instruction is Instruction.FROZEN_CAMERA


def test_analyse_with_a_previous_signature_is_pure(analyser: QualityAnalyser) -> None:
    import cv2

    frame = v.sample("face.jpg")
    signature = gray_signature(u8(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)))
    once = analyser.analyse(frame, signature)
    assert once.repeats == 1 and not once.frozen
    last = analyser.analyse(frame, signature, previous_repeats=FROZEN_MIN_REPEATS - 1)
    assert last.frozen and last.instruction is Instruction.FROZEN_CAMERA
    resized = analyser.analyse(v.shrunk_in_frame(0.6)[:400], signature)
    assert resized.frame_difference is not None and resized.repeats == 0


def test_reset_forgets_the_history(analyser: QualityAnalyser) -> None:
    frame = v.sample("face.jpg")
    for _ in range(FROZEN_MIN_REPEATS + 1):
        analyser.analyse_stream(frame)
    analyser.reset()
    assert analyser.analyse_stream(frame).frame_difference is None


# ------------------------------------------------------------------------------- nested boxes


def test_a_box_around_a_face_is_not_a_second_person() -> None:
    real = DetectedFace(200, 120, 70, 70, 0.96)
    ghost = DetectedFace(90, 30, 290, 290, 0.90)  # a Haar false face around the real one
    frame = v.shrunk_in_frame(0.7)
    report = QualityAnalyser(_FakeDetector([ghost, real], frame.shape)).analyse(frame)
    assert report.face_count == 1
    assert report.face_box is not None
    # The fake's boxes go through the full scan's shrunk copy and back: a pixel of rounding.
    assert all(abs(got - want) <= 2 for got, want in zip(report.face_box, (200, 120, 70, 70), strict=True))


def test_two_separate_boxes_are_two_people() -> None:
    faces = [DetectedFace(40, 60, 100, 100, 0.9), DetectedFace(300, 60, 100, 100, 0.95)]
    frame = v.sample("face.jpg")
    report = QualityAnalyser(_FakeDetector(faces, frame.shape)).analyse(frame)
    assert report.instruction is Instruction.SEVERAL_FACES


def test_report_is_frozen_dataclass(analyser: QualityAnalyser) -> None:
    import dataclasses

    report: QualityReport = analyser.analyse(v.no_face())
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.face_count = 3  # type: ignore[misc]
    assert report.face_box is None and report.sharpness is None and report.contrast is None
    # With no face, the light is that of the oval's middle (where a face would be).
    assert report.brightness is not None and 60 < report.brightness < 210


# ------------------------------------------------------------------------------- pose from keypoints


def _keypoints(
    box: tuple[int, int, int, int], nose_shift: float, tilt_degrees: float
) -> tuple[tuple[float, float], ...]:
    """Six keypoints of an upright face in ``box``, the nose moved ``nose_shift`` half eye
    distances along the eye line, everything rotated by ``tilt_degrees`` round the box's centre."""
    import math

    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    half_eyes = 0.2 * w
    points = [
        (cx - half_eyes, cy - 0.15 * h),
        (cx + half_eyes, cy - 0.15 * h),
        (cx + nose_shift * half_eyes, cy + 0.05 * h),
        (cx, cy + 0.25 * h),
        (x + 0.05 * w, cy - 0.05 * h),
        (x + 0.95 * w, cy - 0.05 * h),
    ]
    a = math.radians(tilt_degrees)
    return tuple(
        (
            cx + (px - cx) * math.cos(a) - (py - cy) * math.sin(a),
            cy + (px - cx) * math.sin(a) + (py - cy) * math.cos(a),
        )
        for px, py in points
    )


@pytest.mark.parametrize(
    ("nose_shift", "tilt", "expected"),
    [
        (0.0, 0.0, Instruction.READY),
        (0.4, 0.0, Instruction.READY),
        (0.8, 0.0, Instruction.NO_FACE),  # turned aside: "ask the customer to face the camera"
        (-0.8, 0.0, Instruction.NO_FACE),
        (0.0, 15.0, Instruction.READY),
        (0.0, 28.0, Instruction.CENTRE_FACE),  # a tilted head: upright in the oval
        (0.0, -28.0, Instruction.CENTRE_FACE),
    ],
)
def test_turned_and_tilted_faces(nose_shift: float, tilt: float, expected: Instruction) -> None:
    frame = v.sample("face.jpg")
    real = QualityAnalyser().analyse(frame)
    assert real.face_box is not None
    box = real.face_box
    face = DetectedFace(*box, 0.95, _keypoints(box, nose_shift, tilt))
    report = QualityAnalyser(_FakeDetector([face], frame.shape)).analyse(frame)
    assert report.instruction is expected
    assert report.face_count == 1
    assert report.face_turn == pytest.approx(nose_shift, abs=1e-6)
    assert report.face_roll_degrees == pytest.approx(tilt, abs=1e-6)


def test_a_really_tilted_head_is_asked_to_straighten(analyser: QualityAnalyser) -> None:
    """face.jpg turned 30 degrees in the picture: found, measured tilted, not Ready."""
    import cv2

    image = v.sample("face.jpg")
    rotated = u8(cv2.warpAffine(image, cv2.getRotationMatrix2D((225.0, 120.0), 30.0, 1.0), (512, 512)))
    report = analyser.analyse(rotated)
    assert report.face_count == 1
    assert report.face_roll_degrees is not None and abs(report.face_roll_degrees) > 20
    assert report.instruction is Instruction.CENTRE_FACE
