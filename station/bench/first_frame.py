"""Child process for ``start_to_first_frame_ms``: the demo station, up to its first painted frame.

Run as ``python -m station.bench.first_frame [--naive]``. It does what ``python -m station --demo``
does — ``station.cli`` parses the arguments (importing every subcommand, as the product does),
then :func:`station.launch.run_gui`'s steps: QApplication, the camera opened early
(:func:`station.ui.camera_feed.open_camera_early`), the early window's first frame, the qasync
loop, ``build_station``,
``Station.start`` — plus one connection the product lacks: the preview's ``frame_painted``
signal. On the first one it prints one JSON line with ``time.monotonic()`` stamps (a clock shared
by all processes on Linux) and shuts the station down as ``run_gui`` does.

``--naive``: the camera is opened and its first picture read on the UI thread before the window
is shown (what a first version does in ``MainWindow.__init__``); the same first-frame stamp.
"""

from __future__ import annotations

import time

_IMPORT_START = time.monotonic()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    import argparse

    import qasync

    from station.app import Station

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    naive = "--naive" in args_in
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    marks: dict[str, float] = {"import_start": _IMPORT_START}

    from station.cli import build_parser

    args = build_parser().parse_args(["--demo"])
    if naive:
        return _naive(args, marks)
    from station.ui.qt_startup import quicken_pyside_module_check

    quicken_pyside_module_check()  # as station.cli does before the launch imports PySide6
    from PySide6.QtWidgets import QApplication

    from station.config import Settings
    from station.launch import _show_first_frame, _station_config
    from station.ui.camera_feed import open_camera_early
    from station.ui.languages import station_languages

    marks["imported"] = time.monotonic()
    config = _station_config(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Station")
    languages = station_languages(Settings(), remember=False)
    camera = open_camera_early(config)
    marks["app"] = time.monotonic()
    early = _show_first_frame(camera, languages, kiosk=False)  # as run_gui: before the station is built
    if early is None or early.first_frame_seq is None:
        raise SystemExit("no first frame in the early window")
    marks["first_frame"] = time.monotonic()
    import asyncio  # as run_gui: the loop comes after the first frame

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    frame = camera.slot.latest() if camera is not None else None
    if frame is not None and frame.seq == early.first_frame_seq:
        marks["camera_frame"] = frame.captured_at
    from station.app import build_station

    station = build_station(config, languages=languages, camera=camera)
    marks["built"] = time.monotonic()
    _run_until_painted(station, loop, marks, "station_frame", on_shown=early.hand_over)
    print(json.dumps(marks), flush=True)
    return 0


def _naive(args: argparse.Namespace, marks: dict[str, float]) -> int:
    """The camera opened and read on the UI thread, then the whole station built and shown."""
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from station.app import build_station, config_from_args
    from station.camera import parse_source

    marks["imported"] = time.monotonic()
    config = config_from_args(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Station")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    marks["app"] = time.monotonic()
    source = parse_source(config.camera)
    source.open()
    source.read()
    source.close()
    marks["camera_read_on_ui_thread"] = time.monotonic()
    station = build_station(config)
    marks["built"] = time.monotonic()
    _run_until_painted(station, loop, marks, "first_frame")
    print(json.dumps(marks), flush=True)
    return 0


def _run_until_painted(
    station: Station,
    loop: qasync.QEventLoop,
    marks: dict[str, float],
    mark: str,
    on_shown: Callable[[], None] | None = None,
) -> None:
    """Start the station, stamp ``mark`` at its window's first painted frame, and close it."""
    import asyncio

    first = asyncio.Event()

    def painted(seq: int) -> None:
        if mark not in marks:
            marks[mark] = time.monotonic()
            frame = station.camera.slot.latest()
            if mark == "first_frame" and frame is not None and frame.seq == seq:
                marks["camera_frame"] = frame.captured_at
            first.set()

    station.window.preview.frame_painted.connect(painted)
    with loop:
        station.start()
        if on_shown is not None:
            on_shown()
        marks["shown"] = time.monotonic()
        loop.run_until_complete(asyncio.wait_for(first.wait(), 30.0))
        loop.run_until_complete(station.aclose())


if __name__ == "__main__":
    raise SystemExit(main())
