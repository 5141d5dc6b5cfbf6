"""The preview paints less (issue 27): not for an unchanged picture, at 15 frames a second while the
real guide sees nobody in a real video, back at display rate on the first look that finds someone,
and nothing at all while the window is hidden or minimised."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from station.bench.scenes import CounterCamera, Picture, picture
from station.camera import CaptureWorker, LatestFrameSlot, VideoFileSource
from station.resources import sample_path
from station.ui import preview as preview_module
from station.ui import style
from station.ui.camera_feed import CameraFeed
from station.ui.preview import EMPTY_COUNTER_POLL_MS, POLL_INTERVAL_MS, PreviewWidget
from station.vision.quality import QualityAnalyser
from tests.images import read_bgr

Image = npt.NDArray[np.uint8]

SIZE = (640, 360)
HD = (1280, 720)


class _NoFrame:
    preview = None
    full = None


_NONE = _NoFrame()


def slot_source(slot: LatestFrameSlot) -> object:
    def latest() -> tuple[int, Image] | None:
        frame = slot.latest()
        return None if frame is None else (frame.seq, frame.image)

    return latest


@pytest.fixture
def counter_video(tmp_path: Path) -> Path:
    """A real MJPG video: eight frames of an empty counter, then eight of a seated customer."""
    path = tmp_path / "counter.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, SIZE)
    assert writer.isOpened()
    for kind in (Picture.NOBODY, Picture.CUSTOMER):
        scene = picture(kind, *SIZE)
        for _ in range(8):
            writer.write(scene)
    writer.release()
    return path


@pytest.fixture
def window(qtbot: QtBot) -> tuple[QWidget, PreviewWidget]:
    top = QWidget()
    qtbot.addWidget(top)
    preview = PreviewWidget(top)
    QVBoxLayout(top).addWidget(preview)
    top.resize(800, 450)
    top.show()
    qtbot.waitExposed(top)
    return top, preview


def test_rate_drops_at_an_empty_counter_and_comes_back_on_a_face(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget], counter_video: Path
) -> None:
    _, preview = window
    slot = LatestFrameSlot()
    preview.attach_source(slot_source(slot))  # type: ignore[arg-type]
    guide = QualityAnalyser()
    source = VideoFileSource(counter_video, loop=False)
    source.open()
    seen: list[tuple[int, bool, int]] = []  # (frame number, empty counter, poll interval)
    restored_at: int | None = None
    try:
        for number in range(16):
            frame = slot.put(source.read())
            report = guide.analyse_stream(frame.image)
            preview.see_counter(report)
            seen.append((number, preview.empty_counter, preview.poll_interval_ms))
            if restored_at is None and number >= 8 and not preview.empty_counter:
                restored_at = number
                # Restored at once: the frame the guide just looked at is taken now, not on a tick.
                live = preview.live_frame()
                assert live is not None and live[1] == frame.seq
    finally:
        source.close()
    assert all(empty and interval == EMPTY_COUNTER_POLL_MS for _, empty, interval in seen[:8])
    assert restored_at == 8, seen  # the first look at the customer
    assert all(not empty and interval == POLL_INTERVAL_MS for _, empty, interval in seen[8:])
    with qtbot.waitSignal(preview.frame_painted, check_params_cb=lambda seq: seq == slot.seq):
        pass


def test_an_unchanged_guide_does_not_repaint(qtbot: QtBot, window: tuple[QWidget, PreviewWidget]) -> None:
    _, preview = window
    guide = QualityAnalyser()
    camera = CounterCamera(*SIZE)  # a customer swaying over sensor noise: frames never repeat
    slot = LatestFrameSlot()
    preview.attach_source(slot_source(slot))  # type: ignore[arg-type]
    slot.put(camera.frame(0, Picture.CUSTOMER))  # one frame, then none: only the guide could repaint
    qtbot.waitUntil(lambda: preview.frames_painted == 1)
    first = guide.analyse_stream(camera.frame(1, Picture.CUSTOMER))
    # The later looks are made first: on a loaded machine they take long enough for the camera's
    # stall to be drawn (once) in the middle of the check.
    later = [guide.analyse_stream(camera.frame(index, Picture.CUSTOMER)) for index in range(2, 7)]
    preview.set_guidance(first)
    qtbot.waitUntil(lambda: preview.last_guide_text is not None and preview.shows_stall)
    QApplication.processEvents()  # the stall's one repaint, if it was only asked for
    painted = preview.paints
    # The same words on later looks (new measurements, reused or not): nothing drawn changes.
    for again in later:
        assert again.instruction is first.instruction
        assert again != first
        preview.set_guidance(again)
    QApplication.processEvents()
    assert preview.paints == painted
    # Different words are painted.
    other = guide.analyse(read_bgr(sample_path("no-face.jpg")))
    assert other.instruction is not first.instruction
    preview.set_guidance(other)
    qtbot.waitUntil(lambda: preview.paints > painted)


@pytest.mark.parametrize("how", ["minimised", "hidden"])
def test_nothing_is_painted_while_the_window_is_away(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget], how: str
) -> None:
    top, preview = window
    slot, scene = LatestFrameSlot(), picture(Picture.CUSTOMER, *SIZE)
    preview.attach_source(slot_source(slot))  # type: ignore[arg-type]
    slot.put(scene.copy())
    qtbot.waitUntil(lambda: preview.frames_painted >= 1)
    if how == "minimised":
        top.showMinimized()
        qtbot.waitUntil(lambda: bool(top.windowState() & Qt.WindowState.WindowMinimized))
    else:
        top.hide()
    qtbot.waitUntil(lambda: not preview.on_screen)
    assert not preview.is_polling  # no timer ticks while away
    painted, frames = preview.paints, preview.frames_painted
    guide = QualityAnalyser()
    for _ in range(6):  # the camera goes on, the guide talks, the chip changes
        slot.put(scene.copy())
        QApplication.processEvents()
    preview.set_guidance(guide.analyse(scene))
    preview.set_camera_status("Camera 0")
    preview.set_watermark("DEMO")
    QApplication.processEvents()
    assert (preview.paints, preview.frames_painted) == (painted, frames)
    assert not preview.is_polling
    top.showNormal()
    qtbot.waitExposed(top)
    # Back on screen: the newest frame, with what changed meanwhile, is painted.
    qtbot.waitUntil(lambda: preview.frames_painted > frames)
    live = preview.live_frame()
    assert live is not None and live[1] == slot.seq
    assert preview.last_guide_text is not None
    assert preview.watermark == "DEMO"


@pytest.mark.parametrize("shape", [(100, 400), (400, 100)])  # bars left and right, then top and bottom
def test_only_the_letterbox_bars_are_filled_around_the_picture(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget], shape: tuple[int, int]
) -> None:
    _, preview = window
    slot = LatestFrameSlot()
    preview.attach_source(slot_source(slot))  # type: ignore[arg-type]
    slot.put(np.full((*shape, 3), (0, 0, 255), np.uint8))  # a red picture
    qtbot.waitUntil(lambda: preview.frames_painted == 1)
    shot = preview.grab().toImage()
    display = preview.display_rect()
    ratio = shot.devicePixelRatio()

    def colour(x: float, y: float) -> str:
        return QColor(shot.pixelColor(int(x * ratio), int(y * ratio))).name().upper()

    middle_x, middle_y = display.x + display.width / 2, display.y + display.height / 2
    assert colour(middle_x, display.y + 2) == "#FF0000"
    background = style.PREVIEW_BACKGROUND.upper()
    if display.x > 0:
        assert colour(display.x - 2, middle_y) == background
        assert colour(display.right + 2, middle_y) == background
        assert colour(2, middle_y) == background
        assert colour(preview.width() - 2, middle_y) == background
    else:
        assert colour(middle_x, display.y - 2) == background
        assert colour(middle_x, display.bottom + 2) == background
        assert colour(middle_x, 2) == background
        assert colour(middle_x, preview.height() - 2) == background


def test_the_camera_thread_makes_the_preview_size_copy_and_the_ui_only_blits(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget], tmp_path: Path
) -> None:
    """A real 720p video through the real capture worker: after the first frame tells the camera
    the size the picture is drawn at, every frame arrives with its copy at that size."""
    _, preview = window
    video = tmp_path / "counter-720p.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, HD)
    for index in range(10):
        writer.write(CounterCamera(*HD).frame(index, Picture.CUSTOMER))
    writer.release()
    feed = CameraFeed(lambda: VideoFileSource(video))
    preview.attach_source(feed.latest, feed.slot)
    feed.start()
    try:
        qtbot.waitUntil(lambda: preview.frames_painted >= 1, timeout=10_000)
        display = preview.display_rect()
        size = (round(display.width), round(display.height))
        assert size[0] < HD[0]  # the picture is drawn smaller than the camera sends it
        qtbot.waitUntil(lambda: (feed.slot.latest() or _NONE).preview is not None, timeout=10_000)
        resized, painted = preview.resizes, preview.frames_painted
        qtbot.waitUntil(lambda: preview.frames_painted >= painted + 5, timeout=10_000)
        assert preview.resizes == resized  # no frame resized on the UI thread any more
        frame = feed.slot.latest()
        assert frame is not None and frame.preview is not None
        assert frame.preview.shape[1::-1] == size
        assert frame.image.shape[1::-1] == HD  # the full frame is still there for a capture
        live = preview.live_frame()
        assert live is not None and live[0].shape[1::-1] == HD
        # At an empty counter every other frame is shown: the camera stops making copies, and
        # makes them again from the first look that finds someone.
        guide = QualityAnalyser()
        preview.see_counter(guide.analyse(picture(Picture.NOBODY, *HD)))
        seq = feed.slot.seq
        qtbot.waitUntil(lambda: feed.slot.seq > seq + 1, timeout=10_000)
        assert (feed.slot.latest() or _NONE).preview is None
        preview.see_counter(guide.analyse(picture(Picture.CUSTOMER, *HD)))
        qtbot.waitUntil(lambda: (feed.slot.latest() or _NONE).preview is not None, timeout=10_000)
    finally:
        preview.detach_source()
        feed.stop()


class _CountingSlot(LatestFrameSlot):
    """The camera's slot, counting the sizes the preview asks it for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[tuple[int, int] | None, bool]] = []

    def request_preview_size(self, size: tuple[int, int] | None, copies: bool = True) -> None:
        self.asked.append((size, copies))
        super().request_preview_size(size, copies)


