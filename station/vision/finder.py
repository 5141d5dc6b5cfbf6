"""Finding the customer's face for the guide, with as few network runs as the guide needs.

The detector (:class:`~station.vision.faces.FaceDetector`) runs a network on a square scaled to
its input; a face is found when it fills a known share of that square (full range: about 7-50 %,
short range: 15-70 %). So the guide chooses squares, never a bigger input:

* **Full scan** — the whole frame, letterboxed, through the full-range model (one run, about 6 ms
  with the shrinking): every face from about 7 % of the long side, so a second person anywhere in
  the picture is counted (the emulator counts alike: it runs the same pass).
* **Second look** — only when the full scan found no face: a customer sitting far back has a face
  too small for it (a 56 px face in 1280x720 is 4 % of the long side, 8 px at 192). Squares of
  :data:`SECOND_LOOK_TILE` of the short side tile the region round the oval (:func:`second_look_tiles`),
  each through the full-range model at its input size, so the 50-70 px face fills 12-16 % of one.
  A face found only this way must be found again by the tracking look (below).
* **Tracking** — when the last look found exactly one face, the next looks at a square round it
  only, :data:`TRACK_SQUARE` face sizes wide, through the short-range model (about 2 ms): the face
  fills about a third of the square, the short-range model's best range. A change of the picture
  away from the customer, or every :data:`FULL_SCAN_EVERY`-th look, is a full scan again, so a
  second person stepping in is noticed at once, or at the latest within two seconds.

Every face must score :data:`~station.vision.faces.MIN_FACE_CONFIDENCE` and have plausible
keypoints (the detector checks both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from station.core.images import BGRImage, GrayImage
from station.vision.faces import DetectedFace, FaceDetector, drop_nested
from station.vision.guide import guide_oval

__all__ = [
    "FULL_SCAN_EVERY",
    "SECOND_LOOK_HEIGHT",
    "SECOND_LOOK_STEP",
    "SECOND_LOOK_TILE",
    "SECOND_LOOK_WIDTH",
    "TRACK_SIZE_RANGE",
    "TRACK_SQUARE",
    "FaceFinder",
    "Found",
    "second_look_region",
    "second_look_tiles",
    "shrink_to_gray",
    "to_gray",
]

#: Every this-many looks of a stream is a full scan even while a face is tracked (every two seconds
#: at four looks a second): the safety net for someone stepping in close beside the customer.
#: Someone appearing away from the customer changes the picture there, and that look is a full
#: scan at once (see ``CUSTOMER_WIDTH_IN_FACES`` in :mod:`station.vision.quality`).
FULL_SCAN_EVERY = 8

#: The second look covers this share of the frame's width and height, centred horizontally and
#: halfway between the oval's centre and the frame's middle vertically: a customer sitting back is
#: smaller and nearer the middle of the picture than the oval, and may sit to one side.
SECOND_LOOK_WIDTH = 0.7
SECOND_LOOK_HEIGHT = 0.8

#: Side of each second-look square, as a share of the frame's short side. A face 50-70 px wide in
#: a 1280x720 frame is then 12-16 % of it (the full-range model scores face.jpg's face 0.94 at
#: 12-15 %); a face at the guide's "Move closer" limit (0.14 of the short side) 23 %.
SECOND_LOOK_TILE = 0.6

#: Neighbouring squares overlap by at least this share of the short side, so a face up to that
#: size is whole in one of them (the guide's largest "too small" face is 0.14).
SECOND_LOOK_STEP_OVERLAP = 0.2
#: ... which makes the step between squares this share of the short side.
SECOND_LOOK_STEP = SECOND_LOOK_TILE - SECOND_LOOK_STEP_OVERLAP

#: The tracking square is this many face sizes wide, centred on the last face: the face fills 36 %
#: of it, where the short-range model scores 0.92-0.95, and may move by half its size each way.
TRACK_SQUARE = 2.8

#: A tracked face may shrink or grow by these factors between two looks.
TRACK_SIZE_RANGE = (0.7, 1.45)


def to_gray(image: BGRImage) -> GrayImage:
    """A grey view or copy of a BGR, BGRA or grey ``uint8`` picture (the input is never written)."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a numpy image, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {image.dtype}")
    if image.size == 0:
        raise ValueError("the image is empty")
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if image.ndim == 3 and image.shape[2] == 3:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    raise ValueError(f"expected an HxW or HxWx{{1,3,4}} image, got shape {image.shape}")


