"""Pictures for the benchmark: a 1080p camera frame made from a bundled photo, and a paced camera.

Why a real photo and not noise or a flat colour: JPEG size and encode time depend on texture, and
a face must be present so the emulator's detector does its normal work. ``face-large.jpg`` is
scaled to 1920 px wide and cropped to 1080 rows around the face, as a counter camera frames it.
No Qt here: the same frames feed the capture worker thread and the UI-side measurements.
"""

from __future__ import annotations

import cv2
import numpy as np

from station.camera import BGRImage, CameraError, FramePacer
from station.resources import sample_path

__all__ = ["FULL_HD", "SyntheticCamera", "frame_pool", "full_hd_frame", "small_frame"]

FULL_HD = (1920, 1080)


def _read_sample(name: str) -> BGRImage:
    data = np.fromfile(sample_path(name), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise CameraError(f"could not decode the bundled sample {name}")
    out: BGRImage = np.ascontiguousarray(image)
    return out


def full_hd_frame() -> BGRImage:
    """A 1920x1080 BGR frame of a real face (the bundled large sample, scaled and cropped)."""
    photo = _read_sample("face-large.jpg")
    height, width = photo.shape[:2]
    target_w, target_h = FULL_HD
    scaled_h = max(target_h, round(height * target_w / width))
    scaled = cv2.resize(photo, (target_w, scaled_h), interpolation=cv2.INTER_AREA)
    top = (scaled_h - target_h) // 3  # a portrait photo: keep the upper-middle, where the face is
    frame: BGRImage = np.ascontiguousarray(scaled[top : top + target_h])
    return frame


def frame_pool(count: int) -> list[BGRImage]:
    """``count`` distinct 1080p frames (the same picture shifted by a few pixels), read-only."""
    base = full_hd_frame()
    pool: list[BGRImage] = []
    for index in range(count):
        shifted: BGRImage = np.ascontiguousarray(np.roll(base, shift=(index * 3, index * 5), axis=(0, 1)))
        shifted.flags.writeable = False
        pool.append(shifted)
    return pool


def small_frame(side: int = 240) -> BGRImage:
    """The bundled 512 px face scaled to ``side`` px: cheap for the emulator's detector."""
    face = _read_sample("face.jpg")
    small: BGRImage = np.ascontiguousarray(cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA))
    return small


class SyntheticCamera:
    """A :class:`station.camera.FrameSource` that delivers 1080p frames at a fixed rate.

    Like a real camera driver it blocks until the next frame is due and hands over a *new* array
    each time (a copy from a small pool), so the capture worker and the slot do their real work.
    """

    def __init__(self, pool: list[BGRImage], fps: float = 60.0) -> None:
        if not pool:
            raise ValueError("need at least one frame")
        self._pool = pool
        self._fps = float(fps)
        self._pacer = FramePacer(self._fps)
        self._index = 0
        self._open = False

    @property
    def description(self) -> str:
        return f"Synthetic 1080p camera at {self._fps:g} fps"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    def open(self) -> None:
        self._open = True
        self._pacer.reset()

    def read(self) -> BGRImage:
        if not self._open:
            raise CameraError("The synthetic camera is not open.")
        self._pacer.wait()
        frame = self._pool[self._index % len(self._pool)].copy()
        self._index += 1
        return frame

    def close(self) -> None:
        self._open = False
