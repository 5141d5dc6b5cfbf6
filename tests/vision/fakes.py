"""A face detector that reports boxes a test chose, through the real measuring."""

from __future__ import annotations

from station.core.images import BGRImage
from station.vision.faces import DetectedFace, FaceDetector


class FakeDetector(FaceDetector):
    """Reports ``faces`` (in the frame's pixels) to the guide's full scan of a frame of ``shape``.

    Every other look (the tracking refinement, the second look) finds nothing, so the reported
    boxes are exactly the chosen ones.
    """

    def __init__(self, faces: list[DetectedFace], shape: tuple[int, ...]) -> None:
        self._faces = faces
        self._height, self._width = int(shape[0]), int(shape[1])
        self.scans = 0

    def detect_square(
        self,
        image_bgr: BGRImage,
        square: tuple[int, int, int],
        *,
        short_range: bool = False,
        min_confidence: float = 0.6,
    ) -> list[DetectedFace]:
        self.scans += 1
        if short_range or tuple(square) != (0, 0, max(self._width, self._height)):
            return []
        return [f for f in self._faces if f.confidence >= min_confidence]
