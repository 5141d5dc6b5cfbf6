"""The station's picture types: one name per concept.

A camera frame, a capture and a decoded upload are all 8-bit BGR arrays (OpenCV's order), height ×
width × 3; the face detector and the quality analyser work on 8-bit grey arrays. The preview and
the quality monitor read the camera through a :data:`LatestFrame` callable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["BGRImage", "GrayImage", "LatestFrame", "ScreenImage"]

#: An 8-bit BGR picture, ``(height, width, 3)``.
BGRImage = npt.NDArray[np.uint8]
#: A picture as the screen takes it, ``(height, width, 4)``: blue, green, red and 255 in each pixel's
#: four bytes, which is Qt's ``Format_RGB32`` on a little-endian machine (x86 and ARM stations): drawn
#: onto a window without a conversion (issue 27).
ScreenImage = npt.NDArray[np.uint8]
#: An 8-bit grey picture, ``(height, width)``.
GrayImage = npt.NDArray[np.uint8]
#: The newest camera frame as ``(sequence number, picture)``, or None before the first one.
LatestFrame = Callable[[], tuple[int, BGRImage] | None]
