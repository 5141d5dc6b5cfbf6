"""One frame, one slot: how the capture thread hands pictures to everyone else.

Why a single overwritten slot and not a queue: a camera produces frames at its own pace and the
consumers (the preview timer, the liveness check, a benchmark) read at theirs. A queue between a
30-60 fps producer and a slower consumer only grows, and the operator ends up looking at a picture
that is a second old (measured: 1.1 s of lag with one queued signal per frame, 40-49 ms with
"latest frame wins"). So the worker overwrites one slot and readers take whatever is newest.

Thread-safety contract:

* The writer hands over a *new* array on every :meth:`LatestFrameSlot.put` and never touches it
  again; the slot marks it read-only. A reader may therefore keep a :class:`Frame` as long as it
  likes without copying, and can never see a half-written picture. To draw on a frame, copy it.
* The lock is held only to swap one reference, so a reader never holds up the writer for long.

Two sizes (issue 27): the preview asks for the size it draws the picture at
(:meth:`LatestFrameSlot.request_preview_size`); from then on the writer's thread (the camera's)
also makes that copy of each frame, once, in the screen's 32-bit pixels (:func:`screen_copy`).
The UI thread then only blits, without a conversion.

A source that can make its pictures at any size (:class:`~station.camera.sources.TwoSizeSource`:
a still picture larger than the preview, the bench's counter camera) is asked for frames at
:meth:`LatestFrameSlot.stream_size` instead, and hands the slot, with each one, the means to make
the same frame at full resolution (:class:`FullPicture`), which only a capture uses (the
preview's ``live_frame``). A resize of 1080p to a preview that is not half its size costs
2.1-2.6 ms of CPU (OpenCV, both cores), the most of a frame's cost at the counter. OpenCV's
capture of a webcam cannot give two sizes at once on V4L2, MSMF or DirectShow, nor change
resolution without restarting the stream, so a webcam keeps delivering full-resolution frames and
the slot makes the small copy (see the README's Performance section).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

import cv2
import numpy as np

from station.core.images import BGRImage, ScreenImage

__all__ = [
    "MIN_STREAM_SHORT_SIDE",
    "BGRImage",
    "Frame",
    "FullPicture",
    "LatestFrameSlot",
    "PreviewFrames",
    "ScreenImage",
    "screen_copy",
    "stream_size_for",
]

#: A two-size source is never asked for frames smaller than this on their short side: the guide
#: looks at the frames the camera delivers, and measures a face's sharpness on a 64-pixel patch.
MIN_STREAM_SHORT_SIDE = 360


@dataclass(frozen=True, slots=True)
class FullPicture:
    """How to have one frame of a two-size source at its full resolution: ``make()`` returns a new
    BGR array of ``size`` (width, height), the same picture as the frame delivered smaller. Any
    thread; a source keeps what it needs for it (a still picture, the frame's place in a scene)."""

    size: tuple[int, int]
    make: Callable[[], BGRImage]

    def picture(self) -> BGRImage:
        """The frame made at full resolution now: a new array, read-only like every frame."""
        made = _check_image(self.make())
        made.flags.writeable = False
        return made


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured picture.

    ``image`` is BGR ``uint8`` HxWx3, C-contiguous and read-only (copy it before drawing on it).
    ``seq`` starts at 1 and grows by one per frame the slot received; a jump of more than one
    between two reads means the reader skipped frames, which is the intended behaviour.
    ``captured_at`` is :func:`time.monotonic` when the frame entered the slot.
    """

    image: BGRImage
    seq: int
    captured_at: float
    preview: ScreenImage | None = None
    """The same picture at the size the preview asked for, in the screen's 32-bit pixels
    (read-only), or None."""
    full: FullPicture | None = None
    """For a frame a two-size source delivered smaller than its full resolution: how to make it at
    full resolution (a capture does, through the preview). None: ``image`` is the full resolution."""

    def age(self, now: float | None = None) -> float:
        """Seconds since the frame was captured. A consumer taking a picture for a decision
        (the Capture button) should refuse a stale one: after a camera loss the slot still
        holds the last picture taken before the loss."""
        return (time.monotonic() if now is None else now) - self.captured_at

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])


def _check_image(image: np.ndarray) -> BGRImage:
    if not isinstance(image, np.ndarray):
        raise TypeError(f"a frame must be a numpy array, not {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f"a frame must be a BGR uint8 HxWx3 array, got {image.dtype} with shape {image.shape}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"a frame must not be empty, got shape {image.shape}")
    if not image.flags.c_contiguous:
        image = np.ascontiguousarray(image)
    return image


def screen_copy(image: BGRImage, size: tuple[int, int]) -> ScreenImage:
    """``image`` at ``size`` (bilinear, as the preview always scaled) in the screen's 32-bit
    pixels, read-only.

    Why 32 bits: Qt draws a 24-bit ``BGR888`` picture by converting each pixel to the window's
    32-bit format, in its thread pool: 0.33 ms for a 960x540 preview, against 0.05 ms for a
    ``Format_RGB32`` one, while OpenCV's conversion here costs 0.04 ms (issue 27).
    """
    width, height = size
    if (width, height) != (image.shape[1], image.shape[0]):
        image = cast(BGRImage, cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR))
    screen = cast(ScreenImage, cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))
    screen.flags.writeable = False
    return screen


def stream_size_for(preview: tuple[int, int]) -> tuple[int, int]:
    """The size a two-size source is asked for when the preview draws at ``preview``: that size,
    raised (aspect kept) to :data:`MIN_STREAM_SHORT_SIDE` on its short side."""
    width, height = preview
    short = min(width, height)
    if short >= MIN_STREAM_SHORT_SIDE:
        return (width, height)
    scale = MIN_STREAM_SHORT_SIDE / short
    return (round(width * scale), round(height * scale))


class PreviewFrames(Protocol):
    """What the preview reads frames at two sizes from (a :class:`LatestFrameSlot`)."""

    def request_preview_size(self, size: tuple[int, int] | None, copies: bool = True) -> None: ...

    def latest(self) -> Frame | None: ...


class LatestFrameSlot:
    """Holds only the newest frame; the writer overwrites it, readers never see a backlog.

    Memory use is one frame (plus whatever frames readers themselves still hold).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._frame: Frame | None = None
        self._seq = 0
        self._preview_size: tuple[int, int] | None = None
        self._copies = True

    def request_preview_size(self, size: tuple[int, int] | None, copies: bool = True) -> None:
        """The preview draws the picture at ``(width, height)`` (None: it draws none). With
        ``copies``, each new frame is also made at that size in the screen's pixels, on the
        camera's thread. Any thread."""
        if size is not None and (size[0] <= 0 or size[1] <= 0):
            size = None
        with self._cond:
            self._preview_size = size
            self._copies = copies

    def stream_size(self) -> tuple[int, int] | None:
        """The size a two-size source should deliver its frames at now (None: its full
        resolution), from the preview's request. Read by the camera's thread before each frame."""
        with self._cond:
            size = self._preview_size
        return None if size is None else stream_size_for(size)

    def latest_pair(self) -> tuple[int, BGRImage] | None:
        """``(seq, frame as delivered)`` of the newest frame, or None: a :data:`LatestFrame`
        callable. As delivered: a two-size source's frames come at the preview's size."""
        with self._cond:
            frame = self._frame
        return None if frame is None else (frame.seq, frame.image)

    def put(self, image: np.ndarray, full: FullPicture | None = None) -> Frame:
        """Publish ``image`` as the newest frame and wake anyone waiting in :meth:`wait_for_seq`.

        The slot takes ownership of the array: the caller must hand over a fresh array each
        time and not modify it afterwards (it is made read-only here to catch mistakes). A
        non-contiguous array is copied once. Raises ``ValueError`` for anything that is not a
        BGR ``uint8`` HxWx3 picture. ``full``: how to make this frame at full resolution, when a
        two-size source delivered it smaller.
        """
        image = _check_image(image)
        image.flags.writeable = False
        with self._cond:
            size = self._preview_size if self._copies else None
        preview = screen_copy(image, size) if size is not None else None
        now = time.monotonic()
        with self._cond:
            self._seq += 1
            frame = Frame(image=image, seq=self._seq, captured_at=now, preview=preview, full=full)
            self._frame = frame
            self._cond.notify_all()
        return frame

    def latest(self) -> Frame | None:
        """The newest frame, or ``None`` before the first one. Never blocks for long."""
        with self._cond:
            return self._frame

    @property
    def seq(self) -> int:
        """Sequence number of the newest frame (0 before the first one)."""
        with self._cond:
            return self._seq

    def wait_for_seq(self, after: int, timeout: float) -> Frame | None:
        """Block until a frame with ``seq > after`` is in the slot and return the newest one.

        Returns ``None`` if none arrived within ``timeout`` seconds. Meant for tests, the
        benchmark and headless consumers; the UI polls :meth:`latest` on a timer instead.
        """
        with self._cond:
            arrived = self._cond.wait_for(lambda: self._seq > after, timeout=max(0.0, timeout))
            return self._frame if arrived else None
