"""Turn uploaded bytes into ``data.detail``: decode, detect real faces, then emulate the scores.

Why split from the server: this is the only part that knows about pixels, and it runs on the
analysis threads, never on the server's event loop. The face boxes and the
frame size are real (OpenCV decodes the image, :class:`~station.vision.faces.FaceDetector` finds the
faces); the liveness and anti-spoof scores are *not* — the emulator has no liveness model — so every
``reason`` that comes with an emulated score says so (``"ok (emulated score)"``).

Emulated scores are pseudo-random but deterministic: seeded by the image bytes and the scenario, so
the same upload gives the same answer and a test can rely on it.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from station.core.images import BGRImage
from station.core.pixels import MAX_PIXELS, PictureError, PictureTooLargeError, decode_picture
from station.emulator.responses import DEFAULT_THRESHOLD
from station.emulator.scenarios import Scenario
from station.vision.faces import DetectedFace, FaceDetector

__all__ = [
    "EMULATED",
    "PDF_RENDER_SCALE",
    "AnalysisFailure",
    "analyse",
    "decode_image",
    "failed_detail",
    "rasterise_pdf",
]

EMULATED = " (emulated score)"
#: PDF page 1 is rendered at 144 dpi (PDF units are 1/72 inch) ...
PDF_RENDER_SCALE = 2.0
#: ... but never beyond this many pixels on its long side.
PDF_MAX_SIDE = 2048


class AnalysisFailure(Exception):  # noqa: N818 - it is a result, not a programming error
    """The upload could not be analysed; ``reason`` goes into ``data.detail.reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Box:
    x: int
    y: int
    width: int
    height: int
    detection: float

    @property
    def area(self) -> int:
        return self.width * self.height


def decode_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> BGRImage:
    """A BGR image from encoded bytes; raises :class:`AnalysisFailure`.

    A picture whose header declares more than ``max_pixels`` raises
    :class:`~station.core.pixels.PictureTooLargeError` before anything is decoded: that is a
    refused request (422), not an analysis that failed.
    """
    if not data:
        raise AnalysisFailure("image_undecodable (the file is empty)")
    if data.lstrip()[:5] == b"%PDF-":
        raise AnalysisFailure("image_undecodable (the file is a PDF: send use_pdf=true)")
    try:
        return decode_picture(data, limit=max_pixels)
    except PictureTooLargeError:
        raise
    except PictureError as exc:
        raise AnalysisFailure(f"image_undecodable ({exc})") from None


