"""Where pictures come from: a USB camera, an IP camera stream, a video file or a still image.

Why several sources behind one small protocol: a branch station uses a USB webcam or an IP camera,
but the demo mode, the headless benchmark, the CLI self-test and the test suite need pictures on
machines with no camera at all. The capture worker only knows :class:`FrameSource`, so every source
gets the same reconnect logic and the same latest-frame slot.

Contract for implementations:

* The constructor does no I/O (so building a source from settings never blocks or fails on
  hardware); :meth:`FrameSource.open` does, and raises :class:`CameraError` with a message an
  operator can read.
* :meth:`FrameSource.read` blocks until the next picture (a device or stream blocks on the
  hardware; files and stills pace themselves at their frame rate) and returns a *new* BGR uint8
  array every call, or raises :class:`CameraError`.
* All methods are called from one thread (the capture worker); sources are not thread-safe.
* A source that can make its pictures at any size (:class:`TwoSizeSource`) also has
  :meth:`TwoSizeSource.read_at`: the next picture at the preview's size, with the means to make
  that same picture at full resolution (from any thread) for a capture. A still picture does;
  webcams, streams and video files do not (OpenCV's capture gives one size, the stream's).

OpenCV facts this relies on (see /work/shared/ECOSYSTEM.md): Windows opens cameras with Media
Foundation first and DirectShow as a fallback; OpenCV cannot list cameras by name, so
``cv2-enumerate-cameras`` maps a name to the index *of that backend*; the open/read timeouts are
only honoured by the FFmpeg (and GStreamer) backends, and a backend without parameter support
refuses to open at all when given them in the constructor, so devices get them only as a
best-effort ``set()`` after opening.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from station.camera.frames import BGRImage, FullPicture
from station.core.pixels import PictureError, decode_picture
from station.resources import sample_path
from station.security.urls import mask_url_credentials
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "CameraError",
    "CameraRefusedError",
    "DeviceSource",
    "FramePacer",
    "FrameSource",
    "SourceExhaustedError",
    "StillImageSource",
    "StreamSource",
    "TwoSizeSource",
    "VideoFileSource",
    "list_devices",
    "parse_source",
]

_log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset(
    {".avi", ".mp4", ".m4v", ".mkv", ".mov", ".webm", ".wmv", ".mpg", ".mpeg", ".mjpeg", ".mjpg"}
)
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"})
_STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")

_MIN_FPS = 1.0
_MAX_FPS = 240.0
_DEFAULT_FPS = 30.0


class CameraError(Exception):
    """A camera or picture source cannot be opened or stopped delivering pictures.

    ``str(error)`` is a plain sentence meant for the operator and the audit journal.
    """


class SourceExhaustedError(CameraError):
    """A finite source (a video file played once) has no more pictures; not a fault."""


class CameraRefusedError(CameraError):
    """Machine policy refuses this camera (virtual, or not one of the bank's approved cameras):
    it is never opened and never retried; ``str(error)`` says which camera and why."""


@runtime_checkable
class FrameSource(Protocol):
    """Anything the capture worker can read pictures from. See the module docstring."""

    @property
    def description(self) -> str:
        """Short human description, e.g. ``"Camera 0 (Integrated Webcam)"``; never a password."""
        ...

    @property
    def nominal_fps(self) -> float:
        """Frame rate the source claims (valid after :meth:`open`); 30 when it does not say."""
        ...

    def open(self) -> None:
        """Acquire the camera/file/stream; raise :class:`CameraError` if it is not available."""
        ...

    def read(self) -> BGRImage:
        """Block for the next picture and return it as a new BGR uint8 HxWx3 array."""
        ...

    def close(self) -> None:
        """Release the camera/file/stream. Safe to call twice or when never opened."""
        ...


@runtime_checkable
class TwoSizeSource(FrameSource, Protocol):
    """A source that makes its pictures at the size asked, and the same picture at full
    resolution only when a capture needs it (issue 27)."""

    def read_at(self, size: tuple[int, int]) -> tuple[BGRImage, FullPicture | None]:
        """Block for the next picture and return it at ``size`` (width, height; the source's own
        aspect is the caller's business), with how to make it at full resolution; ``(full
        picture, None)`` when ``size`` is not smaller than the full resolution."""
        ...


# --------------------------------------------------------------------------------------------
# helpers


def _sane_fps(value: float, fallback: float = _DEFAULT_FPS) -> float:
    """Files and drivers report 0, NaN or 90000 for "unknown": clamp to something usable."""
    if not math.isfinite(value) or value < _MIN_FPS or value > _MAX_FPS:
        return fallback
    return float(value)


def _as_bgr(image: Any) -> BGRImage:
    """Make whatever a backend returned a BGR uint8 HxWx3 C-contiguous array."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise CameraError("The camera sent an empty picture.")
    if image.dtype != np.uint8:
        raise CameraError(f"The camera sent pictures in an unsupported format ({image.dtype}).")
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.ndim != 3 or image.shape[2] != 3:
        raise CameraError(f"The camera sent pictures with an unsupported shape {image.shape}.")
    out: BGRImage = np.ascontiguousarray(image)
    return out


def _release(cap: Any) -> None:
    if cap is not None:
        try:
            cap.release()
        except cv2.error:  # pragma: no cover - backend-specific
            _log.debug("release() failed", exc_info=True)


class FramePacer:
    """Deadline clock: frame *n* is due at ``start + n / fps``, so sleeps do not accumulate drift.

    When the reader falls more than a few frames behind (a stall, a debugger) the clock restarts
    from now instead of bursting to catch up.
    """

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._next: float | None = None

    def reset(self) -> None:
        self._next = None

    def wait(self) -> None:
        now = time.monotonic()
        if self._next is None:
            self._next = now
        delay = self._next - now
        if delay > 0:
            time.sleep(delay)
        elif delay < -4 * self.period:
            self._next = now
        self._next += self.period


def _backend_name(api: int) -> str:
    try:
        return str(cv2.videoio_registry.getBackendName(api))
    except cv2.error:  # pragma: no cover - unknown id
        return str(api)


def _device_backends() -> tuple[int, ...]:
    """Backends to try for a local camera, best first."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        # MSMF first (the slow-open variable is set in station/__init__.py), DirectShow fallback.
        return (cv2.CAP_MSMF, cv2.CAP_DSHOW)
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return (cv2.CAP_AVFOUNDATION, cv2.CAP_ANY)
    return (cv2.CAP_V4L2, cv2.CAP_ANY)


def _enumerate(api: int) -> list[tuple[int, str]]:
    """Cameras ``cv2-enumerate-cameras`` sees for one backend, as (backend index, name)."""
    from cv2_enumerate_cameras import enumerate_cameras, supported_backends

    if api not in supported_backends:
        return []
    return [(int(cam.index), str(cam.name)) for cam in enumerate_cameras(api)]


def list_devices() -> list[tuple[int, str]]:
    """Local cameras as ``(index, name)``, for a settings drop-down. Empty if none or unknown.

    The index is the one :class:`DeviceSource` opens with the platform's preferred backend.
    Enumeration problems (missing native helper, permissions) give an empty list, never raise.
    """
    for api in _device_backends():
        try:
            cameras = _enumerate(api)
        except Exception:  # a broken enumerator must not break the settings screen
            _log.warning("camera enumeration failed for backend %s", api, exc_info=True)
            continue
        if cameras:
            return sorted(cameras)
    return []


# --------------------------------------------------------------------------------------------
# sources


class DeviceSource:
    """A local camera (USB webcam, built-in camera), chosen by index or by (part of) its name.

    ``index_or_name`` as an ``int`` is the OpenCV index; as a ``str`` it is matched
    case-insensitively as a substring of the names the OS reports (``"C920"`` finds
    ``"HD Pro Webcam C920"``), which survives cameras being re-plugged in another order.
    """

    def __init__(
        self,
        index_or_name: int | str,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        read_timeout: float = 5.0,
        backends: tuple[int, ...] | None = None,
    ) -> None:
        if isinstance(index_or_name, str):
            index_or_name = index_or_name.strip()
            if not index_or_name:
                raise ValueError("a camera name must not be empty")
        elif index_or_name < 0:
            raise ValueError(f"a camera index must be 0 or more, got {index_or_name}")
        self._wanted = index_or_name
        self._width = width
        self._height = height
        self._fps = float(fps)
        self._read_timeout_ms = round(read_timeout * 1000)
        self._backends = backends if backends is not None else _device_backends()
        self._cap: Any = None
        self._description = (
            f"Camera {index_or_name}" if isinstance(index_or_name, int) else f"Camera '{index_or_name}'"
        )
        self._nominal_fps = self._fps

    @property
    def description(self) -> str:
        return self._description

    @property
    def nominal_fps(self) -> float:
        return self._nominal_fps

    def _resolve(self, api: int) -> tuple[int, str | None]:
        """(index for ``api``, OS name if known). Raises CameraError if a name is not found."""
        wanted = self._wanted
        if isinstance(wanted, int):
            name = None
            try:
                name = dict(_enumerate(api)).get(wanted)
            except Exception:
                _log.debug("enumeration failed", exc_info=True)
            return wanted, name
        seen: list[str] = []
        from cv2_enumerate_cameras import supported_backends

        apis = [api] if api in supported_backends else list(supported_backends)
        for enum_api in apis:
            try:
                cameras = _enumerate(enum_api)
            except Exception:
                _log.warning("camera enumeration failed", exc_info=True)
                continue
            for index, name in cameras:
                seen.append(name)
                if wanted.lower() in name.lower():
                    return index, name
        connected = f"connected: {', '.join(sorted(set(seen)))}" if seen else "no cameras found"
        raise CameraError(f"No camera named '{wanted}' is connected ({connected}).")

    def open(self) -> None:
        self.close()
        problems: list[str] = []
        for api in self._backends:
            try:
                index, name = self._resolve(api)
            except CameraError as exc:
                problems.append(str(exc))
                continue
            try:
                cap = cv2.VideoCapture(index, api)
            except cv2.error as exc:  # pragma: no cover - backend-specific
                problems.append(f"{_backend_name(api)}: {exc}")
                continue
            if not cap.isOpened():
                _release(cap)
                problems.append(f"{_backend_name(api)} could not open camera {index}")
                continue
            self._configure(cap)
            self._cap = cap
            label = f"Camera {index}" + (f" ({name})" if name else "")
            self._description = f"{label} via {cap.getBackendName()}"
            self._nominal_fps = _sane_fps(cap.get(cv2.CAP_PROP_FPS), self._fps)
            return
        what = (
            f"camera number {self._wanted}" if isinstance(self._wanted, int) else f"camera '{self._wanted}'"
        )
        name_problem = next((p for p in problems if p.startswith("No camera named")), None)
        if name_problem is not None:
            raise CameraError(name_problem + " Check that it is plugged in.")
        raise CameraError(
            f"Could not open {what}. Check that it is plugged in and not used by another "
            f"program. ({'; '.join(problems)})"
        )

    def _configure(self, cap: Any) -> None:
        # Order matters for some drivers: size and rate after open, then a one-frame buffer so a
        # slow consumer never gets stale pictures. Every set() is best effort: unsupported
        # properties return False and the camera keeps its own setting.
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        cap.set(cv2.CAP_PROP_FPS, self._fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._read_timeout_ms)

    def read(self) -> BGRImage:
        if self._cap is None:
            raise CameraError("The camera is not open.")
        try:
            ok, image = self._cap.read()
        except cv2.error as exc:
            raise CameraError(f"The camera stopped sending pictures ({exc}).") from exc
        if not ok or image is None:
            raise CameraError("The camera stopped sending pictures (unplugged or in use?).")
        return _as_bgr(image)

    def close(self) -> None:
        cap, self._cap = self._cap, None
        _release(cap)


class VideoFileSource:
    """A recorded video played at its own frame rate, looping by default (demo, tests, bench)."""

    def __init__(self, path: str | Path, loop: bool = True) -> None:
        self._path = Path(path)
        self._loop = loop
        self._cap: Any = None
        self._nominal_fps = _DEFAULT_FPS
        self._pacer = FramePacer(_DEFAULT_FPS)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def description(self) -> str:
        return f"Video file {self._path.name}"

    @property
    def nominal_fps(self) -> float:
        return self._nominal_fps

    def _capture(self) -> Any:
        if not self._path.is_file():
            raise CameraError(f"Video file not found: {self._path}")
        try:
            cap = cv2.VideoCapture(str(self._path))
        except cv2.error as exc:  # pragma: no cover - backend-specific
            raise CameraError(f"Could not open video file {self._path}: {exc}") from exc
        if not cap.isOpened():
            _release(cap)
            raise CameraError(f"Could not open video file {self._path} (unsupported format?).")
        return cap

    def open(self) -> None:
        self.close()
        self._cap = self._capture()
        self._nominal_fps = _sane_fps(self._cap.get(cv2.CAP_PROP_FPS))
        self._pacer = FramePacer(self._nominal_fps)

    def _grab(self) -> Any:
        try:
            ok, image = self._cap.read()
        except cv2.error:
            return None
        return image if ok else None

    def read(self) -> BGRImage:
        if self._cap is None:
            raise CameraError("The video file is not open.")
        self._pacer.wait()
        image = self._grab()
        if image is None:
            if not self._loop:
                raise SourceExhaustedError(
                    Phrase(
                        QT_TRANSLATE_NOOP("Camera", "The video file {name} has ended."), name=self._path.name
                    )
                )
            # End of file (or a damaged tail): rewind; if the container cannot seek, re-open.
            rewound = False
            try:
                rewound = bool(self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0))
            except cv2.error:
                rewound = False
            image = self._grab() if rewound else None
            if image is None:
                _release(self._cap)
                self._cap = None
                self._cap = self._capture()
                image = self._grab()
            if image is None:
                raise CameraError(f"Could not read any picture from video file {self._path}.")
        return _as_bgr(image)

    def close(self) -> None:
        cap, self._cap = self._cap, None
        _release(cap)
        self._pacer.reset()


class StillImageSource:
    """A still picture made to look live: a slow, small sway and breathing-like zoom.

    Why: the demo mode and the self-test need a camera-like source without hardware, and a
    perfectly frozen preview looks broken to an operator. The motion is smooth (sinusoids of
    a few seconds period, about 1.5 % of the picture), so face detection keeps working; a little
    sensor-like noise can be added. Output keeps the still's own size.
    """

    def __init__(
        self,
        path: str | Path,
        fps: float = 30.0,
        *,
        motion: float = 1.0,
        noise: float = 0.0,
    ) -> None:
        self._path = Path(path)
        self._fps = _sane_fps(float(fps))
        self._motion = float(motion)
        self._noise = float(noise)
        self._still: BGRImage | None = None
        self._pacer = FramePacer(self._fps)
        self._index = 0
        # Made with the first noisy frame: numpy.random is not imported before the first frame.
        self._rng: np.random.Generator | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def description(self) -> str:
        return f"Still image {self._path.name}"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    def open(self) -> None:
        self.close()
        if not self._path.is_file():
            raise CameraError(f"Image file not found: {self._path}")
        # Bytes, then decode, instead of imread: imread cannot open non-ASCII paths on Windows, and
        # decode_picture checks the declared size before a pixel is decoded.
        try:
            image = decode_picture(self._path.read_bytes())
        except (OSError, PictureError) as exc:
            raise CameraError(f"Could not read image file {self._path}: {exc}") from exc
        self._still = _as_bgr(image)
        self._index = 0

    def _transform(self, t: float, width: int, height: int) -> np.ndarray:
        amp = 0.015 * self._motion * min(width, height)
        dx = amp * math.sin(2 * math.pi * t / 4.1)
        dy = 0.6 * amp * math.sin(2 * math.pi * t / 3.3 + 1.0)
        scale = 1.0 + 0.015 * self._motion * math.sin(2 * math.pi * t / 5.7)
        angle = 0.6 * self._motion * math.sin(2 * math.pi * t / 6.9)
        matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, scale)
        matrix[0, 2] += dx
        matrix[1, 2] += dy
        return matrix

    def read(self) -> BGRImage:
        still = self._next()
        return self._render(still, self._index - 1, None, self._noise_maker())

    def read_at(self, size: tuple[int, int]) -> tuple[BGRImage, FullPicture | None]:
        """The next picture made at ``size`` directly (one warp from the still, no second resize),
        and the same moment of the sway at the still's size for a capture."""
        still = self._next()
        index = self._index - 1
        height, width = still.shape[:2]
        if size[0] >= width or size[1] >= height:
            return self._render(still, index, None, self._noise_maker()), None

        # Made on another thread (the capture's): a generator of its own for the noise.
        def make() -> BGRImage:
            return self._render(still, index, None, self._noise_maker(own=True))

        full = FullPicture((width, height), make)
        return self._render(still, index, size, self._noise_maker()), full

    def _next(self) -> BGRImage:
        still = self._still
        if still is None:
            raise CameraError("The image source is not open.")
        self._pacer.wait()
        self._index += 1
        return still

    def _noise_maker(self, *, own: bool = False) -> np.random.Generator | None:
        """The generator of the sensor noise (None without noise); ``own``: a new one, for a frame
        made on another thread."""
        if self._noise <= 0:
            return None
        if own:
            return np.random.default_rng()
        if self._rng is None:
            self._rng = np.random.default_rng()
        return self._rng

    def _render(
        self, still: BGRImage, index: int, size: tuple[int, int] | None, rng: np.random.Generator | None
    ) -> BGRImage:
        """Frame ``index`` of the sway, at ``size`` (None: the still's own)."""
        height, width = still.shape[:2]
        out = (width, height) if size is None else size
        t = index / self._fps
        if self._motion or out != (width, height):
            matrix = self._transform(t, width, height) if self._motion else np.eye(2, 3)
            # The sway in the still's pixels, then scaled to the size asked: one warp does both.
            matrix = np.diag([out[0] / width, out[1] / height]) @ matrix
            frame = cv2.warpAffine(
                still, matrix, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
            )
        else:
            frame = still.copy()
        if rng is not None:
            noise = np.asarray(rng.normal(0.0, self._noise, size=frame.shape), dtype=np.int16)
            frame = cv2.add(frame, noise, dtype=cv2.CV_8U)
        return _as_bgr(frame)

    def close(self) -> None:
        self._still = None
        self._pacer.reset()


class StreamSource:
    """An IP camera: RTSP or HTTP MJPEG through OpenCV's FFmpeg backend, with timeouts.

    The timeouts matter: without them a dead camera makes FFmpeg wait ~30 s on open and forever
    on read, and the worker could neither report the loss nor stop promptly.
    """

    def __init__(self, url: str, *, open_timeout: float = 5.0, read_timeout: float = 5.0) -> None:
        if not url.lower().startswith(_STREAM_SCHEMES):
            raise ValueError(f"not a stream address (rtsp://, http:// or https://): {url!r}")
        self._url = url
        self._open_timeout_ms = round(open_timeout * 1000)
        self._read_timeout_ms = round(read_timeout * 1000)
        self._cap: Any = None
        self._nominal_fps = _DEFAULT_FPS

    @property
    def description(self) -> str:
        return f"Stream {mask_url_credentials(self._url)}"

    @property
    def nominal_fps(self) -> float:
        return self._nominal_fps

    def open(self) -> None:
        self.close()
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            self._open_timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            self._read_timeout_ms,
        ]
        where = mask_url_credentials(self._url)
        try:
            cap = cv2.VideoCapture(self._url, cv2.CAP_FFMPEG, params)
        except cv2.error as exc:  # pragma: no cover - backend-specific
            raise CameraError(f"Could not connect to the camera at {where}: {exc}") from exc
        if not cap.isOpened():
            _release(cap)
            raise CameraError(
                f"Could not connect to the camera at {where}. Check the address and the network."
            )
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # ignored by FFmpeg, honoured by some backends
        self._cap = cap
        self._nominal_fps = _sane_fps(cap.get(cv2.CAP_PROP_FPS))

    def read(self) -> BGRImage:
        if self._cap is None:
            raise CameraError("The stream is not open.")
        try:
            ok, image = self._cap.read()
        except cv2.error as exc:
            raise CameraError(f"The network camera stopped sending pictures ({exc}).") from exc
        if not ok or image is None:
            raise CameraError("The network camera stopped sending pictures.")
        return _as_bgr(image)

    def close(self) -> None:
        cap, self._cap = self._cap, None
        _release(cap)


