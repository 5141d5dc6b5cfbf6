"""JSON ↔ :mod:`station.core.models`, tolerant of what the service may vary, strict on meaning.

Tolerant: unknown fields are ignored; optional fields may be missing or ``null``; integral floats
are accepted for pixel values. Strict: a present field of the wrong type, a score outside 0..1, a
negative size or an unknown verdict raises :class:`ResponseParseError` naming the field. Nothing
else escapes: the fuzz tests hold the parser to that.

Every text field is capped (:data:`TEXT_LIMITS`) and must be printable: these strings end up in the
audit journal, the operator's screen and the terminal, so a 5 MB ``client_id`` or one carrying
escape sequences or invisible direction marks is a bad response, not a record. The limits are a
few times the longest value the contract shows (a 37-character ``client_id``, "Success").
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from station.api.errors import ResponseParseError
from station.core.models import BBox, Face, FrameSize, LivenessResult, ServiceVerdict

__all__ = ["TEXT_LIMITS", "ErrorBody", "parse_balance", "parse_error_body", "parse_liveness_response"]

#: The longest text the parser accepts in each field, in characters.
TEXT_LIMITS: dict[str, int] = {
    "client_id": 128,
    "message": 300,
    "message_code": 64,
    "reason": 200,
    "verdict": 16,
}
#: Pixel values beyond a million are not a camera's frame (the bound keeps ints sane downstream).
_MAX_PIXELS = 1_000_000


def _fail(path: str, problem: str) -> ResponseParseError:
    return ResponseParseError(f"unexpected answer from the service: {path} {problem}")


def _get(obj: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if value is None:  # missing and null are the same to the contract
        return None
    if isinstance(value, bool) and kind is not bool:
        raise _fail(f"{path}.{key}", f"should be {_kind_name(kind)}, got a boolean")
    if not isinstance(value, kind):
        raise _fail(f"{path}.{key}", f"should be {_kind_name(kind)}, got {type(value).__name__}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return "a number"
    return {bool: "true/false", str: "text", dict: "an object", list: "a list"}[kind]


def _text(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    value: str | None = _get(obj, key, path, str)
    if value is None:
        return None
    limit = TEXT_LIMITS[key]
    if len(value) > limit:
        raise _fail(f"{path}.{key}", f"is {len(value)} characters long, more than the {limit} allowed")
    if not value.isprintable():
        raise _fail(f"{path}.{key}", "holds control or invisible characters")
    return value


def _score(obj: Mapping[str, Any], key: str, path: str) -> float | None:
    value = _get(obj, key, path, (int, float))
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise _fail(f"{path}.{key}", f"should be a score between 0 and 1, got {value!r}")
    return number


def _pixels(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> int | None:
    value = _get(obj, key, path, (int, float))
    if value is None:
        if required:
            raise _fail(f"{path}.{key}", "is missing")
        return None
    number = float(value)
    if not math.isfinite(number) or number != round(number) or abs(number) > _MAX_PIXELS:
        raise _fail(f"{path}.{key}", f"should be a whole number of pixels, got {value!r}")
    return int(number)


def _size(obj: Mapping[str, Any], key: str, path: str) -> int:
    value = _pixels(obj, key, path, required=True)
    assert value is not None
    if value < 0:
        raise _fail(f"{path}.{key}", f"should not be negative, got {value}")
    return value


def _parse_face(raw: Any, path: str) -> Face:
    if not isinstance(raw, dict):
        raise _fail(path, f"should be an object, got {type(raw).__name__}")
    box = _get(raw, "bbox", path, dict)
    if box is None:
        raise _fail(f"{path}.bbox", "is missing")
    bpath = f"{path}.bbox"
    x = _pixels(box, "x", bpath, required=True)
    y = _pixels(box, "y", bpath, required=True)
    assert x is not None
    assert y is not None
    bbox = BBox(x=x, y=y, width=_size(box, "width", bpath), height=_size(box, "height", bpath))
    return Face(
        bbox=bbox,
        detection_score=_score(raw, "detection_score", path),
        liveness_score=_score(raw, "liveness_score", path),
        antispoof_score=_score(raw, "antispoof_score", path),
        is_live=_get(raw, "is_live", path, bool),
    )


def _load_object(body: bytes | str) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise ResponseParseError("the service's answer is not valid JSON") from exc
    if not isinstance(document, dict):
        raise _fail("the answer", f"should be a JSON object, got {type(document).__name__}")
    return document


def parse_liveness_response(body: bytes | str) -> LivenessResult:
    """Parse a 200 answer of ``face-liveness-v5`` into a :class:`LivenessResult`."""
    document = _load_object(body)
    data = _get(document, "data", "answer", dict)
    if data is None:
        raise _fail("data", "is missing")
    detail = _get(data, "detail", "data", dict)
    if detail is None:
        raise _fail("data.detail", "is missing")
    dpath = "data.detail"
    ok = _get(detail, "ok", dpath, bool)
    if ok is None:
        raise _fail(f"{dpath}.ok", "is missing")

    verdict_text = _text(detail, "verdict", dpath)
    verdict: ServiceVerdict | None = None
    if verdict_text is not None:
        try:
            verdict = ServiceVerdict(verdict_text.strip().lower())
        except ValueError:
            raise _fail(f"{dpath}.verdict", f"should be 'live' or 'spoof', got {verdict_text!r}") from None

    frame_raw = _get(detail, "frame", dpath, dict)
    frame = None
    if frame_raw is not None:
        fpath = f"{dpath}.frame"
        frame = FrameSize(width=_size(frame_raw, "width", fpath), height=_size(frame_raw, "height", fpath))

    faces_raw = _get(detail, "faces", dpath, list) or []
    faces = tuple(_parse_face(raw, f"{dpath}.faces[{i}]") for i, raw in enumerate(faces_raw))

    face_count = _pixels(detail, "face_count", dpath)
    if face_count is None:
        face_count = len(faces)
    elif face_count < 0:
        raise _fail(f"{dpath}.face_count", f"should not be negative, got {face_count}")

    return LivenessResult(
        ok=ok,
        client_id=_text(data, "client_id", "data"),
        status_code=_pixels(document, "status_code", "answer"),
        success=_get(document, "success", "answer", bool),
        message=_text(document, "message", "answer"),
        message_code=_text(document, "message_code", "answer"),
        live=_get(detail, "live", dpath, bool),
        verdict=verdict,
        score=_score(detail, "score", dpath),
        reason=_text(detail, "reason", dpath),
        face_count=face_count,
        threshold=_score(detail, "threshold", dpath),
        frame=frame,
        faces=faces,
    )


class ErrorBody:
    """What an error answer says, whichever of the documented keys it used."""

    __slots__ = ("message", "message_code")

    def __init__(self, message: str | None, message_code: str | None) -> None:
        self.message = message
        self.message_code = message_code


def _error_message(value: Any) -> str | None:
    """Free text from an error body, made safe to show: invisible characters dropped, cut short."""
    if isinstance(value, dict):  # {"error": {"message": "..."}}
        return _error_message(value.get("message"))
    if not isinstance(value, str):
        return None
    shown = "".join(ch for ch in value if ch.isprintable()).strip()
    return shown[: TEXT_LIMITS["message"]] or None


def _error_code(value: Any) -> str | None:
    """A machine-readable code is kept whole or not at all: a cut or cleaned code would lie."""
    if not isinstance(value, str):
        return None
    code = value.strip()
    if not code or len(code) > TEXT_LIMITS["message_code"] or not code.isprintable():
        return None
    return code


def parse_error_body(body: bytes) -> ErrorBody:
    """Read ``message``/``message_code`` or ``error``/``error_code``; never raises."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return ErrorBody(None, None)
    if not isinstance(document, dict):
        return ErrorBody(None, None)
    message = _error_message(document.get("message")) or _error_message(document.get("error"))
    code = _error_code(document.get("message_code")) or _error_code(document.get("error_code"))
    return ErrorBody(message, code)


def parse_balance(body: bytes) -> float:
    """The credit balance from ``GET /api/v1/utils/usage/balance``."""
    document = _load_object(body)
    if document.get("success") is not True:
        raise _fail("success", "is not true")
    balance = _get(document, "balance", "answer", (int, float))
    if balance is None:
        raise _fail("balance", "is missing")
    return float(balance)
