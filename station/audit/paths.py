"""Where the journal and its key live by default: the machine data folder of the station.

The key file (used only where there is no OS keyring) sits beside the database but is a separate
file, so copying or exporting the database never carries the key with it.
"""

from __future__ import annotations

from pathlib import Path

from station.locations import machine_data_dir

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
    """The machine data folder (see :mod:`station.locations`): one journal for every operator."""
    return machine_data_dir()


def default_journal_path() -> Path:
    """``audit.sqlite3`` in the machine data folder. (``STATION_AUDIT_DB`` is the ``audit_db``
    setting's development override, resolved with the others in :mod:`station.config.resolve`.)"""
    return data_dir() / "audit.sqlite3"


def default_key_path() -> Path:
    """``audit.key`` in the machine data folder: the key's home on an installed station, or where no
    OS keyring exists."""
    return data_dir() / "audit.key"


def default_anchor_path() -> Path:
    """``audit.anchor`` in the machine data folder: the last shipped head, beside the key file."""
    return default_key_path().with_name("audit.anchor")


def anchor_path_beside(key_file: Path) -> Path:
    """Where the anchor lives for a journal whose key is ``key_file``: the same folder."""
    return key_file.with_name("audit.anchor")
