"""The effective settings, and where each value came from.

Precedence, highest first::

    mandatory machine policy  >  mandatory user policy  >  the administrator's settings (PIN)
        >  the operator's settings file  >  recommended policy  >  defaults

then, on a development station only, the development overrides (``STATION_<FIELD>`` variables and
command-line options such as ``--threshold``).

A *recommended* policy is the default the station starts from and someone may change (as in
Chrome and Edge): were it above saved settings, a recommendation could never be changed and would
be a mandatory policy by another name.

**The mode is decided first** (:mod:`station.config.modes`), from the program (installed or a
checkout) and machine policy only: nothing the operator can touch (their settings file, environment,
command line, a file they can delete) can make a station a development one. The environment
follows the mode: a sandbox or production station's ``environment`` is its mode's, whatever any
file says. On a sandbox or production station:

* security-relevant fields (:data:`~station.config.model.SECURITY_FIELDS`) in the operator's own
  settings file are ignored;
* development overrides of security-relevant fields are refused and listed in
  :attr:`ResolvedSettings.refused` (the window says so, the journal records it);
* a command-line threshold below the effective one is an error (``station verify`` exits 64).

On a development station the overrides apply, are listed in :attr:`ResolvedSettings.dev_overrides`
(the window shows a "development overrides" marker and every record carries the list), and still
never beat a mandatory policy; nor can they select production (production must be configured).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from station.config.model import ENV_PREFIX, SECURITY_FIELDS, Settings, SettingsError, parse_settings
from station.config.modes import Mode, station_mode
from station.config.policy import Policy, PolicyLevel, PolicySource, read_policy
from station.config.storage import AdminSettingsFile, env_overrides, read_settings_file
from station.endpoint.environments import Environment

__all__ = ["Origin", "ResolvedSettings", "resolve_settings"]


class Origin(StrEnum):
    DEFAULT = "default"
    RECOMMENDED = "recommended by your organisation"
    OPERATOR = "the operator's settings file"
    ADMINISTRATOR = "the administrator (PIN)"
    USER_POLICY = "set by your organisation (user policy)"
    MACHINE_POLICY = "set by your organisation (machine policy)"
    DEVELOPMENT = "development override"
    #: The environment of an installed station whose policy names none: production.
    INSTALLED = "an installed station (production unless policy says sandbox)"


_LEVEL_ORIGINS: Final = {
    PolicyLevel.RECOMMENDED: Origin.RECOMMENDED,
    PolicyLevel.MANDATORY_USER: Origin.USER_POLICY,
    PolicyLevel.MANDATORY_MACHINE: Origin.MACHINE_POLICY,
}


@dataclass(frozen=True)
class ResolvedSettings:
    settings: Settings
    origins: Mapping[str, Origin]
    policy: Policy = field(default_factory=Policy)
    mode: Mode = Mode.DEVELOPMENT
    #: Development overrides in effect: ``STATION_LIVENESS_THRESHOLD``, ``--threshold``…
    dev_overrides: tuple[str, ...] = ()
    #: Overrides the station refused, and why (production, or a mandatory policy).
    refused: tuple[str, ...] = ()

    def origin(self, name: str) -> Origin:
        return _origin_of(self.origins, name)

    def locked(self, name: str) -> bool:
        """Set by a mandatory policy: shown disabled, "Set by your organisation"."""
        return self.origin(name) in (Origin.MACHINE_POLICY, Origin.USER_POLICY)

    @property
    def policy_hash(self) -> str:
        return self.policy.digest

    @property
    def production(self) -> bool:
        return self.mode is Mode.PRODUCTION


def _origin_of(origins: Mapping[str, Origin], name: str) -> Origin:
    """No layer set ``name``: it keeps the model's default."""
    return origins.get(name, Origin.DEFAULT)


def _layer(
    values: dict[str, Any], origins: dict[str, Origin], layer: Mapping[str, Any], origin: Origin
) -> None:
    for name, value in layer.items():
        values[name] = value
        origins[name] = origin


def _is_production(value: Any) -> bool:
    return str(value).strip().lower() == Environment.PRODUCTION.value


def _validate(
    values: Mapping[str, Any], origins: Mapping[str, Origin], policy: Policy, labels: Mapping[str, str]
) -> Settings:
    def source(name: str) -> str:
        if name in labels:  # a development override, as the person typed it
            return labels[name]
        origin = _origin_of(origins, name)
        if origin in _LEVEL_ORIGINS.values():  # the policy file or registry key
            return policy.entries[name].origin
        return str(origin)

    try:
        return parse_settings(values)
    except SettingsError as exc:
        raise SettingsError(list(exc.problems), ", ".join(sorted(map(source, exc.fields))) or None) from None