def shrink_to_gray(image: BGRImage, scale: float) -> GrayImage:
    """``image`` (or a region of it) scaled by ``scale`` <= 1, in grey: halving with a 2x2 average
    first (``INTER_LINEAR`` at exactly half size), then ``INTER_AREA``."""
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    while image.shape[1] >= 2 * size[0] and image.shape[0] >= 2 * size[1]:
        half = (image.shape[1] // 2, image.shape[0] // 2)
        image = np.asarray(cv2.resize(np.ascontiguousarray(image), half, interpolation=cv2.INTER_LINEAR))
    if size != (image.shape[1], image.shape[0]):
        image = np.asarray(cv2.resize(np.ascontiguousarray(image), size, interpolation=cv2.INTER_AREA))
    return to_gray(np.ascontiguousarray(image))


@dataclass(frozen=True, slots=True)
class Found:
    """The faces of one look, in the frame's pixels, largest first, and how they were found."""

    faces: list[DetectedFace]
    #: ``full`` (whole frame), ``second_look`` (full scan found none, then the oval's region),
    #: ``tracked`` (near the last face only) or ``given`` (faces found elsewhere).
    method: str


class FaceFinder:
    """Finds faces for the guide; keeps what it needs to track one face in a stream.

    :meth:`find` is a pure function of the frame (a full scan, then the second look). :meth:`follow`
    tracks the face of the previous call and falls back to :meth:`find`; use it from one thread.
    """

    def __init__(self, detector: FaceDetector) -> None:
        self._detector = detector
        self._tracked: DetectedFace | None = None
        self._frame_size: tuple[int, int] | None = None
        self._since_full = 0

    def reset(self) -> None:
        self._tracked = None
        self._frame_size = None
        self._since_full = 0

    def find(self, image: BGRImage) -> Found:
        """Every face the guide cares about in ``image``: full scan, then the second look. The
        largest face's box is then measured again as tracking measures it, so the face's size does
        not jump between a full scan and the tracking looks (the two models' boxes differ by up
        to a tenth)."""
        faces = self.full_scan(image)
        if not faces:
            return Found(self._confirmed(image, self.second_look(image)), "second_look")
        refined = self.track(image, faces[0])
        if refined is not None:
            faces = sorted([refined, *faces[1:]], key=lambda f: (f.area, f.confidence), reverse=True)
        return Found(faces, "full")

    def _confirmed(self, image: BGRImage, small: list[DetectedFace]) -> list[DetectedFace]:
        """A second-look face only if the tracking look (the other model, another square) finds it
        again; its box then."""
        if not small:
            return []
        again = self.track(image, small[0])
        return [] if again is None else [again]

    def follow(self, image: BGRImage, *, full_scan_due: bool = False) -> Found:
        """The faces of the next frame of a stream: tracked when possible, else :meth:`find`.

        ``full_scan_due``: the caller's clock says a full scan is due (see
        :data:`~station.vision.quality.FULL_SCAN_AFTER_S`), whatever the count of looks.
        """
        height, width = image.shape[:2]
        tracked = self._tracked
        if (
            tracked is not None
            and not full_scan_due
            and self._frame_size == (width, height)
            and self._since_full < FULL_SCAN_EVERY - 1
        ):
            face = self.track(image, tracked)
            if face is not None:
                self._tracked = face
                self._since_full += 1
                return Found([face], "tracked")
        found = self.find(image)
        if not found.faces and tracked is not None and self._frame_size == (width, height):
            # The face tracked a moment ago is looked for where it was before "No face" is said.
            face = self.track(image, tracked)
            if face is not None:
                found = Found([face], "tracked")
        self._frame_size = (width, height)
        self._since_full = 0
        self._tracked = found.faces[0] if len(found.faces) == 1 else None
        return found

    def full_scan(self, image: BGRImage) -> list[DetectedFace]:
        """Faces anywhere in the frame: the whole frame through the full-range model."""
        height, width = image.shape[:2]
        faces = drop_nested(self._detector.detect_square(image, (0, 0, max(width, height))))
        return sorted(faces, key=lambda f: (f.area, f.confidence), reverse=True)

    def second_look(self, image: BGRImage) -> list[DetectedFace]:
        """The most confident face in the squares round the oval (:func:`second_look_tiles`), if
        any: the customer sitting back, not a head count (counting people is the full scan's)."""
        height, width = image.shape[:2]
        best: DetectedFace | None = None
        for square in second_look_tiles(width, height):
            for face in self._detector.detect_square(image, square):
                if best is None or face.confidence > best.confidence:
                    best = face
        return [] if best is None else [best]

    def track(self, image: BGRImage, last: DetectedFace) -> DetectedFace | None:
        """The face near ``last`` in ``image`` (about its size), or None if it is gone."""
        side = max(last.width, last.height)
        square = round(TRACK_SQUARE * side)
        cx = last.x + last.width / 2.0
        cy = last.y + last.height / 2.0
        x0, y0 = round(cx - square / 2.0), round(cy - square / 2.0)
        low, high = TRACK_SIZE_RANGE
        found = [
            f
            for f in self._detector.detect_square(image, (x0, y0, square), short_range=True)
            if low * side <= max(f.width, f.height) <= high * side
        ]
        if not found:
            return None
        return max(found, key=lambda f: f.confidence)


def second_look_region(width: int, height: int) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` of the second look (see :data:`SECOND_LOOK_WIDTH`)."""
    _ox, oy, _ow, oh = guide_oval(width, height)
    crop_w = max(1, round(width * SECOND_LOOK_WIDTH))
    crop_h = max(1, round(height * SECOND_LOOK_HEIGHT))
    centre_y = ((oy + oh / 2.0) + height / 2.0) / 2.0
    x0 = (width - crop_w) // 2
    y0 = int(min(max(0, round(centre_y - crop_h / 2.0)), height - crop_h))
    return x0, y0, x0 + crop_w, y0 + crop_h


def second_look_tiles(width: int, height: int) -> list[tuple[int, int, int]]:
    """The squares ``(x, y, side)`` of the second look: :data:`SECOND_LOOK_TILE` of the short side,
    covering :func:`second_look_region` with overlaps of :data:`SECOND_LOOK_STEP_OVERLAP`."""
    x0, y0, x1, y1 = second_look_region(width, height)
    short = min(width, height)
    side = max(1, round(SECOND_LOOK_TILE * short))
    step = max(1, round(SECOND_LOOK_STEP * short))

    def starts(low: int, high: int) -> list[int]:
        if high - low <= side:
            return [round((low + high - side) / 2.0)]
        count = math.ceil((high - low - side) / step) + 1
        span = (high - low - side) / (count - 1)
        return [round(low + i * span) for i in range(count)]

    return [(x, y, side) for y in starts(y0, y1) for x in starts(x0, x1)]