def rasterise_pdf(data: bytes) -> BGRImage:
    """Page 1 of a PDF as a BGR image; raises :class:`AnalysisFailure`."""
    if not data:
        raise AnalysisFailure("pdf_unreadable (the file is empty)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise AnalysisFailure(f"pdf_unreadable ({exc})") from None
    try:
        if len(document) < 1:
            raise AnalysisFailure("pdf_unreadable (the PDF has no pages)")
        page = document[0]
        try:
            width, height = page.get_size()
            scale = min(PDF_RENDER_SCALE, PDF_MAX_SIDE / max(width, height, 1.0))
            bitmap = page.render(scale=scale)
            try:
                pixels = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
            finally:
                bitmap.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise AnalysisFailure(f"pdf_unreadable ({exc})") from None
    finally:
        document.close()
    if pixels.ndim == 2:
        return np.asarray(cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if pixels.shape[2] == 4:  # BGRA / BGRx
        return np.asarray(cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return pixels


def failed_detail(reason: str, frame: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """``data.detail`` for an analysis that failed (``ok: false``)."""
    return {
        "ok": False,
        "live": False,
        "verdict": "spoof",
        "score": 0.0,
        "reason": reason,
        "face_count": 0,
        "threshold": DEFAULT_THRESHOLD,
        "frame": {"width": frame[0], "height": frame[1]},
        "faces": [],
    }


def analyse(image: BGRImage, detector: FaceDetector, scenario: Scenario, seed: bytes = b"") -> dict[str, Any]:
    """``data.detail`` for a decoded image under a content scenario.

    Transport scenarios (``slow``, ``error_then_ok`` after its failures, ...) answer like ``auto``.
    """
    height, width = int(image.shape[0]), int(image.shape[1])
    frame = (width, height)
    if scenario is Scenario.NOT_OK:
        return failed_detail("analysis_failed (emulated)", frame)
    if scenario is Scenario.NO_FACE:
        return _no_face(frame)
    # Not security: reproducible emulated scores for the same upload.
    rng = random.Random(hashlib.sha256(seed + b"\0" + scenario.value.encode()).digest())  # noqa: S311
    boxes = [_from_detected(face) for face in detector.detect(image)]
    if not boxes:
        if scenario not in (
            Scenario.LIVE,
            Scenario.SPOOF,
            Scenario.SEVERAL_FACES,
            Scenario.LOW_DETECTION,
        ):
            return _no_face(frame)
        boxes = [_synthetic_face(width, height, rng)]
    if scenario is Scenario.SEVERAL_FACES and len(boxes) < 2:
        boxes.append(_mirrored(boxes[0], width, rng))
    if scenario is Scenario.LOW_DETECTION:
        boxes = [_Box(b.x, b.y, b.width, b.height, rng.uniform(0.33, 0.37)) for b in boxes]
    spoof = scenario is Scenario.SPOOF
    faces = [_scored_face(box, spoof=spoof, rng=rng) for box in boxes]
    primary = max(range(len(boxes)), key=lambda i: (boxes[i].area, boxes[i].detection))
    primary_face = faces[primary]
    live = bool(primary_face["is_live"])
    reason = "multiple_faces" if len(faces) > 1 else "ok" if live else "spoof"
    return {
        "ok": True,
        "live": live,
        "verdict": "live" if live else "spoof",
        "score": primary_face["liveness_score"],
        "reason": reason + EMULATED,
        "face_count": len(faces),
        "threshold": DEFAULT_THRESHOLD,
        "frame": {"width": width, "height": height},
        "faces": faces,
    }


def _no_face(frame: tuple[int, int]) -> dict[str, Any]:
    return {
        "ok": True,
        "live": False,
        "verdict": "spoof",
        "score": 0.0,
        "reason": "no_face",
        "face_count": 0,
        "threshold": DEFAULT_THRESHOLD,
        "frame": {"width": frame[0], "height": frame[1]},
        "faces": [],
    }


def _from_detected(face: DetectedFace) -> _Box:
    return _Box(face.x, face.y, face.width, face.height, face.confidence)


def _synthetic_face(width: int, height: int, rng: random.Random) -> _Box:
    """A centred face box for scripted scenarios when the image shows none."""
    side = max(1, round(min(width, height) * 0.4))
    return _Box((width - side) // 2, max(0, (height - side) // 2), side, side, rng.uniform(0.97, 0.999))


def _mirrored(box: _Box, width: int, rng: random.Random) -> _Box:
    """A second face: the first mirrored left-right, moved beside it if the two would overlap."""
    gap = max(4, box.width // 10)
    x = width - box.x - box.width
    if x < box.x + box.width and box.x < x + box.width:  # overlaps the original
        if box.x + box.width + gap + box.width <= width:
            x = box.x + box.width + gap
        elif box.x - gap - box.width >= 0:
            x = box.x - gap - box.width
    x = max(0, min(x, width - box.width))
    return _Box(x, box.y, box.width, box.height, rng.uniform(0.90, 0.99))


def _scored_face(box: _Box, *, spoof: bool, rng: random.Random) -> dict[str, Any]:
    if spoof:
        liveness = rng.uniform(0.05, 0.35)
        antispoof = rng.uniform(0.02, 0.30)
    else:
        liveness = rng.uniform(0.80, 0.95)
        antispoof = rng.uniform(0.95, 0.999)
    liveness = round(liveness, 4)
    return {
        "bbox": {"x": box.x, "y": box.y, "width": box.width, "height": box.height},
        "detection_score": round(min(max(box.detection, 0.0), 1.0), 4),
        "liveness_score": liveness,
        "antispoof_score": round(antispoof, 4),
        "is_live": liveness > DEFAULT_THRESHOLD,
    }
