"""Local capture-quality checks: tell the operator what is wrong *before* a paid liveness call.

Why local and cheap: every call to the liveness service costs money, and most failed calls fail
for reasons visible in the picture (no face, two people, too dark, too far away, blurred). This
module measures those on one frame with OpenCV, reusing the station's one face detector
(:class:`~station.vision.faces.FaceDetector`), and turns them into **one** short instruction in the
operator's words. It knows nothing about Qt or threads; :mod:`station.vision.quality_worker` runs it
off the UI thread on the live preview, and ``station analyse`` runs it on a still.

What is measured (all on the largest face, in the frame's own pixels):

* ``face_count`` and ``face_box``: the detector's faces, after dropping a box nested inside another
  (the Haar cascade sometimes reports a large false "face" around a real one; a face cannot contain
  a face, so of a nested pair the less confident box goes).
* ``face_fraction``: face box height / the frame's **short side**. For a landscape webcam frame this
  *is* "face height / frame height"; for a portrait still it does not punish the orientation. The
  detector cannot see faces smaller than about 0.117 of the short side (``MIN_FACE_PER_512`` = 60
  px per 512), so when the whole frame shows no face a second look is taken at the centre crop
  around the guide oval, where a face half that size is still found: a person sitting too far back
  gets "Move closer", not "No face found".
* ``centre_offset``: distance of the face centre from the centre of :func:`guide_oval`, in units of
  the oval's half-axes (0 = centred, 1 = the face centre is on the oval's edge).
* ``brightness`` / ``contrast``: mean and standard deviation of luma (0..255) in the face box;
  ``clipped_fraction``: share of face pixels at 250 or more (burnt-out highlights).
* ``sharpness``: variance of the Laplacian of the face patch resized to 64x64, *divided by the
  patch's intensity variance*. The resize makes it independent of resolution; the division makes it
  independent of contrast (plain Laplacian variance scales with contrast squared, so a dim but sharp
  face measured 216 against 238 for a blurred bright one; the ratio gives 0.32 and 0.09).
  ``laplacian_variance`` (the plain measure on the same patch) is reported too.
* ``frozen``: the frame repeats the previous analysed frames (see :data:`FROZEN_MAX_DIFFERENCE`).

Thresholds were tuned on the bundled samples and variants generated from them (the same variants
are the test cases in ``tests/vision/``); each constant's comment gives the measured values.
"""

from __future__ import annotations

import enum
import math
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from station.core.images import BGRImage, GrayImage
from station.vision.faces import DetectedFace, FaceDetector

__all__ = [
    "CENTRE_CROP_SIZE",
    "FROZEN_MAX_DIFFERENCE",
    "FROZEN_MIN_REPEATS",
    "INSTRUCTION_TEXT",
    "MAX_BRIGHTNESS",
    "MAX_CENTRE_OFFSET",
    "MAX_CLIPPED_FRACTION",
    "MIN_BRIGHTNESS",
    "MIN_CONTRAST",
    "MIN_FACE_FRACTION",
    "MIN_SHARPNESS",
    "SECOND_LOOK_MIN_CONFIDENCE",
    "SHARPNESS_PATCH",
    "SIGNATURE_SIZE",
    "GraySignature",
    "Instruction",
    "QualityAnalyser",
    "QualityReport",
    "gray_signature",
    "guide_oval",
    "signature_difference",
]

GraySignature = npt.NDArray[np.float32]
"""A tiny grayscale thumbnail of a frame (``SIGNATURE_SIZE``), float32, read-only."""

# ------------------------------------------------------------------------------------------------
# Thresholds. Measured values: face.jpg / face-large.jpg are the two "ready" samples; the variants
# are generated from face.jpg with OpenCV exactly as in tests/vision/variants.py.

#: Face box height / frame short side below which the operator hears "Move closer".
#: Measured: face.jpg 0.182, face-large.jpg 0.171 (both ready); face.jpg shrunk to 0.6x on a
#: 512x512 canvas 0.133; face.jpg in the middle of a 1024x1024 canvas 0.091 (found only by the
#: centre-crop second look). The detector's own floor is 0.117, so 0.15 leaves a margin of 0.02
#: below the smaller ready sample and still catches faces the detector can barely see.
MIN_FACE_FRACTION = 0.15

