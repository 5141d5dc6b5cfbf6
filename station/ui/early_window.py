"""The camera's picture on screen before the station is built (issue 27: show a real first frame
as early as it exists).

:func:`station.launch.run_gui` opens the camera early, then shows this window with the live
picture and waits (on signals, up to a bound) for its first painted frame; only then does it
import and build the rest of the station (service client, journal, desk, emulator), which the
first frame does not need. When the station's own window is on screen,
:meth:`EarlyPreview.hand_over` lets go of the camera and closes this one. Nothing here can verify,
capture or record: it only shows what the camera sees, as the station's preview will.
"""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from station.ui.camera_feed import CameraFeed
from station.ui.languages import Languages
from station.ui.preview import PreviewWidget

__all__ = ["FIRST_FRAME_WAIT_S", "EarlyPreview", "show_early_preview"]

#: How long the start waits for the camera's first painted frame before building the station
#: anyway (a webcam can take seconds to open; the station is then built while it opens).
FIRST_FRAME_WAIT_S = 1.0


class EarlyPreview(QWidget):
    """A plain window with the live picture, shown while the station is built."""

    def __init__(self, camera: CameraFeed, *, languages: Languages | None = None) -> None:
        super().__init__()
        # Closing it (hand-over, or the operator) never ends the application.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.preview = PreviewWidget(self, languages=languages)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        self.camera = camera
        self.preview.attach_source(camera.latest, camera.slot)
        #: The camera sequence number of the first painted frame (None until then).
        self.first_frame_seq: int | None = None
        self.preview.frame_painted.connect(self._painted)

    def _painted(self, seq: int) -> None:
        if self.first_frame_seq is None:
            self.first_frame_seq = seq

    def wait_for_first_frame(self, timeout_s: float = FIRST_FRAME_WAIT_S) -> bool:
        """Run Qt's events until the first live frame is painted or ``timeout_s`` has passed
        (True if it was painted). Called before the asyncio loop runs, on the UI thread."""
        if self.first_frame_seq is not None:
            return True
        waiting = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(waiting.quit)
        self.preview.frame_painted.connect(waiting.quit)
        timer.start(round(timeout_s * 1000))
        waiting.exec()
        timer.stop()
        self.preview.frame_painted.disconnect(waiting.quit)
        return self.first_frame_seq is not None

    def hand_over(self) -> None:
        """The station's window shows the camera now: stop polling it and close."""
        self.preview.detach_source()
        self.close()
        self.deleteLater()


def show_early_preview(
    camera: CameraFeed, *, languages: Languages | None = None, fullscreen: bool = False
) -> EarlyPreview:
    """Show the early window (full screen for a kiosk) at the size the station's window takes."""
    window = EarlyPreview(camera, languages=languages)
    if fullscreen:
        window.showFullScreen()
    else:
        window.showMaximized()
    return window
