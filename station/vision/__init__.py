"""Local computer vision: the one face detector the emulator and the capture checks share."""

from station.vision.faces import DetectedFace, FaceDetector, FaceDetectorError

__all__ = ["DetectedFace", "FaceDetector", "FaceDetectorError"]
