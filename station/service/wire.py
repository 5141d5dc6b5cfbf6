"""The port's dataclasses as JSON values and back, strictly checked on the way in.

Only the shapes the port carries are known here: dataclasses of plain fields (``str``, ``int``,
``float``, ``bool``, ``None``), ``bytes`` (base64), ``datetime`` (ISO 8601 with its offset),
``StrEnum`` members (their value), ``tuple[X, ...]``, ``X | None`` unions, nested dataclasses, and
the client's error tree (:data:`ERRORS`, by class name). A ``str`` field may carry a text marked for
translation (:mod:`station.words`): a :class:`~station.words.Text` crosses as ``{"context", "text"}``
and a :class:`~station.words.Phrase` as ``{"context", "phrase", "values"}``, so the window on the
other side shows it in the operator's language, values included (a plain field would arrive as
its English only). Anything else is refused with a
:class:`WireError`: a field missing, a field too many, a wrong type, an unknown enum value or
error class. A decoded value is built with the dataclass's own constructor, so its checks run too.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import re
import string
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any, Final, TypeVar

from station.api.errors import (
    AuthError,
    BadRequestError,
    BadResponseError,
    ConfigurationError,
    EnvironmentMismatchError,
    LivenessAPIError,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceUnavailableError,
    TLSError,
    TokenMalformedError,
    TokenMissingError,
)
from station.words import Phrase, Text

__all__ = ["ERRORS", "WireError", "from_wire", "to_wire"]

T = TypeVar("T")

#: The client's errors that may cross, by class name (the name is the wire's, never code to run).
ERRORS: Final[dict[str, type[LivenessAPIError]]] = {
    cls.__name__: cls
    for cls in (
        LivenessAPIError,
        ConfigurationError,
        AuthError,
        TokenMissingError,
        TokenMalformedError,
        EnvironmentMismatchError,
        BadRequestError,
        RateLimitedError,
        ServiceUnavailableError,
        RequestTimeoutError,
        NetworkError,
        TLSError,
        BadResponseError,
        ResponseParseError,
    )
}


def _known_error_class(error: LivenessAPIError) -> str:
    """The name of the nearest class of ``error`` that :data:`ERRORS` knows (its kind is kept)."""
    return next(cls.__name__ for cls in type(error).__mro__ if ERRORS.get(cls.__name__) is cls)


class WireError(ValueError):
    """A message that is not the shape it claims to be (where, and what is wrong)."""


def to_wire(value: object) -> Any:
    """``value`` as a JSON value (dicts, lists, strings, numbers, booleans, None)."""
    if isinstance(value, Phrase):
        return {
            "context": value.context,
            "phrase": value.template,
            "values": {name: to_wire(item) for name, item in value.values},
        }
    if isinstance(value, Text):
        return {"context": value.context, "text": str(value)}
    if value is None or (isinstance(value, bool | int | float | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_wire(item) for item in value]
    if isinstance(value, LivenessAPIError):
        return {
            "class": _known_error_class(value),
            "message": value.message,
            "http_status": value.http_status,
            "message_code": value.message_code,
            "attempts": value.attempts,
            "client_id": value.client_id,
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_wire(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.init
        }
    raise WireError(f"a {type(value).__name__} cannot cross the port")


def from_wire(kind: type[T], data: object, where: str = "message") -> T:
    """``data`` (a JSON value) as a ``kind``; :class:`WireError` if it is not one."""
    return typing.cast(T, _decode(kind, data, where))


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(kind: Any, data: object, where: str) -> object:
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, data, where)
            except WireError as exc:
                errors.append(str(exc))
        raise WireError("; ".join(errors) or f"{where}: not allowed")
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise WireError(f"{where}: fixed tuples cannot cross")
        if not isinstance(data, list):
            raise WireError(f"{where}: expected a list")
        return tuple(_decode(args[0], item, f"{where}[{index}]") for index, item in enumerate(data))
    if kind is type(None):
        if data is not None:
            raise WireError(f"{where}: expected null")
        return None
    if kind is bool:
        if not isinstance(data, bool):
            raise WireError(f"{where}: expected true or false")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise WireError(f"{where}: expected an integer")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise WireError(f"{where}: expected a number")
        return float(data)
    if kind is str:
        if isinstance(data, dict):
            return _decode_text(data, where)
        if not isinstance(data, str):
            raise WireError(f"{where}: expected a string")
        return data
    if kind is bytes:
        if not isinstance(data, str):
            raise WireError(f"{where}: expected base64 text")
        try:
            return base64.b64decode(data.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise WireError(f"{where}: not base64") from None
    if kind is datetime:
        if not isinstance(data, str):
            raise WireError(f"{where}: expected a time")
        try:
            moment = datetime.fromisoformat(data)
        except ValueError:
            raise WireError(f"{where}: not an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise WireError(f"{where}: a time without its offset")
        return moment
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError:
            raise WireError(f"{where}: {data!r} is not a {kind.__name__}") from None
    if isinstance(kind, type) and issubclass(kind, LivenessAPIError):
        return _decode_error(data, where)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, data, where)
    raise WireError(f"{where}: a {kind!r} cannot cross the port")


#: A phrase's field: a plain name (no attribute, index, conversion or format of its value).
_FIELD_NAME: Final = re.compile(r"[a-z_]{1,40}")
#: How deep a phrase's values may nest phrases ("Confirmed live by {who}" and its supervisor).
_PHRASE_DEPTH: Final = 3


def _decode_text(data: dict[str, object], where: str, depth: int = 0) -> Text:
    """A marked text or phrase, as :func:`to_wire` wrote it; refused unless exactly that shape."""
    context = data.get("context")
    if not isinstance(context, str):
        raise WireError(f"{where}: a marked text without its context")
    if set(data) == {"context", "text"} and isinstance(data["text"], str):
        return Text(context, data["text"])
    template, values = data.get("phrase"), data.get("values")
    if (
        set(data) != {"context", "phrase", "values"}
        or not isinstance(template, str)
        or not isinstance(values, dict)
    ):
        raise WireError(f"{where}: expected a string, a marked text or a phrase")
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        raise WireError(f"{where}: a phrase that is not a template") from None
    if any(not _FIELD_NAME.fullmatch(name) or spec or conversion for name, spec, conversion in fields):
        raise WireError(f"{where}: a phrase's fields are plain names")
    if {name for name, _, _ in fields} != set(values):
        raise WireError(f"{where}: a phrase's values do not match its fields")
    decoded: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, dict) and depth < _PHRASE_DEPTH:
            decoded[name] = _decode_text(value, f"{where}.{name}", depth + 1)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            decoded[name] = value
        else:
            raise WireError(f"{where}.{name}: a phrase's value is a string, a number or a marked text")
    return Phrase(Text(context, template), **decoded)


def _decode_dataclass(kind: type, data: object, where: str) -> object:
    if not isinstance(data, dict):
        raise WireError(f"{where}: expected an object")
    hints = _hints(kind)
    fields = {field.name: field for field in dataclasses.fields(kind) if field.init}
    unknown = set(data) - set(fields)
    if unknown:
        raise WireError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    values: dict[str, object] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise WireError(f"{where}: field {name!r} is missing")
            continue
        values[name] = _decode(hints[name], data[name], f"{where}.{name}")
    try:
        return kind(**values)
    except (TypeError, ValueError) as exc:
        raise WireError(f"{where}: {exc}") from None


_ERROR_FIELDS: Final = {"class", "message", "http_status", "message_code", "attempts", "client_id"}


def _decode_error(data: object, where: str) -> LivenessAPIError:
    if not isinstance(data, dict) or set(data) != _ERROR_FIELDS:
        raise WireError(f"{where}: expected an error with {sorted(_ERROR_FIELDS)}")
    cls = ERRORS.get(data["class"]) if isinstance(data["class"], str) else None
    if cls is None:
        raise WireError(f"{where}: unknown error class {data['class']!r}")
    return cls(
        typing.cast(str, _decode(str, data["message"], f"{where}.message")),
        http_status=typing.cast(int | None, _decode(int | None, data["http_status"], f"{where}.http_status")),
        message_code=typing.cast(
            str | None, _decode(str | None, data["message_code"], f"{where}.message_code")
        ),
        attempts=typing.cast(int, _decode(int, data["attempts"], f"{where}.attempts")),
        client_id=typing.cast(str | None, _decode(str | None, data["client_id"], f"{where}.client_id")),
    )
