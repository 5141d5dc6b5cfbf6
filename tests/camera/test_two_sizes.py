"""Issue 27: the slot also makes the preview's copy of each frame, on the writer's thread."""

from __future__ import annotations

import numpy as np
import pytest

from station.camera import LatestFrameSlot


def picture(width: int = 1920, height: int = 1080) -> np.ndarray:
    rng = np.random.default_rng(27)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_no_copy_until_the_preview_asks_for_one() -> None:
    slot = LatestFrameSlot()
    assert slot.put(picture()).preview is None
    newest = slot.newest_with_preview()
    assert newest is not None and newest[0] == 1 and newest[2] is None


def test_each_frame_comes_at_the_asked_size_too_and_the_full_one_is_kept() -> None:
    slot = LatestFrameSlot()
    slot.request_preview_size((960, 540))
    image = picture()
    frame = slot.put(image)
    assert frame.image is image and frame.image.shape == (1080, 1920, 3)  # capture keeps full size
    assert frame.preview is not None and frame.preview.shape == (540, 960, 4)
    assert not frame.preview.flags.writeable
    # The copy is the picture, shrunk: each pixel the mean of its 2x2 block, give or take rounding,
    # in the screen's 32-bit pixels: blue, green, red and an opaque fourth byte.
    blocks = image.reshape(540, 2, 960, 2, 3).astype(np.float64).mean(axis=(1, 3))
    assert np.abs(frame.preview[..., :3].astype(np.float64) - blocks).max() <= 1.0
    assert (frame.preview[..., 3] == 255).all()
    newest = slot.newest_with_preview()
    assert newest is not None
    seq, full, small = newest
    assert seq == 1 and full is frame.image and small is frame.preview


def test_asking_for_no_copy_stops_it() -> None:
    slot = LatestFrameSlot()
    slot.request_preview_size((960, 540))
    small = slot.put(picture(640, 360)).preview  # smaller than asked: enlarged, as the UI would
    assert small is not None and small.shape == (540, 960, 4)
    slot.request_preview_size(None)
    assert slot.put(picture()).preview is None
    slot.request_preview_size((0, 540))  # no area: nothing to make
    assert slot.put(picture()).preview is None


@pytest.mark.parametrize("size", [(1280, 720), (320, 180)])
def test_the_copy_follows_a_new_size(size: tuple[int, int]) -> None:
    slot = LatestFrameSlot()
    slot.request_preview_size((960, 540))
    slot.put(picture())
    slot.request_preview_size(size)
    frame = slot.put(picture())
    assert frame.preview is not None and frame.preview.shape == (size[1], size[0], 4)


def test_a_frame_already_at_the_asked_size_is_only_converted() -> None:
    slot = LatestFrameSlot()
    slot.request_preview_size((960, 540))
    image = picture(960, 540)
    frame = slot.put(image)
    assert frame.preview is not None
    assert np.array_equal(frame.preview[..., :3], image) and (frame.preview[..., 3] == 255).all()
