"""The station's one face detector: MediaPipe's BlazeFace, run by OpenCV's own ``dnn`` module.

Why one module: the emulator needs real face boxes to answer like the service does, the capture
guide needs the same boxes to tell the customer to come closer or to be alone in the picture, and
``--self-test`` proves the installed model works. All use :class:`FaceDetector`.

Why BlazeFace (issue 26): the Haar cascade of 2001 it replaces found a face beside the coffee cup
in about half of the benchmark's empty-counter frames and read a 56 px face as "no face". BlazeFace
is a small convolutional detector that also gives six keypoints (eyes, nose, mouth, ears), so a
box is only a face when its keypoints sit where a face's do, and a face turned away or tilted can
be told apart. OpenCV 4.14 reads its TensorFlow Lite files (``cv2.dnn.readNetFromTFLite``): no new
runtime. The two files are vendored under ``resources/models/`` (see ``PROVENANCE.md`` there), and
each is checked against its SHA-256 before it is loaded: a changed file is a broken install.

Two models, one job each:

* **full range** (192x192 input, 2,304 anchors): faces from about 7 % to 50 % of the square it
  looks at. Used on the whole picture (letterboxed to a square) and on the tiles of the guide's
  second look.
* **short range** (128x128, 896 anchors, about a third of the cost): faces from about 15 % to 70 %
  of its square. Used where the face's size is known: the guide's tracking looks at a square a few
  face sizes wide round the last face.

Measured on face.jpg's face pasted at a known share of a square (score, full / short range): 5 %
0.44 / 0.29, 7 % 0.79 / 0.45, 12 % 0.94 / 0.73, 15 % 0.94 / 0.89, 25 % 0.96 / 0.95, 50 % 0.86 /
0.92, 70 % 0.68 / 0.94.

Threads: ``cv2.dnn`` runs a network on OpenCV's thread pool. The detector bounds that pool to
:data:`DETECTOR_THREADS` when it is larger (a 16-core machine would otherwise wake 16 threads for a
2 ms network); one network runs one picture at a time (a lock per network), so callers on several
threads queue instead of multiplying the work.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from station.core.images import BGRImage
from station.resources import ResourceMissingError, resource_path
from station.vision.anchors import (
    FULL_RANGE,
    SHORT_RANGE,
    AnchorScheme,
    RawDetection,
    anchor_centres,
    decode,
    weighted_suppression,
)

__all__ = [
    "DETECTOR_THREADS",
    "MIN_FACE_CONFIDENCE",
    "MODELS",
    "DetectedFace",
    "FaceDetector",
    "FaceDetectorError",
    "ModelFile",
    "Network",
    "drop_nested",
    "landmarks_plausible",
]


class FaceDetectorError(RuntimeError):
    """A model file is missing, altered or unreadable (a broken install)."""


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One vendored model: its file under ``resources/models``, its SHA-256, its anchor layout."""

    name: str
    sha256: str
    scheme: AnchorScheme


#: The vendored models (``resources/models/PROVENANCE.md`` says where they come from).
MODELS: dict[str, ModelFile] = {
    "full": ModelFile(
        "face_detection_full_range.tflite",
        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
        FULL_RANGE,
    ),
    "short": ModelFile(
        "face_detection_short_range.tflite",
        "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633",
        SHORT_RANGE,
    ),
}

#: OpenCV's thread pool is bounded to this many threads while the detector is loaded (see the
#: module docstring).
DETECTOR_THREADS = 2

#: A face is reported only at this score or above. Measured: real faces in the samples score
#: 0.66-0.96 (the weakest, the second person of two-faces.jpg at 0.3 of its light, 0.67), face.jpg's
#: face at 7 % of the square 0.79; the highest patterns, 0.35 on no-face.jpg (plausible keypoints)
#: and 0.37 on a knee in two-faces.jpg (implausible ones). With the keypoint check, 0 of 1,000 noisy
#: 1080p empty-counter frames gave a face (``station.bench.falsefaces``).
MIN_FACE_CONFIDENCE = 0.6

#: Anchors below this score are not decoded at all (faster; well below every threshold used).
_DECODE_FLOOR = 0.3

#: Weighted suppression merges boxes overlapping the best one by more than this (MediaPipe's 0.3).
_SUPPRESSION_OVERLAP = 0.3

#: :func:`stretched` clips this share of the darkest and of the brightest pixels ...
_STRETCH_CLIP = 0.01
#: ... and leaves a picture alone whose levels already span this many grey levels.
_STRETCH_ENOUGH = 160

