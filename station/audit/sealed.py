"""Small MAC'd JSON files beside the journal: the anchor (:mod:`~station.audit.anchor`) and the
head (:mod:`~station.audit.head`).

One JSON object of fields plus ``<name>_mac`` = HMAC-SHA256, with the journal's key, over a label
and the canonical JSON of the fields (sorted keys, compact, ASCII). Without the key nobody can
forge or lower such a file; each kind has its own label, so one cannot pass for the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from station.audit.files import PrivateFileWriter, read_small_file

__all__ = ["SealedFileError", "SealedFileProblem", "read_sealed", "seal", "write_sealed"]

_MAX_BYTES = 4096


class SealedFileProblem(Enum):
    UNREADABLE = "unreadable"
    MALFORMED = "malformed"
    ALTERED = "altered"


class SealedFileError(Exception):
    """What is wrong with a sealed file; the caller turns it into its own error and words."""

    def __init__(self, problem: SealedFileProblem, detail: str = "") -> None:
        super().__init__(detail or problem.value)
        self.problem = problem
        self.detail = detail


def seal(key: bytes, label: str, fields: Mapping[str, Any]) -> str:
    body = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, f"station audit {label}\n".encode("ascii") + body, hashlib.sha256).hexdigest()


def read_sealed(path: Path, key: bytes, *, label: str, names: Sequence[str]) -> dict[str, Any] | None:
    """The fields ``names`` of the sealed file at ``path``, or None where there is none. Raises
    :class:`SealedFileError` if it cannot be read, lacks a field, or its MAC does not match."""
    if not os.path.lexists(path):
        return None
    try:
        data, _, fd = read_small_file(path, _MAX_BYTES)
        os.close(fd)
        document = json.loads(data.decode("ascii"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SealedFileError(SealedFileProblem.UNREADABLE, str(exc)) from exc
    try:
        fields = {name: document[name] for name in names}
        stored_mac = str(document[f"{label}_mac"])
    except (KeyError, TypeError) as exc:
        raise SealedFileError(SealedFileProblem.MALFORMED, str(exc)) from exc
    if not hmac.compare_digest(stored_mac, seal(key, label, fields)):
        raise SealedFileError(SealedFileProblem.ALTERED)
    return fields


def write_sealed(path: Path, key: bytes, *, label: str, fields: Mapping[str, Any], sync_folder: bool) -> None:
    """Replace ``path`` atomically with the sealed ``fields`` (mode 0600). Raises ``OSError`` or
    :class:`~station.audit.files.NotASmallFileError`."""
    text = json.dumps({**fields, f"{label}_mac": seal(key, label, fields)}, sort_keys=True, indent=1) + "\n"
    with PrivateFileWriter(path, sync_folder=sync_folder) as out:
        os.write(out.fd, text.encode("ascii"))
