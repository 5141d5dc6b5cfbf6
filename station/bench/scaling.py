"""Issue 27's two measurements for the README: who should scale the preview, and what the camera
lets the station ask for.

``python -m station.bench.scaling [--frames 100]`` prints one JSON object:

* ``scale_*_ms``: a 1080p BGR frame to a 960x540 picture painted into a window-format image
  (``ARGB32_Premultiplied``, what the backing store uses): OpenCV's bilinear resize then a plain
  blit (what the preview does), against ``QPainter.drawImage`` into the target rectangle with
  ``SmoothPixmapTransform`` and without, from the BGR888 frame and from a 32-bit copy of it.
* ``file_camera_*``: the file camera (a 1080p MJPG video through OpenCV's capture, as
  :class:`~station.camera.VideoFileSource` reads it): whether the backend takes
  ``CAP_PROP_FRAME_WIDTH/HEIGHT`` (it does not for files: the size is the file's), the decode
  per frame, and a downscale to preview size in the camera thread.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from station.bench.qtsupport import median
from station.bench.scenes import CounterCamera, Picture

__all__ = ["main", "measure_file_camera", "measure_scaling"]

PREVIEW = (960, 540)


def _timed(action: Callable[[], object], runs: int) -> float:
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000.0)
    return median(times)


def measure_scaling(frames: int) -> dict[str, float]:
    """Median ms per frame of each way of putting a 1080p frame on screen at 960x540."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from station.bench.qtsupport import application

    application()
    frame = CounterCamera(1920, 1080).frame(1, Picture.CUSTOMER)
    target = QImage(1280, 720, QImage.Format.Format_ARGB32_Premultiplied)
    bgr = QImage(frame.data, 1920, 1080, frame.strides[0], QImage.Format.Format_BGR888)
    bgra = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
    rgb32 = QImage(bgra.data, 1920, 1080, bgra.strides[0], QImage.Format.Format_RGB32)
    area = QRectF(0, 0, *PREVIEW)
    painter = QPainter(target)
    try:

        def opencv() -> None:
            small = cv2.resize(frame, PREVIEW, interpolation=cv2.INTER_LINEAR)
            painter.drawImage(
                0, 0, QImage(small.data, *PREVIEW, small.strides[0], QImage.Format.Format_BGR888)
            )

        results = {"scale_opencv_resize_then_blit_ms": _timed(opencv, frames)}
        for smooth in (True, False):
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
            name = "smooth" if smooth else "fast"
            results[f"scale_qt_{name}_bgr888_ms"] = _timed(lambda: painter.drawImage(area, bgr), frames)
            results[f"scale_qt_{name}_rgb32_ms"] = _timed(lambda: painter.drawImage(area, rgb32), frames)
        results["convert_bgr_to_rgb32_1080p_ms"] = _timed(
            lambda: cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA), frames
        )
    finally:
        painter.end()
    return results


def measure_file_camera(frames: int) -> dict[str, float]:
    """The file camera at two sizes: what the backend allows and what each size costs."""
    camera = CounterCamera(1920, 1080, shows=Picture.CUSTOMER)
    with tempfile.TemporaryDirectory(prefix="station-bench-scaling-") as folder:
        path = Path(folder) / "counter-1080p.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (1920, 1080))
        for index in range(30):
            writer.write(camera.frame(index, Picture.CUSTOMER))
        writer.release()
        capture = cv2.VideoCapture(str(path))
        try:
            width_taken = capture.set(cv2.CAP_PROP_FRAME_WIDTH, PREVIEW[0])
            height_taken = capture.set(cv2.CAP_PROP_FRAME_HEIGHT, PREVIEW[1])
            ok, still = capture.read()
            size_after = (int(still.shape[1]), int(still.shape[0])) if ok else (0, 0)
        finally:
            capture.release()
        capture = cv2.VideoCapture(str(path))  # what VideoFileSource reads with, unpaced here
        try:

            def decode() -> None:
                ok, _ = capture.read()
                if not ok:  # the end of the clip: start it again
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    capture.read()

            decode_ms = _timed(decode, frames)
            _, decoded = capture.read()
        finally:
            capture.release()
    return {
        "file_camera_set_frame_width_taken": float(width_taken and height_taken),
        "file_camera_width_after_set": float(size_after[0]),
        "file_camera_decode_1080p_ms": decode_ms,
        "file_camera_downscale_to_preview_ms": _timed(
            lambda: cv2.resize(decoded, PREVIEW, interpolation=cv2.INTER_LINEAR), frames
        ),
        "file_camera_downscale_area_to_preview_ms": _timed(
            lambda: cv2.resize(decoded, PREVIEW, interpolation=cv2.INTER_AREA), frames
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.bench.scaling")
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results = measure_scaling(args.frames) | measure_file_camera(args.frames)
    print(json.dumps({name: round(value, 3) for name, value in results.items()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
