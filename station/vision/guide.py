"""Where the guide wants the customer's face: the oval on the preview and the rule for "fills it".

Why a module of its own: the preview draws the oval, the analyser measures the face against it,
and the two must agree to the pixel. Issue 14 found the old oval 2.3 times as wide and 3 times as
tall as the face it asked for, so "Ready" came with the face sitting in its top third. Here the
oval is drawn around a face at the distance the guide asks for, and "centred" means the face's
centre is in the oval's middle third vertically.

Everything is in units of the frame's **short side** (``S``), as the face size is
(``face_fraction`` = face box height / ``S``): a 1280x720 webcam frame and a 512x512 still are
measured alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MAX_CENTRE_DX",
    "MAX_CENTRE_DY",
    "MAX_FACE_FRACTION",
    "MIN_FACE_FRACTION",
    "OVAL_HEIGHT_PER_FACE",
    "OVAL_RISE",
    "OVAL_WIDTH_PER_FACE",
    "TARGET_FACE_FRACTION",
    "FacePlacement",
    "guide_oval",
    "place_face",
]

#: Face box height / frame short side below which the operator hears "Move closer".
#: Measured with the Haar cascade's boxes: face.jpg 0.197, face-large.jpg 0.159 (both ready),
#: face-large blurred 0.16; face.jpg shrunk to 0.6x on a 512x512 canvas 0.121, to 0.5x 0.105;
#: face.jpg in the middle of a 1024x1024 canvas 0.104. 0.14 sits between the largest "too small"
#: (0.121) and the smallest ready sample (0.159). Measured again with BlazeFace's boxes (issue 26,
#: the tracking look's): 0.197, 0.155; 0.117, 0.100; 0.100: the same sides of 0.14.
MIN_FACE_FRACTION = 0.14

#: Face box height / short side above which the operator hears "Move back a little": the face box
#: alone is then nearly as tall as the oval and forehead and chin fall outside it. With a 60°
#: webcam that is a customer nearer than about 70 cm; the ready samples measure 0.16-0.20.
MAX_FACE_FRACTION = 0.32

#: The face size the oval is drawn for: the geometric middle of the accepted band (0.14-0.32), so
#: a face at either end is off by the same factor (1.5). The ready samples are 0.76-0.94 of it.
TARGET_FACE_FRACTION = 0.21

#: The oval around a face of the target size, in face box widths and heights. The face box runs
#: from the brows to the chin and cheek to cheek; measured on face.jpg the head with its
#: hair is 1.6 boxes wide and 1.6 high. 1.4 x 1.6 keeps the hair's width mostly inside and leaves
#: a visible margin above the forehead and below the chin.
OVAL_WIDTH_PER_FACE = 1.4
OVAL_HEIGHT_PER_FACE = 1.6

#: The oval's centre sits this many short sides above the frame's middle. In a head-and-shoulders
#: picture the face is above the middle by an amount proportional to the person's size, and so to
#: the short side: measured face.jpg 0.278 S, face-large.jpg 0.228 S, so both ready samples sit in
#: the oval's middle third. In a landscape webcam frame this is a quarter of the height from the top.
OVAL_RISE = 0.25

#: Largest horizontal distance of the face centre from the oval's centre, as a share of the oval's
#: half-width. Measured: face.jpg -0.43 (its face is left of the middle) swaying by about 0.1 on
#: the demo camera, face-large.jpg -0.33; face.jpg on the left of a 1024x512 canvas -3.8.
MAX_CENTRE_DX = 0.65

#: Largest vertical distance of the face centre from the oval's centre, as a share of the oval's
#: half-height: the face centre must be in the oval's middle third (issue 14: Ready with the face in
#: the top third). Measured: face.jpg -0.17 (swaying by about 0.06), face-large.jpg +0.11.
MAX_CENTRE_DY = 1.0 / 3.0


def guide_oval(frame_w: int, frame_h: int) -> tuple[float, float, float, float]:
    """The oval the face should fill, as its bounding box ``(x, y, w, h)`` in frame pixels.

    Sized for a face of :data:`TARGET_FACE_FRACTION`, centred horizontally, :data:`OVAL_RISE` short
    sides above the middle, and kept inside the frame. The preview draws it and the analyser
    measures the face against it.
    """
    if frame_w <= 0 or frame_h <= 0:
        raise ValueError(f"frame size must be positive, got {frame_w}x{frame_h}")
    short = float(min(frame_w, frame_h))
    face = TARGET_FACE_FRACTION * short
    width = min(OVAL_WIDTH_PER_FACE * face, float(frame_w))
    height = min(OVAL_HEIGHT_PER_FACE * face, float(frame_h))
    cx = frame_w / 2.0
    cy = frame_h / 2.0 - OVAL_RISE * short
    cy = min(max(cy, height / 2.0), frame_h - height / 2.0)
    return (cx - width / 2.0, cy - height / 2.0, width, height)


@dataclass(frozen=True, slots=True)
class FacePlacement:
    """A face box measured against the oval: its size and where its centre is."""

    #: Face box height / frame short side.
    fraction: float
    #: Face centre minus oval centre, in oval half-widths (negative: left of the centre).
    dx: float
    #: Face centre minus oval centre, in oval half-heights (negative: above the centre).
    dy: float

    @property
    def offset(self) -> float:
        """Distance from the oval's centre in half-axes (0 centred, 1 on the oval's edge)."""
        return math.hypot(self.dx, self.dy)

    @property
    def too_small(self) -> bool:
        return self.fraction < MIN_FACE_FRACTION

    @property
    def too_large(self) -> bool:
        return self.fraction > MAX_FACE_FRACTION

    @property
    def centred(self) -> bool:
        """The face centre is within the middle of the oval (see the two limits)."""
        return abs(self.dx) <= MAX_CENTRE_DX and abs(self.dy) <= MAX_CENTRE_DY


def place_face(frame_w: int, frame_h: int, box: tuple[int, int, int, int]) -> FacePlacement:
    """Where the face box ``(x, y, w, h)`` is, measured against the oval of a frame of that size."""
    ox, oy, ow, oh = guide_oval(frame_w, frame_h)
    x, y, w, h = box
    fx = x + w / 2.0
    fy = y + h / 2.0
    return FacePlacement(
        fraction=h / float(min(frame_w, frame_h)),
        dx=(fx - (ox + ow / 2.0)) / (ow / 2.0),
        dy=(fy - (oy + oh / 2.0)) / (oh / 2.0),
    )
