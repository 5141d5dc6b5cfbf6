"""Where a kiosk station's single-instance channel lives (a private folder of the user's), for the
screen's :mod:`station.ui.single_instance`; re-exported from :mod:`station.security` so the UI never
imports the security package itself (an import-linter contract)."""

from station.security.instance_address import InstanceAddress, InstanceFolderError, instance_address

__all__ = ["InstanceAddress", "InstanceFolderError", "instance_address"]
