"""Where the journal and its key live by default: the per-user data directory of the station.

The key file (used only where there is no OS keyring) sits beside the database but is a separate
file, so copying or exporting the database never carries the key with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "ENV_AUDIT_DB",
    "anchor_path_beside",
    "data_dir",
    "default_anchor_path",
    "default_journal_path",
    "default_key_path",
]

#: Environment variable that overrides the journal location (the CLI's ``--audit-db`` wins).
ENV_AUDIT_DB = "STATION_AUDIT_DB"


def data_dir() -> Path:
    """The station's per-user data directory (platformdirs, app name ``station``)."""
    return platformdirs.user_data_path("station", appauthor=False)


def default_journal_path() -> Path:
    """``$STATION_AUDIT_DB`` if set, else ``<user data dir>/station/audit.sqlite3``."""
    override = os.environ.get(ENV_AUDIT_DB)
    if override:
        return Path(override).expanduser()
    return data_dir() / "audit.sqlite3"


def default_key_path() -> Path:
    """``<user data dir>/station/audit.key``: the key's home where no OS keyring exists."""
    return data_dir() / "audit.key"


def default_anchor_path() -> Path:
    """``<user data dir>/station/audit.anchor``: the last shipped head, beside the key file."""
    return default_key_path().with_name("audit.anchor")


def anchor_path_beside(key_file: Path) -> Path:
    """Where the anchor lives for a journal whose key is ``key_file``: the same folder."""
    return key_file.with_name("audit.anchor")
