"""Session-wide test setup: headless Qt, isolated settings and secrets, no real keyring."""

from __future__ import annotations

import os

# Before anything can import Qt: the tests run headless, whatever the shell says.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# No test may reach a real token or the developer's keyring.
for _name in ("SUREPASS_SANDBOX_TOKEN", "SUREPASS_PRODUCTION_TOKEN", "STATION_AUDIT_DB"):
    os.environ.pop(_name, None)
# The OS keyring is never consulted by tests unless a test installs its own backend.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
