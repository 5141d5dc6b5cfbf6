"""Where the settings dialog's changes go, and the effective settings after them.

Security-relevant fields go to the administrator's file in the machine data folder (MAC'd with
the audit key, see :class:`~station.config.storage.AdminSettingsFile`); the rest to the operator's
own settings file. A field set by a mandatory policy is never written: it would not take effect.
In demo mode nothing is written at all (the demo must never change a real station's settings):
the changes live in memory until the demo ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from station.config import (
    SECURITY_FIELDS,
    AdminSettingsFile,
    ResolvedSettings,
    Settings,
    SettingsError,
    dumps_settings,
)
from station.config.storage import read_settings_file
from station.security.files import atomic_write_text

__all__ = ["SettingsStore"]


class SettingsStore:
    def __init__(
        self,
        resolve: Callable[[], ResolvedSettings],
        *,
        admin_file: AdminSettingsFile | None,
        user_file: Any | None,
        persist: bool = True,
    ) -> None:
        self._resolve = resolve
        self._admin_file = admin_file
        self._user_file = user_file
        self.persist = persist
        #: Demo mode: the changes made this session, layered over the resolved settings.
        self._in_memory: dict[str, Any] = {}

    def current(self) -> ResolvedSettings:
        resolved = self._resolve()
        if not self._in_memory:
            return resolved
        return replace(resolved, settings=resolved.settings.with_changes(**self._in_memory))

    def save(self, changes: Mapping[str, Any]) -> ResolvedSettings:
        """Keep ``changes`` (validated first) and return the effective settings after them.
        :class:`SettingsError` if a change is refused; ``OSError`` if a file cannot be written."""
        before = self.current()
        locked = sorted(name for name in changes if before.locked(name))
        if locked:
            raise SettingsError([(name, "is set by your organisation's policy") for name in locked])
        if "environment" in changes and changes["environment"] != before.settings.environment:
            # The mode, and so the environment, is machine policy's (station.config.modes).
            raise SettingsError([("environment", "is chosen by machine policy, not in the settings")])
        before.settings.with_changes(**changes)  # validate against everything else first
        if not self.persist:
            self._in_memory.update(changes)
            return self.current()
        security = {name: value for name, value in changes.items() if name in SECURITY_FIELDS}
        others = {name: value for name, value in changes.items() if name not in SECURITY_FIELDS}
        if security:
            if self._admin_file is None:
                raise SettingsError([("", "this station keeps no administrator's settings")])
            self._admin_file.write({**self._admin_file.read(), **_plain(security)})
        if others and self._user_file is not None:
            current = read_settings_file(self._user_file)
            merged = Settings.model_validate({**current, **others})
            atomic_write_text(self._user_file, dumps_settings(merged))
        return self.current()


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members and paths as the plain values a TOML file holds."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        raw = getattr(value, "value", value)
        out[name] = str(raw) if hasattr(raw, "__fspath__") else raw
    return out
