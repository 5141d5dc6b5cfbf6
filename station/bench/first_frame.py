"""Child process for ``start_to_first_frame_ms``: the demo station, up to its first painted frame.

Run as ``python -m station.bench.first_frame [--naive]``. It does what ``python -m station --demo``
does — ``station.cli`` parses the arguments (importing every subcommand, as the product does),
then :func:`station.launch.run_gui`'s steps: QApplication, qasync loop, the camera opened early
(:func:`station.ui.camera_feed.open_camera_early`), ``build_station``,
``Station.start`` — plus one connection the product lacks: the preview's ``frame_painted``
signal. On the first one it prints one JSON line with ``time.monotonic()`` stamps (a clock shared
by all processes on Linux) and shuts the station down as ``run_gui`` does.

``--naive``: the camera is opened and its first picture read on the UI thread before the window
is shown (what a first version does in ``MainWindow.__init__``); the same first-frame stamp.
"""

from __future__ import annotations

import time

_IMPORT_START = time.monotonic()

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    naive = "--naive" in args_in
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    marks: dict[str, float] = {"import_start": _IMPORT_START}

    from station.cli import build_parser

    args = build_parser().parse_args(["--demo"])
    import qasync
    from PySide6.QtWidgets import QApplication

    from station.app import build_station, config_from_args
    from station.ui.camera_feed import open_camera_early

    marks["imported"] = time.monotonic()
    config = config_from_args(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Station")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    marks["app"] = time.monotonic()
    if naive:
        from station.camera import parse_source

        source = parse_source(config.camera)
        source.open()
        source.read()
        source.close()
        marks["camera_read_on_ui_thread"] = time.monotonic()
        station = build_station(config)
    else:  # as run_gui: the camera opens on its thread while the window is built
        station = build_station(config, camera=open_camera_early(config))
    marks["built"] = time.monotonic()
    first = asyncio.Event()

    def painted(seq: int) -> None:
        if "first_frame" not in marks:
            marks["first_frame"] = time.monotonic()
            frame = station.camera.slot.latest()
            if frame is not None and frame.seq == seq:  # when the painted frame left the camera
                marks["camera_frame"] = frame.captured_at
            first.set()

    station.window.preview.frame_painted.connect(painted)
    with loop:
        station.start()
        marks["shown"] = time.monotonic()
        loop.run_until_complete(asyncio.wait_for(first.wait(), 30.0))
        loop.run_until_complete(station.aclose())
    print(json.dumps(marks), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
