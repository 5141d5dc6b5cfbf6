"""The settings form's rules, without Qt: what the settings dialog decides, for it to draw.

What it guarantees, for the bank's IT, security and audit teams:

* It never changes the :class:`Settings` it was given (they are immutable anyway) and never saves
  anything: :meth:`SettingsForm.check` gives a new, fully validated copy, the fields whose values
  changed and those of them that need the administrator PIN; the caller saves through
  :class:`~station.application.settings_store.SettingsStore`, which enforces the PIN itself.
* Every value is checked by :meth:`Settings.with_changes`, the same code that checks the settings
  file, so the form cannot accept what the station would refuse at start. Problems come back per
  field (:class:`Problems`), for the dialog to show next to the fields concerned.
* A field fixed by a mandatory policy, a development override (``STATION_<FIELD>`` or the command
  line), the station's mode (the environment) or, outside development, machine policy for paths
  is read-only (:class:`Fixed`): a value entered for it is never taken.
* Outside development no file dialog opens (Qt's can delete and rename files in the station's
  folders): :meth:`SettingsForm.file_choice` says ``None``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Final

from station.config import (
    ENV_PREFIX,
    Origin,
    ResolvedSettings,
    Settings,
    SettingsError,
    security_fields_changed,
)

__all__ = [
    "DECIMALS",
    "DEMO_CAMERA",
    "OPTIONAL",
    "PATHS",
    "CameraLister",
    "Checked",
    "FileChoice",
    "Fixed",
    "FixedBy",
    "Problems",
    "SettingsForm",
    "group_problems",
    "number_text",
]

_log = logging.getLogger(__name__)

#: Typed as a decimal number (a decimal comma is understood).
DECIMALS: Final = frozenset(
    {
        "liveness_threshold",
        "min_detection_score",
        "min_antispoof_score",
        "review_upper",
        "connect_timeout",
        "read_timeout",
        "deadline",
        "verdict_timeout",
        "auto_capture",
        "ship_resend_window",
        "ship_backoff_cap",
        "heartbeat_interval",
        "ship_alert_age",
    }
)
#: An empty entry (text, or a list's empty choice) means "not set" (``None``).
OPTIONAL: Final = frozenset(
    {
        "base_url",
        "review_upper",
        "min_antispoof_score",
        "proxy",
        "ca_bundle",
        "auto_capture",
        "relay_host",
        "relay_ca_bundle",
        "relay_client_cert",
        "relay_client_key",
        "ship_jsonl_dir",
        "prometheus_textfile",
        "consent_notice",
        "consent_required",  # its empty choice: on a production station only (the default)
    }
)
#: Paths of the station's own files: machine policy's outside development.
PATHS: Final = frozenset({"ca_bundle", "audit_db"})
#: The camera setting that shows the bundled sample picture.
DEMO_CAMERA: Final = "demo"

CameraLister = Callable[[], Sequence[tuple[int, str]]]

#: The policy a locked field's note names.
_POLICY_SOURCES: Final = {Origin.MACHINE_POLICY: "machine policy", Origin.USER_POLICY: "user policy"}


class FixedBy(Enum):
    """Why a field cannot be changed in the form."""

    #: A mandatory policy (machine or user); :attr:`Fixed.detail` names which.
    POLICY = "policy"
    #: A development override; :attr:`Fixed.detail` is the variable (``STATION_DEADLINE``).
    DEVELOPMENT = "development"
    #: The environment follows the station's mode, which only machine policy and the program decide.
    MODE = "mode"
    #: Outside development, IT sets the station's paths by machine policy.
    PATH_POLICY = "path policy"


@dataclass(frozen=True)
class Fixed:
    by: FixedBy
    detail: str = ""


class FileChoice(Enum):
    """The file dialog a path field's Browse… button opens."""

    CERTIFICATES = "open a PEM file"
    JOURNAL = "choose where the journal is"


@dataclass(frozen=True)
class Problems:
    """What :meth:`Settings.with_changes` refused, by field of the form (``general``: the rest)."""

    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    general: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.fields.values()) + len(self.general)


@dataclass(frozen=True)
class Checked:
    """The values entered, checked: either ``settings`` or ``problems``."""

    settings: Settings | None
    problems: Problems = Problems()
    #: The fields whose value differs from the original's, with their new values.
    changes: Mapping[str, Any] = field(default_factory=dict)
    #: The changed fields the administrator PIN must allow (the store refuses them without).
    needs_pin: frozenset[str] = frozenset()
    #: :meth:`SettingsForm.submit` asked for the PIN and it was refused: nothing is to be saved.
    pin_refused: bool = False


def number_text(text: str) -> str:
    """``0,85`` (a decimal comma) → ``0.85``; anything else unchanged for the model to judge."""
    text = text.strip()
    if "." not in text and text.count(",") == 1:
        return text.replace(",", ".")
    return text


