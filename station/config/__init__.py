"""The station's settings: the typed model, machine policy, the files, and the effective result.

- :mod:`~station.config.model`: :class:`Settings`, the rules per field, plain-words errors;
- :mod:`~station.config.policy`: machine policy (registry on Windows, JSON files on Linux);
- :mod:`~station.config.storage`: the operator's settings file, the administrator's (MAC'd) file,
  the ``STATION_<FIELD>`` development overrides;
- :mod:`~station.config.resolve`: the layers merged, with the origin of every value.

:func:`resolve_station_settings` is what the station runs on; :func:`load_settings` is its
``settings`` part.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from station.audit.keys import load_or_create_key
from station.config.model import (
    DEFAULT_AUDIT_RETENTION_DAYS,
    DEFAULT_CAMERA,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_CONSENT_NOTICE_VERSION,
    DEFAULT_DEADLINE,
    DEFAULT_ENVIRONMENT,
    DEFAULT_JPEG_QUALITY,
    DEFAULT_KIOSK,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_QUALITY_GATE,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_SEVERAL_FACES,
    DEFAULT_VERDICT_EXTENSIONS,
    DEFAULT_VERDICT_TIMEOUT,
    ENV_PREFIX,
    FIELD_RULES,
    MAX_TIMEOUT_SECONDS,
    SECURITY_FIELDS,
    SETTINGS_FILENAME,
    FieldRule,
    OperatorSignIn,
    Settings,
    SettingsError,
    parse_settings,
)
from station.config.modes import Mode, station_mode
from station.config.policy import Policy, PolicyError, default_policy_sources
from station.config.resolve import Origin, ResolvedSettings, resolve_settings
from station.config.storage import (
    ADMIN_SETTINGS_FILENAME,
    AdminSettingsFile,
    config_dir,
    default_settings_path,
    dumps_settings,
    env_overrides,
    save_settings,
    security_fields_changed,
)
from station.locations import ENV_CONFIG_DIR, MachineFolders, machine_folders

__all__ = [
    "ADMIN_SETTINGS_FILENAME",
    "DEFAULT_AUDIT_RETENTION_DAYS",
    "DEFAULT_CAMERA",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_CONSENT_NOTICE_VERSION",
    "DEFAULT_DEADLINE",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_JPEG_QUALITY",
    "DEFAULT_KIOSK",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_QUALITY_GATE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_SEVERAL_FACES",
    "DEFAULT_VERDICT_EXTENSIONS",
    "DEFAULT_VERDICT_TIMEOUT",
    "ENV_CONFIG_DIR",
    "ENV_PREFIX",
    "FIELD_RULES",
    "MAX_TIMEOUT_SECONDS",
    "SECURITY_FIELDS",
    "SETTINGS_FILENAME",
    "AdminSettingsFile",
    "FieldRule",
    "Mode",
    "OperatorSignIn",
    "Origin",
    "Policy",
    "PolicyError",
    "ResolvedSettings",
    "Settings",
    "SettingsError",
    "admin_settings_file",
    "config_dir",
    "default_settings_path",
    "dumps_settings",
    "env_overrides",
    "load_settings",
    "parse_settings",
    "resolve_settings",
    "resolve_station_settings",
    "save_settings",
    "security_fields_changed",
    "station_mode",
]


def admin_settings_file(folders: MachineFolders | None = None) -> AdminSettingsFile:
    """The administrator's settings in the machine data folder, MAC'd with the audit key."""
    folders = folders or machine_folders()
    return AdminSettingsFile(folders.data / ADMIN_SETTINGS_FILENAME, load_or_create_key)


def resolve_station_settings(
    *,
    user_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cli: Mapping[str, Any] | None = None,
    cli_labels: Mapping[str, str] | None = None,
    folders: MachineFolders | None = None,
) -> ResolvedSettings:
    """The settings the station runs on: this machine's policy, the administrator's settings, the
    operator's file, development overrides. Raises :class:`PolicyError` or :class:`SettingsError`."""
    folders = folders or machine_folders()  # the process's own folders: ``environ`` is for the overrides
    return resolve_settings(
        policy_sources=default_policy_sources(folders.config),
        admin_file=admin_settings_file(folders),
        user_file=user_file or default_settings_path(),
        environ=environ,
        cli=cli,
        cli_labels=cli_labels,
        installed=folders.installed,
    )


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The effective settings (see :func:`resolve_station_settings`), without their origins."""
    return resolve_station_settings(user_file=path, environ=environ).settings
