"""The station service's protocol: one request, one response, each a length-prefixed JSON frame.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON (at most
:data:`MAX_FRAME`: a capture's JPEG travels as base64). The first request on a connection is
``hello`` with :data:`VERSION`; the service answers with the version and the caller's OS account as
it sees it. A request is ``{"method": ..., "body": ...}``; a response is ``{"ok": ...}`` or
``{"refused": {"refusal": ..., "message": ..., "review": ...}}``. Every body is one of the port's
dataclasses (:mod:`station.application.port`), checked field by field on decode
(:mod:`station.service.wire`): a malformed frame, an unknown version or method earns a typed
:class:`Refusal`, never a crash of the service.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from station.application.attempt import AttemptReport
from station.application.port import (
    Capture,
    CounterTerms,
    DeskEvent,
    FacePick,
    LocalFailure,
    OperatorIdentity,
    ReviewDecision,
    ReviewRefusal,
    ServiceCheck,
)
from station.application.readiness import Readiness
from station.service.wire import WireError, from_wire, to_wire

__all__ = [
    "HEADER",
    "MAX_FRAME",
    "REQUESTS",
    "RESPONSES",
    "VERSION",
    "Empty",
    "FrameError",
    "Hello",
    "Method",
    "Refreshed",
    "Refusal",
    "Refused",
    "Request",
    "SignIn",
    "Welcome",
    "decode_request",
    "decode_response",
    "encode_refusal",
    "encode_request",
    "encode_response",
    "frame_length",
]

#: 2: ``check_service`` (the service reads the liveness service's balance for the desk).
VERSION: Final = 2
#: The largest frame either side reads (a capture's JPEG, base64, with room to spare).
MAX_FRAME: Final = 16 * 1024 * 1024
HEADER: Final = struct.Struct(">I")


class Method(StrEnum):
    HELLO = "hello"
    REFRESH = "refresh"
    CHECK_SERVICE = "check_service"
    VERIFY = "verify"
    RECORD_FAILURE = "record_failure"
    PICK_FACE = "pick_face"
    SETTLE_REVIEW = "settle_review"
    AUTHENTICATE = "authenticate"
    RECORD_EVENT = "record_event"
    WAIT_IDLE = "wait_idle"


class Refusal(StrEnum):
    """Why the service did not do what was asked (decided on by type, never by words)."""

    #: The frame is not a length and JSON, or not a request.
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    VERSION = "version"
    #: The first request was not ``hello``.
    NO_HELLO = "no_hello"
    UNKNOWN_METHOD = "unknown_method"
    #: The caller's OS account may not use the service.
    NOT_ALLOWED = "not_allowed"
    #: A :class:`~station.application.port.ReviewRefusedError` (its refusal in ``review``).
    REVIEW = "review"
    #: A :class:`~station.application.port.PickRefusedError`.
    PICK = "pick"
    #: A fault in the service (its log has the rest).
    FAULT = "fault"


class FrameError(Exception):
    """A frame that cannot be read as one (its refusal says why)."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Empty:
    """The body of a request that needs nothing."""


@dataclass(frozen=True, slots=True)
class Hello:
    version: int


@dataclass(frozen=True, slots=True)
class Welcome:
    version: int
    #: The caller's OS account as the service sees it (SO_PEERCRED).
    account: str


@dataclass(frozen=True, slots=True)
class Refreshed:
    readiness: Readiness
    terms: CounterTerms


@dataclass(frozen=True, slots=True)
class SignIn:
    operator_id: str
    secret: str | None = None

    def __repr__(self) -> str:  # the PIN never reaches a log or a traceback
        return f"SignIn(operator_id={self.operator_id!r})"


@dataclass(frozen=True, slots=True)
class Refused:
    refusal: Refusal
    message: str
    review: ReviewRefusal | None = None


#: What each method's request body is.
REQUESTS: Final[dict[Method, type]] = {
    Method.HELLO: Hello,
    Method.REFRESH: Empty,
    Method.CHECK_SERVICE: Empty,
    Method.VERIFY: Capture,
    Method.RECORD_FAILURE: LocalFailure,
    Method.PICK_FACE: FacePick,
    Method.SETTLE_REVIEW: ReviewDecision,
    Method.AUTHENTICATE: SignIn,
    Method.RECORD_EVENT: DeskEvent,
    Method.WAIT_IDLE: Empty,
}

#: What each method's answer is (``None``: the method answers nothing but that it is done).
RESPONSES: Final[dict[Method, Any]] = {
    Method.HELLO: Welcome,
    Method.REFRESH: Refreshed,
    Method.CHECK_SERVICE: ServiceCheck,
    Method.VERIFY: AttemptReport,
    Method.RECORD_FAILURE: AttemptReport,
    Method.PICK_FACE: AttemptReport,
    Method.SETTLE_REVIEW: AttemptReport,
    Method.AUTHENTICATE: OperatorIdentity | None,
    Method.RECORD_EVENT: Empty,
    Method.WAIT_IDLE: Empty,
}


@dataclass(frozen=True, slots=True)
class Request:
    method: Method
    body: object


def frame_length(header: bytes) -> int:
    """The payload length a header announces; :class:`FrameError` past :data:`MAX_FRAME`."""
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME:
        raise FrameError(Refusal.TOO_LARGE, f"a frame of {length} bytes is over the {MAX_FRAME}-byte limit")
    return int(length)


def _frame(value: object) -> bytes:
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(payload) > MAX_FRAME:
        raise FrameError(Refusal.TOO_LARGE, f"a message of {len(payload)} bytes is over the limit")
    return HEADER.pack(len(payload)) + payload


def _parse(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FrameError(Refusal.MALFORMED, "the frame is not JSON") from None
    if not isinstance(value, dict):
        raise FrameError(Refusal.MALFORMED, "the frame is not a JSON object")
    return value


def encode_request(method: Method, body: object) -> bytes:
    return _frame({"method": method.value, "body": to_wire(body)})


def decode_request(payload: bytes) -> Request:
    """The request in ``payload`` (without its header); :class:`FrameError` if it is not one."""
    value = _parse(payload)
    if set(value) != {"method", "body"}:
        raise FrameError(Refusal.MALFORMED, "a request is a method and a body")
    try:
        method = Method(value["method"])
    except ValueError:
        raise FrameError(Refusal.UNKNOWN_METHOD, f"there is no method {value['method']!r}") from None
    try:
        body: object = from_wire(REQUESTS[method], value["body"], method.value)
    except WireError as exc:
        raise FrameError(Refusal.MALFORMED, str(exc)) from None
    return Request(method, body)


def encode_response(method: Method, answer: object) -> bytes:
    return _frame({"ok": to_wire(answer)})


def encode_refusal(refused: Refused) -> bytes:
    return _frame({"refused": to_wire(refused)})


def decode_response(method: Method, payload: bytes) -> object:
    """The answer to ``method`` in ``payload``, or the :class:`Refused` it holds."""
    value = _parse(payload)
    try:
        if set(value) == {"ok"}:
            return from_wire(RESPONSES[method], value["ok"], method.value)
        if set(value) == {"refused"}:
            return from_wire(Refused, value["refused"], "refusal")
    except WireError as exc:
        raise FrameError(Refusal.MALFORMED, str(exc)) from None
    raise FrameError(Refusal.MALFORMED, "a response is ok or refused")
