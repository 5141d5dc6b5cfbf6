"""How often the guide sees a face that is not there, or misses one that is: per scene, the
station's detector beside the Haar cascade it replaced (issue 26), on the same frames in one run.

Each frame is the counter camera's frame of the scene (the customer swaying, the sensor's noise)
with fresh sensor noise of its own on top, so no two of the 1,000 empty-counter frames are alike.
Every frame gets a full analysis (:meth:`~station.vision.quality.QualityAnalyser.analyse`, no
stream history): the instruction a customer would hear if that frame were the first.

* At the empty counter (``nobody``) a frame is wrong when the guide says anything but "No face":
  the false-face rate.
* On the customer pictures a frame is wrong when the guide says "No face" while the customer's
  face is in the oval: the miss rate (their other instructions are the guide tests' business).

The baseline is :class:`~station.bench.guide.NaiveAnalyser`: the Haar cascade as the emulator ran
it, on the whole frame and the centre, measured and judged by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.bench.guide import NaiveAnalyser
from station.bench.haar import HaarDetector
from station.bench.scenes import CounterCamera, Picture
from station.camera import BGRImage
from station.vision.faces import FaceDetector
from station.vision.quality import Instruction, QualityAnalyser

__all__ = ["SceneRates", "measure_false_faces"]

#: Fresh noise on every frame, grey levels (the camera's own copies carry 2 already).
NOISE_SIGMA = 2.0


@dataclass(frozen=True, slots=True)
class SceneRates:
    """Share of wrong frames for one scene: the station's and the cascade's, of ``frames``."""

    scene: Picture
    frames: int
    station: float
    cascade: float


def _noisy(frame: BGRImage, rng: np.random.Generator) -> BGRImage:
    noise = rng.standard_normal(frame.shape, dtype=np.float32) * NOISE_SIGMA
    out: BGRImage = np.asarray(cv2.add(frame, noise.astype(np.int16), dtype=cv2.CV_8U), dtype=np.uint8)
    return out


def _wrong(scene: Picture, instruction: Instruction) -> bool:
    if scene is Picture.NOBODY:
        return instruction is not Instruction.NO_FACE
    return instruction is Instruction.NO_FACE


def measure_false_faces(empty_frames: int, customer_frames: int) -> list[SceneRates]:
    """The rates of every scene at 1080p: ``empty_frames`` of the empty counter, ``customer_frames``
    of each customer picture."""
    camera = CounterCamera(1920, 1080, fps=30.0)
    detector = FaceDetector()
    station = QualityAnalyser(detector)
    cascade = NaiveAnalyser(detector, HaarDetector())
    rng = np.random.default_rng(26)
    rates: list[SceneRates] = []
    for scene in Picture:
        count = empty_frames if scene is Picture.NOBODY else customer_frames
        wrong_station = wrong_cascade = 0
        for index in range(count):
            frame = _noisy(camera.frame(index, scene), rng)
            wrong_station += _wrong(scene, station.analyse(frame).instruction)
            cascade.reset()
            wrong_cascade += _wrong(scene, cascade.analyse_stream(frame).instruction)
        rates.append(SceneRates(scene, count, wrong_station / max(1, count), wrong_cascade / max(1, count)))
    return rates
