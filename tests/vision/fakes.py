"""A face detector that reports boxes a test chose, through the real filtering and measuring."""

from __future__ import annotations

from station.core.images import GrayImage
from station.vision.faces import DetectedFace, FaceDetector
from station.vision.finder import full_scan_scale


class FakeDetector(FaceDetector):
    """Reports ``faces`` (in the frame's pixels) to the guide's full scan of a frame of ``shape``.

    Every other scan (the tracking refinement, the second look) finds nothing, so the reported
    boxes are exactly the chosen ones; the nested-box rule and the confidence floor still run.
    """

    def __init__(self, faces: list[DetectedFace], shape: tuple[int, ...]) -> None:
        self._faces = faces
        self._height, self._width = int(shape[0]), int(shape[1])
        self.scans = 0

    def candidates_in(
        self,
        gray: GrayImage,
        *,
        min_face: int,
        max_face: int | None,
        scale_factor: float,
        min_neighbors: int,
        equalize: bool = True,
    ) -> list[DetectedFace]:
        self.scans += 1
        scale = full_scan_scale(self._width, self._height)
        expected = (max(1, round(self._height * scale)), max(1, round(self._width * scale)))
        if gray.shape[:2] != expected:
            return []
        return [
            DetectedFace(
                round(f.x * scale),
                round(f.y * scale),
                round(f.width * scale),
                round(f.height * scale),
                f.confidence,
            )
            for f in self._faces
        ]
