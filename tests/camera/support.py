"""Real test media for the camera suite: a generated video and a loopback MJPEG camera."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np

from station.camera import CameraState, CameraStatus, Frame

# Frame k of a generated video is filled with the value (k % 32) * STEP, so a frame can be identified
# after lossy JPEG compression by rounding its mean.
STEP = 8


def write_video(path: Path, frames: int = 30, fps: float = 60.0, size: tuple[int, int] = (320, 240)) -> Path:
    """Write a real MJPG .avi whose frame k is uniformly grey (k % 32) * STEP; returns it."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG/AVI here"
    for k in range(frames):
        writer.write(np.full((height, width, 3), (k % 32) * STEP, np.uint8))
    writer.release()
    return path


def frame_number(frame: Frame | np.ndarray) -> int:
    """Which generated frame this is, modulo 32 (see :data:`STEP`)."""
    image = frame.image if isinstance(frame, Frame) else frame
    return round(float(image[..., 0].mean()) / STEP)


class StateRecorder:
    """An ``on_state`` callback that records statuses and lets a test wait for one.

    Waiting uses a Condition notified from the capture thread: no sleeps.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.statuses: list[CameraStatus] = []

    def __call__(self, status: CameraStatus) -> None:
        with self._cond:
            self.statuses.append(status)
            self._cond.notify_all()

    def states(self) -> list[CameraState]:
        """The states seen, consecutive repeats (fps updates) collapsed."""
        with self._cond:
            out: list[CameraState] = []
            for status in self.statuses:
                if not out or out[-1] is not status.state:
                    out.append(status.state)
            return out

    def wait_for(self, predicate: Callable[[list[CameraStatus]], bool], timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.statuses), timeout=timeout)

    def wait_for_state(self, state: CameraState, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait until ``state`` has been entered ``count`` times in total."""
        return self.wait_for(lambda _s: self.states().count(state) >= count, timeout)


class MjpegCamera:
    """A tiny IP camera on 127.0.0.1: HTTP multipart/x-mixed-replace JPEG, like branch cameras.

    ``stop()`` drops every client connection and closes the port; ``start()`` serves again on the
    *same* port, as a rebooted camera would.
    """

    def __init__(self, size: tuple[int, int] = (320, 240), fps: float = 100.0) -> None:
        self.size = size
        self.period = 1.0 / fps
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._clients = 0
        self._clients_cond = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/video.mjpg"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with camera._clients_cond:
                    camera._clients += 1
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    width, height = camera.size
                    k = 0
                    # The pause between frames is the camera's frame clock, not test synchronisation.
                    while not camera._halt.wait(camera.period):
                        image = np.full((height, width, 3), (k % 30) * STEP, np.uint8)
                        ok, jpeg = cv2.imencode(".jpg", image)
                        assert ok
                        data = jpeg.tobytes()
                        self.wfile.write(
                            b"--frame\r\nContent-Type: image/jpeg\r\n"
                            + f"Content-Length: {len(data)}\r\n\r\n".encode()
                            + data
                            + b"\r\n"
                        )
                        k += 1
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with camera._clients_cond:
                        camera._clients -= 1
                        camera._clients_cond.notify_all()

        return Handler

    def start(self) -> None:
        self._halt.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="mjpeg-camera", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Unplug: stop accepting, end every stream, wait until all clients are disconnected."""
        self._halt.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        with self._clients_cond:
            assert self._clients_cond.wait_for(lambda: self._clients == 0, timeout=5.0)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody is listening on (for a camera that is never there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