#: Largest ``centre_offset`` (1.0 = face centre on the guide oval's edge) still counted as centred.
#: Measured: face.jpg 0.78 (its face sits high in the picture), face-large.jpg 0.47; face.jpg on
#: the left of a 1024x512 canvas 2.6. "The face centre is inside the oval" is the natural rule and
#: keeps both real samples ready.
MAX_CENTRE_OFFSET = 1.0

#: Mean face luma below which the operator hears "Too dark". Measured: face.jpg 157, face-large
#: 146; face.jpg x0.5 78 (acceptable: still detected, sharpness unchanged), x0.3 47, x0.25 39.
#: Kept low on purpose: people with dark skin in adequate light measure well below the samples
#: and must not be told to fix the light; 60 only catches a genuinely dark desk.
MIN_BRIGHTNESS = 60.0

#: Mean face luma above which the operator hears "Too bright". Measured: face.jpg 157, face-large
#: 146; face.jpg x1.3+40 215, +100 230, +130 242.
MAX_BRIGHTNESS = 210.0

#: Share of face pixels at 250+ above which the face counts as burnt out ("Too bright") whatever its
#: mean. Measured: face.jpg 0.000, face-large 0.000; x1.3+40 0.47, +100 0.55, +130 0.71.
MAX_CLIPPED_FRACTION = 0.20

#: Luma standard deviation in the face below which the face is too flat to judge (fog, glare,
#: backlight); the advice is "Too dark" or "Too bright" depending on which half the mean is in.
#: Measured: face.jpg 51, face-large 61, x0.5 26, +130 27, a 0.15-contrast wash-out 8.
MIN_CONTRAST = 12.0

#: Contrast-normalised sharpness (see the module docstring) below which the operator hears "Hold
#: still". Measured: face.jpg 0.32, face-large 0.32, face.jpg x0.5 (dark) 0.32, face.jpg shrunk
#: to 0.6x 0.16; Gaussian blur sigma 1: 0.09, sigma 2: 0.03; 9-px horizontal motion blur 0.09,
#: 15-px 0.07; face-large blurred sigma 1.5: 0.21. 0.12 sits between sharp (>= 0.16) and blurred
#: (<= 0.094), with a 2.6x margin below the ready samples.
MIN_SHARPNESS = 0.12

#: Side of the square patch the face is resized to before measuring sharpness. 64 px is about the
#: smallest face the detector finds in a 640x480 frame (56 px), so the patch is rarely enlarged.
SHARPNESS_PATCH = 64

#: (width, height) of the grayscale thumbnail compared between frames for frozen detection
#: (nearest-neighbour samples of the frame: see :func:`gray_signature`).
SIGNATURE_SIZE = (96, 72)

#: Mean absolute difference (grey levels) of the thumbnails at or below which a frame counts as a
#: repeat of the previous analysed one. A repeated frame measures exactly 0.0. Measured with the
#: 96x72 nearest-neighbour thumbnail: the demo camera (StillImageSource, motion=1, no noise)
#: between consecutive frames at 240 fps (the least motion per frame) min 0.077, at 30 fps min
#: 0.53, at the monitor's 4 Hz min 3.6; face.jpg and face-large.jpg with sensor-like noise sigma
#: 0.5 (rounded towards zero, so only 5 % of pixels change) min 0.067, sigma 1 min 0.44.
FROZEN_MAX_DIFFERENCE = 0.02

#: Consecutive repeats (after the first frame) before the camera is called frozen. At the monitor's
#: 4 analyses a second that is about a second of identical pictures: a single duplicated frame
#: (drivers do repeat one now and then) is not enough.
FROZEN_MIN_REPEATS = 3

#: The centre crop searched again when the whole frame shows no face, as a share of each side.
CENTRE_CROP_SIZE = 0.5

#: Faces found only by that second look must be at least this confident: searching smaller scales
#: finds more false faces. Measured in the crop pass: real faces 0.96-0.99 (face.jpg at 0.45-0.55x,
#: and at 1x on a 1024x1024 canvas); a false face on the space suit 0.46.
SECOND_LOOK_MIN_CONFIDENCE = 0.8

_CLIP_LEVEL = 250
_MIN_VARIANCE = 1.0  # keeps the sharpness ratio finite on a flat patch

# The guide oval, relative to the frame's short side (size) and to the frame (centre). A face box
# from the cascade is about as wide as tall and covers brow to chin; the oval is drawn a little
# larger so that a well-placed face sits inside it with room to spare.
_OVAL_WIDTH = 0.42
_OVAL_HEIGHT = 0.55
_OVAL_CENTRE_Y = 0.42  # faces sit above the middle of a head-and-shoulders picture


