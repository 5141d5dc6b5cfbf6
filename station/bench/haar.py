"""The Haar cascade the station used before issue 26, kept only as the benchmark's baseline.

OpenCV's frontal-face cascade (``resources/bench/haarcascade_frontalface_default.xml``, Intel's
licence in its header) on a copy of at most 640 px, scale steps of 1.1, five neighbours, boxes
nested in another dropped, a confidence from the last stage's level weight (a logistic centred on
0, scale 1.5) with a floor of 0.85: exactly what the emulator and the guide's naive analyser ran.
It is not in the bundle and nothing outside ``station.bench`` uses it.
"""

from __future__ import annotations

import math
import threading

import cv2
import numpy as np

from station.core.images import BGRImage, GrayImage
from station.resources import resource_path
from station.vision.faces import DetectedFace, drop_nested

__all__ = ["CASCADE_FILE", "HaarDetector"]

#: The cascade, relative to ``resources/``.
CASCADE_FILE = ("bench", "haarcascade_frontalface_default.xml")

_MAX_WORKING_SIDE = 640
_MIN_FACE_PER_512 = 60
_WINDOW = 24
_CONFIDENCE_SCALE = 1.5
_MIN_CONFIDENCE = 0.85


class HaarDetector:
    """The old detector: :meth:`detect` as the emulator ran it (see the module docstring)."""

    def __init__(self) -> None:
        classifier = cv2.CascadeClassifier(str(resource_path(*CASCADE_FILE)))
        if classifier.empty():
            raise RuntimeError("could not load the benchmark's Haar cascade")
        self._classifier = classifier
        self._lock = threading.Lock()

    def detect(
        self, image: BGRImage, *, min_confidence: float = _MIN_CONFIDENCE, keep_best: bool = True
    ) -> list[DetectedFace]:
        """Faces in a BGR or grey picture, largest first, in its pixels."""
        gray: GrayImage = (
            image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        )
        height, width = gray.shape[:2]
        scale = min(1.0, _MAX_WORKING_SIDE / max(height, width))
        work = gray
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            work = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        short = min(work.shape[:2])
        if short < _WINDOW:
            return []
        min_face = max(_WINDOW, round(short * _MIN_FACE_PER_512 / 512))
        with self._lock:
            boxes, _levels, weights = self._classifier.detectMultiScale3(
                cv2.equalizeHist(np.ascontiguousarray(work)),
                scaleFactor=1.1,
                minNeighbors=5,
                minSize=(min_face, min_face),
                outputRejectLevels=True,
            )
        sx, sy = width / work.shape[1], height / work.shape[0]
        found = [
            DetectedFace(
                round(b[0] * sx), round(b[1] * sy), round(b[2] * sx), round(b[3] * sy), _confidence(float(w))
            )
            for b, w in zip(boxes, np.ravel(np.asarray(weights, dtype=np.float64)), strict=False)
        ]
        kept_all = drop_nested(found)
        kept = [f for f in kept_all if f.confidence >= min_confidence]
        if not kept and keep_best and kept_all:
            kept = [max(kept_all, key=lambda f: f.confidence)]
        kept.sort(key=lambda f: (f.area, f.confidence), reverse=True)
        return kept


def _confidence(level_weight: float) -> float:
    z = -level_weight / _CONFIDENCE_SCALE
    return 0.0 if z > 700 else 1.0 / (1.0 + math.exp(z))
