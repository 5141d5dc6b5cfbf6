"""What the capture guide tells the operator: one instruction, and its words.

Apart from :mod:`station.vision.quality` so that the preview and the languages can name an
instruction without importing the analyser, OpenCV's face detector and numpy's work with them:
the first frame on screen does not need them (issue 27).
"""

from __future__ import annotations

import enum

from station.words import QT_TRANSLATE_NOOP

__all__ = ["INSTRUCTION_TEXT", "Instruction"]


class Instruction(enum.StrEnum):
    """What the operator should do next; the values are stable (JSON, logs, tests)."""

    READY = "ready"
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    MOVE_CLOSER = "move_closer"
    MOVE_BACK = "move_back"
    CENTRE_FACE = "centre_face"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    HOLD_STILL = "hold_still"
    FROZEN_CAMERA = "frozen_camera"


INSTRUCTION_TEXT: dict[Instruction, str] = {
    Instruction.READY: QT_TRANSLATE_NOOP("Instruction", "Ready"),
    Instruction.NO_FACE: QT_TRANSLATE_NOOP(
        "Instruction", "No face found: ask the customer to face the camera"
    ),
    Instruction.SEVERAL_FACES: QT_TRANSLATE_NOOP("Instruction", "Only one person in frame"),
    Instruction.MOVE_CLOSER: QT_TRANSLATE_NOOP("Instruction", "Move closer"),
    Instruction.MOVE_BACK: QT_TRANSLATE_NOOP("Instruction", "Move back a little"),
    Instruction.CENTRE_FACE: QT_TRANSLATE_NOOP("Instruction", "Centre the face in the oval"),
    Instruction.TOO_DARK: QT_TRANSLATE_NOOP("Instruction", "Too dark: turn on the desk light"),
    Instruction.TOO_BRIGHT: QT_TRANSLATE_NOOP(
        "Instruction", "Too bright: angle the screen or close the blind"
    ),
    Instruction.HOLD_STILL: QT_TRANSLATE_NOOP("Instruction", "Hold still"),
    Instruction.FROZEN_CAMERA: QT_TRANSLATE_NOOP("Instruction", "Camera picture frozen: check the camera"),
}