#: Keypoint plausibility, in face-box widths (see :func:`landmarks_plausible`).
_MIN_EYE_DISTANCE = 0.2
_MAX_EYE_DISTANCE = 0.75
_MAX_KEYPOINT_OUTSIDE = 0.35


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """One face box in the picture's pixels, a 0..1 score and (when the detector gave them) six
    keypoints ``(x, y)`` in the same pixels: right eye, left eye, nose tip, mouth centre, right
    ear, left ear ("right" is the person's: the left of the picture)."""

    x: int
    y: int
    width: int
    height: int
    confidence: float
    keypoints: tuple[tuple[float, float], ...] = ()

    @property
    def area(self) -> int:
        return self.width * self.height

    @property
    def roll_degrees(self) -> float | None:
        """How far the head is tilted (the eye line against the horizontal), or None without
        keypoints. Positive: the person's left eye (picture right) lower."""
        if len(self.keypoints) < 2:
            return None
        (rx, ry), (lx, ly) = self.keypoints[0], self.keypoints[1]
        return math.degrees(math.atan2(ly - ry, lx - rx))

    @property
    def turn(self) -> float | None:
        """How far the face is turned aside: the nose tip's distance from the midpoint of the eyes,
        along the eye line, in half eye distances (0 facing the camera, about 1 when the nose
        reaches one eye: a face in three-quarter view), or None without keypoints."""
        if len(self.keypoints) < 3:
            return None
        (rx, ry), (lx, ly), (nx, ny) = self.keypoints[0], self.keypoints[1], self.keypoints[2]
        ex, ey = lx - rx, ly - ry
        half = math.hypot(ex, ey) / 2.0
        if half <= 0:
            return None
        mx, my = (rx + lx) / 2.0, (ry + ly) / 2.0
        return ((nx - mx) * ex + (ny - my) * ey) / (2.0 * half * half)


def landmarks_plausible(face: DetectedFace) -> bool:
    """Whether the keypoints sit as a face's do in its box; a box without keypoints is not.

    The eyes a fifth to three quarters of the box's width apart, the eye line less than 60° from
    horizontal, the nose and mouth below the eye line, the mouth below the nose, and every keypoint
    within a third of a box size of the box (ears may stick out of it). A pattern that scores like
    a face (a cup's rim, a knee, a print on a shirt) rarely gives such keypoints too.
    """
    if len(face.keypoints) < 4 or face.width <= 0 or face.height <= 0:
        return False
    size = float(max(face.width, face.height))
    pad = _MAX_KEYPOINT_OUTSIDE * size
    for kx, ky in face.keypoints:
        if not (
            face.x - pad <= kx <= face.x + face.width + pad
            and face.y - pad <= ky <= face.y + face.height + pad
        ):
            return False
    (rx, ry), (lx, ly), (nx, ny), (mx, my) = face.keypoints[:4]
    eyes = math.hypot(lx - rx, ly - ry)
    if not _MIN_EYE_DISTANCE * face.width <= eyes <= _MAX_EYE_DISTANCE * face.width:
        return False
    if abs(math.degrees(math.atan2(ly - ry, lx - rx))) > 60.0:
        return False
    # Below the eye line: the signed distance along the eye line's normal pointing down the face.
    ux, uy = (lx - rx) / eyes, (ly - ry) / eyes
    down_x, down_y = -uy, ux
    cx, cy = (rx + lx) / 2.0, (ry + ly) / 2.0

    def below(px: float, py: float) -> float:
        return (px - cx) * down_x + (py - cy) * down_y

    nose, mouth = below(nx, ny), below(mx, my)
    return 0.0 < nose < mouth


