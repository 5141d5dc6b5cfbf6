"""The station's mode: one table, decided once, from facts about the program and machine policy.

* **development**: a source checkout (or ``--demo``) with no policy naming the environment.
  Development overrides are allowed (marked, journaled); ``station verify FILE`` is allowed;
  consent as policy says (off by default).
* **sandbox**: machine policy says ``environment = sandbox``. Overrides are refused;
  ``station verify FILE`` is allowed; consent as policy says.
* **production**: machine policy says production, **or an installed program whose policy names no
  environment**. Overrides are refused; ``station verify FILE`` is refused unless policy names a
  back-office channel (``allow_document_verification``); consent is always required.

The mode is a fact about the program that runs (:func:`station.locations.program_installed`) and
about machine policy (which the operator cannot write), never about a folder, a file the operator
can delete, the operator's settings, environment or command line. Removing policy never moves a
station up the table: an installed program without policy is production. The administrator's
settings file no longer chooses the environment (a file that can be deleted cannot hold the one
setting whose absence would make the station laxer).

Everything that depends on the mode asks :func:`station_mode` (through
:class:`~station.config.resolve.ResolvedSettings.mode`) and the properties of :class:`Mode`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["Mode", "station_mode"]


class Mode(StrEnum):
    DEVELOPMENT = "development"
    SANDBOX = "sandbox"
    PRODUCTION = "production"

    @property
    def allows_development_overrides(self) -> bool:
        """``STATION_<FIELD>`` variables, ``--threshold``, ``--base-url``… (a stricter value is
        always allowed: :mod:`station.config.resolve`)."""
        return self is Mode.DEVELOPMENT

    @property
    def requires_consent(self) -> bool:
        """Production always asks the customer first; elsewhere policy decides."""
        return self is Mode.PRODUCTION

    @property
    def allows_file_verification(self) -> bool:
        """``station verify FILE`` / ``--pdf`` / ``--link`` without a back-office policy."""
        return self is not Mode.PRODUCTION

    @property
    def allows_screenshots(self) -> bool:
        """``--screenshot FILE`` outside the demo: one capture through the station's own path (its
        service, its journal), the window saved to a file the command line names. That picture
        would be a customer's face, so never in production; a sandbox pilot PC uses it to show
        the installed window works where no screen can be looked at."""
        return self is not Mode.PRODUCTION

    @property
    def allows_file_dialogs(self) -> bool:
        """Paths typed or browsed by the operator (journal, CA bundle, camera file…): only where
        the operator is the developer. Elsewhere paths are machine policy."""
        return self is Mode.DEVELOPMENT


def _environment_named(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def station_mode(*, installed: bool, policy_environment: Any) -> Mode:
    """The mode (see the module docstring). ``policy_environment`` is the ``environment`` machine
    policy sets (any level), or None. An unknown value is production: when unsure, the strictest."""
    named = _environment_named(policy_environment)
    if named == Mode.SANDBOX.value:
        return Mode.SANDBOX
    if named or installed:
        return Mode.PRODUCTION
    return Mode.DEVELOPMENT
