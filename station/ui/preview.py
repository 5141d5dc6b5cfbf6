"""The camera preview: the newest frame at display rate, or a captured frame frozen with its faces.

Why a timer that polls a "latest frame" callable instead of a signal per camera frame: a queued
signal per frame from a 60 fps camera to a slower UI grew to a second of lag in measurements,
while "latest frame wins" stayed under 50 ms. The timer runs at about 60 Hz and does work only
when the sequence number changed, so an idle or stalled camera costs nothing.

Why the picture is drawn from a 32-bit copy at the display's size: Qt converts a 24-bit
``BGR888`` image to the window's 32-bit format pixel by pixel *before* scaling (~2.8 ms for a 1080p
frame), and even unscaled it converts while blitting (0.33 ms for 960x540, in its thread pool).
So the picture is shrunk with ``cv2.resize`` (~0.5 ms) and turned into the screen's 32-bit pixels
(:func:`~station.camera.frames.screen_copy`, 0.04 ms) once per new frame, on the camera's thread
while the customer is seated (the slot's preview copy) and here otherwise; Qt then blits it as
``Format_RGB32`` without a conversion (0.05 ms). The frozen picture is scaled once per freeze or
resize, not on every paint. The camera's slot hands out read-only arrays it never touches again,
so the picture cannot change under the painter.

Why it paints less than the camera delivers (issue 27): a repaint costs the resize and Qt's
blit, and the station shares the branch PC. So a picture is repainted only when something drawn
changed (a new frame, or the guide's words or colour, not every report that says the same thing);
at an empty counter (the guide's last look found nobody, :meth:`PreviewWidget.see_counter`) the
timer polls at :data:`EMPTY_COUNTER_POLL_MS`, 15 new frames a second, and goes back to display rate
the moment a report finds someone, painting the newest frame at once; and nothing is polled or
painted while the window is hidden, minimised or not exposed (``QWindow.isExposed``; whether a
window under the kiosk's lock screen counts as unexposed is the platform's and window manager's
call). What was not painted meanwhile is painted once when the window is back.

Why the guide's words are looked up while painting: the customer's language can change (F2) at
any moment, and the next frame painted must say the instruction in it.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QImage, QMouseEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from station.camera.frames import FullPicture, PreviewFrames, screen_copy
from station.core.geometry import Rect, fit_rect, map_box
from station.core.images import BGRImage, LatestFrame, ScreenImage
from station.core.models import Face, FrameSize, LivenessResult
from station.ui import style
from station.ui.guidance import NOTICE_TITLE, RING_TEXT
from station.ui.languages import Languages
from station.ui.live_overlay import GuideWords, LiveOverlay
from station.ui.overlay import (
    WrappedFrame,
    paint_faces,
    paint_status_chip,
    paint_watermark,
    status_chip_rect,
    wrap_bgr,
    wrap_screen,
)

if TYPE_CHECKING:
    from station.vision.quality import QualityReport

__all__ = ["PreviewWidget"]

translate = QCoreApplication.translate

_log = logging.getLogger(__name__)

"""Returns ``(seq, bgr_frame)`` of the newest frame, or None when there is none yet."""

POLL_INTERVAL_MS = 16
# While the guide sees nobody: a 30 fps camera is shown at 15 frames a second.
EMPTY_COUNTER_POLL_MS = 66
_STALE_AFTER_S = 1.0
#: How far the measured frame rate moves from the chip's figure before the chip follows it.
CHIP_FPS_STEP = 1.5
#: The frame rate is measured over the frames painted in this last stretch of time.
_FPS_WINDOW_S = 1.0


def _scaled(shown: WrappedFrame, display: Rect) -> WrappedFrame | None:
    """``shown`` at the display rectangle's size in the screen's pixels (None if it has no area).

    Bilinear: ~1 ms for 1080p to 960x540, where area averaging took 11 ms on the UI thread.
    """
    width, height = round(display.width), round(display.height)
    if width <= 0 or height <= 0:
        return None
    return wrap_screen(screen_copy(shown.array, (width, height)))


def _bars(widget: QRect, picture: QRect) -> list[QRect]:
    """The parts of ``widget`` around ``picture`` (top, bottom, left, right), those with an area."""
    top = QRect(widget.left(), widget.top(), widget.width(), picture.top() - widget.top())
    bottom = QRect(widget.left(), picture.bottom() + 1, widget.width(), widget.bottom() - picture.bottom())
    left = QRect(widget.left(), picture.top(), picture.left() - widget.left(), picture.height())
    right = QRect(picture.right() + 1, picture.top(), widget.right() - picture.right(), picture.height())
    return [bar for bar in (top, bottom, left, right) if bar.width() > 0 and bar.height() > 0]


@dataclass(frozen=True, slots=True)
class _Frozen:
    shown: WrappedFrame
    faces: tuple[Face, ...]
    service_frame: FrameSize | None
    primary: Face | None


class PreviewWidget(QWidget):
    """Paints the live camera picture, or a captured frame frozen with its face boxes."""

    frame_painted = Signal(int)
    #: The operator clicked a face on the frozen picture: its index in ``result.faces``.
    face_clicked = Signal(int)
    """Emitted with the frame's ``seq`` after a *new* live frame has been painted."""

    def __init__(self, parent: QWidget | None = None, *, languages: Languages | None = None) -> None:
        super().__init__(parent)
        self.languages = languages or Languages()
        #: The guide's words in the last paint (for tests and the accessible description).
        self.last_guide_text: str | None = None
        #: Paint events so far (a test waits for the next one).
        self.paints = 0
        # Frames resized on the UI thread so far (none while the camera makes the preview's copy).
        self.resizes = 0
        self._accessible()
        self.setMinimumSize(640, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # Every pixel is painted on each paint event: Qt need not clear the background first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._source: LatestFrame | None = None
        # The camera's slot, when it makes preview-size copies; and the size last asked of it.
        self._frames: PreviewFrames | None = None
        self._asked_size: tuple[tuple[int, int], bool] | None = None
        self._live: WrappedFrame | None = None
        # How to make ``_live`` at full resolution when a two-size camera delivered it smaller.
        self._live_full: FullPicture | None = None
        self._live_full_made: tuple[int, BGRImage] | None = None
        #: The picture at display size, made once per new frame (live) or per freeze/resize.
        self._scaled: WrappedFrame | None = None
        self._live_seq: int | None = None
        # The camera sequence number of ``_live`` (``_live_seq`` may be ahead of it on a bad frame).
        self._live_frame_seq: int | None = None
        self._pending_seq: int | None = None
        self._frozen: _Frozen | None = None
        self._watermark: str | None = None
        self._capture_progress: float | None = None
        self._notice: tuple[str, str] | None = None
        self._guidance: QualityReport | None = None
        self._camera_status = ""
        self._frames_painted = 0
        self._chip_fps: int | None = None
        # When the last new live frames were painted (the last second's, for the frame rate).
        self._painted_at: collections.deque[float] = collections.deque()
        self._shown_stale = True
        self._failing = False
        # The guide's last look found nobody (None: no guide has reported).
        self._empty_counter = False
        # The guide's drawn state (instruction, words) last painted, to skip equal reports.
        self._guide_key: tuple[str, str] | None = None
        # Something drawn changed while the window was not on screen: paint it when it is back.
        self._dirty_offscreen = False
        self._watched: list[QObject] = []
        # The live overlay last rendered, and its layer (see station.ui.live_overlay).
        self._overlay: LiveOverlay | None = None
        self._layer: QImage | None = None
        #: Live overlay layers rendered so far (a test counts them).
        self.overlays_rendered = 0

    def attach_source(self, latest: LatestFrame, frames: PreviewFrames | None = None) -> None:
        """Start showing frames from ``latest``, polled at display rate. With ``frames`` (the
        camera's slot) the preview reads them there instead, each with the copy at the size it
        draws, made on the camera's thread: the UI thread then blits without resizing."""
        self._source = latest
        self._frames = frames
        self._asked_size = None
        self._live_seq = None
        self._sync_timer()

    def detach_source(self) -> None:
        """Stop polling (the camera is closing); the last frame stays on screen."""
        self._source = None
        self._ask_preview_size(None)
        self._frames = None
        self._sync_timer()

    def latest_frame(self) -> BGRImage | None:
        """The newest live frame shown, at the camera's full resolution (None before the first
        one)."""
        live = self.live_frame()
        return None if live is None else live[0]

    def live_frame(self) -> tuple[BGRImage, int] | None:
        """The newest live frame shown, at the camera's full resolution, and its camera sequence
        number, which is what Capture should send: what the operator saw, not a frame grabbed a few
        milliseconds later. Whether it may be sent (a frame already judged never is) is the desk's
        rule, by the sequence. A frame a two-size camera delivered at the preview's size is made
        at full resolution here, once (its source keeps what that takes; the bench's camera: 0.6 ms)."""
        seq = self._live_frame_seq
        if self._live is None or seq is None:
            return None
        if self._live_full is None:
            return self._live.array, seq
        made = self._live_full_made
        if made is None or made[0] != seq:
            made = self._live_full_made = (seq, self._live_full.picture())
        return made[1], seq

    @property
    def live_sequence(self) -> int | None:
        """The camera sequence number of the newest live frame shown (None before the first)."""
        return self._live_frame_seq if self._live is not None else None

    @property
    def fps(self) -> float:
        """New frames painted per second over the last second; 0.0 once the camera has stalled for a
        second."""
        painted = self._painted_at
        if len(painted) < 2 or time.monotonic() - painted[-1] > _STALE_AFTER_S:
            return 0.0
        span = painted[-1] - painted[0]
        return (len(painted) - 1) / span if span > 0 else 0.0

    @property
    def shows_stall(self) -> bool:
        """True once the picture has been redrawn as stalled (the chip at 0 fps) since the last
        new frame: that one repaint is behind it."""
        return self._shown_stale

    @property
    def is_polling(self) -> bool:
        """True while the camera source is being polled (live, attached and on screen)."""
        return self._timer.isActive()

    @property
    def empty_counter(self) -> bool:
        """True while the guide's last look found nobody: the preview runs at 15 frames a second."""
        return self._empty_counter

    @property
    def poll_interval_ms(self) -> int:
        """The poll timer's interval now (display rate, or the empty counter's slower rate)."""
        return self._timer.interval()

    def see_counter(self, report: QualityReport) -> None:
        """The guide looked at the counter: slow down while nobody is there, and come back to display
        rate at once (the newest frame painted now) when someone is."""
        empty = report.face_count == 0
        if empty == self._empty_counter:
            return
        self._empty_counter = empty
        self._timer.setInterval(EMPTY_COUNTER_POLL_MS if empty else POLL_INTERVAL_MS)
        if empty and self._asked_size is not None:
            # Every other frame is shown: a copy of each on the camera thread would cost more than
            # the UI thread's resize of those shown (measured: +1.3 % of a core at 1080p). A
            # two-size camera still makes its frames at the preview's size.
            self._ask_preview_size(self._asked_size[0], copies=False)
        if not empty and self._timer.isActive():
            self._poll()

    @property
    def on_screen(self) -> bool:
        """Whether painting can be seen: shown, the window not minimised, and exposed."""
        if not self._shown():
            return False
        handle = self.window().windowHandle()
        return handle is None or handle.isExposed()

    def _shown(self) -> bool:
        """Shown and the window not minimised (it may still be covered: see :attr:`on_screen`)."""
        return self.isVisible() and not self.window().windowState() & Qt.WindowState.WindowMinimized

    @property
    def frames_painted(self) -> int:
        """How many new live frames have been painted since the widget was made."""
        return self._frames_painted

    def freeze(self, image: BGRImage, result: LivenessResult | None, primary: Face | None) -> None:
        """Show ``image`` frozen with the result's faces; live polling pauses until resume_live.

        The array is borrowed, not copied: the caller must not modify it afterwards (frames from
        the camera slot are read-only, so this holds for captured frames).
        """
        same_picture = self._frozen is not None and self._frozen.shown.array is image
        self._frozen = _Frozen(
            shown=self._frozen.shown if same_picture and self._frozen is not None else wrap_bgr(image),
            faces=result.faces if result is not None else (),
            service_frame=result.frame if result is not None else None,
            primary=primary,
        )
        if not same_picture:  # the answer arriving for the frozen picture keeps its scaled copy
            self._scaled = None
        self._sync_timer()
        self._changed()

    def resume_live(self) -> None:
        """Leave the frozen result and show the live camera again."""
        self._frozen = None
        self._scaled = None
        self._live_seq = None  # show the newest frame at once, even if the camera has not moved
        self._sync_timer()
        self._changed()

    @property
    def is_frozen(self) -> bool:
        """True while a captured frame is shown instead of the live picture."""
        return self._frozen is not None

    def frozen_frame(self) -> BGRImage | None:
        """The captured picture on screen, or None while live."""
        return self._frozen.shown.array if self._frozen is not None else None

    def display_rect(self) -> Rect:
        """Where the current picture is drawn: letterboxed in the widget (all of it if none)."""
        widget = Rect(0.0, 0.0, float(self.width()), float(self.height()))
        size = self._picture_size()
        return widget if size is None else fit_rect(size[0], size[1], widget)

    def _picture_size(self) -> tuple[int, int] | None:
        """The current picture's size at full resolution: a frame a two-size camera delivered
        smaller is placed as its full-resolution self would be, so the size the preview asks the
        camera for never feeds back into where it draws."""
        if self._frozen is not None:
            return (self._frozen.shown.width, self._frozen.shown.height)
        if self._live is None:
            return None
        if self._live_full is not None:
            return self._live_full.size
        return (self._live.width, self._live.height)

    def drawn_boxes(self) -> list[Rect]:
        """Display rectangles of the frozen faces, from the same geometry ``paint_faces`` uses."""
        frozen = self._frozen
        if frozen is None:
            return []
        display = self.display_rect()
        boxes = (
            map_box(f.bbox, frozen.service_frame, frozen.shown.width, frozen.shown.height, display)
            for f in frozen.faces
        )
        return [box for box in boxes if box is not None]

    def face_at(self, x: float, y: float) -> int | None:
        """Index in ``result.faces`` of the (smallest) face box under a point of the widget."""
        frozen = self._frozen
        if frozen is None:
            return None
        display = self.display_rect()
        hits: list[tuple[float, int]] = []
        for index, face in enumerate(frozen.faces):
            box = map_box(face.bbox, frozen.service_frame, frozen.shown.width, frozen.shown.height, display)
            if box is not None and box.x <= x <= box.right and box.y <= y <= box.bottom:
                hits.append((box.width * box.height, index))
        return min(hits)[1] if hits else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.face_at(event.position().x(), event.position().y())
        if index is not None:
            self.face_clicked.emit(index)
        super().mousePressEvent(event)

    def set_guidance(self, report: QualityReport | None) -> None:
        """The capture-quality guide drawn over the live picture (None: no guide)."""
        self._guidance = report
        key = None if report is None else (report.instruction.value, report.text)
        if key == self._guide_key:
            return  # the same words in the same colour: nothing drawn changes
        self._guide_key = key
        if self._frozen is None:
            self._changed()

    @property
    def capture_progress(self) -> float | None:
        """The automatic capture's progress (0..1) drawn as a ring, or None."""
        return self._capture_progress

    @property
    def notice(self) -> str | None:
        """The consent notice shown over the live picture, or None."""
        return self._notice[0] if self._notice is not None else None

    def set_notice(self, text: str | None, keys: str = "") -> None:
        notice = (text, keys) if text else None
        if notice != self._notice:
            self._notice = notice
            self._changed()

    def set_capture_progress(self, progress: float | None) -> None:
        if progress != self._capture_progress:
            self._capture_progress = progress
            self._changed()

    @property
    def watermark(self) -> str | None:
        """The text across the picture ("DEMO", "NOT A LIVE CAMERA"…), or None."""
        return self._watermark

    def set_watermark(self, text: str | None) -> None:
        """Text written across the picture (``"SANDBOX"``, ``"DEMO — emulated results"``), or None."""
        self._watermark = text or None
        self._changed()

    def set_camera_status(self, text: str) -> None:
        """The camera state shown in the chip beside the fps (``"Camera 0"``, ``"Reconnecting…"``)."""
        self._camera_status = text
        self._changed()

    def status_text(self) -> str:
        """The chip's text: camera state and fps live, or a reminder that the picture is frozen."""
        if self._frozen is not None:
            return translate("Preview", "Captured picture")
        camera = self.languages.operator_message(self._camera_status) or translate("Preview", "No camera")
        return translate("Preview", "{camera} · {fps} fps").format(camera=camera, fps=self.chip_fps())

    def chip_fps(self) -> int:
        """The frame rate the chip shows. It moves only once the measured rate is
        :data:`CHIP_FPS_STEP` away from it, so a steady 30 fps camera, measured between 29 and 31
        from frame to frame, reads "30 fps" and the overlay is not drawn again for it (issue 27);
        a stalled camera reads 0 at once."""
        fps = self.fps
        shown = self._chip_fps
        if shown is None or fps == 0.0 or abs(fps - shown) >= CHIP_FPS_STEP:
            shown = self._chip_fps = round(fps)
        return shown

    def guide_texts(self, report: QualityReport) -> tuple[str, str]:
        """The guide's instruction for the customer, and the operator's wording when it differs."""
        languages = self.languages
        customer = languages.instruction(report.instruction)
        operator = languages.instruction(report.instruction, for_operator=True)
        return customer, operator if languages.languages_differ and operator != customer else ""

    def _accessible(self) -> None:
        self.setAccessibleName(translate("Preview", "Camera preview"))
        self.setAccessibleDescription(
            translate("Preview", "Live camera picture, or the captured picture with faces outlined.")
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the picture once, then the overlay; report a new live frame when it is painted."""
        self.paints += 1
        painter = QPainter(self)
        try:
            background = style.qcolor(style.PREVIEW_BACKGROUND)
            shown = self._current()
            display = self.display_rect()
            scaled = self._display_sized(shown, display) if shown is not None else None
            if scaled is not None:
                picture = QRect(round(display.x), round(display.y), scaled.width, scaled.height)
                # Only the letterbox bars: the picture covers the rest (a full fill cost 0.2 ms).
                for bar in _bars(self.rect(), picture):
                    painter.fillRect(bar, background)
                painter.drawImage(picture.x(), picture.y(), scaled.image)
            else:
                painter.fillRect(self.rect(), background)
            frozen = self._frozen
            if frozen is not None:
                paint_faces(
                    painter,
                    frozen.faces,
                    frozen.primary,
                    frozen.service_frame,
                    frozen.shown.width,
                    frozen.shown.height,
                    display,
                )
                paint_watermark(painter, display, self._watermark)
                text = self.status_text()
                paint_status_chip(painter, status_chip_rect(display, text), text)
            else:
                painter.drawImage(0, 0, self._overlay_layer(display, shown))
        finally:
            painter.end()
        if self._frozen is None and self._pending_seq is not None:
            seq, self._pending_seq = self._pending_seq, None
            self._count_frame()
            self.frame_painted.emit(seq)

    def live_overlay(self, display: Rect, shown: WrappedFrame | None) -> LiveOverlay:
        """What is drawn over the live picture now, as words and numbers."""
        customer = self.languages.customer_text
        guide = None
        # The guide waits behind the consent notice: nothing is captured before the customer agrees.
        if self._guidance is not None and shown is not None and self._notice is None:
            text, second = self.guide_texts(self._guidance)
            self.last_guide_text = text
            guide = GuideWords(self._guidance.ready, text, second)
        notice = None if self._notice is None else (*self._notice, customer("Consent", NOTICE_TITLE))
        progress = self._capture_progress
        return LiveOverlay(
            widget=(self.width(), self.height()),
            ratio=self.devicePixelRatioF(),
            theme=style.theme(),
            font=QGuiApplication.font().key(),
            display=display,
            picture=None if shown is None else self._picture_size(),
            guide=guide,
            notice=notice,
            ring=None if progress is None else (progress, customer("Consent", RING_TEXT)),
            watermark=self._watermark,
            chip=self.status_text(),
        )

    def _overlay_layer(self, display: Rect, shown: WrappedFrame | None) -> QImage:
        """The live overlay's layer: rendered again only when what it draws has changed."""
        overlay = self.live_overlay(display, shown)
        if overlay != self._overlay or self._layer is None:
            self._overlay, self._layer = overlay, overlay.render()
            self.overlays_rendered += 1
        return self._layer

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._accessible()
            self.update()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._watch_window()
        self._sync_timer()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The top-level window minimised or restored, exposed or covered: poll and paint only
        while the picture can be seen."""
        if event.type() in (
            QEvent.Type.WindowStateChange,
            QEvent.Type.Expose,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            QTimer.singleShot(0, self, self._sync_timer)  # after Qt has updated the window's state
        return False

    def _watch_window(self) -> None:
        window = self.window()
        handle = window.windowHandle()
        for target in (window, handle):
            if target is not None and target is not self and not any(t is target for t in self._watched):
                target.installEventFilter(self)
                self._watched.append(target)

    def _changed(self) -> None:
        """Something drawn changed: repaint, or remember to once the window is on screen again."""
        if self.on_screen:
            self.update()
        else:
            self._dirty_offscreen = True

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timer()

    def _display_sized(self, shown: WrappedFrame, display: Rect) -> WrappedFrame | None:
        wanted = (round(display.width), round(display.height))
        cached = self._scaled
        if cached is None or (cached.width, cached.height) != wanted:
            cached = self._scaled = _scaled(shown, display)
            self.resizes += cached is not None
        if self._frozen is None:
            # The next frames come at this size from the camera (copied in the screen's pixels
            # there too, but for an empty counter's: see see_counter).
            self._ask_preview_size(wanted, copies=not self._empty_counter)
        return cached

    def _ask_preview_size(self, size: tuple[int, int] | None, copies: bool = True) -> None:
        frames = self._frames
        asked = None if size is None else (size, copies)
        if frames is not None and asked != self._asked_size:
            self._asked_size = asked
            frames.request_preview_size(size, copies)

    def _newest(
        self, source: LatestFrame
    ) -> tuple[int, BGRImage, ScreenImage | None, FullPicture | None] | None:
        """The newest frame, with its preview-size copy when the camera's slot makes one, and how
        to make it at full resolution when a two-size camera delivered it smaller."""
        if self._frames is not None:
            frame = self._frames.latest()
            return None if frame is None else (frame.seq, frame.image, frame.preview, frame.full)
        newest = source()
        return None if newest is None else (newest[0], newest[1], None, None)

    def _current(self) -> WrappedFrame | None:
        return self._frozen.shown if self._frozen is not None else self._live

    def _sync_timer(self) -> None:
        """Poll only while there is a source, the picture is live and the widget is on screen."""
        # A window shown but not yet exposed (just shown, or covered) keeps the timer, whose poll
        # then paints nothing: the Expose that follows brings the picture back.
        wanted = self._source is not None and self._frozen is None and self._shown()
        if wanted and not self._timer.isActive():
            self._timer.start()
        elif not wanted and self._timer.isActive():
            self._timer.stop()
        if self._dirty_offscreen and self.on_screen:
            self._dirty_offscreen = False
            self.update()
        if wanted:
            self._poll()  # a frame already waiting (the camera opened early) is shown at once

    def _poll(self) -> None:
        source = self._source
        if source is None or self._frozen is not None:
            return
        if not self.on_screen:
            return  # covered: take no frame (the newest is taken when the window is exposed again)
        try:
            newest = self._newest(source)
            if newest is None or newest[0] == self._live_seq:
                self._refresh_if_stale()
                return
            seq, array, small, full = newest
            self._live_seq = seq  # a frame that cannot be shown is not retried 60 times a second
            shown = wrap_bgr(array)
            sized = wrap_screen(small) if small is not None else None
        except Exception:
            # A bad frame or a camera glitch must not kill the preview timer. Logged once per
            # run of failures, not at 60 Hz.
            if not self._failing:
                _log.exception("the newest camera frame cannot be shown")
            self._failing = True
            return
        self._failing = False
        self._live, self._live_frame_seq, self._pending_seq = shown, seq, seq
        self._live_full = full
        self._scaled = sized  # used if it is the display's size (checked when painting)
        self._shown_stale = False
        self._changed()

    def _refresh_if_stale(self) -> None:
        """Repaint once when the camera stalls, so the chip stops showing the old fps."""
        if not self._shown_stale and self.fps == 0.0:
            self._shown_stale = True
            self._changed()

    def _count_frame(self) -> None:
        now = time.monotonic()
        painted = self._painted_at
        if painted and now - painted[-1] > _STALE_AFTER_S:
            painted.clear()  # after a stall, start measuring afresh
        painted.append(now)
        while now - painted[0] > _FPS_WINDOW_S:
            painted.popleft()
        self._frames_painted += 1