def group_problems(problems: Sequence[tuple[str, str]], fields: Collection[str]) -> Problems:
    """``(field, problem)`` pairs by field of the form, in their order, each field's together;
    a problem of a field the form does not show (or of none) is general."""
    by_field: dict[str, tuple[str, ...]] = {}
    general: list[str] = []
    for name, problem in problems:
        if name in fields:
            by_field[name] = (*by_field.get(name, ()), problem)
        else:
            general.append(problem)
    return Problems(by_field, tuple(general))


class SettingsForm:
    """The rules of the settings dialog for ``settings``, whose form shows ``fields``."""

    def __init__(
        self,
        settings: ResolvedSettings | Settings,
        fields: Collection[str],
        camera_lister: CameraLister | None = None,
    ) -> None:
        self._camera_lister = camera_lister
        resolved = settings if isinstance(settings, ResolvedSettings) else ResolvedSettings(settings, {})
        self.original = resolved.settings
        self.fields = frozenset(fields)
        #: Outside development, paths are machine policy: no file dialog reaches the station's folders.
        self.file_dialogs = resolved.mode.allows_file_dialogs
        fixed: dict[str, Fixed] = {}
        for name in Settings.model_fields:
            origin = resolved.origin(name)
            if origin is Origin.DEVELOPMENT:
                fixed[name] = Fixed(FixedBy.DEVELOPMENT, f"{ENV_PREFIX}{name.upper()}")
            elif resolved.locked(name):
                fixed[name] = Fixed(FixedBy.POLICY, _POLICY_SOURCES[origin])
        fixed.setdefault("environment", Fixed(FixedBy.MODE))
        if not self.file_dialogs:
            for name in PATHS:
                fixed.setdefault(name, Fixed(FixedBy.PATH_POLICY))
        #: Fields the form cannot change, and why.
        self.fixed: Mapping[str, Fixed] = fixed

    def read_only(self, name: str) -> bool:
        return name in self.fixed

    def file_choice(self, name: str) -> FileChoice | None:
        """The file dialog for path ``name``; ``None`` where none may open (outside development,
        for a field that is not a path, or one that is fixed)."""
        if not self.file_dialogs or name not in PATHS or name in self.fixed:
            return None
        return FileChoice.CERTIFICATES if name == "ca_bundle" else FileChoice.JOURNAL

    def shown(self, name: str) -> str:
        """The original value of ``name`` as its field shows it, empty for ``None``. Exact, so an
        untouched field never "changes": a float's ``str`` is its shortest exact form, and every
        choice is a ``StrEnum`` whose ``str`` is its value (a test holds both)."""
        value = getattr(self.original, name)
        return "" if value is None else str(value)

    @staticmethod
    def camera_of_device(index: int) -> str:
        """The camera setting for local device ``index``, as the detected-cameras list offers it."""
        return f"device:{index}"

    def detected_cameras(self) -> list[tuple[int, str]]:
        """The local cameras as ``(index, name)``; none if listing them failed (logged).
        Blocking: call it in a worker thread."""
        try:
            if self._camera_lister is None:
                from station.camera.sources import list_devices  # late: loads OpenCV

                return list(list_devices())
            return list(self._camera_lister())
        except Exception:
            _log.warning("listing the cameras failed", exc_info=True)
            return []

    @staticmethod
    def entered_value(name: str, value: Any) -> Any:
        """What a field's entry means, for :meth:`check`: text is trimmed, empty is ``None`` for an
        optional setting, a decimal comma is a point; the model judges the rest."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if name in OPTIONAL and not text:
            return None
        if name in DECIMALS:
            return number_text(text)
        return text

    def check(self, entered: Mapping[str, Any]) -> Checked:
        """The settings as ``entered`` (fields fixed in the form are never taken from it)."""
        taken = {
            name: self.entered_value(name, value) for name, value in entered.items() if name not in self.fixed
        }
        try:
            candidate = self.original.with_changes(**taken)
        except SettingsError as exc:
            return Checked(None, group_problems(exc.problems, self.fields))
        changes = {
            name: getattr(candidate, name)
            for name in Settings.model_fields
            if getattr(candidate, name) != getattr(self.original, name)
        }
        needs_pin = frozenset(security_fields_changed(self.original, candidate))
        return Checked(candidate, changes=changes, needs_pin=needs_pin)

    def submit(self, entered: Mapping[str, Any], approve: Callable[[frozenset[str]], bool]) -> Checked:
        """What OK does: :meth:`check`, then ``approve`` (the PIN prompt) with the security fields
        that changed, only if the values are valid and there is such a field: nothing is
        authorised before it is valid, and no PIN is asked for a change that needs none."""
        checked = self.check(entered)
        if checked.settings is not None and checked.needs_pin and not approve(checked.needs_pin):
            return replace(checked, pin_refused=True)
        return checked
