"""Has the picture changed? Two questions with two answers: is the camera frozen, and is there
anything new to analyse.

Both start from one thumbnail of nearest-neighbour samples of the frame (:func:`frame_signature`,
0.01 ms for a 1080p frame: no pixel is read that is not kept).

* **Frozen**: a stalled or virtual camera repeats one frame exactly. Sensor noise is what proves
  a live camera, so the thumbnail keeps it (no averaging) and "repeat" means a difference of almost
  exactly zero (:data:`FROZEN_MAX_DIFFERENCE`).
* **Unchanged**: nothing that could change the guide's instruction has happened since the last full
  analysis, so its result still holds and the face detector need not run. Here noise must *not*
  count, so the thumbnail is averaged into cells first (:func:`scene_cells`) and the largest cell
  change is compared (:data:`UNCHANGED_MAX_LEVEL`): a person entering changes cells by a hundred
  grey levels and any movement by tens, while noise moves the most-changed cell by about three.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from station.core.images import BGRImage, GrayImage

__all__ = [
    "CELL_SAMPLES",
    "FROZEN_MAX_DIFFERENCE",
    "FROZEN_MIN_REPEATS",
    "SIGNATURE_SIZE",
    "UNCHANGED_MAX_LEVEL",
    "GraySignature",
    "SceneCells",
    "frame_signature",
    "gray_signature",
    "scene_cells",
    "scene_change",
    "scene_change_outside",
    "signature_difference",
]

GraySignature = npt.NDArray[np.float32]
"""A tiny grayscale thumbnail of a frame (``SIGNATURE_SIZE``), float32, read-only."""

SceneCells = npt.NDArray[np.float32]
"""The signature averaged over blocks of ``CELL_SAMPLES`` x ``CELL_SAMPLES`` samples."""

#: (width, height) of the grayscale thumbnail compared between frames (nearest-neighbour samples
#: of the frame: see :func:`gray_signature`).
SIGNATURE_SIZE = (96, 72)

#: Mean absolute difference (grey levels) of the thumbnails at or below which a frame counts as a
#: repeat of the previous analysed one. A repeated frame measures exactly 0.0. Measured with the
#: 96x72 nearest-neighbour thumbnail: the demo camera (StillImageSource, motion=1, no noise)
#: between consecutive frames at 240 fps (the least motion per frame) min 0.077, at 30 fps min
#: 0.53, at the monitor's 4 Hz min 3.6; face.jpg and face-large.jpg with sensor-like noise sigma
#: 0.5 (rounded towards zero, so only 5 % of pixels change) min 0.067, sigma 1 min 0.44.
FROZEN_MAX_DIFFERENCE = 0.02

#: Consecutive repeats (after the first frame) before the camera is called frozen: a single
#: duplicated frame (drivers do repeat one now and then) is not enough.
FROZEN_MIN_REPEATS = 3

#: Side of the square block of thumbnail samples averaged into one cell: 4 x 4 = 16 samples, so a
#: cell's noise is a quarter of a pixel's, and a 96x72 thumbnail gives 24x18 cells (a cell is 80 px
#: of a 1080p frame: a face 60 px wide in a 1280x720 picture covers one or two).
CELL_SAMPLES = 4

#: Largest change of any cell (grey levels) for which the picture counts as unchanged since the
#: last full analysis. Measured (``tests/vision/test_change.py`` keeps these as cases): sensor-like
#: noise of sigma 2 on face.jpg and face-large.jpg 1.3-1.4, sigma 4 2.6-3.0; the same pictures
#: moved by one pixel 21 and 51 (a cell of nearest samples sees texture move); a light dimmed by a
#: tenth 22; a blur of sigma 1 setting in 11; a face 60 px wide appearing in an empty 1280x720
#: picture 124-152. 6 is twice the worst noise and below everything else: only a picture where
#: nothing but noise changed is kept (an empty counter, a stalled camera), and a slow drift is
#: caught because the comparison is with the last *analysed* frame.
UNCHANGED_MAX_LEVEL = 6.0


def gray_signature(gray: GrayImage) -> GraySignature:
    """The frozen-frame thumbnail of a grayscale frame: a grid of its pixels, float32, read-only."""
    # Nearest-neighbour, not area-averaging: averaging thousands of pixels per cell erases the
    # sensor noise that proves a camera is live (measured on face-large.jpg: noise sigma 1 left a
    # difference of 0.016 after area-averaging, 0.9 with plain samples), while a repeated frame
    # still gives exactly 0.
    signature: GraySignature = np.asarray(
        cv2.resize(gray, SIGNATURE_SIZE, interpolation=cv2.INTER_NEAREST), dtype=np.float32
    )
    signature.flags.writeable = False
    return signature


def frame_signature(image: BGRImage) -> GraySignature:
    """:func:`gray_signature` of a BGR, BGRA or grey frame, sampling before converting.

    Nearest-neighbour sampling picks the same pixels whatever their format, so this equals
    ``gray_signature(cvtColor(image))`` while reading 7,000 pixels instead of two million.
    """
    small = cv2.resize(image, SIGNATURE_SIZE, interpolation=cv2.INTER_NEAREST)
    if small.ndim == 3 and small.shape[2] == 3:
        small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    elif small.ndim == 3 and small.shape[2] == 4:
        small = cv2.cvtColor(small, cv2.COLOR_BGRA2GRAY)
    elif small.ndim == 3:
        small = small[:, :, 0]
    signature: GraySignature = np.asarray(small, dtype=np.float32)
    signature.flags.writeable = False
    return signature


def signature_difference(a: GraySignature, b: GraySignature) -> float:
    """Mean absolute difference of two thumbnails, in grey levels (inf if the shapes differ)."""
    if a.shape != b.shape:
        return math.inf
    return float(cv2.norm(a, b, cv2.NORM_L1)) / float(a.size)


def scene_cells(signature: GraySignature) -> SceneCells:
    """The thumbnail averaged over :data:`CELL_SAMPLES`-square blocks (noise averaged away)."""
    rows, cols = signature.shape[0] // CELL_SAMPLES, signature.shape[1] // CELL_SAMPLES
    trimmed = signature[: rows * CELL_SAMPLES, : cols * CELL_SAMPLES]
    cells: SceneCells = trimmed.reshape(rows, CELL_SAMPLES, cols, CELL_SAMPLES).mean(axis=(1, 3))
    return cells


def scene_change(a: SceneCells, b: SceneCells) -> float:
    """The largest change of one cell, in grey levels (inf if the shapes differ)."""
    if a.shape != b.shape:
        return math.inf
    return float(np.max(np.abs(a - b)))


def scene_change_outside(a: SceneCells, b: SceneCells, region: tuple[float, float, float, float]) -> float:
    """:func:`scene_change` over the cells that do not touch ``region`` (``x0, y0, x1, y1`` as
    shares of the frame's width and height): did anything change away from the customer?"""
    if a.shape != b.shape:
        return math.inf
    rows, cols = a.shape
    x0, y0, x1, y1 = region
    col_in = (np.arange(cols) + 1) / cols > x0
    col_in &= np.arange(cols) / cols < x1
    row_in = (np.arange(rows) + 1) / rows > y0
    row_in &= np.arange(rows) / rows < y1
    outside = ~(row_in[:, None] & col_in[None, :])
    if not outside.any():
        return 0.0
    return float(np.max(np.abs(a - b)[outside]))
