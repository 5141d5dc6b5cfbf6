"""A captured frame to the bytes the service receives.

JPEG at quality 90 by default: a 1080p face frame comes to a few hundred kB, small enough to
upload in well under a second on a branch line, while keeping the skin texture and moiré that a
liveness model looks at (lower qualities smear exactly the detail that separates a face from a
print or a screen). The benchmark reports the measured size.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_JPEG_QUALITY", "EncodeError", "encode_jpeg"]

DEFAULT_JPEG_QUALITY = 90


class EncodeError(ValueError):
    """The frame could not be encoded (empty, wrong shape or type)."""


def encode_jpeg(frame: np.ndarray, quality: int = DEFAULT_JPEG_QUALITY) -> bytes:
    """Encode a BGR uint8 frame as JPEG. Runs off the UI thread; OpenCV releases the GIL."""
    if not 1 <= quality <= 100:
        raise EncodeError(f"JPEG quality must be 1..100, got {quality}")
    if frame.size == 0 or frame.dtype != np.uint8 or frame.ndim not in (2, 3):
        raise EncodeError(f"not an 8-bit image: shape {frame.shape}, type {frame.dtype}")
    import cv2  # here, not at the top: settings import DEFAULT_JPEG_QUALITY without paying for OpenCV

    ok, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise EncodeError("OpenCV could not encode the frame")
    return bytes(buffer.tobytes())
