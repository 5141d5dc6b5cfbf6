r"""Where the station keeps its files: one module, below everything that reads or writes them.

Three scopes:

* **Machine** (an installed station): policy in the machine config
  folder (Linux ``/etc/opt/station``, root-owned; Windows ``%ProgramData%\Station\config``, the
  registry holds the policy there), and the journal, its key, the administrator's settings and the
  logs in the machine data folder (Linux ``/var/lib/station``, Windows ``%ProgramData%\Station\data``;
  the installer creates it). Every operator of a PC writes one journal, and a profile clean-up
  loses nothing.
* **The service's own store** (:func:`service_store_dir`): what only the trusted side may read,
  the PIN hashes and the wrong-PIN ledger (Linux ``/var/lib/station/private``, 0700, owned by the
  ``station`` service account or root; Windows ``%ProgramData%\Station\private``, whose ACLs the
  Windows installer is to set). See :mod:`station.security.private_store`.
* **User** (a source checkout): the platform's per-user folders (platformdirs).

Whether the program is installed is a fact about the program (a frozen bundle, or a package
installed outside a checkout: :func:`program_installed`), never about a folder: a leftover, missing
or moved folder changes nothing. ``STATION_MACHINE_CONFIG_DIR`` / ``STATION_MACHINE_DATA_DIR`` /
``STATION_SERVICE_STORE_DIR`` move the machine folders of a checkout only (every test run gets its
own root that way); an installed program ignores them, so an operator cannot point it at a policy,
a journal or a PIN store of their own.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs

__all__ = [
    "APP_NAME",
    "ENV_ASSUME_INSTALLED",
    "ENV_CONFIG_DIR",
    "ENV_MACHINE_CONFIG_DIR",
    "ENV_MACHINE_DATA_DIR",
    "ENV_SERVICE_STORE_DIR",
    "MachineFolders",
    "machine_config_dir",
    "machine_data_dir",
    "machine_folders",
    "program_installed",
    "running_from_checkout",
    "service_store_dir",
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
ENV_SERVICE_STORE_DIR: Final = "STATION_SERVICE_STORE_DIR"


def _override(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return Path(value).expanduser() if value else None


#: Where Windows keeps ProgramData (REG_EXPAND_SZ, e.g. ``%SystemDrive%\\ProgramData``).
_PROFILE_LIST: Final = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"


def program_data() -> Path:
    r"""Windows' ProgramData folder as the machine's registry names it (``ProfileList``), never a
    process's environment: an operator's process can set ``%ProgramData%`` to a folder of its own,
    and a service under Wine gets ``C:\users\Public`` there. ``%SystemDrive%`` is the Windows
    folder's drive. ``C:\ProgramData`` when the registry has no answer."""
    import ctypes
    import importlib

    try:
        winreg: Any = importlib.import_module("winreg")  # Windows only (typeshed knows it there)
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _PROFILE_LIST) as key:
            value, _kind = winreg.QueryValueEx(key, "ProgramData")
    except (ImportError, OSError):
        return Path(r"C:\ProgramData")
    buffer = ctypes.create_unicode_buffer(260)
    windll: Any = getattr(ctypes, "windll")  # noqa: B009 - Windows-only in typeshed
    length = windll.kernel32.GetSystemWindowsDirectoryW(buffer, 260)
    drive = buffer.value[:2] if 0 < length < 260 and buffer.value[1:2] == ":" else "C:"
    text = str(value)
    if text.lower().startswith("%systemdrive%"):
        text = drive + text[len("%systemdrive%") :]
    return Path(text) if "%" not in text else Path(r"C:\ProgramData")


def installed_config_dir() -> Path:
    """The machine config folder of an installed station on this OS."""
    if sys.platform == "win32":
        return program_data() / "Station" / "config"
    return Path("/etc/opt/station")


def installed_data_dir() -> Path:
    """The machine data folder of an installed station on this OS."""
    if sys.platform == "win32":
        return program_data() / "Station" / "data"
    return Path("/var/lib/station")


def installed_service_store_dir() -> Path:
    """The service's own store on an installed station of this OS (see :func:`service_store_dir`)."""
    if sys.platform == "win32":
        return program_data() / "Station" / "private"
    return Path("/var/lib/station/private")


#: Set to ``1``: the program behaves as an installed one although it runs from a checkout (tests
#: of an installed station's rules). It can only make the station stricter, so it is honoured
#: everywhere.
ENV_ASSUME_INSTALLED: Final = "STATION_ASSUME_INSTALLED"


