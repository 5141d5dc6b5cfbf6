"""Where settings are kept on disk, and the ``STATION_<FIELD>`` development overrides.

Two files, two owners:

* ``settings.toml`` in the operator's own config folder (:func:`default_settings_path`): the
  operator's preferences. Security-relevant fields in it count only on a development station
  (see :mod:`station.config.resolve`); the operator can edit this file, so production ignores them.
* ``admin-settings.toml`` in the machine's data folder (:func:`default_admin_settings_path`): what
  an administrator changed in the settings dialog with the PIN. It ends with an HMAC line keyed by
  the audit key, so a hand edit is detected (the station then stops verifying and says why).

Both are flat ``key = value`` TOML tables, written atomically with mode 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import tomllib
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Final

from station.config.model import ENV_PREFIX, SECURITY_FIELDS, SETTINGS_FILENAME, Settings, SettingsError
from station.locations import machine_data_dir, user_config_dir
from station.security.files import atomic_write_text

__all__ = [
    "ADMIN_SETTINGS_FILENAME",
    "AdminSettingsFile",
    "config_dir",
    "default_admin_settings_path",
    "default_settings_path",
    "dumps_settings",
    "dumps_values",
    "env_overrides",
    "read_settings_file",
    "save_settings",
    "security_fields_changed",
]

ADMIN_SETTINGS_FILENAME: Final = "admin-settings.toml"
_MAC_PREFIX: Final = "# hmac-sha256 = "


# -- where the file lives ---------------------------------------------------------------------


def config_dir() -> Path:
    """``$STATION_CONFIG_DIR`` if set, else the per-user config directory (platformdirs)."""
    return user_config_dir()


def default_settings_path() -> Path:
    return config_dir() / SETTINGS_FILENAME


def default_admin_settings_path() -> Path:
    """``admin-settings.toml`` in the machine's data folder, beside the journal."""
    return machine_data_dir() / ADMIN_SETTINGS_FILENAME


# -- reading ----------------------------------------------------------------------------------


def _optional_fields() -> frozenset[str]:
    return frozenset(name for name, info in Settings.model_fields.items() if info.default is None)


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The ``STATION_<FIELD>`` variables that are set: field name → raw value (``None`` = clear).

    The settings dialog uses this to show which values the environment fixes.
    """
    environ = os.environ if environ is None else environ
    optional = _optional_fields()
    found: dict[str, str | None] = {}
    for name in Settings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None:
            continue
        value = raw.strip()
        if value:
            found[name] = value
        elif name in optional:
            found[name] = None
    return found


def read_settings_file(path: Path) -> dict[str, Any]:
    """The table in ``path`` (a missing file is an empty table); :class:`SettingsError` naming the
    file for anything unreadable."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([("", f"the settings file is not valid TOML: {exc}")], str(path)) from None
    except UnicodeDecodeError:
        raise SettingsError([("", "the settings file is not UTF-8 text")], str(path)) from None
    except OSError as exc:
        raise SettingsError(
            [("", f"the settings file cannot be read: {exc.strerror or exc}")], str(path)
        ) from None


# -- writing ----------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SettingsError([("", f"cannot write the number {value} to the settings file")])
        return repr(value)
    if isinstance(value, Enum):
        return _toml_string(str(value.value))
    if isinstance(value, str | Path):
        return _toml_string(str(value))
    raise TypeError(f"no TOML form for {type(value).__name__}")


def dumps_values(values: Mapping[str, Any], header: str) -> str:
    """Flat ``key = value`` TOML lines under a comment header; ``None`` left out."""
    lines = [*(f"# {line}" if line else "" for line in header.splitlines()), ""]
    for name, value in values.items():
        if value is not None:
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def dumps_settings(settings: Settings) -> str:
    """The TOML text :func:`save_settings` writes: every field, ``None`` left out."""
    return dumps_values(
        {name: getattr(settings, name) for name in Settings.model_fields},
        "Station settings. Written by the station; see the README for each key.\n"
        "On a production station the security settings in this file are ignored: they come from\n"
        "machine policy or from the administrator (settings dialog, with the PIN).",
    )


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (temp file + ``os.replace``), mode 0600; returns the path."""
    path = default_settings_path() if path is None else path
    atomic_write_text(path, dumps_settings(settings))
    return path


def security_fields_changed(old: Settings, new: Settings) -> set[str]:
    """The :data:`SECURITY_FIELDS` whose values differ between ``old`` and ``new``."""
    return {name for name in SECURITY_FIELDS if getattr(old, name) != getattr(new, name)}


class AdminSettingsFile:
    """The settings an administrator changed with the PIN, MAC'd with the audit key.

    ``key`` is the audit journal's HMAC key (a callable, read only when needed). The last line of
    the file is ``# hmac-sha256 = <hex>`` over every byte before it.
    """

    def __init__(self, path: Path, key: Any) -> None:
        self.path = path
        self._key = key

    def _mac(self, body: bytes) -> str:
        key: bytes = self._key()
        return hmac.new(key, body, hashlib.sha256).hexdigest()

    def read(self) -> dict[str, Any]:
        """The administrator's values; empty if there is no file. :class:`SettingsError` naming
        the file if it cannot be read or its MAC does not match (a hand edit)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SettingsError(
                [("", f"the administrator's settings cannot be read: {exc.strerror or exc}")], str(self.path)
            ) from None
        body, _, last = raw.rstrip(b"\n").rpartition(b"\n")
        text = last.decode("ascii", "replace")
        if not text.startswith(_MAC_PREFIX):
            raise SettingsError(
                [("", "the administrator's settings carry no MAC (edited by hand?)")], str(self.path)
            )
        expected = self._mac(body + b"\n")
        if not hmac.compare_digest(text[len(_MAC_PREFIX) :].strip(), expected):
            raise SettingsError(
                [("", "the administrator's settings were changed outside the station (MAC mismatch)")],
                str(self.path),
            )
        try:
            return tomllib.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(
                [("", f"the administrator's settings are damaged: {exc}")], str(self.path)
            ) from None

    def write(self, values: Mapping[str, Any]) -> None:
        body = dumps_values(
            values,
            "Settings an administrator changed with the PIN. Written by the station; do not edit:\n"
            "the MAC on the last line makes the station refuse a hand-edited file.",
        ).encode("utf-8")
        atomic_write_text(
            self.path, (body + f"{_MAC_PREFIX}{self._mac(body)}\n".encode("ascii")).decode("utf-8")
        )
