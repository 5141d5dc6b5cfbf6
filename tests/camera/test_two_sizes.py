"""Issue 27: the slot also makes the preview's copy of each frame, on the writer's thread."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from station.bench.scenes import CounterCamera, Picture
from station.camera import CaptureWorker, LatestFrameSlot, StillImageSource, VideoFileSource
from station.camera.frames import MIN_STREAM_SHORT_SIDE
from station.resources import sample_path
from tests.images import read_bgr


def picture(width: int = 1920, height: int = 1080) -> np.ndarray:
    rng = np.random.default_rng(27)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_no_copy_until_the_preview_asks_for_one() -> None:
    slot = LatestFrameSlot()
    assert slot.put(picture()).preview is None
    newest = slot.latest()
    assert newest is not None and newest.seq == 1 and newest.preview is None


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
    newest = slot.latest()
    assert newest is not None
    assert newest.seq == 1 and newest.image is frame.image and newest.preview is frame.preview


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


# --------------------------------------------------------------------------------------------
# A camera at two sizes (issue 27): a source that makes its pictures at any size delivers them at
# the preview's, and the full-resolution frame is made only when a capture asks for it.


def test_the_stream_size_is_the_previews_raised_for_the_guide() -> None:
    slot = LatestFrameSlot()
    assert slot.stream_size() is None  # no preview: full resolution
    slot.request_preview_size((1270, 714))
    assert slot.stream_size() == (1270, 714)
    # A small preview still gets frames the guide can measure a face on.
    slot.request_preview_size((320, 180))
    assert slot.stream_size() == (640, MIN_STREAM_SHORT_SIDE)
    # No copies (an empty counter) still streams small; no preview streams full size.
    slot.request_preview_size((960, 540), copies=False)
    assert slot.stream_size() == (960, 540)
    assert slot.put(picture(960, 540)).preview is None
    slot.request_preview_size(None)
    assert slot.stream_size() is None


def _still_source(tmp_path: Path) -> StillImageSource:
    path = tmp_path / "customer.png"
    assert cv2.imwrite(str(path), read_bgr(sample_path("face-large.jpg")))
    return StillImageSource(path, fps=60.0)


def _alike(small: np.ndarray, full: np.ndarray) -> float:
    """Mean absolute difference of ``full`` shrunk to ``small``'s size and ``small``."""
    shrunk = cv2.resize(full, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
    return float(np.abs(shrunk.astype(np.int16) - small.astype(np.int16)).mean())


def test_a_still_picture_camera_delivers_at_the_preview_size_and_makes_the_same_frame_in_full(
    tmp_path: Path,
) -> None:
    slot = LatestFrameSlot()
    slot.request_preview_size((640, 400))
    source = _still_source(tmp_path)
    height, width = read_bgr(sample_path("face-large.jpg")).shape[:2]
    worker = CaptureWorker(lambda: source, slot)
    worker.start()
    try:
        first = slot.wait_for_seq(0, timeout=10.0)
        assert first is not None
        frame = slot.wait_for_seq(first.seq + 3, timeout=10.0)  # well into the sway
        assert frame is not None
        later = slot.wait_for_seq(frame.seq + 20, timeout=10.0)
        assert later is not None
    finally:
        assert worker.stop(5.0)
    assert frame.image.shape[:2] == (400, 640)  # made at the preview's size: no full frame made
    assert frame.full is not None and frame.full.size == (width, height)
    assert frame.preview is not None and frame.preview.shape == (400, 640, 4)  # only converted
    full = frame.full.picture()
    assert (full.shape[1], full.shape[0]) == frame.full.size and not full.flags.writeable
    # The same moment of the sway: far closer to this frame than to one a third of a second later.
    same, other = _alike(frame.image, full), _alike(later.image, full)
    assert same < 4.0 and other > 2 * same, (same, other)


def test_a_video_file_keeps_delivering_full_frames(video_path: Path) -> None:
    """OpenCV decodes a video at its own size: the slot makes the small copy (the fallback)."""
    slot = LatestFrameSlot()
    slot.request_preview_size((160, 120))
    worker = CaptureWorker(lambda: VideoFileSource(video_path), slot)
    worker.start()
    try:
        frame = slot.wait_for_seq(0, timeout=10.0)
    finally:
        assert worker.stop(5.0)
    assert frame is not None and frame.image.shape[:2] == (240, 320) and frame.full is None
    assert frame.preview is not None and frame.preview.shape == (120, 160, 4)


def test_the_counter_camera_makes_a_frame_at_both_sizes() -> None:
    camera = CounterCamera(1280, 720)
    camera.open()
    try:
        small, full = camera.read_at((640, 360))
        whole, none = camera.read_at((1280, 720))  # not smaller: the full frame itself
    finally:
        camera.close()
    assert small.shape[:2] == (360, 640) and full is not None and full.size == (1280, 720)
    big = full.picture()
    assert big.shape[:2] == (720, 1280) and whole.shape[:2] == (720, 1280) and none is None
    # Half a sway later the customer stands a dozen pixels away: the full frame is this one.
    later = camera.frame(1 + 46, Picture.CUSTOMER, (640, 360))
    assert _alike(small, big) < _alike(later, big)
