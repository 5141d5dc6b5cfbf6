"""A small, strict ``multipart/form-data`` parser for the emulator (RFC 7578).

Why not ``cgi`` (removed in 3.13) or a dependency: the emulator needs only named fields and their
bytes, exactly as sent, binary-safe. Parts are split on ``CRLF--boundary``; part headers go through
the stdlib ``email`` header parser, which knows ``filename*=`` and quoting rules.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser

__all__ = ["FormPart", "MultipartError", "boundary_of", "parse_multipart"]

_PARSER = BytesHeaderParser(policy=email.policy.HTTP)


class MultipartError(ValueError):
    """The body is not well-formed ``multipart/form-data``."""


@dataclass(frozen=True, slots=True)
class FormPart:
    """One form field: its name, the filename and content type if given, and its raw bytes."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    def text(self) -> str:
        """The value as text (form fields are UTF-8)."""
        return self.data.decode("utf-8", errors="replace")


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a ``multipart/form-data`` Content-Type header."""
    message = _parse_headers(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace"))
    if message.get_content_type() != "multipart/form-data":
        raise MultipartError("not multipart/form-data")
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise MultipartError("multipart/form-data without a valid boundary parameter")
    return boundary


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """All parts of a ``multipart/form-data`` body, in order."""
    boundary = boundary_of(content_type).encode("latin-1")
    delimiter = b"\r\n--" + boundary
    # A body may start directly with the first delimiter (no preamble, no leading CRLF).
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise MultipartError("the multipart boundary never appears in the body")
    parts: list[FormPart] = []
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        # After the delimiter: optional transport padding (spaces/tabs), then CRLF.
        head_end = chunk.find(b"\r\n")
        if head_end < 0 or chunk[:head_end].strip(b" \t"):
            raise MultipartError("malformed multipart delimiter line")
        parts.append(_parse_part(chunk[head_end + 2 :]))
    if not closed:
        raise MultipartError("the multipart body has no closing boundary (truncated?)")
    return parts


def _parse_part(raw: bytes) -> FormPart:
    if raw.startswith(b"\r\n"):  # a part with no headers at all
        header_bytes, data = b"", raw[2:]
    else:
        split = raw.find(b"\r\n\r\n")
        if split < 0:
            raise MultipartError("a multipart part has no blank line after its headers")
        header_bytes, data = raw[: split + 2], raw[split + 4 :]
    headers = _parse_headers(header_bytes + b"\r\n")
    disposition = headers.get("Content-Disposition")
    if disposition is None or headers.get_content_disposition() != "form-data":
        raise MultipartError("a multipart part lacks 'Content-Disposition: form-data'")
    name = headers.get_param("name", header="content-disposition")
    if not isinstance(name, str) or not name:
        raise MultipartError("a multipart part has no field name")
    filename = headers.get_filename()
    content_type = headers.get("Content-Type")
    return FormPart(
        name=name,
        data=data,
        filename=filename,
        content_type=headers.get_content_type() if content_type is not None else None,
    )


def _parse_headers(raw: bytes) -> EmailMessage:
    message = _PARSER.parsebytes(raw)
    assert isinstance(message, EmailMessage)
    if message.defects:
        raise MultipartError(f"malformed part headers: {message.defects[0].__class__.__name__}")
    return message
