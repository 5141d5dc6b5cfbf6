"""Test pictures generated from the bundled samples with OpenCV: one per thing that can go wrong.

The thresholds in :mod:`station.vision.quality` were tuned on exactly these variants (their
measured values are written next to each constant), so a change here is a change there.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import numpy.typing as npt

from station.resources import sample_path
from tests.images import read_bgr

Image = npt.NDArray[np.uint8]

GREY = 128


@cache
def _sample(name: str) -> Image:
    image = read_bgr(sample_path(name))
    image.flags.writeable = False
    return image


def sample(name: str) -> Image:
    """A bundled sample as a fresh writable BGR array."""
    return _sample(name).copy()


def darkened(factor: float = 0.3) -> Image:
    """face.jpg with every pixel scaled by ``factor`` (a dim desk)."""
    return np.asarray(cv2.convertScaleAbs(_sample("face.jpg"), alpha=factor), dtype=np.uint8)


def overexposed(gain: float = 1.0, offset: float = 100.0) -> Image:
    """face.jpg with highlights burnt out (sun on the face, screen glare)."""
    return np.asarray(cv2.convertScaleAbs(_sample("face.jpg"), alpha=gain, beta=offset), dtype=np.uint8)


def washed_out(contrast: float = 0.15, level: float = 110.0) -> Image:
    """face.jpg with its contrast squashed around a grey level (fog, a dirty lens, backlight)."""
    face = _sample("face.jpg").astype(np.float32)
    out = (face - face.mean()) * contrast + level
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def blurred(sigma: float = 2.0, name: str = "face.jpg") -> Image:
    """A Gaussian-blurred sample (out of focus, or moving)."""
    return np.asarray(cv2.GaussianBlur(_sample(name), (0, 0), sigma), dtype=np.uint8)


def motion_blurred(length: int = 15) -> Image:
    """face.jpg smeared horizontally over ``length`` pixels (the customer turned their head)."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return np.asarray(cv2.filter2D(_sample("face.jpg"), -1, kernel), dtype=np.uint8)


def pasted(canvas_w: int, canvas_h: int, x: int, y: int, scale: float = 1.0, name: str = "face.jpg") -> Image:
    """A sample, optionally scaled, pasted at (x, y) on a plain grey canvas."""
    image = _sample(name)
    if scale != 1.0:
        image = np.asarray(cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
    canvas = np.full((canvas_h, canvas_w, 3), GREY, np.uint8)
    h, w = image.shape[:2]
    canvas[y : y + h, x : x + w] = image
    return canvas


def shrunk_in_frame(scale: float = 0.6) -> Image:
    """face.jpg scaled down in the middle of a 512x512 frame: the customer sits too far back."""
    size = round(512 * scale)
    return pasted(512, 512, (512 - size) // 2, (512 - size) // 2, scale)


def small_in_large_canvas() -> Image:
    """face.jpg at full size in the middle of a 1024x1024 frame: a face too small for the
    detector's whole-frame pass, found by the centre-crop second look."""
    return pasted(1024, 1024, 256, 256)


def off_centre() -> Image:
    """face.jpg at the left edge of a 1024x512 frame: the customer sits to one side."""
    return pasted(1024, 512, 0, 0)


def two_faces() -> Image:
    return sample("two-faces.jpg")


def no_face() -> Image:
    return sample("no-face.jpg")


def with_noise(image: Image, sigma: float, seed: int) -> Image:
    """``image`` plus Gaussian sensor-like noise."""
    rng = np.random.default_rng(seed)
    noise = np.asarray(rng.normal(0.0, sigma, size=image.shape), dtype=np.int16)
    return np.asarray(cv2.add(image, noise, dtype=cv2.CV_8U), dtype=np.uint8)


def swayed(image: Image, t: float) -> Image:
    """``image`` as a camera sees someone sitting in front of it ``t`` seconds in: a slow sway
    of 1.5 % of the picture, a breathing-like zoom and a slight tilt (periods of a few seconds)."""
    height, width = image.shape[:2]
    amp = 0.015 * min(width, height)
    scale = 1.0 + 0.015 * np.sin(2 * np.pi * t / 5.7)
    angle = 0.6 * np.sin(2 * np.pi * t / 6.9)
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), float(angle), float(scale))
    matrix[0, 2] += amp * np.sin(2 * np.pi * t / 4.1)
    matrix[1, 2] += 0.6 * amp * np.sin(2 * np.pi * t / 3.3 + 1.0)
    return np.asarray(
        cv2.warpAffine(
            image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
        ),
        dtype=np.uint8,
    )


def moving_customer(image: Image, face: tuple[int, int, int, int], t: float) -> Image:
    """``image`` with only the person moving (:func:`swayed`) round the face box ``face``: a band
    1.3 face widths either side of it, from above the head down, over the still background."""
    x, y, w, h = face
    x0, x1 = max(0, round(x + w / 2 - 1.3 * w)), min(image.shape[1], round(x + w / 2 + 1.3 * w))
    y0 = max(0, round(y - 0.6 * h))
    out = image.copy()
    out[y0:, x0:x1] = swayed(image, t)[y0:, x0:x1]
    return out
