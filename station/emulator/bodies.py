"""Reading request bodies within the limits: multipart forms, JSON and urlencoded forms.

Why streamed and counted here: a body's size is only known once it has been read, and a chunked
body declares none. Every byte goes through :func:`stream_body`, which stops at the cap and at the
deadline; the parsers are fed chunk by chunk (multipart by python-multipart, JSON behind a nesting
guard), so a hostile body is refused as soon as it breaks a limit, without being held whole.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import parse_qs

from aiohttp import web
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from station.emulator.inputs import (
    FormPart,
    LivenessInput,
    RequestError,
    liveness_input,
    liveness_input_from_json,
    media_type,
)
from station.emulator.limits import Limits

__all__ = [
    "BodyRefused",
    "FormReader",
    "JsonDepthGuard",
    "MultipartError",
    "read_json",
    "read_liveness_input",
    "stream_body",
]


class BodyRefused(Exception):  # noqa: N818 - an answer, not a programming error
    """The body broke a limit: answered at once with ``status`` and the emulator's error body."""

    def __init__(self, status: int, message: str, message_code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.message_code = message_code


class MultipartError(ValueError):
    """The body is not well-formed ``multipart/form-data``."""


def too_large(what: str, limit: int) -> BodyRefused:
    return BodyRefused(413, f"{what} larger than {limit} bytes", "payload_too_large")


async def stream_body(
    request: web.BaseRequest,
    *,
    limit: int,
    deadline: float,
    sink: Callable[[bytes], None],
    trust_declared: bool = True,
) -> int:
    """Feed the body to ``sink`` chunk by chunk; raises :class:`BodyRefused` past ``limit`` bytes
    (413; with ``trust_declared``, before reading anything when Content-Length says so) or
    ``deadline`` seconds (408)."""
    declared = request.content_length
    if trust_declared and declared is not None and declared > limit:
        raise too_large("request body", limit)
    total = 0
    try:
        async with asyncio.timeout(deadline):
            while chunk := await request.content.readany():
                room = limit - total
                total += len(chunk)
                if total > limit:
                    sink(chunk[:room])  # the parser may have a more telling objection than size
                    raise too_large("request body", limit)
                sink(chunk)
    except TimeoutError:
        raise BodyRefused(
            408, f"the body took longer than {deadline:g} s to arrive", "request_timeout"
        ) from None
    return total


class JsonDepthGuard:
    """Counts brackets outside strings as JSON streams in; refuses past ``max_depth`` levels.

    Why before parsing: Python's JSON parser recurses once per level, and the body that breaks it
    is refused here at its first few bytes instead of being read to the size cap.
    """

    def __init__(self, max_depth: int) -> None:
        self._max_depth = max_depth
        self._depth = 0
        self._in_string = False
        self._escaped = False

    def feed(self, chunk: bytes) -> None:
        depth, in_string, escaped = self._depth, self._in_string, self._escaped
        for byte in chunk:
            if in_string:
                if escaped:
                    escaped = False
                elif byte == 0x5C:  # backslash
                    escaped = True
                elif byte == 0x22:  # quote
                    in_string = False
            elif byte == 0x22:
                in_string = True
            elif byte in (0x5B, 0x7B):  # [ {
                depth += 1
                if depth > self._max_depth:
                    raise BodyRefused(
                        400, f"JSON nested deeper than {self._max_depth} levels", "json_too_deep"
                    )
            elif byte in (0x5D, 0x7D):  # ] }
                depth -= 1
        self._depth, self._in_string, self._escaped = depth, in_string, escaped


class FormReader:
    """A ``multipart/form-data`` body fed in chunks, with limits on parts, headers and fields.

    python-multipart does the parsing; this class keeps the parts and counts: at most
    ``max_parts`` parts, ``max_part_header_bytes`` of headers each, ``max_field_bytes`` for a text
    field and ``max_file_bytes`` for the ``file`` part (or any part with a filename).
    """

    def __init__(self, content_type: str, limits: Limits) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary", b"")
        if not boundary or len(boundary) > 200:
            raise MultipartError("multipart/form-data without a valid boundary parameter")
        self._limits = limits
        self._parts: list[FormPart] = []
        self._ended = False
        self._header_bytes = 0
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[str, str] = {}
        self._name = ""
        self._filename: str | None = None
        self._content_type: str | None = None
        self._data = bytearray()
        self._data_limit = 0
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the parts read so far, in order."""
        return tuple(part.name for part in self._parts)

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise MultipartError(str(exc) or "malformed body") from None

    def close(self) -> list[FormPart]:
        """The parts, once the whole body was fed; raises :class:`MultipartError` if it was cut."""
        try:
            self._parser.finalize()
        except MultipartParseError as exc:
            raise MultipartError(str(exc) or "malformed body") from None
        if not self._ended:
            raise MultipartError("the multipart body has no closing boundary (truncated?)")
        return list(self._parts)

    # -- python-multipart callbacks ------------------------------------------------------------

    def _part_begin(self) -> None:
        if len(self._parts) >= self._limits.max_parts:
            raise BodyRefused(413, f"more than {self._limits.max_parts} form parts", "too_many_parts")
        self._header_bytes = 0
        self._headers = {}
        self._data = bytearray()

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self._limits.max_part_header_bytes:
            raise too_large("a form part's headers", self._limits.max_part_header_bytes)

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._value += data[start:end]

    def _header_end(self) -> None:
        name = self._field.decode("latin-1").strip().lower()
        self._headers[name] = self._value.decode("latin-1").strip()
        self._field, self._value = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get("content-disposition"))
        if disposition != b"form-data":
            raise MultipartError("a multipart part lacks 'Content-Disposition: form-data'")
        name = params.get(b"name", b"").decode("utf-8", errors="replace")
        if not name:
            raise MultipartError("a multipart part has no field name")
        filename = params.get(b"filename")
        self._name = name
        self._filename = filename.decode("utf-8", errors="replace") if filename is not None else None
        raw_type = self._headers.get("content-type")
        self._content_type = media_type(raw_type) if raw_type is not None else None
        is_file = name == "file" or filename is not None
        self._data_limit = self._limits.max_file_bytes if is_file else self._limits.max_field_bytes

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if len(self._data) + (end - start) > self._data_limit:
            raise too_large(f"form field {self._name!r}", self._data_limit)
        self._data += data[start:end]

    def _part_end(self) -> None:
        self._parts.append(FormPart(self._name, bytes(self._data), self._filename, self._content_type))
        self._data = bytearray()

    def _end(self) -> None:
        self._ended = True


async def read_json(request: web.BaseRequest, limits: Limits) -> object:
    """A small JSON body, nesting-checked as it streams; raises :class:`BodyRefused` or
    ``ValueError`` (not UTF-8 or not JSON)."""
    guard = JsonDepthGuard(limits.max_json_depth)
    buffer = bytearray()

    def sink(chunk: bytes) -> None:
        guard.feed(chunk)
        buffer.extend(chunk)

    # Read even when Content-Length is over the cap (only up to it), so the guard sees the first
    # bytes: a deeply nested body is answered 400 for what it is, not 413 for its size.
    await stream_body(
        request,
        limit=limits.max_json_bytes,
        deadline=limits.body_deadline_seconds,
        sink=sink,
        trust_declared=False,
    )
    return json.loads(bytes(buffer).decode("utf-8") or "null")


async def read_liveness_input(request: web.BaseRequest, limits: Limits) -> LivenessInput:
    """A liveness request's body as :class:`LivenessInput`; raises :class:`BodyRefused`."""
    content_type = request.headers.get("Content-Type")
    kind = media_type(content_type)
    if kind == "multipart/form-data":
        return await _read_form(request, content_type or "", limits)
    if kind == "application/json" or kind.endswith("+json"):
        try:
            data = await read_json(request, limits)
        except ValueError:
            return LivenessInput.refused(RequestError("the JSON body is not valid JSON", "invalid_json"))
        return liveness_input_from_json(data)
    if kind == "application/x-www-form-urlencoded":
        return await _read_urlencoded(request, limits)
    return LivenessInput.refused(
        RequestError(
            f"unsupported Content-Type {content_type or '(none)'!r}: send multipart/form-data "
            "with a 'file' (or 'link') field, or application/json with a 'link'",
            "unsupported_content_type",
        )
    )


async def _read_form(request: web.BaseRequest, content_type: str, limits: Limits) -> LivenessInput:
    reader: FormReader | None = None
    try:
        reader = FormReader(content_type, limits)
        await stream_body(
            request, limit=limits.max_body_bytes, deadline=limits.body_deadline_seconds, sink=reader.feed
        )
        parts = reader.close()
    except MultipartError as exc:
        error = RequestError(f"malformed multipart/form-data body: {exc}", "malformed_multipart")
        return LivenessInput.refused(error, reader.names if reader is not None else ())
    file = next((p for p in parts if p.name == "file"), None)
    link = next((p.text() for p in parts if p.name == "link"), None)
    use_pdf_raw = next((p.text() for p in parts if p.name == "use_pdf"), None)
    return liveness_input(tuple(p.name for p in parts), file, link, use_pdf_raw)


async def _read_urlencoded(request: web.BaseRequest, limits: Limits) -> LivenessInput:
    buffer = bytearray()
    await stream_body(
        request, limit=limits.max_json_bytes, deadline=limits.body_deadline_seconds, sink=buffer.extend
    )
    try:
        form = parse_qs(
            bytes(buffer).decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=limits.max_parts,
        )
    except ValueError:
        raise BodyRefused(413, f"more than {limits.max_parts} form fields", "too_many_parts") from None
    link = form["link"][0] if "link" in form else None
    use_pdf_raw = form["use_pdf"][0] if "use_pdf" in form else None
    return liveness_input(tuple(form), None, link, use_pdf_raw)
