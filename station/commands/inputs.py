"""Reading what the operator or support hands to ``station verify``: files and links, checked."""

from __future__ import annotations

from pathlib import Path

import httpx

from station.core.pixels import MAX_PIXELS, PictureTooLargeError, declared_size

__all__ = ["MAX_UPLOAD_BYTES", "InputError", "check_link", "read_image", "read_pdf"]

#: Larger than any camera frame or scanned page the station sends; a bigger file is a mistake.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


class InputError(ValueError):
    """The file or link cannot be sent: unreadable, empty, too large or of the wrong kind."""


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path} is not a file")
        if size == 0:
            raise InputError(f"{path} is empty")
        if size > MAX_UPLOAD_BYTES:
            raise InputError(f"{path} is {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied)") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror or exc}") from None


def image_kind(data: bytes) -> str | None:
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    for signature, kind in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def read_image(path: Path) -> bytes:
    data = _read(path)
    if data.startswith(b"%PDF-"):
        raise InputError(f"{path} is a PDF: use `station verify --pdf {path}`")
    if image_kind(data) is None:
        raise InputError(f"{path} is not a supported image (JPEG, PNG, BMP, TIFF or WebP)")
    size = declared_size(data)
    if size is not None and size.pixels > MAX_PIXELS:  # no service call for a picture no one can use
        raise InputError(f"{path} is refused: {PictureTooLargeError(size, MAX_PIXELS)}")
    return data


def read_pdf(path: Path) -> bytes:
    data = _read(path)
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{path} is not a PDF file")
    return data


def check_link(link: str) -> str:
    try:
        url = httpx.URL(link)
    except (httpx.InvalidURL, TypeError):
        raise InputError(f"not a valid URL: {link[:100]!r}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InputError(f"the link must be an http:// or https:// URL with a host: {link[:100]!r}")
    if url.userinfo:
        raise InputError("the link must not carry a user name or password")
    return link
