"""Each operator's interface language, remembered on this station between shifts.

Which language an operator reads the screen in is a matter of comfort, not of evidence: it changes
no verdict and nothing the journal keeps (the customer's language is journaled with each attempt).
So it lives in the operator's own configuration folder, beside ``settings.toml``, as one small JSON
object ``{"operator id": "hi"}``, keyed by the signed-in operator id because several operators may
share one OS account at a counter. A damaged file is ignored (logged): the policy's default applies.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Final

from station.security.files import atomic_write_text

__all__ = ["FILENAME", "OperatorLanguages"]

_log = logging.getLogger(__name__)

FILENAME: Final = "operator-languages.json"
#: Operators remembered at most (a station sees a few dozen in its life; the file stays small).
MAX_OPERATORS: Final = 500


class OperatorLanguages:
    """The remembered choices in ``path`` (None: kept in memory only, as in demo mode)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: dict[str, str] = {}

    def _read(self) -> dict[str, str]:
        if self.path is None:
            return dict(self._memory)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            _log.warning("the operators' languages in %s cannot be read (%s): ignored", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, str)}

    def get(self, operator_id: str) -> str | None:
        return self._read().get(operator_id)

    def remember(self, operator_id: str, tag: str) -> None:
        """Keep ``tag`` for ``operator_id``; a file that cannot be written is logged, never fatal."""
        choices = self._read()
        choices.pop(operator_id, None)
        choices[operator_id] = tag  # the most recent last, so the oldest go first
        choices = dict(list(choices.items())[-MAX_OPERATORS:])
        if self.path is None:
            self._memory = choices
            return
        try:
            atomic_write_text(self.path, json.dumps(choices, ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:
            _log.warning("the operator's language could not be saved in %s: %s", self.path, exc)
