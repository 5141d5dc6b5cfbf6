"""The three inputs the contract knows (file, link, use_pdf) and the rules between them.

Why separate from reading the body: the same inputs arrive as ``multipart/form-data`` (the
contract's form), ``application/json`` (the contract's ``{"link": ...}`` example) or, leniently,
an urlencoded form; the 422 answers must not depend on which.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from station.emulator.links import LinkRefusedError, loopback_target

__all__ = [
    "FormPart",
    "LivenessInput",
    "RequestError",
    "liveness_input",
    "liveness_input_from_json",
    "media_type",
]


class RequestError(ValueError):
    """The request cannot be processed: becomes a 422 with ``message`` and ``message_code``."""

    def __init__(self, message: str, message_code: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_code = message_code


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

    @classmethod
    def refused(cls, error: RequestError, fields: tuple[str, ...] = ()) -> LivenessInput:
        return cls(fields=fields, error=error)


def media_type(content_type: str | None) -> str:
    """``multipart/form-data`` out of ``multipart/form-data; boundary=...``, lower-cased."""
    if not content_type or "/" not in content_type:
        return ""
    message = Message()
    message["Content-Type"] = content_type
    return message.get_content_type()


def liveness_input(
    fields: tuple[str, ...], file: FormPart | None, link: str | None, use_pdf_raw: str | None
) -> LivenessInput:
    """Check the contract's rules: a file or a link, ``use_pdf`` true/false and for files only,
    and a link only to this machine."""
    try:
        use_pdf = _validate(file, link, use_pdf_raw)
    except RequestError as error:
        return LivenessInput(fields, file, link, use_pdf_raw, False, error)
    return LivenessInput(fields, file, link, use_pdf_raw, use_pdf, None)


def liveness_input_from_json(data: object) -> LivenessInput:
    """The contract's JSON form, ``{"link": "..."}`` (``use_pdf`` tolerated, files refused)."""
    if not isinstance(data, dict):
        error = RequestError('the JSON body must be an object such as {"link": "..."}', "invalid_json")
        return LivenessInput.refused(error)
    fields = tuple(str(k) for k in data)
    if "file" in data:
        error = RequestError(
            "a file cannot be sent in a JSON body: upload it as multipart/form-data", "invalid_json"
        )
        return LivenessInput.refused(error, fields)
    link = data.get("link")
    if link is not None and not isinstance(link, str):
        return LivenessInput.refused(RequestError("'link' must be a string (a URL)", "invalid_link"), fields)
    use_pdf = data.get("use_pdf")
    use_pdf_raw = None if use_pdf is None else str(use_pdf).lower()
    return liveness_input(fields, None, link, use_pdf_raw)


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
