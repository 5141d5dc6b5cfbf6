"""A spool folder of JSON-lines files for banks whose agent (Splunk UF, Filebeat) tails files.

Forwarders remember a file by a checksum of its first bytes and an offset into it. So:

* files are only ever appended to (``O_APPEND``), never rewritten, truncated or renamed;
* every file starts with a line no other file has (a header with a random ``file_id``), so two
  files never look alike to the forwarder's fingerprint (Splunk: CRC of the first 256 bytes);
* one file per UTC day and station, and a new one past :data:`MAX_FILE_BYTES`;
* each batch is fsynced before the journal's cursor moves, so a crash at worst repeats lines
  (same ``event_id``: the SIEM drops the duplicate), never skips one;
* a line cut short by a crash is closed with a newline before the next append, so it spoils
  only itself.

Each line carries every stored column of the row (nothing trimmed: there is no frame limit
here), its ``event_id`` and the station and journal ids; deleting old files is the
forwarder's or the administrator's job.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from station.ship.errors import ShipError
from station.ship.event import ShippedEvent

__all__ = ["MAX_FILE_BYTES", "JsonlTarget"]

MAX_FILE_BYTES = 64 * 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class JsonlTarget:
    """Appends events to ``<folder>/station-<station>-<YYYYMMDD>-<n>.jsonl``."""

    name = "jsonl"
    needs_resend_window = False

    def __init__(self, folder: Path, station_id: str) -> None:
        self._folder = folder
        self._station = _UNSAFE.sub("_", station_id)[:64] or "station"

    def open(self) -> None:
        try:
            self._folder.mkdir(mode=0o750, parents=True, exist_ok=True)
        except OSError as exc:
            raise ShipError(f"cannot create the spool folder {self._folder} ({exc.strerror or exc})") from exc

    def send(self, events: Sequence[ShippedEvent]) -> None:
        if not events:
            return
        lines = b"".join(_line(event) for event in events)
        path = self._current_file(len(lines))
        try:
            fd = os.open(path, _FLAGS, 0o640)
            try:
                info = os.fstat(fd)
                prefix = b""
                if info.st_size == 0:
                    prefix = _header(self._station)
                else:
                    os.lseek(fd, info.st_size - 1, os.SEEK_SET)  # (no os.pread on Windows)
                    if os.read(fd, 1) != b"\n":
                        prefix = b"\n"  # a line a crash cut short stays alone on its line
                os.write(fd, prefix + lines)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ShipError(f"cannot append to {path} ({exc.strerror or exc})") from exc

    def is_alive(self) -> bool:
        return True

    def closed_reason(self) -> str:
        return ""

    def close(self) -> None:
        return None

    def _current_file(self, adding: int) -> Path:
        day = datetime.now(UTC).strftime("%Y%m%d")
        n = 1
        while True:
            path = self._folder / f"station-{self._station}-{day}-{n}.jsonl"
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                return path
            if size + adding <= MAX_FILE_BYTES or size == 0:
                return path
            n += 1


def _header(station: str) -> bytes:
    header = {
        "type": "file_header",
        "file_id": str(uuid.uuid4()),
        "station": station,
        "created_at": datetime.now(UTC).isoformat(),
    }
    return (json.dumps(header, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def _line(event: ShippedEvent) -> bytes:
    obj = {
        "type": "audit_record",
        "event_id": event.event_id,
        "station": event.station_id,
        "journal_id": event.journal_id,
        "sequence": event.sequence,
        "kind": event.kind,
        "mac": event.mac,
        "prev_mac": event.prev_mac,
        "fields": event.fields,
    }
    return (json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
