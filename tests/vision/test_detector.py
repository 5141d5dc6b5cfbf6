"""The BlazeFace detector: anchors, decoding, keypoint plausibility, the model check at load."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.resources import resource_path, sample_path
from station.vision.anchors import (
    FULL_RANGE,
    SHORT_RANGE,
    anchor_centres,
    decode,
    weighted_suppression,
)
from station.vision.faces import (
    MODELS,
    DetectedFace,
    FaceDetector,
    FaceDetectorError,
    landmarks_plausible,
)
from tests.images import read_bgr


def test_anchor_counts_match_the_networks_outputs(detector: FaceDetector) -> None:
    """896 and 2,304 anchors: what the two networks output, one row per anchor."""
    assert anchor_centres(SHORT_RANGE).shape == (896, 2)
    assert anchor_centres(FULL_RANGE).shape == (2304, 2)
    square = np.zeros((128, 128, 3), np.uint8)
    assert detector._short.run(square, 0.99) == []


def test_short_range_anchor_layout() -> None:
    """Stride 8: a 16x16 map with 2 anchors a cell; strides 16 x3: an 8x8 map with 6 a cell."""
    centres = anchor_centres(SHORT_RANGE)
    assert np.allclose(centres[0], centres[1]) and np.allclose(centres[0], (0.5 / 16, 0.5 / 16))
    assert np.allclose(centres[2], (1.5 / 16, 0.5 / 16))
    assert np.allclose(centres[511], (15.5 / 16, 15.5 / 16))
    assert np.allclose(centres[512:518], (0.5 / 8, 0.5 / 8))
    assert np.allclose(centres[518], (1.5 / 8, 0.5 / 8))
    assert np.allclose(centres[-1], (7.5 / 8, 7.5 / 8))


def test_full_range_anchor_layout() -> None:
    centres = anchor_centres(FULL_RANGE)
    assert np.allclose(centres[0], (0.5 / 48, 0.5 / 48))
    assert np.allclose(centres[48], (0.5 / 48, 1.5 / 48))
    assert np.allclose(centres[-1], (47.5 / 48, 47.5 / 48))


def test_decoding_a_hand_made_output() -> None:
    """One anchor above the floor: its box and keypoints are offsets from the anchor in input
    pixels, its score the logistic of its logit."""
    anchors = anchor_centres(SHORT_RANGE)
    scores = np.full((896, 1), -10.0, np.float32)
    boxes = np.zeros((896, 16), np.float32)
    index = 600  # on the 8x8 map
    scores[index] = 2.0
    boxes[index, :4] = (6.4, -12.8, 32.0, 38.4)  # centre offset, width, height in input pixels
    boxes[index, 4:6] = (-6.4, -6.4)  # the right eye
    found = decode(scores, boxes, anchors, 128, 0.5)
    assert len(found) == 1
    face = found[0]
    ax, ay = anchors[index]
    assert face.score == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert (face.x0 + face.x1) / 2 == pytest.approx(ax + 0.05)
    assert (face.y0 + face.y1) / 2 == pytest.approx(ay - 0.1)
    assert face.x1 - face.x0 == pytest.approx(0.25) and face.y1 - face.y0 == pytest.approx(0.3)
    assert face.keypoints[0] == pytest.approx((ax - 0.05, ay - 0.05))
    assert decode(scores, boxes, anchors, 128, 0.9) == []


def test_extreme_logits_do_not_overflow() -> None:
    anchors = anchor_centres(SHORT_RANGE)
    scores = np.full(896, -1e9, np.float32)
    scores[3] = 1e9
    found = decode(scores, np.zeros((896, 16), np.float32), anchors, 128, 0.5)
    assert [round(f.score, 6) for f in found] == [1.0]


def test_decoding_refuses_outputs_of_another_model() -> None:
    with pytest.raises(ValueError, match="anchors"):
        decode(np.zeros(2304), np.zeros((2304, 16)), anchor_centres(SHORT_RANGE), 128, 0.5)


def test_overlapping_boxes_are_merged_weighted_by_score() -> None:
    anchors = anchor_centres(FULL_RANGE)
    scores = np.full(2304, -10.0, np.float32)
    boxes = np.zeros((2304, 16), np.float32)
    for index, logit in ((1000, 3.0), (1001, 1.0), (2000, 2.0)):
        scores[index] = logit
        boxes[index, 2:4] = (40.0, 40.0)
    merged = weighted_suppression(decode(scores, boxes, anchors, 192, 0.5))
    assert len(merged) == 2  # 1000 and its neighbour 1001 are one face; 2000 is far away
    best = merged[0]
    assert best.score == pytest.approx(1 / (1 + math.exp(-3.0)))
    p3, p1 = 1 / (1 + math.exp(-3.0)), 1 / (1 + math.exp(-1.0))
    expected = (anchors[1000, 0] * p3 + anchors[1001, 0] * p1) / (p3 + p1)
    assert (best.x0 + best.x1) / 2 == pytest.approx(expected, abs=1e-6)


def _face(keypoints: tuple[tuple[float, float], ...]) -> DetectedFace:
    return DetectedFace(100, 100, 100, 100, 0.9, keypoints)


UPRIGHT = ((130.0, 130.0), (170.0, 130.0), (150.0, 155.0), (150.0, 175.0), (105.0, 140.0), (195.0, 140.0))


def test_plausible_keypoints() -> None:
    assert landmarks_plausible(_face(UPRIGHT))
    assert _face(UPRIGHT).roll_degrees == pytest.approx(0.0)
    assert _face(UPRIGHT).turn == pytest.approx(0.0)


@pytest.mark.parametrize(
    "keypoints",
    [
        (),  # no keypoints: not a face
        ((148.0, 130.0), (152.0, 130.0), *UPRIGHT[2:]),  # eyes nearly on top of each other
        ((110.0, 130.0), (190.0, 130.0), (150.0, 120.0), (150.0, 175.0), *UPRIGHT[4:]),  # nose above eyes
        ((130.0, 130.0), (170.0, 130.0), (150.0, 175.0), (150.0, 155.0), *UPRIGHT[4:]),  # mouth above nose
        ((130.0, 130.0), (170.0, 130.0), (150.0, 155.0), (150.0, 290.0), *UPRIGHT[4:]),  # mouth far outside
        ((130.0, 110.0), (150.0, 190.0), (120.0, 160.0), (100.0, 170.0), *UPRIGHT[4:]),  # eye line steep
    ],
)
def test_implausible_keypoints(keypoints: tuple[tuple[float, float], ...]) -> None:
    assert not landmarks_plausible(_face(keypoints))


def test_pose_from_keypoints() -> None:
    tilted = _face(((130.0, 120.0), (170.0, 140.0), (145.0, 160.0), (140.0, 178.0), *UPRIGHT[4:]))
    assert tilted.roll_degrees == pytest.approx(math.degrees(math.atan2(20, 40)))
    turned = _face(((130.0, 130.0), (170.0, 130.0), (166.0, 155.0), (160.0, 175.0), *UPRIGHT[4:]))
    assert turned.turn == pytest.approx(0.8)
    assert DetectedFace(0, 0, 10, 10, 0.9).turn is None


def _models_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for model in MODELS.values():
        shutil.copy(resource_path("models", model.name), folder / model.name)
    return folder


def test_the_shipped_models_load_from_another_folder(tmp_path: Path) -> None:
    detector = FaceDetector(_models_copy(tmp_path))
    assert len(detector.detect(read_bgr(sample_path("face.jpg")))) == 1


def test_an_altered_model_is_refused(tmp_path: Path) -> None:
    folder = _models_copy(tmp_path)
    path = folder / MODELS["full"].name
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # one byte of the weights
    path.write_bytes(bytes(data))
    with pytest.raises(FaceDetectorError, match="not the one shipped"):
        FaceDetector(folder)


def test_a_model_swapped_for_the_other_is_refused(tmp_path: Path) -> None:
    """Each file is checked against its own hash: the short-range model under the full-range
    name is refused even though it is a valid model."""
    folder = _models_copy(tmp_path)
    shutil.copy(folder / MODELS["short"].name, folder / MODELS["full"].name)
    with pytest.raises(FaceDetectorError, match="not the one shipped"):
        FaceDetector(folder)


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    folder = _models_copy(tmp_path)
    (folder / MODELS["short"].name).unlink()
    with pytest.raises(FaceDetectorError, match="missing"):
        FaceDetector(folder)


def test_a_tilted_head_measures_as_tilted(detector: FaceDetector) -> None:
    """face.jpg rotated 30 degrees measures a tilt of about 30 degrees more than the upright
    original, whose tilt and turn are near 0."""
    image = read_bgr(sample_path("face.jpg"))
    upright = detector.detect(image)[0]
    assert upright.turn is not None and abs(upright.turn) < 0.25
    assert upright.roll_degrees is not None and abs(upright.roll_degrees) < 10
    rotated = cv2.warpAffine(image, cv2.getRotationMatrix2D((225.0, 120.0), 30.0, 1.0), (512, 512))
    tilted = detector.detect(np.asarray(rotated, dtype=np.uint8))
    assert tilted and tilted[0].roll_degrees is not None
    assert tilted[0].roll_degrees == pytest.approx(upright.roll_degrees - 30.0, abs=8.0)
