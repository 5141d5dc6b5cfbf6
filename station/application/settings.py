"""The settings model as the screen sees it: re-exported from :mod:`station.config` so
:mod:`station.ui` never imports the settings package itself (an import-linter contract). Saving
goes through :class:`~station.application.settings_store.SettingsStore`."""

from station.config import (
    ENV_PREFIX,
    SECURITY_FIELDS,
    Origin,
    PolicyError,
    ResolvedSettings,
    Settings,
    SettingsError,
    default_settings_path,
    security_fields_changed,
)
from station.config.model import DEFAULT_CUSTOMER_LANGUAGES, DEFAULT_INTERFACE_LANGUAGE

__all__ = [
    "DEFAULT_CUSTOMER_LANGUAGES",
    "DEFAULT_INTERFACE_LANGUAGE",
    "ENV_PREFIX",
    "SECURITY_FIELDS",
    "Origin",
    "PolicyError",
    "ResolvedSettings",
    "Settings",
    "SettingsError",
    "default_settings_path",
    "security_fields_changed",
]
