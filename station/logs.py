"""Logging for the station: one redaction filter so no token reaches a log line, ever.

Every handler the station installs carries :class:`RedactingFilter`. It replaces each registered
secret and anything shaped like a bearer token or a JWT with ``[REDACTED]`` in the formatted
message and its arguments, including exception text.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterable

__all__ = ["RedactingFilter", "configure_console_logging", "redact", "register_secret"]

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
#: No word boundaries: a JWT glued to other text ("tokeneyJ…") is scrubbed too; over-redaction
#: costs a log line some words, under-redaction costs the token.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_REDACTED = "[REDACTED]"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Remember a secret (a token the process has loaded) so the filter can scrub it."""
    if len(secret) >= 6:
        with _secrets_lock:
            _secrets.add(secret)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret, bearer value and JWT replaced by ``[REDACTED]``."""
    with _secrets_lock:
        known = list(_secrets if secrets is None else secrets)
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, _REDACTED)
    text = _BEARER.sub(lambda m: m.group(1) + _REDACTED, text)
    return _JWT.sub(_REDACTED, text)


class RedactingFilter(logging.Filter):
    """Scrubs the final message (arguments merged) and any attached exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is *now*, not the stream it was created with (tests and
    embedding hosts swap it; a handler holding a closed stream fails on every record)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_console_logging(level: int | None = None) -> None:
    """Plain stderr logging for the command-line tools, with redaction.

    ``STATION_LOG_LEVEL`` (DEBUG, INFO, …) raises the detail for support sessions.
    """
    if level is None:
        named = os.environ.get("STATION_LOG_LEVEL")
        level = logging.WARNING
        if named is not None:
            level = logging.getLevelNamesMapping().get(named.upper(), logging.WARNING)
    handler = _CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.set_name("station-console")
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "station-console"] + [handler]
    # The root passes what any handler wants (a log file may want INFO); each handler filters.
    root.setLevel(min(level, root.level) if root.level != logging.NOTSET else level)