class Instruction(enum.StrEnum):
    """What the operator should do next; the values are stable (JSON, logs, tests)."""

    READY = "ready"
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    MOVE_CLOSER = "move_closer"
    CENTRE_FACE = "centre_face"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    HOLD_STILL = "hold_still"
    FROZEN_CAMERA = "frozen_camera"


INSTRUCTION_TEXT: dict[Instruction, str] = {
    Instruction.READY: "Ready",
    Instruction.NO_FACE: "No face found: ask the customer to face the camera",
    Instruction.SEVERAL_FACES: "Only one person in frame",
    Instruction.MOVE_CLOSER: "Move closer",
    Instruction.CENTRE_FACE: "Centre the face in the oval",
    Instruction.TOO_DARK: "Too dark: turn on the desk light",
    Instruction.TOO_BRIGHT: "Too bright: angle the screen or close the blind",
    Instruction.HOLD_STILL: "Hold still",
    Instruction.FROZEN_CAMERA: "Camera picture frozen: check the camera",
}


@dataclass(frozen=True, slots=True)
class QualityReport:
    """What one analysed frame showed, and the one instruction for the operator.

    Measurements of the face region are ``None`` when there is no face. ``face_fraction`` is the
    face box height divided by the frame's short side (the frame height for a landscape frame).
    ``signature`` is the frame's grayscale thumbnail (for the next frozen-frame comparison);
    ``frame_difference`` its mean absolute difference from the previous one (``None`` without one);
    ``repeats`` how many analyses in a row repeated their predecessor.
    """

    instruction: Instruction
    text: str
    face_count: int
    frame_width: int
    frame_height: int
    face_box: tuple[int, int, int, int] | None
    face_fraction: float | None
    centre_offset: float | None
    brightness: float | None
    contrast: float | None
    clipped_fraction: float | None
    sharpness: float | None
    laplacian_variance: float | None
    frozen: bool
    frame_difference: float | None
    repeats: int
    elapsed_ms: float
    signature: GraySignature = field(repr=False, compare=False)

    @property
    def ready(self) -> bool:
        """True when nothing stands in the way of a capture."""
        return self.instruction is Instruction.READY

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the instruction, its text and every measurement (no thumbnail)."""

        def num(value: float | None, digits: int) -> float | None:
            return None if value is None else round(float(value), digits)

        return {
            "instruction": self.instruction.value,
            "text": self.text,
            "ready": self.ready,
            "face_count": self.face_count,
            "frame": {"width": self.frame_width, "height": self.frame_height},
            "face_box": list(self.face_box) if self.face_box is not None else None,
            "face_fraction": num(self.face_fraction, 4),
            "centre_offset": num(self.centre_offset, 4),
            "brightness": num(self.brightness, 2),
            "contrast": num(self.contrast, 2),
            "clipped_fraction": num(self.clipped_fraction, 4),
            "sharpness": num(self.sharpness, 4),
            "laplacian_variance": num(self.laplacian_variance, 2),
            "frozen": self.frozen,
            "frame_difference": num(self.frame_difference, 4),
            "repeats": self.repeats,
            "elapsed_ms": num(self.elapsed_ms, 2),
        }


def guide_oval(frame_w: int, frame_h: int) -> tuple[float, float, float, float]:
    """The oval the face should fill, as its bounding box ``(x, y, w, h)`` in frame pixels.

    Sized from the frame's short side, centred horizontally and a little above the middle. The UI
    draws it and :class:`QualityAnalyser` measures ``centre_offset`` against it.
    """
    if frame_w <= 0 or frame_h <= 0:
        raise ValueError(f"frame size must be positive, got {frame_w}x{frame_h}")
    short = float(min(frame_w, frame_h))
    width = _OVAL_WIDTH * short
    height = _OVAL_HEIGHT * short
    cx = frame_w / 2.0
    cy = min(max(_OVAL_CENTRE_Y * frame_h, height / 2.0), frame_h - height / 2.0)
    return (cx - width / 2.0, cy - height / 2.0, width, height)


def gray_signature(gray: GrayImage) -> GraySignature:
    """The frozen-frame thumbnail of a grayscale frame: a grid of its pixels, float32, read-only."""
    # Nearest-neighbour, not area-averaging: averaging thousands of pixels per cell erases the
    # sensor noise that proves a camera is live (measured on face-large.jpg: noise sigma 1 left a
    # difference of 0.016 after area-averaging, 0.9 with plain samples), while a repeated frame
    # still gives exactly 0.
    signature: GraySignature = np.asarray(
        cv2.resize(gray, SIGNATURE_SIZE, interpolation=cv2.INTER_NEAREST), dtype=np.float32
    )
    signature.flags.writeable = False
    return signature


def signature_difference(a: GraySignature, b: GraySignature) -> float:
    """Mean absolute difference of two thumbnails, in grey levels (inf if the shapes differ)."""
    if a.shape != b.shape:
        return math.inf
    return float(cv2.norm(a, b, cv2.NORM_L1)) / float(a.size)


class QualityAnalyser:
    """Measures one frame and chooses one instruction; keeps a little history for streams.

    :meth:`analyse` is a pure function of its arguments (safe from any thread). :meth:`analyse_stream`
    keeps the previous frame's thumbnail to spot a frozen camera; call it from one thread only (the
    :class:`~station.vision.quality_worker.QualityMonitor` does). The detector is shared and
    thread-safe; pass the station's one instance.
    """

    def __init__(self, detector: FaceDetector | None = None) -> None:
        self._detector = detector if detector is not None else FaceDetector()
        self._last: QualityReport | None = None

    @property
    def detector(self) -> FaceDetector:
        return self._detector

    def reset(self) -> None:
        """Forget the stream history (e.g. after the camera was switched)."""
        self._last = None

    def analyse_stream(self, image_bgr: BGRImage) -> QualityReport:
        """Analyse the next frame of a stream, comparing it with the previous analysed frame."""
        last = self._last
        report = self.analyse(
            image_bgr,
            None if last is None else last.signature,
            previous_repeats=0 if last is None else last.repeats,
        )
        self._last = report
        return report

    def analyse(
        self,
        image_bgr: BGRImage,
        previous_gray_signature: GraySignature | None = None,
        *,
        previous_repeats: int = 0,
    ) -> QualityReport:
        """Measure one BGR (or grayscale) ``uint8`` frame; never writes into it.

        ``previous_gray_signature`` (the ``signature`` of the previous report) enables the frozen
        check: a frame within :data:`FROZEN_MAX_DIFFERENCE` of it is a repeat, and the report is
        ``frozen`` once ``previous_repeats + 1 >= FROZEN_MIN_REPEATS``. A single still is never
        frozen.
        """
        started = time.perf_counter()
        gray = _to_gray(image_bgr)
        height, width = gray.shape[:2]

        signature = gray_signature(gray)
        difference: float | None = None
        repeats = 0
        if previous_gray_signature is not None:
            difference = signature_difference(signature, previous_gray_signature)
            if difference <= FROZEN_MAX_DIFFERENCE:
                repeats = max(0, previous_repeats) + 1
        frozen = repeats >= FROZEN_MIN_REPEATS

        faces = self._find_faces(gray)
        face = faces[0] if faces else None
        m = _measure(gray, face) if face is not None else None

        instruction = _choose(
            frozen=frozen,
            face_count=len(faces),
            m=m,
        )
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        return QualityReport(
            instruction=instruction,
            text=INSTRUCTION_TEXT[instruction],
            face_count=len(faces),
            frame_width=int(width),
            frame_height=int(height),
            face_box=None if face is None else (face.x, face.y, face.width, face.height),
            face_fraction=None if m is None else m.fraction,
            centre_offset=None if m is None else m.offset,
            brightness=None if m is None else m.brightness,
            contrast=None if m is None else m.contrast,
            clipped_fraction=None if m is None else m.clipped,
            sharpness=None if m is None else m.sharpness,
            laplacian_variance=None if m is None else m.laplacian_variance,
            frozen=frozen,
            frame_difference=difference,
            repeats=repeats,
            elapsed_ms=elapsed_ms,
            signature=signature,
        )

    def _find_faces(self, gray: GrayImage) -> list[DetectedFace]:
        faces = self._detector.detect(gray)
        if faces:
            return faces
        # Second look: a face too small for the detector's floor on the whole frame is still found
        # in the centre crop around the guide oval (see the module docstring).
        height, width = gray.shape[:2]
        crop_w = max(1, round(width * CENTRE_CROP_SIZE))
        crop_h = max(1, round(height * CENTRE_CROP_SIZE))
        ox, oy, ow, oh = guide_oval(width, height)
        x0 = int(min(max(0, round(ox + ow / 2 - crop_w / 2)), width - crop_w))
        y0 = int(min(max(0, round(oy + oh / 2 - crop_h / 2)), height - crop_h))
        crop = gray[y0 : y0 + crop_h, x0 : x0 + crop_w]
        found = self._detector.detect(crop, min_confidence=SECOND_LOOK_MIN_CONFIDENCE, keep_best=False)
        return [DetectedFace(f.x + x0, f.y + y0, f.width, f.height, f.confidence) for f in found]


@dataclass(frozen=True, slots=True)
class _Measures:
    fraction: float
    offset: float
    brightness: float
    contrast: float
    clipped: float
    sharpness: float
    laplacian_variance: float


def _choose(*, frozen: bool, face_count: int, m: _Measures | None) -> Instruction:
    """One instruction, the first problem in this order, and why this order:

    1. frozen_camera: if the picture is not live, every other measurement describes an old frame
       and no instruction to the customer can help; the operator must fix the camera.
    2. no_face, 3. several_faces: without exactly one face nothing else is measurable or
       meaningful, and a second person is a hard failure at the service whatever the light.
    4. too_dark, 5. too_bright: light is fixed by the operator (desk light, blind) and bad light
       also spoils the later measures (a dark face measures blurred, a burnt-out face loses shape).
    6. move_closer, 7. centre_face: the customer moves; moving closer changes the position, so
       size comes before centring.
    8. hold_still: blur is usually motion, which the earlier corrections themselves cause; asking
       for stillness last means it is the final step before "Ready".
    """
    if frozen:
        return Instruction.FROZEN_CAMERA
    if face_count == 0 or m is None:
        return Instruction.NO_FACE
    if face_count > 1:
        return Instruction.SEVERAL_FACES
    if m.brightness < MIN_BRIGHTNESS:
        return Instruction.TOO_DARK
    if m.brightness > MAX_BRIGHTNESS or m.clipped > MAX_CLIPPED_FRACTION:
        return Instruction.TOO_BRIGHT
    if m.contrast < MIN_CONTRAST:
        return Instruction.TOO_DARK if m.brightness < 128 else Instruction.TOO_BRIGHT
    if m.fraction < MIN_FACE_FRACTION:
        return Instruction.MOVE_CLOSER
    if m.offset > MAX_CENTRE_OFFSET:
        return Instruction.CENTRE_FACE
    if m.sharpness < MIN_SHARPNESS:
        return Instruction.HOLD_STILL
    return Instruction.READY


def _measure(gray: GrayImage, face: DetectedFace) -> _Measures:
    height, width = gray.shape[:2]
    roi = gray[face.y : face.y + face.height, face.x : face.x + face.width]
    mean, std = cv2.meanStdDev(roi)
    brightness = float(mean[0, 0])
    contrast = float(std[0, 0])
    clipped = float(np.count_nonzero(roi >= _CLIP_LEVEL)) / float(roi.size)

    side = SHARPNESS_PATCH
    interpolation = cv2.INTER_AREA if min(roi.shape[:2]) >= side else cv2.INTER_LINEAR
    patch = cv2.resize(roi, (side, side), interpolation=interpolation)
    _, lap_std = cv2.meanStdDev(cv2.Laplacian(patch, cv2.CV_64F))
    _, patch_std = cv2.meanStdDev(patch)
    laplacian_variance = float(lap_std[0, 0]) ** 2
    sharpness = laplacian_variance / max(float(patch_std[0, 0]) ** 2, _MIN_VARIANCE)

    ox, oy, ow, oh = guide_oval(width, height)
    fx = face.x + face.width / 2.0
    fy = face.y + face.height / 2.0
    offset = math.hypot((fx - (ox + ow / 2.0)) / (ow / 2.0), (fy - (oy + oh / 2.0)) / (oh / 2.0))
    return _Measures(
        fraction=face.height / float(min(width, height)),
        offset=offset,
        brightness=brightness,
        contrast=contrast,
        clipped=clipped,
        sharpness=sharpness,
        laplacian_variance=laplacian_variance,
    )


def _to_gray(image: BGRImage) -> GrayImage:
    """A grayscale view or copy of a BGR/BGRA/gray uint8 frame (the input is never written)."""
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
