"""``station analyse IMAGE``: the live preview's capture-quality checks, run on one still.

For support staff ("why does the station keep saying Move closer?") and for tests: the same
:class:`~station.vision.quality.QualityAnalyser` as the preview, no network, no token, no cost.

Exit codes: 0 the picture is ready to send, 3 it is not (the instruction says why, like a RETRY
from ``station verify``), 64 the file cannot be read or is not a supported picture.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

import numpy as np

from station.commands.exit_codes import ExitCode
from station.commands.inputs import InputError, read_image
from station.core.pixels import PictureError, PictureTooLargeError, decode_picture
from station.vision.faces import FaceDetectorError
from station.vision.quality import QualityAnalyser, QualityReport

__all__ = ["add_arguments", "print_human", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", type=Path, help="a picture (JPEG, PNG, BMP, TIFF, WebP)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _decode(path: Path) -> np.ndarray:
    try:
        data = read_image(path)  # existence, size limit, known image signature
    except InputError:
        if _is_pdf(path):
            raise InputError(f"{path} is a PDF; `station analyse` needs a picture") from None
        raise
    try:
        return decode_picture(data)  # the declared size is checked before a pixel is decoded
    except PictureTooLargeError as exc:
        raise InputError(f"{path} is refused: {exc}") from None
    except PictureError as exc:
        raise InputError(f"{path} could not be decoded as a picture ({exc})") from None


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_human(report: QualityReport, out: TextIO) -> None:
    """The instruction first, then what was measured."""
    print(report.text, file=out)
    print(f"  instruction     {report.instruction.value}", file=out)
    print(f"  frame           {report.frame_width}x{report.frame_height}", file=out)
    print(f"  faces           {report.face_count}", file=out)
    if report.face_box is not None:
        x, y, w, h = report.face_box
        print(f"  face box        x={x} y={y} w={w} h={h}", file=out)
    print(f"  face size       {_fmt(report.face_fraction, '.3f')} of the frame's short side", file=out)
    print(
        f"  centre offset   {_fmt(report.centre_offset, '.2f')} (0 centred, 1 on the oval's edge)", file=out
    )
    print(f"  brightness      {_fmt(report.brightness, '.1f')} (mean luma of the face, 0-255)", file=out)
    print(f"  contrast        {_fmt(report.contrast, '.1f')} (luma std of the face)", file=out)
    print(
        f"  clipped         {_fmt(report.clipped_fraction, '.3f')} (share of burnt-out face pixels)", file=out
    )
    print(f"  sharpness       {_fmt(report.sharpness, '.3f')} (Laplacian / intensity variance)", file=out)
    print(
        f"  turned aside    {_fmt(report.face_turn, '.2f')} (0 facing the camera, from the keypoints)",
        file=out,
    )
    print(f"  head tilt       {_fmt(report.face_roll_degrees, '.1f')} degrees", file=out)
    print(f"  analysed in     {report.elapsed_ms:.0f} ms", file=out)


def run(args: argparse.Namespace) -> int:
    path: Path = args.image
    try:
        image = _decode(path)
    except InputError as exc:
        return _fail(args, "input", str(exc))
    try:
        report = QualityAnalyser().analyse(image)
    except FaceDetectorError as exc:  # a broken install, not the user's file
        return _fail(args, "installation", str(exc), ExitCode.SERVICE)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print_human(report, sys.stdout)
    return int(ExitCode.LIVE if report.ready else ExitCode.RETRY)


def _fail(args: argparse.Namespace, kind: str, message: str, code: ExitCode = ExitCode.USAGE) -> int:
    if args.json:
        print(json.dumps({"instruction": None, "error": kind, "message": message}))
    else:
        print(f"station analyse: {message}", file=sys.stderr)
    return int(code)
