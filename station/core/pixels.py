"""A picture's declared size, read from its header, and the one guarded way to decode it.

Why: a few hundred kilobytes of PNG can declare 20000 x 20000 pixels, and OpenCV allocates the
whole 1.2 GB frame before it looks at a single compressed byte (measured: 2.4 GB peak for one
``station analyse``, 8.6 GB for four emulator uploads at once). The header says how big the frame
will be, so every place that decodes a picture asks here first and refuses a picture over
:data:`MAX_PIXELS` without decoding it.

Only the formats the station accepts are read (JPEG, PNG, BMP, TIFF, WebP): a picture whose header
cannot be read is not decoded at all, because its size is then unknown. Pure byte parsing; OpenCV
is imported only by :func:`decode_picture`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from station.core.images import BGRImage

__all__ = [
    "MAX_PIXELS",
    "PictureError",
    "PictureSize",
    "PictureTooLargeError",
    "UndecodablePictureError",
    "UnknownPictureError",
    "check_pixels",
    "declared_size",
    "decode_picture",
]

#: 25 megapixels: twice a 12 Mpx phone photo and twelve 1080p frames, so no honest capture or
#: scan comes near it, while one decoded BGR frame stays at 75 MB: two analyses at once fit in
#: the emulator's 300 MB budget with room for everything else.
MAX_PIXELS = 25_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: JPEG start-of-frame markers (SOF0-SOF15 less DHT C4, JPG C8 and DAC CC): they carry the size.
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
#: JPEG markers that stand alone, with no length field after them.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})
_TIFF_WIDTH, _TIFF_LENGTH = 256, 257
_TIFF_SHORT, _TIFF_LONG = 3, 4


class PictureError(ValueError):
    """This picture is not decoded; the message says why in words for the operator."""


class UnknownPictureError(PictureError):
    """Not a JPEG, PNG, BMP, TIFF or WebP picture, or its header is damaged or cut short."""


class PictureTooLargeError(PictureError):
    """The header declares more pixels than the limit."""

    def __init__(self, size: PictureSize, limit: int) -> None:
        super().__init__(
            f"the picture declares {size.width}x{size.height} pixels ({size.pixels / 1e6:.1f} megapixels); "
            f"the limit is {limit / 1e6:g} megapixels"
        )
        self.size = size
        self.limit = limit


class UndecodablePictureError(PictureError):
    """The header was fine but OpenCV could not decode the picture (damaged data)."""


@dataclass(frozen=True, slots=True)
class PictureSize:
    """What a header declares: the format's name and the frame's size in pixels."""

    kind: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def declared_size(data: bytes) -> PictureSize | None:
    """The size the header declares, or None if the format is unknown or the header unreadable."""
    try:
        if data.startswith(b"\xff\xd8\xff"):
            size = _jpeg(data)
        elif data.startswith(_PNG_SIGNATURE):
            size = _png(data)
        elif data.startswith(b"BM"):
            size = _bmp(data)
        elif data.startswith((b"II*\x00", b"MM\x00*")):
            size = _tiff(data)
        elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
            size = _webp(data)
        else:
            return None
    except (struct.error, IndexError):  # the header is cut short
        return None
    if size is None or size.width <= 0 or size.height <= 0:
        return None
    return size


def check_pixels(data: bytes, *, limit: int = MAX_PIXELS) -> PictureSize:
    """The declared size, if the picture may be decoded; raises a :class:`PictureError` if not."""
    size = declared_size(data)
    if size is None:
        raise UnknownPictureError(
            "not a JPEG, PNG, BMP, TIFF or WebP picture, or its header is damaged or cut short"
        )
    if size.pixels > limit:
        raise PictureTooLargeError(size, limit)
    return size


def decode_picture(data: bytes, *, limit: int = MAX_PIXELS) -> BGRImage:
    """A BGR frame, decoded only after the header passed :func:`check_pixels`."""
    size = check_pixels(data, limit=limit)
    import cv2  # here: reading a header must not pay for importing OpenCV

    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise UndecodablePictureError(f"the {size.kind} picture is damaged and cannot be decoded")
    if image.shape[0] * image.shape[1] > limit:  # a header that lied; the frame is already here
        raise PictureTooLargeError(PictureSize(size.kind, image.shape[1], image.shape[0]), limit)
    return np.asarray(image, dtype=np.uint8)


def _jpeg(data: bytes) -> PictureSize | None:
    """The first start-of-frame segment, as libjpeg reads it: markers skipped by their length."""
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            return None  # garbage between segments: libjpeg would give up too
        while position < len(data) and data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack_from(">H", data, position)
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", data, position + 3)
            return PictureSize("JPEG", width, height)
        position += length
    return None


def _png(data: bytes) -> PictureSize | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return PictureSize("PNG", width, height)


def _bmp(data: bytes) -> PictureSize | None:
    (header_size,) = struct.unpack_from("<I", data, 14)
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: unsigned 16-bit sides
        width, height = struct.unpack_from("<HH", data, 18)
    elif header_size >= 16:
        width, height = struct.unpack_from("<ii", data, 18)
        height = abs(height)  # negative: stored top-down
    else:
        return None
    return PictureSize("BMP", width, height)


def _tiff(data: bytes) -> PictureSize | None:
    """ImageWidth and ImageLength of the first directory (the page OpenCV decodes)."""
    order = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack_from(order + "I", data, 4)
    (count,) = struct.unpack_from(order + "H", data, offset)
    found: dict[int, int] = {}
    for index in range(count):
        tag, kind, _, value = struct.unpack_from(order + "HHI4s", data, offset + 2 + 12 * index)
        if tag in (_TIFF_WIDTH, _TIFF_LENGTH):
            if kind == _TIFF_SHORT:
                found[tag] = struct.unpack_from(order + "H", value)[0]
            elif kind == _TIFF_LONG:
                found[tag] = struct.unpack_from(order + "I", value)[0]
            else:
                return None
    if _TIFF_WIDTH not in found or _TIFF_LENGTH not in found:
        return None
    return PictureSize("TIFF", found[_TIFF_WIDTH], found[_TIFF_LENGTH])


def _webp(data: bytes) -> PictureSize | None:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: the canvas size, 24 bits each, stored minus one
        if len(data) < 30:
            return None
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
    elif chunk == b"VP8 ":  # lossy: after a 3-byte frame tag and the start code 9d 01 2a
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack_from("<HH", data, 26)
        width, height = width & 0x3FFF, height & 0x3FFF
    elif chunk == b"VP8L":  # lossless: signature 0x2f, then two 14-bit sides minus one
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack_from("<I", data, 21)
        width = (bits & 0x3FFF) + 1
        height = ((bits >> 14) & 0x3FFF) + 1
    else:
        return None
    return PictureSize("WebP", width, height)
