"""Where the station keeps its files: one module, below everything that reads or writes them.

Settings, the administrator PIN, the journal and the logs used to find their folders in three
modules that imported each other (``security.pin`` reached up into ``config`` for the folder).
Every folder is decided here, from the platform's conventions (platformdirs) and the few
environment variables tests and managed installs use, and nothing here imports the rest of the
station.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import platformdirs

__all__ = ["APP_NAME", "ENV_CONFIG_DIR", "user_config_dir", "user_data_dir", "user_log_dir"]

APP_NAME: Final = "station"
#: Moves the per-user configuration folder (tests, a managed install).
ENV_CONFIG_DIR: Final = "STATION_CONFIG_DIR"
#: Moves the per-user log folder.
ENV_LOG_DIR: Final = "STATION_LOG_DIR"


def _override(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def user_config_dir() -> Path:
    """``$STATION_CONFIG_DIR`` if set, else the per-user config folder (``~/.config/station``)."""
    return _override(ENV_CONFIG_DIR) or platformdirs.user_config_path(APP_NAME, appauthor=False)


def user_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/station``)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def user_log_dir() -> Path:
    """``$STATION_LOG_DIR`` if set, else the per-user log folder (``~/.local/state/station/log``)."""
    return _override(ENV_LOG_DIR) or platformdirs.user_log_path(APP_NAME, appauthor=False)
