"""Where the settings dialog's changes go, and the effective settings after them.

Security-relevant fields go to the administrator's file in the machine data folder (MAC'd with
the audit key, see :class:`~station.config.storage.AdminSettingsFile`); the rest to the operator's
own settings file. A field set by a mandatory policy is never written: it would not take effect.
In demo mode nothing is written at all (the demo must never change a real station's settings):
the changes live in memory until the demo ends.

The administrator-PIN rule is kept here, where settings are saved, not in a dialog: a change to a
security-relevant field is refused (:class:`AdminApprovalRequiredError`) unless the caller hands in an
:class:`~station.security.people.AdminApproval` that the store's own
:class:`~station.security.people.PinGuard` issued for a right administrator PIN and has not yet
redeemed. A caller that skips the PIN dialog, passes ``True`` or copies an old approval saves
nothing. This holds in demo mode too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from station.config import (
    SECURITY_FIELDS,
    AdminSettingsFile,
    ResolvedSettings,
    Settings,
    SettingsError,
    dumps_settings,
    security_fields_changed,
)
from station.config.storage import read_settings_file
from station.security.files import atomic_write_text
from station.security.people import AdminApproval, PinGuard

__all__ = ["AdminApproval", "AdminApprovalRequiredError", "SettingsStore"]


class AdminApprovalRequiredError(SettingsError):
    """A security-relevant change came without a valid administrator approval: nothing was saved."""

    def __init__(self, fields: frozenset[str]) -> None:
        super().__init__([(name, "needs the administrator PIN") for name in sorted(fields)])


class SettingsStore:
    def __init__(
        self,
        resolve: Callable[[], ResolvedSettings],
        *,
        admin_file: AdminSettingsFile | None,
        user_file: Path | None,
        guard: PinGuard | None,
        persist: bool = True,
    ) -> None:
        self._resolve = resolve
        #: Redeems the administrator's approvals; without one every security change is refused.
        self._guard = guard
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

    def save(self, changes: Mapping[str, Any], approval: AdminApproval | None = None) -> ResolvedSettings:
        """Keep ``changes`` (validated first) and return the effective settings after them.

        A change to a security-relevant field needs ``approval``, issued by this store's guard for
        a right administrator PIN; it is redeemed (used up) here. :class:`AdminApprovalRequiredError`
        without one, :class:`SettingsError` if a change is refused, ``OSError`` if a file cannot
        be written."""
        before = self.current()
        locked = sorted(name for name in changes if before.locked(name))
        if locked:
            raise SettingsError([(name, "is set by your organisation's policy") for name in locked])
        if "environment" in changes and changes["environment"] != before.settings.environment:
            # The mode, and so the environment, is machine policy's (station.config.modes).
            raise SettingsError([("environment", "is chosen by machine policy, not in the settings")])
        after = before.settings.with_changes(**changes)  # validate against everything else first
        guarded = frozenset(security_fields_changed(before.settings, after))
        # A security field given at its current value is not a change: it is not written (that
        # would pin it in the administrator's file without the PIN). Values are written as the
        # model read them (trimmed, typed), never as the caller spelled them.
        security = {name: getattr(after, name) for name in guarded}
        others = {name: getattr(after, name) for name in changes if name not in SECURITY_FIELDS}
        if self.persist:  # nothing is written unless everything can be
            if security and self._admin_file is None:
                raise SettingsError([("", "this station keeps no administrator's settings")])
            if others and self._user_file is None:
                raise SettingsError([("", "this station keeps no operator's settings")])
        if guarded and (self._guard is None or not self._guard.redeem(approval)):
            raise AdminApprovalRequiredError(guarded)
        if not self.persist:
            self._in_memory.update({**security, **others})
            return self.current()
        if security and self._admin_file is not None:
            self._admin_file.write({**self._admin_file.read(), **security})
        if others and self._user_file is not None:
            merged = Settings.model_validate({**read_settings_file(self._user_file), **others})
            atomic_write_text(self._user_file, dumps_settings(merged))
        return self.current()
