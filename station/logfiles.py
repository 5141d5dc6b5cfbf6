"""Rotating log files for the station, with the same redaction as every other handler.

``configure_file_logging()`` adds one :class:`~logging.handlers.RotatingFileHandler` (5 files of
2 MB, UTF-8, mode 0600) in :func:`~station.locations.station_log_dir` (the machine data folder on an
installed station; the per-user log directory, or ``$STATION_LOG_DIR``, elsewhere), with
:class:`station.logs.RedactingFilter` attached and UTC ISO-8601 timestamps. Calling it again
does not add a second handler.

``log_incident()`` writes an unexpected exception with its full traceback under a short incident
id (``7KQ2M4XA``) and returns the id, which the crash dialog shows so support can find the entry.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Final

from station.locations import ENV_LOG_DIR, station_log_dir
from station.logs import RedactingFilter
from station.security.files import PRIVATE_FILE_MODE, ensure_private_dir

__all__ = [
    "ENV_LOG_DIR",
    "HANDLER_NAME",
    "LOG_BACKUP_COUNT",
    "LOG_FILENAME",
    "LOG_MAX_BYTES",
    "configure_file_logging",
    "default_log_dir",
    "log_incident",
    "new_incident_id",
]

LOG_FILENAME: Final = "station.log"
LOG_MAX_BYTES: Final = 2 * 1024 * 1024
LOG_BACKUP_COUNT: Final = 5
HANDLER_NAME: Final = "station-file"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"

_incident_log = logging.getLogger("station.incident")


class UTCFormatter(logging.Formatter):
    """``2025-06-01T12:00:00.123+00:00``: UTC, ISO 8601, whatever the station's time zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Creates each log file owner-only (0600): logs name customers' attempts and the station."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def default_log_dir() -> Path:
    """The machine data folder's ``logs/<user>`` on an installed station; elsewhere
    ``$STATION_LOG_DIR`` if set, else the per-user log directory (platformdirs)."""
    return station_log_dir()


def _find_handler(root: logging.Logger) -> logging.Handler | None:
    for handler in root.handlers:
        if handler.get_name() == HANDLER_NAME:
            return handler
    return None


def configure_file_logging(
    log_dir: Path | None = None,
    level: int = logging.INFO,
    *,
    max_bytes: int = LOG_MAX_BYTES,
    backup_count: int = LOG_BACKUP_COUNT,
) -> Path:
    """Log to ``<log_dir>/station.log`` (rotating); returns the file's path. Idempotent."""
    directory = default_log_dir() if log_dir is None else log_dir
    ensure_private_dir(directory)
    path = (directory / LOG_FILENAME).resolve()
    root = logging.getLogger()
    existing = _find_handler(root)
    if isinstance(existing, RotatingFileHandler) and Path(existing.baseFilename) == path:
        existing.setLevel(level)
    else:
        if existing is not None:
            root.removeHandler(existing)
            existing.close()
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
        handler.set_name(HANDLER_NAME)
        handler.setFormatter(UTCFormatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        handler.setLevel(level)
        root.addHandler(handler)
    if root.getEffectiveLevel() > level:
        # The file wants more detail than the root lets through. Pin the other handlers at the
        # root's old level first, so the console does not get chattier because a file was added.
        previous = root.getEffectiveLevel()
        for other in root.handlers:
            if other.get_name() != HANDLER_NAME and other.level == logging.NOTSET:
                other.setLevel(previous)
        root.setLevel(level)
    return path


def new_incident_id() -> str:
    """Eight upper-case base32 characters (40 random bits), easy to read out over the phone."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def log_incident(exc: BaseException, context: str) -> str:
    """Log ``exc`` with its traceback (redacted by the handlers) under a new incident id; return it."""
    incident = new_incident_id()
    _incident_log.error(
        "incident %s: %s: %s",
        incident,
        context,
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return incident