# --------------------------------------------------------------------------------------------
# settings string -> source

_SPEC_HELP = (
    "use 'demo', 'device:0', 'device:<camera name>', 'file:<video path>', "
    "'image:<picture path>', an rtsp:// or http(s):// address, or a path ending in a video or "
    "picture extension"
)


def _path_from(value: str) -> Path:
    if value.lower().startswith("file://"):
        import urllib.parse
        import urllib.request  # 28 ms, and only for file:// sources (issue 27)

        parts = urllib.parse.urlsplit(value)
        return Path(urllib.request.url2pathname(parts.path))
    return Path(value)


def parse_source(spec: str) -> FrameSource:
    """Turn a settings/CLI string into a source (no I/O happens here; ``open()`` does it).

    ``"demo"`` is the bundled face still; ``"device:0"`` / ``"0"`` a camera index;
    ``"device:Logitech C920"`` a camera by name; ``"file:…"`` or ``*.mp4`` etc. a looping video;
    ``"image:…"`` or ``*.jpg`` etc. a still; ``rtsp://…`` / ``http(s)://…`` an IP camera.
    Raises ``ValueError`` with a message saying what is accepted.
    """
    text = spec.strip()
    if not text:
        raise ValueError(f"no camera given: {_SPEC_HELP}")
    lower = text.lower()
    if lower == "demo":
        return StillImageSource(sample_path("face.jpg"))
    if text.isdigit():
        return DeviceSource(int(text))
    if lower.startswith(_STREAM_SCHEMES):
        return StreamSource(text)
    prefix, sep, rest = text.partition(":")
    kind = prefix.strip().lower()
    # "C:\\clips\\a.mp4" is a Windows path, not a "c:" scheme: only known prefixes count.
    if sep and kind in {"device", "file", "image"}:
        value = rest.strip()
        if kind == "device":
            if not value:
                raise ValueError("'device:' needs a camera number or name, e.g. 'device:0'")
            return DeviceSource(int(value) if value.isdigit() else value)
        if kind == "file" and lower.startswith("file://"):
            value = text
        if not value:
            raise ValueError(f"'{kind}:' needs a path, e.g. '{kind}:/path/to/file'")
        path = _path_from(value)
        if kind == "image":
            return StillImageSource(path)
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            return StillImageSource(path)
        return VideoFileSource(path)
    suffix = Path(text).suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return VideoFileSource(Path(text))
    if suffix in IMAGE_EXTENSIONS:
        return StillImageSource(Path(text))
    raise ValueError(f"unknown camera source {spec!r}: {_SPEC_HELP}")