class Network:
    """One vendored model loaded into OpenCV's dnn, with its anchors; one picture at a time."""

    def __init__(self, model: ModelFile, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FaceDetectorError(f"could not read the face model {path}: {exc.strerror}") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest != model.sha256:
            raise FaceDetectorError(
                f"the face model {path} is not the one shipped (SHA-256 {digest}, expected {model.sha256})"
            )
        try:
            net = cv2.dnn.readNetFromTFLite(np.frombuffer(data, dtype=np.uint8))
        except cv2.error as exc:
            raise FaceDetectorError(f"OpenCV could not load the face model {path}: {exc}") from None
        self.model = model
        self._net = net
        self._outputs = list(net.getUnconnectedOutLayersNames())
        self._anchors = anchor_centres(model.scheme)
        self._lock = threading.Lock()

    @property
    def input_size(self) -> int:
        return self.model.scheme.input_size

    def run(self, square_bgr: BGRImage, min_score: float) -> list[RawDetection]:
        """Faces in a BGR square of exactly the input size, in its 0..1 coordinates, merged."""
        size = self.input_size
        if square_bgr.shape[:2] != (size, size):
            raise ValueError(f"the network takes {size}x{size} pictures, got {square_bgr.shape[:2]}")
        blob = cv2.dnn.blobFromImage(
            square_bgr, 1.0 / 127.5, (size, size), (127.5, 127.5, 127.5), swapRB=True
        )
        with self._lock:
            self._net.setInput(blob)
            outputs = self._net.forward(self._outputs)
        scores = next(o for o in outputs if o.shape[-1] == 1)
        boxes = next(o for o in outputs if o.shape[-1] == 16)
        found = decode(scores, boxes, self._anchors, size, min(min_score, _DECODE_FLOOR))
        return [d for d in weighted_suppression(found, _SUPPRESSION_OVERLAP) if d.score >= min_score]


class FaceDetector:
    """Finds faces with the vendored BlazeFace models; safe to share between threads."""

    def __init__(self, models_dir: Path | None = None) -> None:
        networks: dict[str, Network] = {}
        for key, model in MODELS.items():
            try:
                path = (
                    (models_dir / model.name)
                    if models_dir is not None
                    else resource_path("models", model.name)
                )
            except ResourceMissingError as exc:
                raise FaceDetectorError(str(exc)) from None
            if not path.is_file():
                raise FaceDetectorError(f"the face model {path} is missing")
            networks[key] = Network(model, path)
        self._full = networks["full"]
        self._short = networks["short"]
        if cv2.getNumThreads() > DETECTOR_THREADS:
            cv2.setNumThreads(DETECTOR_THREADS)

    def detect(
        self, image_bgr: BGRImage, *, min_confidence: float = MIN_FACE_CONFIDENCE
    ) -> list[DetectedFace]:
        """Faces in a BGR (or BGRA, or grey) picture, largest first, in its own pixels.

        The whole picture, letterboxed to a square, through the full-range model: a face is found
        from about 7 % of the picture's long side. When it finds none, the short-range model looks
        at the same square: a close-up face filling most of the picture (a selfie upload) scores
        better there. Only faces at ``min_confidence`` or above whose keypoints are plausible
        (:func:`landmarks_plausible`) are reported.
        """
        image = _to_bgr(image_bgr)
        if image is None or min(image.shape[:2]) < 8:
            return []
        height, width = image.shape[:2]
        square = (0, 0, max(width, height))
        faces = self.detect_square(image, square, min_confidence=min_confidence)
        if not faces:
            faces = self.detect_square(image, square, short_range=True, min_confidence=min_confidence)
        return faces

    def detect_square(
        self,
        image_bgr: BGRImage,
        square: tuple[int, int, int],
        *,
        short_range: bool = False,
        min_confidence: float = MIN_FACE_CONFIDENCE,
    ) -> list[DetectedFace]:
        """Faces in the square ``(x, y, side)`` of ``image_bgr`` (the parts outside the picture are
        black), in the picture's pixels, largest first. ``short_range``: the cheaper short-range
        model, for a square where a face would fill 15-70 % of it."""
        image = _to_bgr(image_bgr)
        if image is None:
            return []
        network = self._short if short_range else self._full
        x0, y0, side = (int(v) for v in square)
        if side <= 0:
            return []
        patch = _square_patch(image, x0, y0, side, network.input_size)
        height, width = image.shape[:2]
        faces: list[DetectedFace] = []
        for raw in network.run(patch, min_confidence):
            face = _to_picture(raw, x0, y0, side, width, height)
            if face is not None and landmarks_plausible(face):
                faces.append(face)
        faces = drop_nested(faces)
        faces.sort(key=lambda f: (f.area, f.confidence), reverse=True)
        return faces


def _square_patch(image: BGRImage, x0: int, y0: int, side: int, size: int) -> BGRImage:
    """The square ``(x0, y0, side)`` of ``image`` scaled to ``size`` x ``size``, black outside the
    picture. Shrinks by halving first (a 2x2 average per step), then ``INTER_AREA``: 0.8 ms for a
    1080p frame against 3.5 ms for ``INTER_AREA`` from full size."""
    height, width = image.shape[:2]
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(width, x0 + side), min(height, y0 + side)
    out = np.zeros((size, size, 3), np.uint8)
    if cx1 <= cx0 or cy1 <= cy0:
        return out
    scale = size / side
    region: BGRImage = image[cy0:cy1, cx0:cx1]
    target = (max(1, round((cx1 - cx0) * scale)), max(1, round((cy1 - cy0) * scale)))
    while region.shape[1] >= 2 * target[0] and region.shape[0] >= 2 * target[1]:
        half = (region.shape[1] // 2, region.shape[0] // 2)
        region = np.asarray(cv2.resize(region, half, interpolation=cv2.INTER_LINEAR))
    if (region.shape[1], region.shape[0]) != target:
        grow = target[0] > region.shape[1]
        region = np.asarray(
            cv2.resize(
                region,
                target,
                interpolation=cv2.INTER_LINEAR if grow else cv2.INTER_AREA,
            )
        )
    ox = min(size - target[0], max(0, round((cx0 - x0) * scale)))
    oy = min(size - target[1], max(0, round((cy0 - y0) * scale)))
    out[oy : oy + target[1], ox : ox + target[0]] = stretched(
        np.ascontiguousarray(region[: target[1], : target[0]])
    )
    return out


def stretched(image: BGRImage) -> BGRImage:
    """``image`` with its levels stretched linearly so the darkest and brightest 1 % are clipped,
    unless they already span :data:`_STRETCH_ENOUGH` grey levels.

    Why: a dim desk or a washed-out picture squeezes a face's levels into a narrow band, and the
    network's score drops with it (two-faces.jpg at 0.3 of its light: one of the two faces fell to
    0.45). A linear stretch restores the contrast without the noise histogram equalisation makes
    of a plain wall; a picture that already spans the range is left alone.
    """
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(hist) / max(1.0, float(hist.sum()))
    low = int(np.searchsorted(cumulative, _STRETCH_CLIP))
    high = int(np.searchsorted(cumulative, 1.0 - _STRETCH_CLIP))
    if high - low >= _STRETCH_ENOUGH or high <= low:
        return image
    alpha = 255.0 / (high - low)
    return np.asarray(cv2.convertScaleAbs(image, alpha=alpha, beta=-low * alpha), dtype=np.uint8)


def _to_picture(
    raw: RawDetection, x0: int, y0: int, side: int, width: int, height: int
) -> DetectedFace | None:
    """A detection in a square's 0..1 coordinates as a box in the picture (clipped to it)."""
    bx0 = max(0, min(width - 1, round(x0 + raw.x0 * side)))
    by0 = max(0, min(height - 1, round(y0 + raw.y0 * side)))
    bx1 = min(width, round(x0 + raw.x1 * side))
    by1 = min(height, round(y0 + raw.y1 * side))
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return None
    keypoints = tuple((x0 + kx * side, y0 + ky * side) for kx, ky in raw.keypoints)
    return DetectedFace(bx0, by0, bx1 - bx0, by1 - by0, raw.score, keypoints)


def drop_nested(faces: list[DetectedFace]) -> list[DetectedFace]:
    """Of two boxes where one's centre lies inside the other, keep the more confident one."""
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=lambda f: f.confidence, reverse=True):
        if not any(_nested(face, other) for other in kept):
            kept.append(face)
    return kept


def _nested(a: DetectedFace, b: DetectedFace) -> bool:
    small, big = (a, b) if a.area <= b.area else (b, a)
    cx = small.x + small.width / 2.0
    cy = small.y + small.height / 2.0
    return big.x <= cx <= big.x + big.width and big.y <= cy <= big.y + big.height


def _to_bgr(image: BGRImage) -> BGRImage | None:
    """A 3-channel 8-bit view or copy, or None for an empty array."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        return None
    if image.dtype != np.uint8:
        raise TypeError(f"FaceDetector expects uint8 pixels, got {image.dtype}")
    if image.ndim == 2:
        return np.asarray(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.asarray(
            cv2.cvtColor(np.ascontiguousarray(image[:, :, 0]), cv2.COLOR_GRAY2BGR), dtype=np.uint8
        )
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    if image.ndim == 3 and image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    raise ValueError(f"FaceDetector expects an HxW or HxWx{{1,3,4}} image, got {image.shape}")
