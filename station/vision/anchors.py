"""BlazeFace's anchors and the decoding of its raw outputs into scored boxes with six keypoints.

MediaPipe's face detectors are single-shot detectors: for every *anchor* (a fixed point on a grid
over the square input) the network gives one score logit and 16 numbers: the box centre's offset
from the anchor, the box's width and height, and six keypoints' offsets (right eye, left eye, nose
tip, mouth centre, right ear tragion, left ear tragion; "right" is the person's right, the left of
the picture for a face looking at the camera). The numbers are in input pixels.

The anchor layout is MediaPipe's documented ``SsdAnchorsCalculator`` scheme with fixed anchor size
(every anchor is 1x1, so only its centre matters): for each layer a feature map of
``ceil(input / stride)`` cells; layers with equal strides share one map and add their anchors to
each cell; each layer gives one anchor per aspect ratio (1.0) and, with
``interpolated_scale_aspect_ratio`` set, one more. The anchor's centre is the cell centre
``(i + 0.5) / map``. Short range: input 128, strides 8, 16, 16, 16: 16x16x2 + 8x8x6 = 896
anchors. Full range: input 192, one layer of stride 4 and no interpolated anchor: 48x48 = 2,304.

Decoding (MediaPipe's ``TensorsToDetectionsCalculator``, scales equal to the input size):
``x = raw_x / size + anchor_x`` for the centre and each keypoint, ``w = raw_w / size``; the score is
the logistic of the logit clipped to +-100. Overlapping boxes are merged as MediaPipe's weighted
non-maximum suppression does: the boxes that overlap the best one by more than the suppression
threshold are averaged, weighted by their scores, into one face scored as the best one.

Pure numpy; no OpenCV, no model: tested on hand-made outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "FULL_RANGE",
    "KEYPOINTS",
    "SHORT_RANGE",
    "AnchorScheme",
    "RawDetection",
    "anchor_centres",
    "decode",
    "weighted_suppression",
]

#: The keypoints in the network's order (the person's right and left).
KEYPOINTS = ("right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear")

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class AnchorScheme:
    """One model's input size and anchor layout (MediaPipe's ``SsdAnchorsCalculatorOptions``)."""

    input_size: int
    strides: tuple[int, ...]
    interpolated_anchor: bool

    @property
    def count(self) -> int:
        return len(anchor_centres(self))


SHORT_RANGE = AnchorScheme(input_size=128, strides=(8, 16, 16, 16), interpolated_anchor=True)
FULL_RANGE = AnchorScheme(input_size=192, strides=(4,), interpolated_anchor=False)


def anchor_centres(scheme: AnchorScheme) -> FloatArray:
    """``(N, 2)`` anchor centres (x, y) in 0..1, in the network's output order."""
    per_layer = 2 if scheme.interpolated_anchor else 1
    centres: list[tuple[float, float]] = []
    layer = 0
    strides = scheme.strides
    while layer < len(strides):
        stride = strides[layer]
        same = 0
        while layer < len(strides) and strides[layer] == stride:
            same += 1
            layer += 1
        cells = math.ceil(scheme.input_size / stride)
        for row in range(cells):
            for col in range(cells):
                centre = ((col + 0.5) / cells, (row + 0.5) / cells)
                centres.extend([centre] * (same * per_layer))
    return np.asarray(centres, dtype=np.float32).reshape(-1, 2)


@dataclass(frozen=True, slots=True)
class RawDetection:
    """One face in the input square's 0..1 coordinates: box corners, score, six keypoints."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    keypoints: tuple[tuple[float, float], ...]


def decode(
    scores: npt.NDArray[np.generic],
    boxes: npt.NDArray[np.generic],
    anchors: FloatArray,
    input_size: int,
    min_score: float,
) -> list[RawDetection]:
    """Every anchor scoring at least ``min_score``, decoded (before suppression), best first.

    ``scores``: the N logits (any shape with N elements); ``boxes``: N x 16 raw values.
    """
    logits = np.clip(np.asarray(scores, dtype=np.float32).reshape(-1), -100.0, 100.0)
    raw = np.asarray(boxes, dtype=np.float32).reshape(-1, 16)
    if logits.shape[0] != anchors.shape[0] or raw.shape[0] != anchors.shape[0]:
        raise ValueError(f"{logits.shape[0]} scores and {raw.shape[0]} boxes for {anchors.shape[0]} anchors")
    # The logistic in float64: float32's exp overflows past 88, and the clip allows 100.
    probability = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    keep = np.flatnonzero(probability >= min_score)
    if keep.size == 0:
        return []
    keep = keep[np.argsort(-probability[keep], kind="stable")]
    values = raw[keep] / float(input_size)
    ax = anchors[keep, 0:1]
    ay = anchors[keep, 1:2]
    cx = values[:, 0:1] + ax
    cy = values[:, 1:2] + ay
    half_w = values[:, 2:3] / 2.0
    half_h = values[:, 3:4] / 2.0
    kx = values[:, 4::2] + ax
    ky = values[:, 5::2] + ay
    out: list[RawDetection] = []
    for i in range(keep.size):
        out.append(
            RawDetection(
                float(cx[i, 0] - half_w[i, 0]),
                float(cy[i, 0] - half_h[i, 0]),
                float(cx[i, 0] + half_w[i, 0]),
                float(cy[i, 0] + half_h[i, 0]),
                float(probability[keep[i]]),
                tuple((float(kx[i, k]), float(ky[i, k])) for k in range(len(KEYPOINTS))),
            )
        )
    return out


def _iou(a: RawDetection, b: RawDetection) -> float:
    ix = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    iy = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    inter = ix * iy
    union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter
    return inter / union if union > 0 else 0.0


def weighted_suppression(detections: list[RawDetection], min_overlap: float = 0.3) -> list[RawDetection]:
    """MediaPipe's weighted non-maximum suppression (see the module docstring), best first."""
    remaining = sorted(detections, key=lambda d: d.score, reverse=True)
    merged: list[RawDetection] = []
    while remaining:
        best = remaining[0]
        group = [d for d in remaining if _iou(best, d) > min_overlap]
        group_ids = {id(d) for d in group}
        remaining = [d for d in remaining if id(d) not in group_ids and d is not best]
        total = sum(d.score for d in group)
        if len(group) <= 1 or total <= 0:
            merged.append(best)
            continue

        def mean(values: list[float], grp: list[RawDetection] = group, weight: float = total) -> float:
            return sum(v * d.score for v, d in zip(values, grp, strict=True)) / weight

        keypoints = tuple(
            (mean([d.keypoints[k][0] for d in group]), mean([d.keypoints[k][1] for d in group]))
            for k in range(len(best.keypoints))
        )
        merged.append(
            RawDetection(
                mean([d.x0 for d in group]),
                mean([d.y0 for d in group]),
                mean([d.x1 for d in group]),
                mean([d.y1 for d in group]),
                best.score,
                keypoints,
            )
        )
    return merged
