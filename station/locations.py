r"""Where the station keeps its files: one module, below everything that reads or writes them.

Two scopes:

* **Machine** (an installed station): policy and the administrator's PIN in the machine config
  folder (Linux ``/etc/opt/station``, root-owned; Windows ``%ProgramData%\Station\config``, the
  registry holds the policy there), and the journal, its key, the administrator's settings and the
  logs in the machine data folder (Linux ``/var/lib/station``, Windows ``%ProgramData%\Station\data``;
  the installer creates it so that every operator's station process can append). Every operator of
  a PC writes one journal, and a profile clean-up loses nothing.
* **User** (a development checkout, where no machine folder exists): the platform's per-user
  folders (platformdirs).

``STATION_MACHINE_CONFIG_DIR`` / ``STATION_MACHINE_DATA_DIR`` move the machine folders for tests and
development only: once the real machine folder exists (the station is installed), they are ignored,
so an operator cannot point the station at a policy or a journal of their own.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

__all__ = [
    "APP_NAME",
    "ENV_CONFIG_DIR",
    "ENV_MACHINE_CONFIG_DIR",
    "ENV_MACHINE_DATA_DIR",
    "MachineFolders",
    "machine_config_dir",
    "machine_data_dir",
    "machine_folders",
    "station_log_dir",
    "user_config_dir",
    "user_data_dir",
    "user_log_dir",
]

APP_NAME: Final = "station"
#: Moves the per-user configuration folder (tests, a managed install).
ENV_CONFIG_DIR: Final = "STATION_CONFIG_DIR"
#: Moves the per-user log folder.
ENV_LOG_DIR: Final = "STATION_LOG_DIR"
#: Move the machine folders, for tests and development only (ignored once installed).
ENV_MACHINE_CONFIG_DIR: Final = "STATION_MACHINE_CONFIG_DIR"
ENV_MACHINE_DATA_DIR: Final = "STATION_MACHINE_DATA_DIR"


def _override(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return Path(value).expanduser() if value else None


def installed_config_dir() -> Path:
    """The machine config folder of an installed station on this OS."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Station" / "config"
    return Path("/etc/opt/station")


def installed_data_dir() -> Path:
    """The machine data folder of an installed station on this OS."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Station" / "data"
    return Path("/var/lib/station")


@dataclass(frozen=True, slots=True)
class MachineFolders:
    config: Path
    data: Path
    #: True on an installed station (the real machine data folder exists).
    installed: bool


def machine_folders(
    environ: Mapping[str, str] | None = None,
    *,
    installed_config: Path | None = None,
    installed_data: Path | None = None,
) -> MachineFolders:
    """The machine folders; the ``installed_*`` arguments stand in for the OS's (tests)."""
    config = installed_config or installed_config_dir()
    data = installed_data or installed_data_dir()
    if data.is_dir():
        return MachineFolders(config, data, installed=True)
    return MachineFolders(
        _override(ENV_MACHINE_CONFIG_DIR, environ) or config,
        _override(ENV_MACHINE_DATA_DIR, environ) or user_data_dir(),
        installed=False,
    )


def machine_config_dir() -> Path:
    """Policy files and the administrator's PIN (see :func:`machine_folders`)."""
    return machine_folders().config


def machine_data_dir() -> Path:
    """The journal, its key, the administrator's settings and the logs."""
    return machine_folders().data


def user_config_dir() -> Path:
    """``$STATION_CONFIG_DIR`` if set, else the per-user config folder (``~/.config/station``)."""
    return _override(ENV_CONFIG_DIR) or platformdirs.user_config_path(APP_NAME, appauthor=False)


def user_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/station``)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def station_log_dir() -> Path:
    """Where the station's log files go. Installed: ``<machine data>/logs/<OS user>`` (a profile
    clean-up loses nothing, and each operator's process rotates its own files);
    ``$STATION_LOG_DIR`` is ignored there, as every development override is. Otherwise
    :func:`user_log_dir`."""
    folders = machine_folders()
    if folders.installed:
        return folders.data / "logs" / _account_folder_name()
    return user_log_dir()


def _account_folder_name() -> str:
    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or the passwd file
        name = f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown-user"
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned[:64] or "unknown-user"


def user_log_dir() -> Path:
    """``$STATION_LOG_DIR`` if set, else the per-user log folder (``~/.local/state/station/log``)."""
    return _override(ENV_LOG_DIR) or platformdirs.user_log_path(APP_NAME, appauthor=False)
