"""What the benchmark's cameras show: a customer at the counter, the ways a first picture goes
wrong, an empty counter; and cameras that play them like a webcam.

Generated from the bundled samples the way the vision tests generate their variants (scaled,
darkened, blurred, two people pasted side by side), so a benchmark picture is a test case too.
The customer is ``face-large.jpg`` scaled and placed so the face sits in the guide's oval at a
fifth of the frame's height: a customer seated where the station wants them.

Why cameras that *move*: a real camera's picture changes every frame (the customer breathes and
sways, the sensor is noisy), and the guide's work depends on it (tracking, unchanged pictures kept,
a change away from the customer). The customer is cut out of the photo (head and shoulders) and
sits in front of a plain wall; the cameras move the customer only — the columns round them,
shifted a few pixels along a slow sway, edges on the wall so no seam shows — and take turns
between five copies with different sensor noise; the empty counter cycles five noisy copies, so
its picture changes by noise only. A frame costs one copy and a partial copy (like a driver
handing over a new buffer).
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from station.camera import BGRImage, CameraError, FramePacer, FullPicture
from station.resources import sample_path
from station.vision.faces import FaceDetector
from station.vision.guide import guide_oval

__all__ = [
    "CUSTOMER_FACE_FRACTION",
    "CounterCamera",
    "Picture",
    "picture",
]

#: The customer's face box height / frame height: inside the guide's band (0.15-0.32), near its
#: target (0.22).
CUSTOMER_FACE_FRACTION = 0.21

#: How far the customer cameras sway (pixels each way) and how long one sway takes.
_SWAY_PX = 6
_SWAY_PERIOD_S = 3.1
#: Sensor-like noise of every picture (grey levels), and how many noisy copies the camera cycles.
_NOISE_SIGMA = 2.0
_NOISE_COPIES = 5
_WALL = (201, 203, 205)  # the grey of face-large.jpg's own canvas


class Picture(StrEnum):
    """What the camera shows; the poor ones are the first pictures issue 16 lists."""

    CUSTOMER = "customer"
    TOO_DARK = "too_dark"
    TOO_FAR = "too_far"
    TWO_PEOPLE = "two_people"
    MOTION_BLUR = "motion_blur"
    NOBODY = "nobody"


def _sample(name: str) -> BGRImage:
    data = np.fromfile(sample_path(name), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise CameraError(f"could not decode the bundled sample {name}")
    out: BGRImage = np.ascontiguousarray(image)
    return out


@functools.cache
def _portrait() -> tuple[BGRImage, tuple[int, int, int, int]]:
    """face-large.jpg and its face box, found once with the emulator's detector."""
    photo = _sample("face-large.jpg")
    faces = FaceDetector().detect(photo)
    if not faces:
        raise CameraError("the bundled portrait shows no face")
    face = faces[0]
    return photo, (face.x, face.y, face.width, face.height)


#: The customer cut out of their photo: this many face widths each side of the face (the head,
#: the shoulders, part of the arms), on the counter's plain wall.
_PERSON_HALF_WIDTH = 1.5
#: The second person of TWO_PEOPLE: where their face is and how much of them is seen.
_SECOND_CENTRE = (0.84, 0.3)
_SECOND_HALF_WIDTH = 1.0


def _place(canvas: BGRImage, fraction: float, centre: tuple[float, float], half_width: float) -> BGRImage:
    """The portrait scaled so its face is ``fraction`` of the canvas height, face centred at
    ``centre``, cut to ``half_width`` face widths each side of the face, pasted on ``canvas``
    (modified and returned)."""
    photo, (fx, fy, fw, fh) = _portrait()
    height, width = canvas.shape[:2]
    scale = fraction * min(width, height) / fh
    scaled = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ox = round(centre[0] - (fx + fw / 2) * scale)
    oy = round(centre[1] - (fy + fh / 2) * scale)
    sh, sw = scaled.shape[:2]
    face_px = fw * scale
    x0 = max(0, ox, round(centre[0] - half_width * face_px))
    x1 = min(width, ox + sw, round(centre[0] + half_width * face_px))
    y0, y1 = max(0, oy), min(height, oy + sh)
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return canvas


