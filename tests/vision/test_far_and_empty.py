"""Issue 26: a face 50-70 px wide in a 1280x720 picture is "Move closer" wherever the customer
sits near the oval, in any light the guide accepts; an empty counter is "No face". Variants of the
samples: scale, position, background, brightness and noise."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.vision.quality import Instruction, QualityAnalyser
from tests.images import u8
from tests.vision import variants as v

WIDTH, HEIGHT = 1280, 720

#: The width of each sample's face box as the detector measures it, at the sample's own size.
FACE_WIDTH = {"face.jpg": 106, "face-large.jpg": 300}


def _background(kind: str) -> v.Image:
    if kind == "wall":
        return np.full((HEIGHT, WIDTH, 3), (201, 203, 205), np.uint8)
    if kind == "photo":  # the coffee-cup counter behind the customer
        return u8(cv2.resize(v.sample("no-face.jpg"), (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA))
    return np.full((HEIGHT, WIDTH, 3), v.GREY, np.uint8)


def far_customer(
    name: str, face_px: int, centre: tuple[float, float], background: str, gain: float, noise: float
) -> v.Image:
    """``name`` scaled so its face is ``face_px`` wide, centred at ``centre`` (shares of the
    frame), on ``background``, its light scaled by ``gain``, with sensor noise."""
    scale = face_px / FACE_WIDTH[name]
    person = u8(cv2.resize(v.sample(name), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
    canvas = _background(background)
    h, w = person.shape[:2]
    x, y = round(centre[0] * WIDTH - w / 2), round(centre[1] * HEIGHT - h / 2)
    x0, y0, x1, y1 = max(0, x), max(0, y), min(WIDTH, x + w), min(HEIGHT, y + h)
    canvas[y0:y1, x0:x1] = person[y0 - y : y1 - y, x0 - x : x1 - x]
    out = u8(cv2.convertScaleAbs(canvas, alpha=gain))
    return v.with_noise(out, noise, seed=face_px) if noise else out


FAR = [
    ("face.jpg", 52, (0.5, 0.5), "grey", 1.0, 0.0),
    ("face.jpg", 58, (0.35, 0.4), "photo", 0.7, 3.0),
    ("face.jpg", 64, (0.68, 0.55), "wall", 1.2, 5.0),
    ("face.jpg", 69, (0.5, 0.33), "photo", 1.0, 2.0),
    ("face.jpg", 55, (0.25, 0.6), "wall", 0.55, 4.0),
    ("face-large.jpg", 50, (0.55, 0.45), "photo", 1.0, 3.0),
    ("face-large.jpg", 60, (0.42, 0.62), "grey", 0.65, 2.0),
    ("face-large.jpg", 70, (0.75, 0.42), "wall", 1.15, 6.0),
]


@pytest.mark.parametrize(("name", "face_px", "centre", "background", "gain", "noise"), FAR)
def test_a_far_face_is_move_closer(
    analyser: QualityAnalyser,
    name: str,
    face_px: int,
    centre: tuple[float, float],
    background: str,
    gain: float,
    noise: float,
) -> None:
    report = analyser.analyse(far_customer(name, face_px, centre, background, gain, noise))
    assert report.instruction is Instruction.MOVE_CLOSER
    assert report.face_box is not None
    x, _y, w, _h = report.face_box
    assert abs(x + w / 2 - centre[0] * WIDTH) < face_px and 0.6 * face_px < w < 1.6 * face_px


def test_a_far_face_is_move_closer_on_a_stream(analyser: QualityAnalyser) -> None:
    """The preview: the same customer, frame after frame, keeps hearing "Move closer"."""
    frames = [far_customer("face.jpg", 60, (0.5, 0.45), "photo", 1.0, 3.0) for _ in range(3)]
    frames = [v.with_noise(frame, 2.0, seed=i) for i, frame in enumerate(frames)]
    assert [analyser.analyse_stream(f).instruction for f in frames] == [Instruction.MOVE_CLOSER] * 3


def _empty_counter(
    size: tuple[int, int], crop: tuple[float, float, float, float], mirrored: bool, gain: float, noise: float
) -> v.Image:
    src = v.sample("no-face.jpg")
    h, w = src.shape[:2]
    part = src[round(crop[1] * h) : round(crop[3] * h), round(crop[0] * w) : round(crop[2] * w)]
    if mirrored:
        part = u8(cv2.flip(part, 1))
    out = u8(cv2.convertScaleAbs(cv2.resize(part, size, interpolation=cv2.INTER_AREA), alpha=gain))
    return v.with_noise(out, noise, seed=7) if noise else out


@pytest.mark.parametrize(
    ("size", "crop", "mirrored", "gain", "noise"),
    [
        ((1280, 720), (0.0, 0.0, 1.0, 1.0), False, 1.0, 0.0),
        ((1280, 720), (0.1, 0.1, 0.9, 0.9), True, 0.7, 4.0),
        ((1920, 1080), (0.0, 0.0, 1.0, 1.0), False, 1.0, 2.0),
        ((1920, 1080), (0.2, 0.0, 1.0, 0.8), True, 0.85, 3.0),
        ((640, 480), (0.0, 0.1, 0.9, 1.0), False, 1.1, 5.0),
        ((1024, 1024), (0.1, 0.0, 1.0, 0.9), False, 0.6, 2.0),
    ],
)
def test_the_empty_counter_is_no_face(
    analyser: QualityAnalyser,
    size: tuple[int, int],
    crop: tuple[float, float, float, float],
    mirrored: bool,
    gain: float,
    noise: float,
) -> None:
    report = analyser.analyse(_empty_counter(size, crop, mirrored, gain, noise))
    assert report.instruction is Instruction.NO_FACE
    assert report.face_count == 0
