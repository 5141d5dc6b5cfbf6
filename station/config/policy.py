"""Machine policy: what the bank's IT sets for every station, and the operator cannot write.

The way browsers and Office are managed:

* **Windows**: the registry, ``HKLM\\SOFTWARE\\Policies\\Station`` (mandatory, machine), then
  ``HKCU\\SOFTWARE\\Policies\\Station`` (mandatory, user), and a ``Recommended`` subkey under each for
  defaults. Set through Group Policy or Intune with the ADMX templates in ``packaging/windows/``.
  Numbers and switches are DWORDs or strings; lists and tables are JSON strings. Read with the
  standard library's ``winreg``; tests pass a dict-backed registry with the same functions, so the
  parsing code is the one that runs on Windows.
* **Linux**: ``/etc/opt/station/policies/managed/*.json`` (mandatory) and ``…/recommended/*.json``,
  each a JSON object. A file (and its folder) counts only if owned by root and not writable by
  group or others; files merge in name order and a field set twice is reported (the later file
  wins, as the name order promises).

**No secrets.** Every local account can read the registry and ``/etc/opt/station``, so a PIN hash
there cracks offline. ``admin_pin_hash`` and ``supervisors`` (read by older stations) are no
longer policies: a policy that still sets them keeps working for everything else, but those two
values are never used as PINs (never in :attr:`Policy.entries` or its digest) and are listed
in :attr:`Policy.ignored`, logged as a warning and shown by ``station admin`` and the doctor: IT
removes them and runs ``station admin init`` / ``station admin supervisor add`` on the station
(:mod:`station.security.people`). They are ignored rather than the whole policy refused, so a
fleet whose GPO still carries them keeps its other rules (refusing would stop every station the
moment it updates), and a value no station reads grants nothing.

Precedence: mandatory machine > mandatory user > recommended (see :mod:`station.config.resolve`
for where saved settings and defaults come in).

**Fail closed.** Unlike a browser (Firefox ignores a policy file it cannot parse), a policy that
cannot be read or parsed, names a setting the station does not know, or a policy file with unsafe
ownership raises :class:`PolicyError` naming the file or key: the station then stops verifying
rather than run without the bank's rules. The effective policy's hash (:attr:`Policy.digest`) is
journaled at start and whenever it changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, Protocol

from station.config.model import Settings
from station.security.files import untrusted_because

__all__ = [
    "MOVED_OUT_OF_POLICY",
    "POLICY_KEY",
    "IgnoredPolicy",
    "LinuxPolicyFiles",
    "Policy",
    "PolicyEntry",
    "PolicyError",
    "PolicyLevel",
    "PolicySource",
    "Registry",
    "RegistryPolicy",
    "default_policy_sources",
    "read_policy",
]

#: The registry key under HKLM and HKCU.
POLICY_KEY: Final = r"SOFTWARE\Policies\Station"
#: Former policies that held PIN hashes: ignored where found (see the module's docstring).
MOVED_OUT_OF_POLICY: Final[frozenset[str]] = frozenset({"admin_pin_hash", "supervisors"})

_log = logging.getLogger(__name__)
#: A policy file larger than this is not a policy (and would be slow to parse).
_MAX_POLICY_BYTES: Final = 256 * 1024


class PolicyError(Exception):
    """The machine policy cannot be used; the message names the file or key and the problem."""


class PolicyLevel(IntEnum):
    RECOMMENDED = 1
    MANDATORY_USER = 2
    MANDATORY_MACHINE = 3

    @property
    def words(self) -> str:
        return {1: "recommended by policy", 2: "user policy", 3: "machine policy"}[self.value]


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    name: str
    value: Any
    level: PolicyLevel
    #: The file or registry key it came from.
    origin: str


class PolicySource(Protocol):
    def read(self) -> list[PolicyEntry]:
        """Every entry this source holds; :class:`PolicyError` if it cannot be used."""
        ...


def _known(name: str) -> bool:
    return name in Settings.model_fields or name in MOVED_OUT_OF_POLICY


def _check_name(name: str, origin: str) -> None:
    if not _known(name):
        raise PolicyError(f"{origin}: {name!r} is not a policy the station knows (a typing mistake?)")


@dataclass(frozen=True, slots=True)
class IgnoredPolicy:
    """A retired policy (:data:`MOVED_OUT_OF_POLICY`) found set: where, never its value."""

    name: str
    #: The file or registry key that sets it.
    origin: str
    #: The value as found, never used as a PIN: only ``station admin`` compares a new PIN with it,
    #: to refuse one whose hash every account can read. Never in a message or a repr.
    readable_value: Any = field(default=None, repr=False, compare=False)

    @property
    def words(self) -> str:
        return (
            f"{self.origin} sets {self.name}, which is no longer read from policy and is ignored: "
            "any account on this computer can read a policy, so a PIN hash there can be cracked "
            "offline. IT removes it from the policy and runs `station admin init` (and "
            "`station admin supervisor add ID`) on the station as an administrator."
        )


@dataclass(frozen=True)
class Policy:
    """The effective policy: for each name, the entry that wins."""

    entries: Mapping[str, PolicyEntry] = field(default_factory=dict)
    #: "liveness_threshold is set in both 10-a.json and 20-b.json (20-b.json wins)".
    duplicates: tuple[str, ...] = ()
    #: Retired policies found set (never used as PINs): for the doctor and ``station admin``.
    ignored: tuple[IgnoredPolicy, ...] = ()

    def at(self, *levels: PolicyLevel) -> dict[str, Any]:
        """The settings values set at ``levels``."""
        return {
            name: entry.value
            for name, entry in self.entries.items()
            if entry.level in levels and name in Settings.model_fields
        }

    def value(self, name: str) -> Any:
        entry = self.entries.get(name)
        return None if entry is None else entry.value

    @property
    def digest(self) -> str:
        """SHA-256 of the effective policy (name, level, value, sorted): journaled, shipped, compared."""
        canonical = json.dumps(
            {name: [int(entry.level), entry.value] for name, entry in sorted(self.entries.items())},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
            default=str,
        )
        return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def read_policy(sources: Iterable[PolicySource]) -> Policy:
    """Merge every source's entries: the higher level wins; at one level, the later entry wins
    and the clash is reported."""
    winners: dict[str, PolicyEntry] = {}
    duplicates: list[str] = []
    ignored: list[IgnoredPolicy] = []
    for source in sources:
        for entry in source.read():
            if entry.name in MOVED_OUT_OF_POLICY:
                ignored.append(IgnoredPolicy(entry.name, entry.origin, entry.value))
                continue
            current = winners.get(entry.name)
            if current is None or entry.level > current.level:
                winners[entry.name] = entry
            elif entry.level == current.level:
                duplicates.append(
                    f"{entry.name} is set in both {current.origin} and {entry.origin} ({entry.origin} wins)"
                )
                winners[entry.name] = entry
    for item in ignored:
        _log.warning("%s", item.words)
    return Policy(winners, tuple(duplicates), tuple(ignored))


# -- Linux: JSON files under /etc/opt/station/policies ---------------------------------------------


class LinuxPolicyFiles:
    """``managed/*.json`` and ``recommended/*.json`` under ``root``, owned by ``trusted_owner``."""

    def __init__(self, root: Path, *, trusted_owner: int = 0) -> None:
        self.root = root
        self.trusted_owner = trusted_owner

    def _check_safe(self, path: Path, what: str) -> os.stat_result:
        problem = untrusted_because(path, self.trusted_owner, what)
        if problem is not None:
            raise PolicyError(f"{path}: {problem}")
        return path.lstat()

    def _files(self, folder: Path) -> Iterator[Path]:
        if not folder.exists():
            return
        self._check_safe(folder, "folder")
        try:
            names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".json"))
        except OSError as exc:
            raise PolicyError(f"{folder}: the folder cannot be listed ({exc.strerror or exc})") from None
        for name in names:
            yield folder / name

    def _read_file(self, path: Path, level: PolicyLevel) -> list[PolicyEntry]:
        info = self._check_safe(path, "file")
        if not stat.S_ISREG(info.st_mode):
            raise PolicyError(f"{path}: a policy must be a regular file")
        if info.st_size > _MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: the file is too large to be a policy ({info.st_size} bytes)")
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{path}: the file cannot be read ({exc})") from None
        except ValueError as exc:
            raise PolicyError(f"{path}: the file is not valid JSON ({exc})") from None
        if not isinstance(document, dict):
            raise PolicyError(f"{path}: a policy file must hold one JSON object of name: value pairs")
        entries = []
        for name, value in document.items():
            _check_name(name, str(path))
            entries.append(PolicyEntry(name, value, level, str(path)))
        return entries

    def read(self) -> list[PolicyEntry]:
        try:
            if not self.root.exists():
                return []
        except OSError as exc:  # a folder this account may not even look into: fail closed
            raise PolicyError(
                f"{self.root}: the policy folder cannot be read ({exc.strerror or exc})"
            ) from None
        entries: list[PolicyEntry] = []
        for level, sub in (
            (PolicyLevel.MANDATORY_MACHINE, "managed"),
            (PolicyLevel.RECOMMENDED, "recommended"),
        ):
            for path in self._files(self.root / sub):
                entries.extend(self._read_file(path, level))
        return entries


# -- Windows: the registry ---------------------------------------------------------------------------


class Registry(Protocol):
    """The part of ``winreg`` the policy reader uses (``winreg`` itself, or a test's stand-in)."""

    HKEY_LOCAL_MACHINE: int
    HKEY_CURRENT_USER: int
    REG_SZ: int
    REG_EXPAND_SZ: int
    REG_DWORD: int
    REG_QWORD: int
    REG_MULTI_SZ: int

    def OpenKey(self, key: Any, sub_key: str) -> Any: ...  # noqa: N802 - winreg's names

    def EnumValue(self, key: Any, index: int) -> tuple[str, Any, int]: ...  # noqa: N802

    def CloseKey(self, key: Any) -> None: ...  # noqa: N802


class RegistryPolicy:
    """The four policy keys: HKLM and HKCU, each mandatory and ``Recommended``."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def _keys(self) -> Sequence[tuple[Any, str, PolicyLevel, str]]:
        reg = self.registry
        return (
            (reg.HKEY_LOCAL_MACHINE, POLICY_KEY, PolicyLevel.MANDATORY_MACHINE, "HKLM"),
            (reg.HKEY_CURRENT_USER, POLICY_KEY, PolicyLevel.MANDATORY_USER, "HKCU"),
            (reg.HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", PolicyLevel.RECOMMENDED, "HKLM"),
            (reg.HKEY_CURRENT_USER, POLICY_KEY + r"\Recommended", PolicyLevel.RECOMMENDED, "HKCU"),
        )

    def _convert(self, name: str, value: Any, kind: int, origin: str) -> Any:
        reg = self.registry
        if kind in (reg.REG_DWORD, reg.REG_QWORD):
            return int(value)
        if kind in (reg.REG_SZ, reg.REG_EXPAND_SZ):
            return str(value)
        if name in MOVED_OUT_OF_POLICY:
            return None  # ignored whatever it holds (read_policy reports it)
        raise PolicyError(f"{origin}\\{name}: a policy must be a string or a DWORD (registry type {kind})")

    def read(self) -> list[PolicyEntry]:
        entries: list[PolicyEntry] = []
        for hive, path, level, hive_name in self._keys():
            origin = f"{hive_name}\\{path}"
            try:
                handle = self.registry.OpenKey(hive, path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise PolicyError(f"{origin}: the key cannot be read ({exc})") from None
            try:
                index = 0
                while True:
                    try:
                        name, value, kind = self.registry.EnumValue(handle, index)
                    except OSError:  # winreg's "no more values"
                        break
                    index += 1
                    _check_name(name, origin)
                    entries.append(PolicyEntry(name, self._convert(name, value, kind, origin), level, origin))
            finally:
                self.registry.CloseKey(handle)
        return entries


def default_policy_sources(machine_config: Path) -> list[PolicySource]:
    """The registry on Windows; the JSON policy folders on Linux (``<machine config>/policies``)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows through the same class
        import winreg

        return [RegistryPolicy(winreg)]  # type: ignore[arg-type]
    return [LinuxPolicyFiles(machine_config / "policies")]
