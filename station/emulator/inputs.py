"""Read a liveness request's body into the three inputs the contract knows: file, link, use_pdf.

Why separate: the same inputs arrive as ``multipart/form-data`` (the contract's form),
``application/json`` (the contract's ``{"link": ...}`` example) or, leniently, an urlencoded form;
validation (the 422 answers) must not depend on which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs

from station.emulator.links import LinkRefusedError, loopback_target
from station.emulator.multipart import FormPart, MultipartError, parse_multipart

__all__ = ["LivenessInput", "RequestError", "parse_liveness_request"]


class RequestError(ValueError):
    """The request cannot be processed: becomes a 422 with ``message`` and ``message_code``."""

    def __init__(self, message: str, message_code: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_code = message_code


@dataclass(frozen=True, slots=True)
class LivenessInput:
    """What a liveness request carried; ``error`` is set when it must be refused with a 422.

    The fields are filled in as far as the body could be read even when ``error`` is set, so the
    emulator can record what a client sent before it refuses it.
    """

    fields: tuple[str, ...] = ()
    file: FormPart | None = None
    link: str | None = None
    use_pdf_raw: str | None = None
    use_pdf: bool = False
    error: RequestError | None = None


def media_type(content_type: str | None) -> str:
    """``multipart/form-data`` out of ``multipart/form-data; boundary=...``, lower-cased."""
    if not content_type:
        return ""
    message = Message()
    message["Content-Type"] = content_type
    return message.get_content_type() if "/" in content_type else ""


def parse_liveness_request(body: bytes, content_type: str | None) -> LivenessInput:
    """Parse and validate a ``POST /api/v1/ocr/face-liveness-v5`` body."""
    kind = media_type(content_type)
    fields: tuple[str, ...] = ()
    file: FormPart | None = None
    link: str | None = None
    use_pdf_raw: str | None = None
    try:
        if kind == "multipart/form-data":
            parts = parse_multipart(body, content_type or "")
            fields = tuple(part.name for part in parts)
            file = next((p for p in parts if p.name == "file"), None)
            link = next((p.text() for p in parts if p.name == "link"), None)
            use_pdf_raw = next((p.text() for p in parts if p.name == "use_pdf"), None)
        elif kind == "application/json" or kind.endswith("+json"):
            link, use_pdf_raw, fields = _parse_json(body)
        elif kind == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            fields = tuple(form)
            link = form["link"][0] if "link" in form else None
            use_pdf_raw = form["use_pdf"][0] if "use_pdf" in form else None
        else:
            raise RequestError(
                f"unsupported Content-Type {content_type or '(none)'!r}: send multipart/form-data "
                "with a 'file' (or 'link') field, or application/json with a 'link'",
                "unsupported_content_type",
            )
        use_pdf = _validate(file, link, use_pdf_raw)
    except MultipartError as exc:
        error = RequestError(f"malformed multipart/form-data body: {exc}", "malformed_multipart")
        return LivenessInput(fields, file, link, use_pdf_raw, False, error)
    except RequestError as error:
        return LivenessInput(fields, file, link, use_pdf_raw, False, error)
    return LivenessInput(fields, file, link, use_pdf_raw, use_pdf, None)


def _parse_json(body: bytes) -> tuple[str | None, str | None, tuple[str, ...]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RequestError("the JSON body is not valid JSON", "invalid_json") from None
    if not isinstance(data, dict):
        raise RequestError('the JSON body must be an object such as {"link": "..."}', "invalid_json")
    fields = tuple(str(k) for k in data)
    if "file" in data:
        raise RequestError(
            "a file cannot be sent in a JSON body: upload it as multipart/form-data", "invalid_json"
        )
    link = data.get("link")
    if link is not None and not isinstance(link, str):
        raise RequestError("'link' must be a string (a URL)", "invalid_link")
    use_pdf = data.get("use_pdf")
    use_pdf_raw = None if use_pdf is None else str(use_pdf).lower()
    return link, use_pdf_raw, fields


def _validate(file: FormPart | None, link: str | None, use_pdf_raw: str | None) -> bool:
    use_pdf = False
    if use_pdf_raw is not None:
        value = use_pdf_raw.strip().lower()
        if value not in ("true", "false"):
            raise RequestError("'use_pdf' must be true or false", "invalid_use_pdf")
        use_pdf = value == "true"
    if file is None:
        if link is None or not link.strip():
            raise RequestError("a 'file' or a 'link' field is required", "missing_file_or_link")
        if use_pdf:
            raise RequestError("'use_pdf' applies to file uploads only", "invalid_use_pdf")
        try:
            loopback_target(link)
        except LinkRefusedError as exc:
            raise RequestError(str(exc), "link_refused") from None
    return use_pdf
