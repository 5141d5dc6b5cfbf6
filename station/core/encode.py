"""A captured frame to the bytes the service receives.

JPEG at quality 90 by default: a 1080p face frame comes to a few hundred kB, small enough to
upload in well under a second on a branch line, while keeping the skin texture and moiré that a
liveness model looks at (lower qualities smear exactly the detail that separates a face from a
print or a screen). The benchmark reports the measured size.

**Two bands on two cores.** libjpeg-turbo encodes an image on one core: 4.2 ms for a 1080p frame
on the bench machine, the largest part of a verification's own time. So a frame tall enough is
encoded as two JPEGs at once — its top band on the caller's thread, the rest on a band worker —
both with a restart marker after every row of MCUs, and the rest's entropy-coded data is appended
to the top's after the restart marker the whole image has there. A restart resets the DC
predictors and flushes the bit buffer, so each row of MCUs is coded without the rows before it:
the result is byte for byte the JPEG OpenCV writes for the whole frame with the same restart
interval (the tests compare the bytes), a baseline JPEG every decoder reads. The top band is a
multiple of eight MCU rows, so the markers (RST0-RST7, cycling) keep their numbers. Should the
encoder ever lay a JPEG out otherwise, the whole frame is encoded in one pass instead.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np

__all__ = ["DEFAULT_JPEG_QUALITY", "EncodeError", "band_split", "encode_jpeg"]

DEFAULT_JPEG_QUALITY = 90

_log = logging.getLogger(__name__)

#: The band worker's thread name.
BAND_THREAD: Final = "jpeg-band"

_SOI, _EOI, _SOS, _DRI = 0xD8, 0xD9, 0xDA, 0xDD
#: Start-of-frame markers (all but DHT, JPG and DAC in C0-CF): only C0 and C1 are stitched.
_FRAME_MARKERS: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_RST0: Final = 0xD0


class EncodeError(ValueError):
    """The frame could not be encoded (empty, wrong shape or type)."""


class _LayoutError(Exception):
    """A band's JPEG is not laid out as the stitch expects: encode in one pass."""


def encode_jpeg(frame: np.ndarray, quality: int = DEFAULT_JPEG_QUALITY) -> bytes:
    """Encode a BGR (or grey) uint8 frame as a baseline JPEG with a restart marker after each row
    of MCUs (other layouts: as OpenCV writes them). Runs off the UI thread; OpenCV releases the GIL."""
    if not 1 <= quality <= 100:
        raise EncodeError(f"JPEG quality must be 1..100, got {quality}")
    if frame.size == 0 or frame.dtype != np.uint8 or frame.ndim not in (2, 3):
        raise EncodeError(f"not an 8-bit image: shape {frame.shape}, type {frame.dtype}")
    channels = 1 if frame.ndim == 2 else frame.shape[2]
    params = _params(quality, frame.shape[1], channels)
    split = band_split(frame.shape[0], channels)
    if split is not None:
        try:
            return _in_two_bands(frame, split, channels, params)
        except _LayoutError as exc:
            _log.warning("the JPEG is encoded in one pass: %s", exc)
    return _imencode(frame, params)


def _mcu_size(channels: int) -> int:
    """Pixels per MCU side: 16 for colour at 4:2:0, 8 for grey."""
    return 16 if channels == 3 else 8


def _mcus_per_row(width: int, channels: int) -> int:
    """The restart interval: one row of MCUs."""
    return -(-width // _mcu_size(channels))


def band_split(height: int, channels: int) -> int | None:
    """The row where the second band starts (the multiple of eight MCU rows nearest the middle),
    or None when the frame is encoded in one pass (under 256 rows of colour or 128 of grey, or
    neither grey nor 3-channel colour)."""
    if channels not in (1, 3):
        return None
    unit = _mcu_size(channels) * 8
    if height < 2 * unit:  # a small frame takes well under a millisecond in one pass
        return None
    return max(unit, round(height / 2 / unit) * unit)


def _params(quality: int, width: int, channels: int) -> list[int]:
    import cv2  # here, not at the top: settings import DEFAULT_JPEG_QUALITY without paying for OpenCV

    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    if channels not in (1, 3):  # never split (band_split): OpenCV's own layout
        return params
    params += [cv2.IMWRITE_JPEG_RST_INTERVAL, _mcus_per_row(width, channels)]
    if channels == 3:  # pinned, so the MCU is 16x16 whatever OpenCV's default becomes
        params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420]
    return params


def _imencode(image: np.ndarray, params: list[int]) -> bytes:
    import cv2

    ok, buffer = cv2.imencode(".jpg", image, params)
    if not ok:
        raise EncodeError("OpenCV could not encode the frame")
    return bytes(buffer.tobytes())


_worker: ThreadPoolExecutor | None = None
_worker_lock = threading.Lock()


def _band_worker() -> ThreadPoolExecutor:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=BAND_THREAD)
        return _worker


def _in_two_bands(frame: np.ndarray, split: int, channels: int, params: list[int]) -> bytes:
    rest = _band_worker().submit(_imencode, frame[split:], params)
    top = _imencode(frame[:split], params)
    bottom = rest.result()
    height = frame.shape[0]
    interval = _mcus_per_row(frame.shape[1], channels)
    header, top_scan, height_at = _band(top, split, interval)
    _, bottom_scan, _ = _band(bottom, height - split, interval)
    marker = bytes((0xFF, _RST0 + (split // _mcu_size(channels) - 1) % 8))
    whole_header = header[:height_at] + height.to_bytes(2, "big") + header[height_at + 2 :]
    return b"".join((whole_header, top_scan, marker, bottom_scan, bytes((0xFF, _EOI))))


def _band(jpeg: bytes, height: int, interval: int) -> tuple[bytes, bytes, int]:
    """A band's header (SOI up to SOS), its entropy-coded data (up to EOI) and where its header
    gives its height, after checking it is a sequential Huffman JPEG of ``height`` rows with a
    restart marker every ``interval`` MCUs."""
    if jpeg[:2] != bytes((0xFF, _SOI)) or jpeg[-2:] != bytes((0xFF, _EOI)):
        raise _LayoutError("no SOI or EOI")
    frames: list[int] = []
    restart: int | None = None
    height_at = at = 2
    while True:
        if at + 4 > len(jpeg) or jpeg[at] != 0xFF:
            raise _LayoutError(f"no segment at byte {at}")
        marker, length = jpeg[at + 1], int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if marker in _FRAME_MARKERS:
            frames.append(marker)
            if int.from_bytes(jpeg[at + 5 : at + 7], "big") != height:
                raise _LayoutError("the frame header does not give the band's height")
            height_at = at + 5
        elif marker == _DRI:
            restart = int.from_bytes(jpeg[at + 4 : at + 6], "big")
        at += 2 + length
        if marker == _SOS:
            break
    if frames not in ([0xC0], [0xC1]) or restart != interval:
        raise _LayoutError(f"not a sequential JPEG restarting every {interval} MCUs")
    return jpeg[:at], jpeg[at:-2], height_at
