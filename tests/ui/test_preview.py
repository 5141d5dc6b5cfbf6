"""The preview widget with real frames: painting on new frames only, freezing, and the overlay."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from station.core.geometry import Rect, map_box
from station.core.models import BBox, Face, FrameSize, LivenessResult
from station.resources import sample_path
from station.ui import style
from station.ui.overlay import face_label, paint_faces
from station.ui.preview import PreviewWidget
from tests.images import read_bgr

Image = npt.NDArray[np.uint8]


class FakeCamera:
    """A latest-frame callable: serves one frame under a sequence number the test controls."""

    def __init__(self, frame: Image, *, auto_advance: bool = False) -> None:
        self.frame = frame
        self.seq = 0
        self.calls = 0
        self.auto_advance = auto_advance

    def advance(self) -> int:
        self.seq += 1
        return self.seq

    def __call__(self) -> tuple[int, Image] | None:
        self.calls += 1
        if self.auto_advance:
            self.advance()
        return None if self.seq == 0 else (self.seq, self.frame)


@pytest.fixture
def face_frame() -> Image:
    image = read_bgr(sample_path("face.jpg"))
    image.flags.writeable = False  # as the camera slot hands them out
    return image


@pytest.fixture
def preview(qtbot: QtBot) -> PreviewWidget:
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pixel(image: QImage, x: float, y: float) -> str:
    ratio = image.devicePixelRatio()
    return QColor(image.pixelColor(int(x * ratio), int(y * ratio))).name().upper()


def test_accessible_and_sized_for_a_counter(preview: PreviewWidget) -> None:
    assert preview.accessibleName() == "Camera preview"
    assert preview.accessibleDescription()
    assert preview.minimumWidth() >= 640
    assert preview.minimumHeight() >= 360


def test_new_frame_is_painted_and_announced(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    camera = FakeCamera(face_frame)
    preview.attach_source(camera)
    assert preview.latest_frame() is None
    with qtbot.waitSignal(preview.frame_painted, check_params_cb=lambda seq: seq == 1):
        camera.advance()
    # Wrapped, not copied: the widget holds the very array the camera handed over.
    assert preview.latest_frame() is face_frame
    assert preview.display_rect() == Rect(175, 0, 450, 450)


def test_same_seq_is_not_painted_again(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    camera = FakeCamera(face_frame)
    painted: list[int] = []
    preview.frame_painted.connect(painted.append)
    preview.attach_source(camera)
    with qtbot.waitSignal(preview.frame_painted):
        camera.advance()
    polls = camera.calls
    qtbot.waitUntil(lambda: camera.calls >= polls + 5)  # polled five more times, same seq
    preview.repaint()  # a repaint for another reason is not a new frame either
    assert painted == [1]
    assert preview.frames_painted == 1
    with qtbot.waitSignal(preview.frame_painted, check_params_cb=lambda seq: seq == 2):
        camera.advance()
    assert painted == [1, 2]


def test_fps_and_status_chip(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    preview.set_camera_status("Camera 0")
    preview.attach_source(FakeCamera(face_frame, auto_advance=True))
    qtbot.waitUntil(lambda: preview.frames_painted >= 6)
    assert preview.fps > 0
    assert preview.status_text().startswith("Camera 0 · ")
    assert preview.status_text().endswith(" fps")


def test_non_contiguous_and_bad_frames(
    qtbot: QtBot, preview: PreviewWidget, face_frame: Image, caplog: pytest.LogCaptureFixture
) -> None:
    camera = FakeCamera(face_frame[:, ::2])  # a strided view: must be made contiguous to wrap
    preview.attach_source(camera)
    with qtbot.waitSignal(preview.frame_painted):
        camera.advance()
    frame = preview.latest_frame()
    assert frame is not None
    assert frame.flags.c_contiguous
    assert frame.shape == (512, 256, 3)
    camera.frame = np.zeros((10, 10), np.uint8)  # not BGR: logged and skipped, the preview lives on
    polls = camera.calls
    camera.advance()
    qtbot.waitUntil(lambda: camera.calls > polls + 1)
    camera.advance()
    qtbot.waitUntil(lambda: camera.calls > polls + 3)
    assert preview.latest_frame() is frame
    # Logged once per run of failures, not once per poll.
    assert [r.message for r in caplog.records] == ["the newest camera frame cannot be shown"]
    camera.frame = face_frame
    with qtbot.waitSignal(preview.frame_painted, check_params_cb=lambda seq: seq == 4):
        camera.advance()


def test_a_failing_source_does_not_stop_the_preview(
    qtbot: QtBot, preview: PreviewWidget, face_frame: Image, caplog: pytest.LogCaptureFixture
) -> None:
    camera = FakeCamera(face_frame)
    calls = 0

    def flaky() -> tuple[int, Image] | None:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise OSError("camera unplugged")
        return camera()

    preview.attach_source(flaky)
    camera.advance()
    with qtbot.waitSignal(preview.frame_painted):
        pass
    assert len(caplog.records) == 1
    assert "OSError: camera unplugged" in caplog.text


def face(x: int, y: int, size: int, liveness: float | None = 0.93) -> Face:
    return Face(BBox(x, y, size, size), 0.99, liveness, None, True)


def test_freeze_draws_the_mapped_boxes(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    camera = FakeCamera(face_frame, auto_advance=True)
    preview.attach_source(camera)
    qtbot.waitUntil(lambda: preview.frames_painted >= 1)
    # The service analysed a half-size copy (256x256) of the 512x512 capture.
    primary, other = face(88, 33, 48), face(180, 150, 40, liveness=None)
    result = LivenessResult(ok=True, faces=(primary, other), frame=FrameSize(256, 256))
    preview.freeze(face_frame, result, primary)
    assert preview.is_frozen
    assert not preview.is_polling

    display = preview.display_rect()
    expected = [map_box(f.bbox, FrameSize(256, 256), 512, 512, display) for f in (primary, other)]
    assert preview.drawn_boxes() == expected
    primary_box = expected[0]
    assert primary_box is not None
    assert primary_box.width == pytest.approx(96 * 450 / 512)  # doubled, then scaled to 450 px

    shot = preview.grab().toImage()
    middle_y = primary_box.y + primary_box.height / 2
    assert pixel(shot, primary_box.x + 1, middle_y) == style.BOX_PRIMARY
    assert pixel(shot, primary_box.right - 2, middle_y) == style.BOX_PRIMARY
    other_box = expected[1]
    assert other_box is not None
    assert pixel(shot, other_box.x + 1, other_box.y + other_box.height / 2) == style.BOX_SECONDARY
    assert pixel(shot, 10, 10) == style.PREVIEW_BACKGROUND.upper()  # the letterbox bar


def test_freeze_without_result_shows_the_picture_only(preview: PreviewWidget, face_frame: Image) -> None:
    preview.freeze(face_frame, None, None)
    assert preview.is_frozen
    assert preview.drawn_boxes() == []
    assert preview.status_text() == "Captured picture"  # never contradicts the camera's health: it is live


def test_resume_live_paints_again(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    camera = FakeCamera(face_frame)
    preview.attach_source(camera)
    with qtbot.waitSignal(preview.frame_painted):
        camera.advance()
    preview.freeze(face_frame, None, None)
    assert not preview.is_polling
    preview.resume_live()
    assert not preview.is_frozen
    assert preview.is_polling
    with qtbot.waitSignal(preview.frame_painted, check_params_cb=lambda seq: seq == 2):
        camera.advance()
    assert preview.drawn_boxes() == []


def test_watermark_is_painted(preview: PreviewWidget, face_frame: Image) -> None:
    preview.freeze(face_frame, None, None)
    plain = preview.grab().toImage()
    preview.set_watermark("DEMO — emulated results")
    marked = preview.grab().toImage()
    assert plain != marked
    preview.set_watermark(None)
    assert preview.grab().toImage() == plain


def test_hidden_preview_does_not_poll(qtbot: QtBot, preview: PreviewWidget, face_frame: Image) -> None:
    preview.attach_source(FakeCamera(face_frame))
    assert preview.is_polling
    preview.hide()
    assert not preview.is_polling
    preview.show()
    assert preview.is_polling
    preview.detach_source()
    assert not preview.is_polling


def test_face_label_shows_missing_scores_as_a_dash() -> None:
    assert (
        face_label(Face(BBox(0, 0, 1, 1), 0.991, 0.934, 0.9749)) == "live 0.93 · anti-spoof 0.97 · det 0.99"
    )
    assert face_label(Face(BBox(0, 0, 1, 1))) == "live – · anti-spoof – · det –"


def test_paint_faces_on_an_image_flips_the_label_below_a_box_at_the_top(qtbot: QtBot) -> None:
    canvas = QImage(400, 300, QImage.Format.Format_RGB32)
    canvas.fill(QColor("#808080"))
    display = Rect(0, 0, 400, 300)
    top = Face(BBox(100, 0, 100, 60), 0.99, 0.93, 0.97)
    outside = Face(BBox(500, 0, 50, 50), 0.99, 0.5, 0.5)
    painter = QPainter(canvas)
    try:
        drawn = paint_faces(painter, [outside, top], top, None, 400, 300, display)
    finally:
        painter.end()
    assert drawn == [Rect(100, 0, 100, 60)]  # the face outside the picture is skipped
    assert pixel(canvas, 101, 30) == style.BOX_PRIMARY
    assert pixel(canvas, 102, 64) == style.LABEL.background.upper()  # the label, just below the box


def test_each_live_frame_carries_its_camera_sequence(
    qtbot: QtBot, preview: PreviewWidget, face_frame: Image
) -> None:
    """The desk decides whether a frame may be sent (never one already judged) by this number."""
    camera = FakeCamera(face_frame)
    preview.attach_source(camera)
    with qtbot.waitSignal(preview.frame_painted):
        camera.advance()
    first = preview.live_frame()
    assert first is not None
    preview.freeze(first[0], None, None)  # captured
    preview.resume_live()
    polls = camera.calls
    qtbot.waitUntil(lambda: camera.calls > polls + 2)  # the same frame polled again: same number
    again = preview.live_frame()
    assert again is not None and again[1] == first[1]
    with qtbot.waitSignal(preview.frame_painted):
        camera.advance()
    newer = preview.live_frame()
    assert newer is not None and newer[1] != first[1]