def running_from_checkout() -> bool:
    """True when this program runs from a source checkout of the station (``pyproject.toml`` of the
    project beside the package), False for a frozen bundle or a package installed elsewhere.

    A fact about the program that runs, never about a folder: an operator cannot make an installed
    program a checkout by creating, moving or deleting anything the program does not own.
    """
    if getattr(sys, "frozen", False):
        return False
    project = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        head = project.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return 'name = "station"' in head


def program_installed(environ: Mapping[str, str] | None = None) -> bool:
    """A frozen bundle or a system install (see :func:`running_from_checkout`), or a checkout told
    to behave as one (:data:`ENV_ASSUME_INSTALLED`)."""
    if not running_from_checkout():
        return True
    return (os.environ if environ is None else environ).get(ENV_ASSUME_INSTALLED, "").strip() == "1"


@dataclass(frozen=True, slots=True)
class MachineFolders:
    config: Path
    data: Path
    #: True for an installed program (:func:`program_installed`): its journal and key belong to
    #: the machine, and a missing policy means production (:mod:`station.config.modes`).
    installed: bool


def machine_folders(
    environ: Mapping[str, str] | None = None,
    *,
    checkout: bool | None = None,
) -> MachineFolders:
    """The machine folders.

    An installed program uses the OS's folders, whatever its environment says. A checkout may move
    them (``STATION_MACHINE_CONFIG_DIR`` / ``STATION_MACHINE_DATA_DIR``: how the tests give every run
    its own root); without them it reads the OS's policy folder (a checkout under a production
    policy behaves as production) and keeps its data in the user's folder. ``checkout`` stands in
    for :func:`running_from_checkout` (tests).
    """
    from_checkout = running_from_checkout() if checkout is None else checkout
    installed = program_installed(environ) if from_checkout else True
    if not from_checkout:
        return MachineFolders(installed_config_dir(), installed_data_dir(), installed=True)
    default_data = installed_data_dir() if installed else user_data_dir()
    return MachineFolders(
        _override(ENV_MACHINE_CONFIG_DIR, environ) or installed_config_dir(),
        _override(ENV_MACHINE_DATA_DIR, environ) or default_data,
        installed=installed,
    )


def machine_config_dir() -> Path:
    """Policy files (see :func:`machine_folders`)."""
    return machine_folders().config


def machine_data_dir() -> Path:
    """The journal, its key, the administrator's settings and the logs."""
    return machine_folders().data


def service_store_dir(
    environ: Mapping[str, str] | None = None,
    *,
    checkout: bool | None = None,
) -> Path:
    """The folder only the station's service account (or root / SYSTEM) can read: PIN hashes and
    the wrong-PIN ledger. Installed: the OS's folder, whatever the environment says. A checkout may
    move it with ``STATION_SERVICE_STORE_DIR`` (as the other machine folders; the tests give every
    run its own); without it, a checkout that behaves as installed uses the OS's folder and any
    other keeps it in the user's data folder (``<user data>/private``)."""
    from_checkout = running_from_checkout() if checkout is None else checkout
    if not from_checkout:
        return installed_service_store_dir()
    installed = program_installed(environ)
    default = installed_service_store_dir() if installed else user_data_dir() / "private"
    return _override(ENV_SERVICE_STORE_DIR, environ) or default


def user_config_dir() -> Path:
    """``$STATION_CONFIG_DIR`` if set, else the per-user config folder (``~/.config/station``)."""
    return _override(ENV_CONFIG_DIR) or platformdirs.user_config_path(APP_NAME, appauthor=False)


def user_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/station``)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def station_log_dir() -> Path:
    """Where the station's log files go. Installed: ``<machine data>/logs/<OS user>`` (a profile
    clean-up loses nothing, and each operator's process rotates its own files), except where the
    machine data folder is the station service's alone (``install.sh --system``: 0700, the
    ``station`` account's): the operator's process, a client of the service, then logs in the
    platform's per-user folder, and the evidence is the service's journal. ``$STATION_LOG_DIR`` is
    ignored on an installed station, as every development override is. Otherwise
    :func:`user_log_dir`."""
    folders = machine_folders()
    if folders.installed:
        if _service_owns(folders.data):
            return platformdirs.user_log_path(APP_NAME, appauthor=False)
        return folders.data / "logs" / _account_folder_name()
    return user_log_dir()


def _service_owns(data: Path) -> bool:
    """The machine data folder exists and this process may not write into it."""
    return data.is_dir() and not os.access(data, os.W_OK | os.X_OK)


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
