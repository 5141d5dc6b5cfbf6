"""What an administrator or a supervisor does at the station: settings, network check, PINs.

One object holds the PIN guard and the settings store and offers the window its guarded actions.
Applying settings swaps the parts they configure (decision rules, camera, service client, quality
gate) without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from station.application.desk import SupervisorCredentials
from station.application.people import PinGuard
from station.application.service import Credential, LivenessAPIError
from station.application.settings import PolicyError, ResolvedSettings, Settings, SettingsError
from station.application.settings_store import AdminApproval, SettingsStore
from station.application.tokens import TokenStore
from station.ui.netcheck_dialog import NetworkCheckDialog
from station.ui.pin_dialog import ask_supervisor, require_admin_pin
from station.ui.settings_dialog import SettingsDialog

__all__ = ["AdminActions"]

translate = QCoreApplication.translate

_log = logging.getLogger(__name__)


class AdminActions:
    def __init__(
        self,
        store: SettingsStore,
        apply: Callable[[ResolvedSettings], Awaitable[None]],
        parent: Callable[[], QWidget | None],
        guard: PinGuard,
        *,
        demo_endpoint: tuple[str, Credential] | None = None,
    ) -> None:
        self.store = store
        try:
            self.resolved: ResolvedSettings | None = store.current()
        except (PolicyError, SettingsError) as exc:  # the station runs stopped; the dialog says why
            _log.error("settings cannot be shown: %s", exc)
            self.resolved = None
        self._apply = apply
        self._parent = parent
        self.guard = guard
        #: In demo mode the station talks to the emulator: the network check checks that.
        self._demo_endpoint = demo_endpoint
        self._dialogs: list[QWidget] = []
        #: The settings being applied (the window's parts are swapped on the event loop).
        self.applying: asyncio.Future[None] | None = None
        # The administrator's approval for the open dialog's security changes, for the store.
        self._approval: AdminApproval | None = None

    @property
    def settings(self) -> Settings:
        return self.resolved.settings if self.resolved is not None else Settings()

    def require_pin(self, action: str) -> AdminApproval | None:
        """The guard's approval only after the administrator PIN (closing the kiosk, a settings
        change), else None."""
        return require_admin_pin(self._parent(), self.guard, action)

    def _approve_change(self, action: str) -> bool:
        """The dialog's PIN check: keeps the approval that :meth:`SettingsStore.save` redeems."""
        self._approval = self.require_pin(action)
        return self._approval is not None

    def supervisor(self, action: str) -> SupervisorCredentials | None:
        """The id and PIN a supervisor typed to ``action`` (the trusted side checks them), or None."""
        return ask_supervisor(self._parent(), action)

    def open_settings(self) -> None:
        try:
            self.resolved = self.store.current()
        except (PolicyError, SettingsError) as exc:
            QMessageBox.warning(
                self._parent(),
                translate("Admin", "Settings"),
                translate("Admin", "The settings cannot be shown: {problem}").format(problem=exc),
            )
            return
        # Outside development the settings open only for the administrator (issue 22, failure 2):
        # a settings dialog reaches the station's paths and its guarded fields.
        if not self.resolved.mode.allows_development_overrides and not self.require_pin(
            translate("Admin", "open the settings")
        ):
            return
        self._approval = None
        dialog = SettingsDialog(self.resolved, self._parent(), pin_check=self._approve_change)
        dialog.network_check_requested.connect(self.open_network_check)
        dialog.accepted.connect(lambda: self._settings_accepted(dialog))
        self._keep(dialog)
        dialog.open()

    def _settings_accepted(self, dialog: SettingsDialog) -> None:
        changes = dialog.changes()
        approval, self._approval = self._approval, None
        if not changes:
            return
        try:
            # The store, not the dialog, enforces the PIN: it redeems the approval or refuses.
            self.resolved = self.store.save(changes, approval)
        except (SettingsError, OSError) as exc:
            QMessageBox.warning(self._parent(), translate("Admin", "Settings not saved"), str(exc))
            return
        _log.info("settings changed: %s", ", ".join(sorted(changes)))
        self.applying = asyncio.ensure_future(self._apply(self.resolved))

    def open_network_check(self, settings: Settings | None = None) -> None:
        """Checks the endpoint the station actually uses (the emulator, in demo mode)."""
        settings = settings or self.settings
        credential: Credential | None
        if self._demo_endpoint is not None:
            url, credential = self._demo_endpoint
        else:
            url = settings.effective_base_url
            try:
                credential = TokenStore().credential(settings.environment)
            except LivenessAPIError:
                credential = None
        dialog = NetworkCheckDialog(
            url,
            settings.environment,
            ca_bundle=settings.ca_bundle,
            proxy=settings.proxy,
            spki_pins=settings.to_network().spki_pins,
            credential=credential,
            parent=self._parent(),
        )
        self._keep(dialog)
        dialog.open()

    def _keep(self, dialog: QWidget) -> None:
        self._dialogs = [d for d in self._dialogs if d.isVisible()] + [dialog]