def _wall(width: int, height: int) -> BGRImage:
    return np.full((height, width, 3), _WALL, np.uint8)


def _customer_at(kind: Picture, width: int, height: int) -> tuple[float, float, float]:
    """The customer's face: ``(centre x, centre y, size)`` in pixels."""
    short = min(width, height)
    if kind is Picture.TOO_FAR:
        # Sitting back: the face a twelfth of the height, nearer the middle of the picture.
        return width / 2, height * 0.42, 0.085 * short
    ox, oy, ow, oh = guide_oval(width, height)
    return ox + ow / 2, oy + oh / 2, CUSTOMER_FACE_FRACTION * short


@functools.cache
def _scene(kind: Picture, width: int, height: int, second: bool) -> BGRImage:
    if kind is Picture.NOBODY:
        image = np.asarray(cv2.resize(_sample("no-face.jpg"), (width, height), interpolation=cv2.INTER_AREA))
    else:
        cx, cy, face = _customer_at(kind, width, height)
        image = _place(_wall(width, height), face / min(width, height), (cx, cy), _PERSON_HALF_WIDTH)
        if kind is Picture.TWO_PEOPLE and second:
            # Someone leaning in behind the customer's shoulder, a little smaller.
            centre = (width * _SECOND_CENTRE[0], height * _SECOND_CENTRE[1])
            image = _place(image, CUSTOMER_FACE_FRACTION * 0.85, centre, _SECOND_HALF_WIDTH)
        if kind is Picture.TOO_DARK:
            image = np.asarray(cv2.convertScaleAbs(image, alpha=0.22))
        elif kind is Picture.MOTION_BLUR:
            # The customer turning their head: a smear of a tenth of the face's width.
            length = max(9, round(0.1 * face) | 1)
            kernel = np.zeros((length, length), np.float32)
            kernel[length // 2, :] = 1.0 / length
            image = np.asarray(cv2.filter2D(image, -1, kernel))
    out: BGRImage = np.ascontiguousarray(image, dtype=np.uint8)
    out.flags.writeable = False
    return out


def picture(kind: Picture, width: int, height: int) -> BGRImage:
    """One still of ``kind`` at ``width`` x ``height`` (read-only; cached)."""
    return _scene(kind, width, height, True)


@dataclass(frozen=True, slots=True)
class _Canvas:
    """A picture as the camera plays it: still copies, padded copies of the customer alone for
    the moving band, and the band (``x0, x1``: whole columns) round the customer."""

    still: list[BGRImage]
    moving: list[BGRImage]
    band: tuple[int, int]


def _person_band(kind: Picture, width: int, height: int) -> tuple[int, int]:
    """The columns the customer moves in: their cut-out and the sway, edges on the plain wall."""
    cx, _cy, face = _customer_at(kind, width, height)
    reach = _PERSON_HALF_WIDTH * face + 2 * _SWAY_PX + 2
    return max(0, round(cx - reach)), min(width, round(cx + reach))


def _noisy(image: BGRImage, rng: np.random.Generator) -> BGRImage:
    noise = np.asarray(rng.normal(0.0, _NOISE_SIGMA, size=image.shape), dtype=np.int16)
    out: BGRImage = np.asarray(cv2.add(image, noise, dtype=cv2.CV_8U), dtype=np.uint8)
    return out


class CounterCamera:
    """A :class:`station.camera.FrameSource` playing the picture the benchmark chooses, at
    ``fps``, as a webcam would: a new array every frame, the customer swaying a few pixels, the
    empty counter changing by sensor noise only. :meth:`show` switches the picture (any thread).

    A two-size source (:class:`~station.camera.TwoSizeSource`): :meth:`read_at` makes each frame
    at the preview's size from scenes drawn at that size, and the same frame at full resolution
    only when a capture asks (the camera issue 27's two sizes are measured on).
    """

    def __init__(self, width: int, height: int, fps: float = 30.0, shows: Picture = Picture.CUSTOMER) -> None:
        self._size = (width, height)
        self._fps = fps
        self._lock = threading.Lock()
        self._canvases: dict[tuple[Picture, tuple[int, int]], _Canvas] = {}
        # The sizes frames were asked at: a picture switched to is drawn at each of them at once.
        self._sizes: list[tuple[int, int]] = [self._size]
        self._shows = shows
        self._open = False
        self._pacer = FramePacer(fps)
        self._index = 0
        self._prepare(shows)

    @property
    def description(self) -> str:
        return f"Counter camera {self._size[0]}x{self._size[1]} at {self._fps:g} fps"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def shows(self) -> Picture:
        with self._lock:
            return self._shows

    def show(self, kind: Picture) -> None:
        """From the next frame on, the camera shows ``kind``."""
        self._prepare(kind)
        with self._lock:
            self._shows = kind

    def _prepare(self, kind: Picture) -> None:
        with self._lock:
            sizes = list(self._sizes)
        for size in sizes:
            self._canvas(kind, size)

    def _canvas(self, kind: Picture, size: tuple[int, int]) -> _Canvas:
        with self._lock:
            canvas = self._canvases.get((kind, size))
        if canvas is not None:
            return canvas
        width, height = size
        # Noisy copies taken in turn: frames never repeat exactly (a live sensor), whatever the
        # sway does and whichever frames the guide's monitor happens to take: a prime number of
        # copies, so taking every 3rd, 4th or 8th frame never lands on the same copy twice running.
        rng = np.random.default_rng(16)
        if kind is Picture.NOBODY:
            still = [_noisy(picture(kind, width, height), rng) for _ in range(_NOISE_COPIES)]
            canvas = _Canvas(still, [], (0, 0))
        else:
            alone = _scene(kind, width + 2 * _SWAY_PX, height + 2 * _SWAY_PX, False)
            canvas = _Canvas(
                [_noisy(picture(kind, width, height), rng) for _ in range(_NOISE_COPIES)],
                [_noisy(alone, rng) for _ in range(_NOISE_COPIES)],
                _person_band(kind, width, height),
            )
        with self._lock:
            self._canvases[(kind, size)] = canvas
            if size not in self._sizes:
                self._sizes.append(size)
        return canvas

    def open(self) -> None:
        self._open = True
        self._pacer.reset()

    def read(self) -> BGRImage:
        if not self._open:
            raise CameraError("The counter camera is not open.")
        self._pacer.wait()
        self._index += 1
        return self.frame(self._index, self.shows)

    def read_at(self, size: tuple[int, int]) -> tuple[BGRImage, FullPicture | None]:
        """The next frame at ``size`` (the first at a new size draws the scenes at it, about
        0.4 s), and the same frame at full resolution for a capture."""
        if not self._open:
            raise CameraError("The counter camera is not open.")
        self._pacer.wait()
        self._index += 1
        index, kind = self._index, self.shows
        if size[0] >= self._size[0] or size[1] >= self._size[1]:
            return self.frame(index, kind), None
        return self.frame(index, kind, size), FullPicture(self._size, lambda: self.frame(index, kind))

    def frame(self, index: int, kind: Picture, size: tuple[int, int] | None = None) -> BGRImage:
        """Frame number ``index`` of ``kind`` (a new array), as :meth:`read` delivers it, or at
        ``size`` as :meth:`read_at` does."""
        canvas = self._canvas(kind, self._size if size is None else size)
        frame: BGRImage = canvas.still[index % len(canvas.still)].copy()
        if not canvas.moving:
            return frame
        t = index * self._pacer.period
        dx = _SWAY_PX + round(_SWAY_PX * math.sin(2 * math.pi * t / _SWAY_PERIOD_S))
        dy = _SWAY_PX + round(0.5 * _SWAY_PX * math.sin(2 * math.pi * t / (1.3 * _SWAY_PERIOD_S) + 1.0))
        x0, x1 = canvas.band
        moving = canvas.moving[index % len(canvas.moving)]
        frame[:, x0:x1] = moving[dy : dy + frame.shape[0], x0 + dx : x1 + dx]
        return frame

    def close(self) -> None:
        self._open = False