def resolve_settings(
    *,
    policy_sources: Iterable[PolicySource] = (),
    admin_file: AdminSettingsFile | None = None,
    user_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cli: Mapping[str, Any] | None = None,
    cli_labels: Mapping[str, str] | None = None,
    installed: bool = False,
) -> ResolvedSettings:
    """Every layer, merged and validated. ``cli_labels`` names each command-line override as the
    person typed it (``--threshold``), for messages and the journal; ``installed`` is
    :func:`station.locations.program_installed` (the mode depends on it). Raises
    :class:`~station.config.policy.PolicyError` or :class:`~station.config.model.SettingsError`
    (each naming where the bad value came from)."""
    policy = read_policy(policy_sources)
    admin = admin_file.read() if admin_file is not None else {}
    operator = read_settings_file(user_file) if user_file is not None else {}
    if operator:
        parse_settings(operator, str(user_file))  # a bad value in the file is blamed on the file
    mode = station_mode(installed=installed, policy_environment=policy.value("environment"))

    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    refused: list[str] = []
    if "environment" in admin:
        # Only policy and the program decide the mode: a file that can be deleted cannot.
        refused.append("environment in the administrator's settings (the environment is machine policy)")
        admin = {name: value for name, value in admin.items() if name != "environment"}
    _layer(values, origins, policy.at(PolicyLevel.RECOMMENDED), Origin.RECOMMENDED)
    if not mode.allows_development_overrides:
        ignored = sorted(operator.keys() & SECURITY_FIELDS)
        refused.extend(f"{name} in the operator's settings file ({mode.value})" for name in ignored)
        operator = {name: value for name, value in operator.items() if name not in SECURITY_FIELDS}
    elif _is_production(operator.get("environment")):
        refused.append("environment in the operator's settings file (production is chosen by machine policy)")
        operator = {name: value for name, value in operator.items() if name != "environment"}
    _layer(values, origins, operator, Origin.OPERATOR)
    _layer(values, origins, admin, Origin.ADMINISTRATOR)
    _layer(values, origins, policy.at(PolicyLevel.MANDATORY_USER), Origin.USER_POLICY)
    _layer(values, origins, policy.at(PolicyLevel.MANDATORY_MACHINE), Origin.MACHINE_POLICY)
    if mode is not Mode.DEVELOPMENT and "environment" not in policy.entries:
        values["environment"] = mode.value
        origins["environment"] = Origin.INSTALLED
    elif "environment" in policy.entries:  # the mode is the policy's, whatever its level
        values["environment"] = mode.value
        origins.setdefault("environment", Origin.RECOMMENDED)

    overrides: dict[str, tuple[str, Any]] = {
        name: (f"{ENV_PREFIX}{name.upper()}", value) for name, value in env_overrides(environ).items()
    }
    labels_given = cli_labels or {}
    overrides.update(
        {
            name: (labels_given.get(name, f"--{name.replace('_', '-')}"), value)
            for name, value in (cli or {}).items()
        }
    )
    dev_overrides: list[str] = []
    labels: dict[str, str] = {}
    for name, (label, value) in sorted(overrides.items()):
        why = _override_refusal(name, value, mode, origins, values)
        if why:
            refused.append(f"{label} ({why})")
            continue
        values[name] = value
        origins[name] = Origin.DEVELOPMENT
        labels[name] = label
        dev_overrides.append(label)
    settings = _validate(values, origins, policy, labels)
    return ResolvedSettings(settings, origins, policy, mode, tuple(dev_overrides), tuple(refused))


#: Fields where a higher value is stricter: raising one can never turn a SPOOF into a LIVE.
_HIGHER_IS_STRICTER: Final = frozenset({"liveness_threshold", "min_detection_score", "min_antispoof_score"})


def _stricter(name: str, value: Any, values: Mapping[str, Any]) -> bool:
    """Compared with the value the layers below resolved to, or the model's default."""
    if name not in _HIGHER_IS_STRICTER:
        return False
    current = values.get(name, Settings.model_fields[name].default)
    try:
        wanted = float(value)
        # No minimum yet (the anti-spoof score's default): any minimum only adds a check.
        return current is None or wanted >= float(current)
    except (TypeError, ValueError):
        return False


def _override_refusal(
    name: str, value: Any, mode: Mode, origins: Mapping[str, Origin], values: Mapping[str, Any]
) -> str | None:
    if _stricter(name, value, values):
        return None  # a stricter value is always allowed (and still marked as an override)
    if origins.get(name) in (Origin.MACHINE_POLICY, Origin.USER_POLICY):
        return "set by your organisation's policy"
    if not mode.allows_development_overrides and (name in SECURITY_FIELDS or name == "environment"):
        return f"not on a {mode.value} station"
    if name == "environment" and _is_production(value):
        return "production is chosen by machine policy, not an override"
    return None
