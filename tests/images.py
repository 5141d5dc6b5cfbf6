"""Reading the bundled pictures in tests, typed as the station types them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from station.core.images import BGRImage


def read_bgr(path: Path) -> BGRImage:
    """The picture at ``path`` as 8-bit BGR; fails the test if OpenCV cannot read it."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"OpenCV cannot read {path}"
    return np.asarray(image, dtype=np.uint8)


def u8(image: object) -> BGRImage:
    """An OpenCV result (typed as any-depth ``MatLike``) as the 8-bit array the station's types name."""
    return np.asarray(image, dtype=np.uint8)