class SourceKind(StrEnum):
    """What kind of picture a source gives: only a device or a stream is a live camera."""

    DEVICE = "device"
    STREAM = "stream"
    VIDEO_FILE = "file"
    STILL_IMAGE = "image"

    @property
    def is_live(self) -> bool:
        return self in (SourceKind.DEVICE, SourceKind.STREAM)


def source_kind(source: FrameSource) -> SourceKind:
    if isinstance(source, DeviceSource):
        return SourceKind.DEVICE
    if isinstance(source, StreamSource):
        return SourceKind.STREAM
    if isinstance(source, VideoFileSource):
        return SourceKind.VIDEO_FILE
    return SourceKind.STILL_IMAGE


def describe_source(spec: str) -> tuple[SourceKind, str]:
    """The kind of the camera ``spec`` names and the label the journal records with every attempt
    (``device:Logitech C920``, ``stream:rtsp://***@10.0.0.9/``, ``image:face.jpg``): never a
    password, never a full local path."""
    source = parse_source(spec)
    kind = source_kind(source)
    if kind is SourceKind.STREAM:
        return kind, f"stream:{mask_url_credentials(spec.strip())}"
    if kind is SourceKind.DEVICE:
        return kind, f"device:{spec.strip().partition(':')[2] or spec.strip()}"
    if spec.strip().lower() == "demo":
        return kind, "demo"
    return kind, f"{kind.value}:{Path(spec.strip().partition(':')[2] or spec.strip()).name}"
