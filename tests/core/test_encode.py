"""The capture's JPEG: two bands encoded at once, stitched into the JPEG of the whole frame."""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np
import pytest

from station.bench.frames import full_hd_frame
from station.core.encode import BAND_THREAD, EncodeError, band_split, encode_jpeg


def _whole_frame_jpeg(frame: np.ndarray, quality: int = 90) -> bytes:
    """What OpenCV writes for the whole frame in one pass: 4:2:0, a restart every MCU row."""
    channels = 1 if frame.ndim == 2 else frame.shape[2]
    mcu = 16 if channels == 3 else 8
    params = [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_RST_INTERVAL, -(-frame.shape[1] // mcu)]
    if channels == 3:
        params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420]
    ok, buffer = cv2.imencode(".jpg", frame, params)
    assert ok
    return buffer.tobytes()


def _noise(shape: tuple[int, ...], seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


class _Recorder:
    """Wraps ``cv2.imencode``: which thread encoded which shape."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def __call__(self, ext: str, image: np.ndarray, params: list[int]) -> Any:
        self.calls.append((threading.current_thread().name, image.shape))
        return self.real(ext, image, params)


def test_a_1080p_capture_is_encoded_in_two_bands_on_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = full_hd_frame()
    recorder = _Recorder(cv2.imencode)
    monkeypatch.setattr(cv2, "imencode", recorder)
    jpeg = encode_jpeg(frame)
    shapes = sorted(shape for _, shape in recorder.calls)
    assert shapes == [(512, 1920, 3), (568, 1920, 3)]
    threads = {name for name, _ in recorder.calls}
    assert len(threads) == 2 and any(name.startswith(BAND_THREAD) for name in threads)
    monkeypatch.undo()
    assert jpeg == _whole_frame_jpeg(frame)


@pytest.mark.parametrize(
    "shape",
    [(1080, 1920, 3), (720, 1280, 3), (2160, 3840, 3), (1001, 999, 3), (256, 300, 3), (480, 640), (129, 77)],
)
def test_the_stitched_jpeg_is_byte_for_byte_the_jpeg_of_the_whole_frame(shape: tuple[int, ...]) -> None:
    channels = 1 if len(shape) == 2 else shape[2]
    assert band_split(shape[0], channels) is not None  # these sizes take the two-band path
    frame = _noise(shape)
    assert encode_jpeg(frame, 90) == _whole_frame_jpeg(frame, 90)
    assert encode_jpeg(frame, 35) == _whole_frame_jpeg(frame, 35)


def test_the_stitched_jpeg_decodes_to_the_face_that_was_captured() -> None:
    frame = full_hd_frame()
    jpeg = encode_jpeg(frame)
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == frame.shape
    assert cv2.PSNR(decoded, frame) > 35.0  # quality 90: the skin texture survives
    # The seam between the bands is no worse than the rest of the picture.
    seam = np.abs(decoded[504:520].astype(int) - frame[504:520].astype(int)).mean()
    elsewhere = np.abs(decoded[200:216].astype(int) - frame[200:216].astype(int)).mean()
    assert seam < 2 * elsewhere + 1


def test_frames_too_short_or_of_other_layouts_are_encoded_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert band_split(255, 3) is None
    assert band_split(127, 1) is None
    assert band_split(1080, 4) is None
    assert band_split(1080, 3) == 512
    assert band_split(720, 3) == 384  # the multiple of 128 rows nearest the middle
    recorder = _Recorder(cv2.imencode)
    monkeypatch.setattr(cv2, "imencode", recorder)
    small = _noise((240, 320, 3))
    encode_jpeg(small)
    assert [shape for _, shape in recorder.calls] == [(240, 320, 3)]
    monkeypatch.undo()
    assert encode_jpeg(small) == _whole_frame_jpeg(small)
    four = _noise((480, 640, 4))  # neither grey nor BGR: as OpenCV writes it, no restart markers
    ok, plain = cv2.imencode(".jpg", four, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok and encode_jpeg(four) == plain.tobytes()


def test_a_band_laid_out_otherwise_falls_back_to_one_pass(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Should the encoder ignore the restart interval, the bands are not stitched."""
    frame = full_hd_frame()
    real = cv2.imencode

    def without_restarts(ext: str, image: np.ndarray, params: list[int]) -> Any:
        if image.shape[0] < frame.shape[0]:  # a band: as if the restart interval were ignored
            params = params[:2]
        return real(ext, image, params)

    monkeypatch.setattr(cv2, "imencode", without_restarts)
    jpeg = encode_jpeg(frame)
    assert "one pass" in caplog.text
    monkeypatch.undo()
    assert jpeg == _whole_frame_jpeg(frame)


def test_what_cannot_be_encoded_is_a_clear_error() -> None:
    with pytest.raises(EncodeError, match="quality"):
        encode_jpeg(_noise((300, 300, 3)), 0)
    with pytest.raises(EncodeError, match="8-bit"):
        encode_jpeg(np.zeros((300, 300, 3), np.float32))
    with pytest.raises(EncodeError, match="8-bit"):
        encode_jpeg(np.zeros((0, 300, 3), np.uint8))


def test_a_failed_band_is_an_encode_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cv2.imencode

    def failing_band(ext: str, image: np.ndarray, params: list[int]) -> Any:
        if threading.current_thread().name.startswith(BAND_THREAD):
            return False, None
        return real(ext, image, params)

    monkeypatch.setattr(cv2, "imencode", failing_band)
    with pytest.raises(EncodeError, match="could not encode"):
        encode_jpeg(full_hd_frame())
