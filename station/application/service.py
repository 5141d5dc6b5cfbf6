"""What the screen may know of the service: its environments, a credential's shape and the typed
errors it reports. Re-exported from :mod:`station.api` so :mod:`station.ui` never imports the
client's package (an import-linter contract)."""

from station.api.credentials import Credential
from station.api.environments import Environment
from station.api.errors import LivenessAPIError, TokenMissingError

__all__ = ["Credential", "Environment", "LivenessAPIError", "TokenMissingError"]