def test_a_two_size_camera_sends_the_preview_size_and_a_capture_gets_the_full_frame(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget]
) -> None:
    """The bench's counter camera through the real capture worker (issue 27's two sizes): once
    the preview has said the size it draws at, the camera makes its frames at that size, the
    preview draws them where a full frame would be, asks once, and the frame Capture takes is the
    one on screen, at full resolution."""
    _, preview = window
    slot = _CountingSlot()
    camera = CounterCamera(*HD, fps=60.0)
    worker = CaptureWorker(lambda: camera, slot)
    preview.attach_source(slot_source(slot), slot)  # type: ignore[arg-type]
    worker.start()
    try:
        qtbot.waitUntil(lambda: preview.frames_painted >= 1, timeout=10_000)
        display = preview.display_rect()
        size = (round(display.width), round(display.height))
        assert size[0] < HD[0]
        qtbot.waitUntil(lambda: (slot.latest() or _NONE).full is not None, timeout=10_000)
        painted = preview.frames_painted
        qtbot.waitUntil(lambda: preview.frames_painted >= painted + 5, timeout=10_000)
        assert slot.asked == [(size, True)]  # asked once: small frames do not move the picture
        rect = preview.display_rect()
        assert (round(rect.width), round(rect.height)) == size
        frame = slot.latest()
        assert frame is not None and frame.image.shape[1::-1] == size
        assert frame.full is not None and frame.full.size == HD
    finally:
        assert worker.stop(5.0)
    # The camera stopped: its newest frame is the one on screen (a grab paints it afresh).
    qtbot.waitUntil(lambda: preview.live_sequence == slot.seq, timeout=10_000)
    try:
        live = preview.live_frame()
        assert live is not None and live[0].shape[1::-1] == HD and not live[0].flags.writeable
        again = preview.live_frame()
        assert again is not None and again[0] is live[0]  # made once per frame
        # The full frame is the picture on screen: shrunk to it, it matches what was painted.
        grabbed = preview.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        rows = (grabbed.height(), grabbed.bytesPerLine())
        pixels = np.frombuffer(grabbed.constBits(), np.uint8).reshape(rows)
        x, y = round(rect.x), round(rect.y)
        drawn = pixels[y : y + size[1], 4 * x : 4 * (x + size[0])].reshape(size[1], size[0], 4)[..., :3]
        shrunk = cv2.resize(live[0], size, interpolation=cv2.INTER_AREA)
        centre = (slice(size[1] // 4, 3 * size[1] // 4), slice(size[0] // 4, 3 * size[0] // 4))  # no chip
        difference = np.abs(shrunk[centre].astype(np.int16) - drawn[centre].astype(np.int16)).mean()
        before = camera.frame(live[1] + 46, Picture.CUSTOMER, size)  # half a sway away
        elsewhere = np.abs(before[centre].astype(np.int16) - drawn[centre].astype(np.int16)).mean()
        assert difference < elsewhere, (difference, elsewhere)
    finally:
        preview.detach_source()


def test_the_overlay_is_drawn_again_only_when_what_it_shows_changes(
    qtbot: QtBot, window: tuple[QWidget, PreviewWidget], monkeypatch: pytest.MonkeyPatch
) -> None:
    """New frames under the same guide words are blitted over one layer; new words make a new one,
    and the picture on screen shows them."""
    _, preview = window
    # The camera's clock: a frame every 1/30 s, so the chip reads a steady "30 fps".
    now = [1000.0]
    monkeypatch.setattr(preview_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    slot = LatestFrameSlot()
    preview.attach_source(slot_source(slot))  # type: ignore[arg-type]
    guide = QualityAnalyser()
    camera = CounterCamera(*SIZE)
    preview.set_guidance(guide.analyse(camera.frame(0, Picture.CUSTOMER)))

    def show(index: int) -> None:
        painted = preview.frames_painted
        now[0] += 1 / 30
        slot.put(camera.frame(index, Picture.CUSTOMER))
        qtbot.waitUntil(lambda: preview.frames_painted > painted, timeout=10_000)

    for index in (1, 2, 3):  # the rate is known from the second frame, drawn with the third
        show(index)
    assert preview.chip_fps() == 30
    rendered = preview.overlays_rendered
    for index in range(4, 10):
        show(index)
    assert preview.overlays_rendered == rendered  # six new pictures, one layer
    first = preview.last_guide_text
    preview.set_guidance(guide.analyse(picture(Picture.TOO_DARK, *SIZE)))
    qtbot.waitUntil(lambda: preview.last_guide_text != first, timeout=10_000)
    assert preview.overlays_rendered == rendered + 1
    # The layer is what is on screen: the amber guide chip's colour is in the grabbed picture.
    amber = QColor(style.themed(style.GUIDE_NOT_READY).background)
    shot = preview.grab().toImage()
    display = preview.display_rect()
    rows = range(round(display.y), round(display.bottom))
    columns = range(round(display.x), round(display.right), 4)
    assert any(shot.pixelColor(x, y) == amber for y in rows[::4] for x in columns)


def test_a_new_frame_repaints_only_the_preview_in_the_station_window(qtbot: QtBot) -> None:
    """At a size the station supports, nothing else in the window is painted for a camera frame
    (on a screen smaller than its layout, the widgets over the picture were, with every frame)."""
    from PySide6.QtCore import QEvent, QObject

    from tests.ui.conftest import close_station, start_station

    station = start_station(qtbot, quality_gate=True)
    try:
        window = station.window
        window.resize(1280, 760)
        qtbot.waitUntil(lambda: window.preview.width() > 640, timeout=10_000)
        painted: dict[str, int] = {}

        class Count(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    name = f"{type(watched).__name__} {watched.objectName()} {id(watched):x}"
                    painted[name] = painted.get(name, 0) + 1
                return False

        counter = Count()
        app = QApplication.instance()
        assert app is not None
        frames = window.preview.frames_painted
        qtbot.waitUntil(lambda: window.preview.frames_painted >= frames + 3, timeout=10_000)
        app.installEventFilter(counter)
        try:
            frames = window.preview.frames_painted
            qtbot.waitUntil(lambda: window.preview.frames_painted >= frames + 10, timeout=10_000)
        finally:
            app.removeEventFilter(counter)
        preview = f"PreviewWidget  {id(window.preview):x}"
        previews = painted.pop(preview, 0)
        assert previews >= 10
        # The health strip, banner or status bar may change now and then; never once per frame.
        assert all(count < previews / 2 for count in painted.values()), painted
    finally:
        close_station(qtbot, station)
