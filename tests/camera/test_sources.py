"""Sources on their own: the still moves, files pace and loop, settings strings parse, and a
camera that is not there says so plainly."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from station.camera import (
    CameraError,
    DeviceSource,
    FrameSource,
    SourceExhaustedError,
    StillImageSource,
    StreamSource,
    VideoFileSource,
    list_devices,
    parse_source,
)
from station.resources import sample_path
from tests.camera.support import frame_number, free_port, write_video
from tests.images import read_bgr

# ------------------------------------------------------------------ StillImageSource


def test_still_image_moves_and_keeps_its_size() -> None:
    path = sample_path("face.jpg")
    still = read_bgr(path)
    source = StillImageSource(path, fps=240)
    source.open()
    try:
        frames = [source.read() for _ in range(5)]
    finally:
        source.close()
    for frame in frames:
        assert frame.shape == still.shape
        assert frame.dtype == np.uint8
        assert frame.flags.c_contiguous
    for a, b in itertools.pairwise(frames):
        assert not np.array_equal(a, b), "consecutive frames must differ (simulated motion)"
        assert a is not b
    # Small motion: the picture is still recognisably the same picture.
    diff = np.abs(frames[0].astype(np.int16) - still.astype(np.int16)).mean()
    assert diff < 40


def test_still_image_keeps_other_sizes_and_can_add_noise() -> None:
    path = sample_path("two-faces.jpg")
    still = read_bgr(path)
    source = StillImageSource(path, fps=240, motion=0.0, noise=3.0)
    source.open()
    try:
        a, b = source.read(), source.read()
    finally:
        source.close()
    assert a.shape == b.shape == still.shape
    assert not np.array_equal(a, b)


def test_still_image_missing_file_is_a_camera_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="Image file not found"):
        StillImageSource(tmp_path / "nope.jpg").open()


def test_still_image_that_is_not_a_picture_is_a_camera_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"not a jpeg")
    with pytest.raises(CameraError, match="Could not read image file"):
        StillImageSource(path).open()


def test_read_before_open_is_a_camera_error() -> None:
    with pytest.raises(CameraError):
        StillImageSource(sample_path("face.jpg")).read()


# ------------------------------------------------------------------ VideoFileSource


def test_video_file_plays_in_order_and_loops(tmp_path: Path) -> None:
    path = write_video(tmp_path / "fast.avi", frames=10, fps=200.0)
    source = VideoFileSource(path)
    source.open()
    try:
        assert source.nominal_fps == pytest.approx(200.0)
        numbers = [frame_number(source.read()) for _ in range(25)]
    finally:
        source.close()
    assert numbers == [k % 10 for k in range(25)]


def test_video_file_is_paced_by_a_deadline_clock(tmp_path: Path) -> None:
    path = write_video(tmp_path / "paced.avi", frames=30, fps=50.0)
    source = VideoFileSource(path)
    source.open()
    try:
        start = time.monotonic()
        for _ in range(26):
            source.read()
        elapsed = time.monotonic() - start
    finally:
        source.close()
    # Frame n is due at n/50 s: 26 reads cannot finish before 25 periods (0.5 s).
    assert 0.49 <= elapsed < 2.0


def test_video_file_played_once_reports_its_end(tmp_path: Path) -> None:
    path = write_video(tmp_path / "once.avi", frames=3, fps=200.0)
    source = VideoFileSource(path, loop=False)
    source.open()
    try:
        for _ in range(3):
            source.read()
        with pytest.raises(SourceExhaustedError, match="has ended"):
            source.read()
    finally:
        source.close()


def test_video_file_missing_is_a_camera_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="Video file not found"):
        VideoFileSource(tmp_path / "missing.mp4").open()


def test_video_file_that_is_not_a_video_is_a_camera_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.avi"
    path.write_bytes(b"\x00" * 1000)
    source = VideoFileSource(path)
    with pytest.raises(CameraError, match="Could not open video file"):
        source.open()


# ------------------------------------------------------------------ DeviceSource / StreamSource


def test_missing_device_index_is_a_clear_camera_error() -> None:
    source = DeviceSource(99)
    with pytest.raises(CameraError, match="Could not open camera number 99") as info:
        source.open()
    assert "plugged in" in str(info.value)
    source.close()  # safe after a failed open


def test_missing_device_name_is_a_clear_camera_error() -> None:
    with pytest.raises(CameraError, match="No camera named 'No Such Camera 9000'"):
        DeviceSource("No Such Camera 9000").open()


def test_list_devices_never_raises() -> None:
    devices = list_devices()
    assert isinstance(devices, list)
    for index, name in devices:
        assert isinstance(index, int)
        assert isinstance(name, str)


def test_stream_to_nothing_fails_fast_with_a_clear_message() -> None:
    source = StreamSource(f"http://127.0.0.1:{free_port()}/video", open_timeout=2.0)
    start = time.monotonic()
    with pytest.raises(CameraError, match="Could not connect to the camera"):
        source.open()
    assert time.monotonic() - start < 3.0


def test_stream_description_hides_the_password() -> None:
    source = StreamSource("rtsp://admin:s3cret@10.0.0.5:554/stream1")
    assert "s3cret" not in source.description
    assert "10.0.0.5:554/stream1" in source.description


# ------------------------------------------------------------------ parse_source


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("demo", StillImageSource),
        (" DEMO ", StillImageSource),
        ("device:0", DeviceSource),
        ("device:Logitech C920", DeviceSource),
        ("0", DeviceSource),
        ("file:/videos/clip.mp4", VideoFileSource),
        ("file:///videos/clip.mkv", VideoFileSource),
        ("/videos/clip.AVI", VideoFileSource),
        (r"C:\clips\branch.mp4", VideoFileSource),
        ("image:/pictures/face.png", StillImageSource),
        ("/pictures/face.jpeg", StillImageSource),
        ("rtsp://10.0.0.5:554/stream1", StreamSource),
        ("http://10.0.0.5/video.mjpg", StreamSource),
        ("https://cam.branch.local/mjpeg", StreamSource),
    ],
)
def test_parse_source_picks_the_right_kind(spec: str, kind: type) -> None:
    source = parse_source(spec)
    assert isinstance(source, kind)
    assert isinstance(source, FrameSource)


def test_parse_source_details() -> None:
    demo = parse_source("demo")
    assert isinstance(demo, StillImageSource)
    assert demo.path == sample_path("face.jpg")
    video = parse_source("file:///videos/clip.mkv")
    assert isinstance(video, VideoFileSource)
    assert video.path == Path("/videos/clip.mkv")
    assert parse_source("device:Logitech C920").description == "Camera 'Logitech C920'"
    assert parse_source("device:2").description == "Camera 2"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no camera given"),
        ("   ", "no camera given"),
        ("webcam", "unknown camera source 'webcam'"),
        ("ftp://10.0.0.5/x", "unknown camera source"),
        ("/videos/clip.txt", "unknown camera source"),
        ("device:", "needs a camera number or name"),
        ("file:", "needs a path"),
        ("image:", "needs a path"),
    ],
)
def test_parse_source_rejects_unknown_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_source(spec)
