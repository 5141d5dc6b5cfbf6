"""What an administrator or supervisor does at the station: settings, network check, the PIN.

One object holds the administrator PIN and the saved settings and offers the window its guarded
actions. Applying settings swaps the parts they configure (decision policy, camera, service
client, quality gate) without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from station.api.errors import LivenessAPIError
from station.application.tokens import TokenStore
from station.config import Settings, SettingsError, load_settings, save_settings
from station.security.pin import AdminPin, PinError
from station.ui.netcheck_dialog import NetworkCheckDialog
from station.ui.pin_dialog import require_admin_pin
from station.ui.settings_dialog import SettingsDialog

__all__ = ["EXTRA_GUARDED_FIELDS", "AdminActions"]

_log = logging.getLogger(__name__)

#: Beyond config.SECURITY_FIELDS: a CA bundle or proxy can enable interception, and the journal's
#: location and image retention are the auditors' business.
EXTRA_GUARDED_FIELDS = ("ca_bundle", "proxy", "audit_db", "retain_images", "quality_gate", "kiosk")


class AdminActions:
    def __init__(
        self,
        settings: Settings,
        apply: Callable[[Settings], Awaitable[None]],
        parent: Callable[[], QWidget | None],
        pin: AdminPin | None = None,
    ) -> None:
        self.settings = settings
        self._apply = apply
        self._parent = parent
        self._pin = pin
        self._dialogs: list[QWidget] = []
        #: The settings being applied (the window's parts are swapped on the event loop).
        self.applying: asyncio.Future[None] | None = None

    def _admin_pin(self) -> AdminPin:
        if self._pin is None:
            self._pin = AdminPin.load()
        return self._pin

    def require_pin(self, reason: str) -> bool:
        """True only after the administrator PIN (a supervisor's review, closing the kiosk)."""
        try:
            return require_admin_pin(self._parent(), self._admin_pin(), reason)
        except PinError as exc:
            QMessageBox.warning(self._parent(), "Administrator PIN", str(exc))
            return False

    def open_settings(self) -> None:
        dialog = SettingsDialog(
            self.settings,
            self._parent(),
            pin_check=self.require_pin,
            extra_guarded_fields=EXTRA_GUARDED_FIELDS,
        )
        dialog.network_check_requested.connect(self.open_network_check)
        dialog.accepted.connect(lambda: self._settings_accepted(dialog))
        self._keep(dialog)
        dialog.open()

    def _settings_accepted(self, dialog: SettingsDialog) -> None:
        changes = dialog.changes()
        if not changes:
            return
        try:
            # Changes go onto the file's own values: a value set by an environment variable is
            # not written into the file.
            saved = load_settings(environ={}).with_changes(**changes)
            save_settings(saved)
            self.settings = load_settings()
        except (SettingsError, OSError) as exc:
            QMessageBox.warning(self._parent(), "Settings not saved", str(exc))
            return
        _log.info("settings changed: %s", ", ".join(sorted(changes)))
        self.applying = asyncio.ensure_future(self._apply(self.settings))

    def open_network_check(self, settings: Settings | None = None) -> None:
        settings = settings or self.settings
        try:
            credential = TokenStore().credential(settings.environment)
        except LivenessAPIError:
            credential = None
        dialog = NetworkCheckDialog(
            settings.effective_base_url,
            settings.environment,
            ca_bundle=settings.ca_bundle,
            proxy=settings.proxy,
            credential=credential,
            parent=self._parent(),
        )
        self._keep(dialog)
        dialog.open()

    def _keep(self, dialog: QWidget) -> None:
        self._dialogs = [d for d in self._dialogs if d.isVisible()] + [dialog]
