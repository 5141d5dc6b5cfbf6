"""Frozen and unchanged pictures: the thumbnails and the cases that chose their thresholds."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.vision.change import (
    UNCHANGED_MAX_LEVEL,
    frame_signature,
    gray_signature,
    scene_cells,
    scene_change,
    signature_difference,
)
from tests.images import u8
from tests.vision import variants as v

Image = np.ndarray


def change(a: Image, b: Image) -> float:
    return scene_change(scene_cells(frame_signature(a)), scene_cells(frame_signature(b)))


def moved(image: Image, dx: float) -> Image:
    matrix = np.array([[1, 0, dx], [0, 1, 0]], dtype=np.float32)
    return u8(
        cv2.warpAffine(image, matrix, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    )


def empty_counter() -> Image:
    """A 1280x720 picture of an empty counter (the coffee-cup sample, scaled)."""
    return u8(cv2.resize(v.no_face(), (1280, 720), interpolation=cv2.INTER_AREA))


def with_small_face(background: Image) -> Image:
    """``background`` with face.jpg scaled so its face is 60 px wide, above the middle."""
    scale = 60 / 93
    face = cv2.resize(v.sample("face.jpg"), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = background.copy()
    h, w = face.shape[:2]
    x0 = (out.shape[1] - w) // 2
    out[200 : 200 + h, x0 : x0 + w] = face
    return out


@pytest.mark.parametrize("name", ["face.jpg", "face-large.jpg"])
def test_frame_signature_is_the_grey_signature(name: str) -> None:
    image = v.sample(name)
    expected = gray_signature(u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)))
    assert np.array_equal(frame_signature(image), expected)
    assert np.array_equal(frame_signature(u8(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))), expected)
    assert not frame_signature(image).flags.writeable


def test_signature_difference_is_zero_for_a_repeat_and_inf_for_another_size() -> None:
    a = frame_signature(v.sample("face.jpg"))
    assert signature_difference(a, a) == 0.0
    assert signature_difference(a, a[:10]) == float("inf")
    assert scene_change(scene_cells(a), scene_cells(a)[:2]) == float("inf")


@pytest.mark.parametrize("sigma", [1.0, 2.0, 4.0])
@pytest.mark.parametrize("name", ["face.jpg", "face-large.jpg"])
def test_sensor_noise_is_not_a_change(name: str, sigma: float) -> None:
    image = v.sample(name)
    noisy = [v.with_noise(image, sigma, seed=seed) for seed in (1, 2)]
    assert change(*noisy) <= UNCHANGED_MAX_LEVEL / 1.5


def test_an_empty_counter_with_noise_is_unchanged() -> None:
    counter = empty_counter()
    noisy = [v.with_noise(counter, 2.0, seed=seed) for seed in (1, 2)]
    assert change(*noisy) <= UNCHANGED_MAX_LEVEL


@pytest.mark.parametrize(
    ("make", "least"),
    [
        (lambda: (empty_counter(), with_small_face(empty_counter())), 50.0),
        (lambda: (v.sample("face.jpg"), moved(v.sample("face.jpg"), 1.0)), 12.0),
        (lambda: (v.sample("face-large.jpg"), moved(v.sample("face-large.jpg"), 1.0)), 12.0),
        (lambda: (v.sample("face.jpg"), v.darkened(0.9)), 12.0),
        (lambda: (v.sample("face.jpg"), v.blurred(1.0)), 8.0),
    ],
    ids=["someone-arrives", "face-moves-1px", "large-moves-1px", "light-dims-10pc", "blur-sets-in"],
)
def test_what_counts_as_a_change(make: object, least: float) -> None:
    before, after = make()  # type: ignore[operator]
    assert change(before, after) >= least > UNCHANGED_MAX_LEVEL


def test_a_change_away_from_the_customer_is_seen_and_one_near_them_is_not() -> None:
    from station.vision.change import scene_change_outside

    counter = empty_counter()
    customer_region = (0.3, 0.0, 0.7, 1.0)
    before = scene_cells(frame_signature(counter))
    near = counter.copy()
    near[100:600, 500:780] = 255 - near[100:600, 500:780]  # inside the customer's band
    far = counter.copy()
    far[100:400, 1050:1250] = 255 - far[100:400, 1050:1250]  # someone at the right-hand edge
    assert scene_change_outside(scene_cells(frame_signature(near)), before, customer_region) <= 1.0
    assert scene_change_outside(scene_cells(frame_signature(far)), before, customer_region) > 50
    assert scene_change_outside(before, before[:3], customer_region) == float("inf")
