"""The camera part of the health strip, from the camera's status: one rule, without Qt.

A picture or a video file used as the camera (allowed for training by policy) is never reported as
"live": the chip says "not a live camera", as the picture's watermark does.
"""

from __future__ import annotations

from typing import Final

from station.application.health import Level, Part, PartHealth
from station.camera import CameraState, CameraStatus
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["NOT_A_LIVE_CAMERA", "NOT_A_LIVE_CAMERA_CAPTION", "camera_caption", "camera_health"]

NOT_A_LIVE_CAMERA: Final = QT_TRANSLATE_NOOP("Health", "not a live camera")
#: The picture's own caption for such a source, instead of the worker's "Camera is live.".
NOT_A_LIVE_CAMERA_CAPTION: Final = QT_TRANSLATE_NOOP(
    "Camera", "Not a live camera: a picture or a video file."
)

_NOT_AVAILABLE: Final = QT_TRANSLATE_NOOP("Health", "not available")
_WORDS: Final[dict[CameraState, str]] = {
    CameraState.OPENING: QT_TRANSLATE_NOOP("Health", "starting"),
    CameraState.LOST: QT_TRANSLATE_NOOP("Health", "reconnecting"),
    CameraState.RECONNECTING: QT_TRANSLATE_NOOP("Health", "reconnecting"),
    CameraState.STOPPED: QT_TRANSLATE_NOOP("Health", "stopped"),
}


def camera_health(status: CameraStatus, *, live_camera: bool = True) -> PartHealth:
    """The camera part for ``status``; ``live_camera`` is False when the source is a picture or a
    file (what the camera delivers is then never called live)."""
    if status.state is not CameraState.LIVE:
        return PartHealth(Part.CAMERA, Level.BAD, _WORDS.get(status.state, _NOT_AVAILABLE), status.message)
    if not live_camera:
        return PartHealth(Part.CAMERA, Level.WARN, NOT_A_LIVE_CAMERA)
    return PartHealth(Part.CAMERA, Level.GOOD, _live(status.fps))


def _live(fps: float | None) -> str:
    if not fps:
        return QT_TRANSLATE_NOOP("Health", "live")
    return Phrase(QT_TRANSLATE_NOOP("Health", "live · {fps} fps"), fps=f"{fps:.0f}")


def camera_caption(status: CameraStatus, *, live_camera: bool = True) -> str:
    """The caption on the picture for ``status`` (never "live" for a picture or a file)."""
    if status.state is CameraState.LIVE and not live_camera:
        return NOT_A_LIVE_CAMERA_CAPTION
    return status.message
