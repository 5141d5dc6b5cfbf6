"""Finding the customer's face for the guide, at the resolution the guide needs and no finer.

Why not simply :meth:`FaceDetector.detect`: that scans a 640 px copy for any face the service
might see, 55-75 ms of one core per 1080p frame on this machine, and the guide ran it four times a
second. What the guide needs is smaller:

* **Full scan** — faces of at least :data:`FULL_SCAN_MIN_FACE` of the short side (the emulator's
  floor, so both count a second person alike) anywhere in the picture. A cascade scan costs in
  proportion to the picture *measured in smallest faces*, so the frame is shrunk until that face
  is :data:`FULL_SCAN_FACE_PX` pixels (a 308-row copy of a 1080p frame) and scanned with coarser
  scale steps.
* **Second look** — only when the full scan found no face: a customer sitting far back has a
  face too small for it. The region round the oval is scanned for small faces only (down to
  :data:`SECOND_LOOK_MIN_FACE` of the short side), so "Move closer" is said instead of "No face".
* **Tracking** — when the last analysis found exactly one face, the next looks only near it, for a
  face of about its size, scanned at :data:`TRACK_FACE_PX`: a few hundred windows instead of tens
  of thousands. A change of the picture away from the customer, or every
  :data:`FULL_SCAN_EVERY`-th analysis, is a full scan again, so a second person stepping in is
  noticed at once, or at the latest within two seconds.

Frames are shrunk by halving with a 2x2 average (``INTER_LINEAR`` at exactly half size) and then
``INTER_AREA``: 0.8 ms for a 1080p frame against 3.5 ms for ``INTER_AREA`` from full size, with the
same anti-aliasing where it matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from station.core.images import BGRImage, GrayImage
from station.vision.faces import (
    MIN_FACE_CONFIDENCE,
    MIN_FACE_PER_512,
    DetectedFace,
    FaceDetector,
    drop_nested,
)
from station.vision.guide import MAX_FACE_FRACTION, MIN_FACE_FRACTION, guide_oval

__all__ = [
    "FULL_SCAN_EVERY",
    "FULL_SCAN_FACE_PX",
    "FULL_SCAN_MIN_FACE",
    "FULL_SCAN_SCALE_FACTOR",
    "SECOND_LOOK_FACE_PX",
    "SECOND_LOOK_HEIGHT",
    "SECOND_LOOK_MIN_CONFIDENCE",
    "SECOND_LOOK_MIN_FACE",
    "SECOND_LOOK_MIN_NEIGHBORS",
    "SECOND_LOOK_WIDTH",
    "SURE_FACE_CONFIDENCE",
    "TRACK_FACE_PX",
    "TRACK_MARGIN",
    "TRACK_SCALE_FACTOR",
    "FaceFinder",
    "Found",
    "full_scan_scale",
    "second_look_region",
    "shrink_to_gray",
    "stretched",
    "to_gray",
]

#: Smallest face the full scan looks for, as a share of the short side: the emulator's own floor
#: (60 px per 512), so the guide and the service's stand-in count the same people.
FULL_SCAN_MIN_FACE = MIN_FACE_PER_512 / 512

#: That smallest face's size in the shrunk copy the full scan runs on (a 308-row copy of any
#: landscape frame), with scale steps of :data:`FULL_SCAN_SCALE_FACTOR`. Chosen on 37 swaying
#: pictures of one face 0.12-0.32 of the short side, and on the samples swaying for 160 frames
#: (one face, two faces, none): 28 px with steps of 1.2 found 22 of the 37 and missed face-large.jpg
#: in 29 of 30 frames; 36 px with steps of 1.15 found 36 of 37 and counted every sample frame
#: right, in 24 ms of one loaded core (the emulator's scan of the same frame: 52-73 ms). A face the
#: scan misses near the oval is still found by the second look.
FULL_SCAN_FACE_PX = 36

#: Scale step of the full scan (the emulator's is 1.1): see :data:`FULL_SCAN_FACE_PX`.
FULL_SCAN_SCALE_FACTOR = 1.15

#: Every this-many analyses of a stream is a full scan even while a face is tracked (every two
#: seconds at four analyses a second): the safety net for someone stepping in close beside the
#: customer. Someone appearing away from the customer changes the picture there, and that look is
#: a full scan at once (see ``CUSTOMER_WIDTH_IN_FACES`` in :mod:`station.vision.quality`).
FULL_SCAN_EVERY = 8

#: The second look covers this share of the frame's width and height, centred horizontally and
#: halfway between the oval's centre and the frame's middle vertically: a customer sitting back is
#: smaller and nearer the middle of the picture than the oval.
SECOND_LOOK_WIDTH = 0.5
SECOND_LOOK_HEIGHT = 0.6

#: Smallest face the second look finds, as a share of the short side. Measured: a face 60 px wide
#: in a 1280x720 frame is 0.083 (the guide's box for it 0.10), face.jpg in the middle of a
#: 1024x1024 canvas 0.104. 0.07 keeps a fifth of margin below the smallest of them; the smaller
#: the face looked for, the more scales the second look scans.
SECOND_LOOK_MIN_FACE = 0.07

#: That smallest face's size in the shrunk region the second look scans. Not the cascade's 24:
#: small faces shrunk further are found erratically. Measured on 45 pictures of face.jpg's face
#: 50-72 px wide at three heights in a 1280x720 frame (grey or a photo behind, with and without
#: noise), three neighbours and scale steps of 1.1: found in 36 of them at 40 px, 40 at 44 px and
#: all 45 at 48 px (the region then barely shrunk at 720p). The false faces it lets through are
#: removed by the confirmation (see ``FaceFinder._confirmed``).
SECOND_LOOK_FACE_PX = 48

#: Overlapping detections a small face needs (the full scan asks five): at these sizes a real face
#: gathers fewer, and SECOND_LOOK_MIN_CONFIDENCE keeps the false ones out.
SECOND_LOOK_MIN_NEIGHBORS = 3

#: A lone face larger than the guide accepts (``MAX_FACE_FRACTION``) that the full scan is less
#: sure of than this gets the second look too. Measured on the samples swaying: real faces score
#: 0.83-0.99 in the full scan (a tenth of them below 0.945); on face.jpg shrunk to 0.6x on a grey
#: canvas the full scan misses the face and reports the whole astronaut as a face 0.48 of the frame
#: (0.89), and the second look finds the real one at 0.97. Only large boxes: the cascade's false
#: faces round a real one are larger than it, and a second look costs as much as a full scan.
SURE_FACE_CONFIDENCE = 0.95

#: Faces found only by the second look must be at least this confident: searching smaller scales
#: finds more false faces. Measured in the crop pass: real faces 0.96-0.99 (face.jpg at 0.45-0.55x,
#: and at 1x on a 1024x1024 canvas); a false face on the space suit 0.46.
SECOND_LOOK_MIN_CONFIDENCE = 0.8

#: Tracking looks this many face sizes beyond each side of the last face box: a quarter of a
#: second's movement of a seated customer is far less.
TRACK_MARGIN = 0.35

#: Scale step of the tracking scan. Measured over 115 looks of five swaying streams (the counter
#: camera at 1080p and 720p, face.jpg, face-large.jpg): margin 0.5 and steps of 1.1 lost the face
#: once at 3.8 ms a look, margin 0.35 and steps of 1.15 never, at 2.2 ms; scanning the face at
#: 40 px instead of 48 lost it in a fifth of the looks.
TRACK_SCALE_FACTOR = 1.15

#: Tracking scans the region shrunk so the last face is about this many pixels: twice the
#: cascade's window, enough for a steady box, while the region stays about 100 px square.
TRACK_FACE_PX = 48

#: A tracked face may shrink or grow by these factors between two analyses.
TRACK_SIZE_RANGE = (0.7, 1.45)

#: Whether the guide's scans equalise the picture's histogram first (the emulator's detector
#: does): they stretch its levels linearly instead (:func:`stretched`).
EQUALIZE = False

#: The cascade's window: nothing smaller can be found.
_WINDOW = 24
#: :func:`stretched` clips this share of the darkest and of the brightest pixels ...
_STRETCH_CLIP = 0.01
#: ... and leaves a picture alone whose levels already span this many grey levels.
_STRETCH_ENOUGH = 160


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


def stretched(gray: GrayImage) -> GrayImage:
    """``gray`` with its levels stretched linearly so the darkest and brightest 1 % are clipped.

    Why not histogram equalisation (what the emulator's detector does): equalisation is not
    linear, and it stretches a plain wall's narrow peak of grey, with its sensor noise, across the
    whole range; the cascade must then reject that texture window by window (see
    :meth:`~station.vision.faces.FaceDetector.scan`). A linear stretch leaves a picture that
    already spans the range alone and still restores a washed-out face's contrast.
    """
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(hist) / max(1.0, float(hist.sum()))
    low = int(np.searchsorted(cumulative, _STRETCH_CLIP))
    high = int(np.searchsorted(cumulative, 1.0 - _STRETCH_CLIP))
    if high - low >= _STRETCH_ENOUGH or high <= low:
        return gray
    alpha = 255.0 / (high - low)
    return np.asarray(cv2.convertScaleAbs(gray, alpha=alpha, beta=-low * alpha), dtype=np.uint8)


def shrink_to_gray(image: BGRImage, scale: float) -> GrayImage:
    """``image`` (or a region of it) scaled by ``scale`` <= 1, in grey. See the module docstring."""
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
    #: ``full`` (whole frame), ``second_look`` (full scan found none, then the oval's region) or
    #: ``tracked`` (near the last face only).
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
        """Every face the guide cares about in ``image``: full scan, then the second look; the
        largest face's box is then measured again as tracking measures it (see :meth:`track`)."""
        faces = self.full_scan(image)
        if not faces:
            return Found(self._confirmed(image, self.second_look(image)), "second_look")
        lone = faces[0] if len(faces) == 1 else None
        if (
            lone is not None
            and lone.confidence < SURE_FACE_CONFIDENCE
            and lone.height > MAX_FACE_FRACTION * min(image.shape[:2])
        ):
            # Of the unsure box and a small face inside it, the more confident (the cascade's
            # false faces at the full scan's scale are larger boxes around a real one).
            small = self._confirmed(image, self.second_look(image))
            small = [f for f in small if f.confidence > lone.confidence]
            if small:
                faces = sorted(drop_nested(faces + small), key=lambda f: (f.area, f.confidence), reverse=True)
                if faces[0] is small[0]:
                    return Found(faces, "second_look")
        # The full scan's coarse scale steps give boxes up to a fifth too large or small; the
        # tracking scan's finer steps on a 48 px face give the box every later look measures,
        # so the face's size does not jump between a full scan and tracking.
        refined = self.track(image, faces[0])
        if refined is not None:
            faces = sorted([refined, *faces[1:]], key=lambda f: (f.area, f.confidence), reverse=True)
        return Found(faces, "full")

    def _confirmed(self, image: BGRImage, small: list[DetectedFace]) -> list[DetectedFace]:
        """A second-look face only if the tracking scan finds it again (its box then).

        The second look's few neighbours let patterns through: a coffee cup's rim scored 0.83-0.92
        in 12 of 20 noisy frames of an empty counter. Measured: none of those was found again,
        and 44 of 44 real small faces were.
        """
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
            # The full scan misses a face now and then (1 in 37 in the sway tests): the face
            # tracked a moment ago is looked for where it was before "No face" is said.
            face = self.track(image, tracked)
            if face is not None:
                found = Found([face], "tracked")
        self._frame_size = (width, height)
        self._since_full = 0
        self._tracked = found.faces[0] if len(found.faces) == 1 else None
        return found

    def full_scan(self, image: BGRImage) -> list[DetectedFace]:
        """Faces of at least :data:`FULL_SCAN_MIN_FACE` anywhere, scanned on a shrunk copy."""
        height, width = image.shape[:2]
        short = min(width, height)
        scale = full_scan_scale(width, height)
        gray = stretched(shrink_to_gray(image, scale))
        min_face = max(_WINDOW, math.floor(FULL_SCAN_MIN_FACE * short * scale))
        found = self._detector.scan(
            gray, min_face=min_face, scale_factor=FULL_SCAN_SCALE_FACTOR, equalize=EQUALIZE
        )
        return [_to_frame(face, 0, 0, scale, width, height) for face in found]

    def second_look(self, image: BGRImage) -> list[DetectedFace]:
        """The most confident small face (down to :data:`SECOND_LOOK_MIN_FACE`) in the region
        round the oval, if any."""
        height, width = image.shape[:2]
        short = min(width, height)
        x0, y0, x1, y1 = second_look_region(width, height)
        region = image[y0:y1, x0:x1]
        scale = min(1.0, SECOND_LOOK_FACE_PX / (SECOND_LOOK_MIN_FACE * short))
        gray = stretched(shrink_to_gray(region, scale))
        # Only faces a little larger than "Move closer": larger ones are the full scan's.
        min_face = max(_WINDOW, math.floor(SECOND_LOOK_MIN_FACE * short * scale))
        max_face = math.ceil(MIN_FACE_FRACTION * 1.2 * short * scale)
        found = self._detector.scan(
            gray,
            min_face=min_face,
            max_face=max(max_face, min_face + 1),
            min_neighbors=SECOND_LOOK_MIN_NEIGHBORS,
            min_confidence=SECOND_LOOK_MIN_CONFIDENCE,
            keep_best=False,
            equalize=EQUALIZE,
        )
        if not found:
            return []
        # The customer sitting back, not a head count: small false faces sit beside real ones
        # at these sizes, and counting people is the full scan's job.
        best = max(found, key=lambda f: f.confidence)
        return [_to_frame(best, x0, y0, scale, width, height)]

    def track(self, image: BGRImage, last: DetectedFace) -> DetectedFace | None:
        """The face near ``last`` in ``image`` (about its size), or None if it is gone."""
        height, width = image.shape[:2]
        side = max(last.width, last.height)
        margin = TRACK_MARGIN * side
        x0 = max(0, math.floor(last.x - margin))
        y0 = max(0, math.floor(last.y - margin))
        x1 = min(width, math.ceil(last.x + last.width + margin))
        y1 = min(height, math.ceil(last.y + last.height + margin))
        scale = min(1.0, TRACK_FACE_PX / side)
        gray = stretched(shrink_to_gray(image[y0:y1, x0:x1], scale))
        low, high = TRACK_SIZE_RANGE
        found = self._detector.scan(
            gray,
            min_face=max(_WINDOW, math.floor(side * scale * low)),
            max_face=math.ceil(side * scale * high),
            scale_factor=TRACK_SCALE_FACTOR,
            min_neighbors=3,
            min_confidence=MIN_FACE_CONFIDENCE,
            keep_best=False,
            equalize=EQUALIZE,
        )
        if not found:
            return None
        best = max(found, key=lambda f: f.confidence)
        return _to_frame(best, x0, y0, scale, width, height)


def full_scan_scale(width: int, height: int) -> float:
    """How much the full scan shrinks a ``width`` x ``height`` frame (1.0: not at all)."""
    return min(1.0, FULL_SCAN_FACE_PX / (FULL_SCAN_MIN_FACE * min(width, height)))


def second_look_region(width: int, height: int) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` of the second look (see :data:`SECOND_LOOK_WIDTH`)."""
    _ox, oy, _ow, oh = guide_oval(width, height)
    crop_w = max(1, round(width * SECOND_LOOK_WIDTH))
    crop_h = max(1, round(height * SECOND_LOOK_HEIGHT))
    centre_y = ((oy + oh / 2.0) + height / 2.0) / 2.0
    x0 = (width - crop_w) // 2
    y0 = int(min(max(0, round(centre_y - crop_h / 2.0)), height - crop_h))
    return x0, y0, x0 + crop_w, y0 + crop_h


def _to_frame(face: DetectedFace, x0: int, y0: int, scale: float, width: int, height: int) -> DetectedFace:
    """A face from a region shrunk by ``scale`` at ``(x0, y0)``, in the frame's pixels."""
    fx0 = max(0, min(width - 1, x0 + round(face.x / scale)))
    fy0 = max(0, min(height - 1, y0 + round(face.y / scale)))
    fx1 = max(fx0 + 1, min(width, x0 + round((face.x + face.width) / scale)))
    fy1 = max(fy0 + 1, min(height, y0 + round((face.y + face.height) / scale)))
    return DetectedFace(fx0, fy0, fx1 - fx0, fy1 - fy0, face.confidence)
