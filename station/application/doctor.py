"""``station doctor``: can this station serve customers, as it is configured right now?

Unlike ``station --self-test`` (which checks the bundle with its own demo parts, so it passes on a
broken installation), every check here looks at the real thing: the machine policy in force, the
service's socket, the configured camera, the journal with its key and anchor, the token, the
service host through the policy's proxy, the supervisors and the shipping target.

Each check is a small function returning a :class:`Finding` (an :class:`Item`, a :class:`Status`,
a plain detail and what to do). :func:`run_doctor` runs them all; :attr:`DoctorReport.can_serve`
is true when no finding is :attr:`Status.FAIL` (a :attr:`Status.WARN` does not stop the counter).
Nothing here writes a journal row, creates a key, or prints a token. No Qt.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from station.api.credentials import Credential
from station.api.errors import LivenessAPIError
from station.application.factory import StationConfig, camera_verdict, config_from_resolved
from station.application.people import people_store
from station.application.tokens import NoSecureStoreError, TokenStore
from station.audit import AuditError, AuditJournal
from station.audit.anchor import read_anchor
from station.audit.head import head_path_beside
from station.audit.keys import load_key
from station.audit.paths import anchor_path_beside, default_journal_path
from station.camera import CameraError, SourceKind, parse_source
from station.config import PolicyError, ResolvedSettings, SettingsError, resolve_station_settings
from station.locations import MachineFolders, machine_folders
from station.netcheck import run_network_check
from station.security.camera_identity import CameraIdentity
from station.security.people import People, read_people
from station.security.pin import PinError
from station.ship.config import ShipConfig, TargetKind
from station.ship.errors import ShipError
from station.ship.tls import connect_relay, relay_context

__all__ = [
    "DEFAULT_SERVICE_SOCKET",
    "SERVICE_ACCOUNT",
    "DoctorReport",
    "Finding",
    "Item",
    "ServiceProbe",
    "Status",
    "check_camera",
    "check_journal",
    "check_policy",
    "check_service",
    "check_service_host",
    "check_shipping",
    "check_supervisors",
    "check_token",
    "run_doctor",
    "socket_probe",
]

#: The account the station service runs as (the systemd unit's ``User=``).
SERVICE_ACCOUNT: Final = "station"
#: The journal's name in the machine data folder (:func:`station.audit.paths.default_journal_path`).
JOURNAL_FILENAME: Final = default_journal_path().name
#: Where the station service listens on Linux (the systemd unit's ``RuntimeDirectory=station``).
DEFAULT_SERVICE_SOCKET: Final = Path("/run/station/station.sock")
_NETWORK_TIMEOUT_S: Final = 5.0


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a check status, not a password
    WARN = "WARN"
    FAIL = "FAIL"


class Item(StrEnum):
    """What is checked, in the order the report lists it."""

    POLICY = "policy"
    SERVICE = "service"
    CAMERA = "camera"
    JOURNAL = "journal"
    TOKEN = "token"  # noqa: S105 - an item name, not a token
    SERVICE_HOST = "service host"
    SUPERVISORS = "supervisors"
    SHIPPING = "shipping"


@dataclass(frozen=True, slots=True)
class Finding:
    item: Item
    status: Status
    detail: str
    #: What to do about it ("" when nothing needs doing).
    action: str = ""

    def line(self) -> str:
        text = f"{self.status.value:<4}  {self.item.value:<12}  {self.detail}"
        return f"{text} -> {self.action}" if self.action else text

    def as_dict(self) -> dict[str, str]:
        return {
            "item": self.item.value,
            "status": self.status.value,
            "detail": self.detail,
            "action": self.action,
        }


@dataclass(frozen=True, slots=True)
class DoctorReport:
    findings: tuple[Finding, ...]

    @property
    def can_serve(self) -> bool:
        """True when nothing failed: the station can serve customers (warnings included)."""
        return all(f.status is not Status.FAIL for f in self.findings)

    def status_of(self, item: Item) -> Status:
        return next(f.status for f in self.findings if f.item is item)


def _fail(item: Item, detail: str, action: str) -> Finding:
    return Finding(item, Status.FAIL, detail, action)


# ------------------------------------------------------------------------------------- policy


def check_policy(folders: MachineFolders) -> tuple[Finding, ResolvedSettings | None]:
    """The machine policy parses, names only known settings with valid values, and is in force."""
    try:
        resolved = resolve_station_settings(folders=folders, environ={}, user_file=_no_user_file(folders))
    except PolicyError as exc:
        return _fail(Item.POLICY, f"the policy cannot be used: {exc}", "correct the named file or key"), None
    except SettingsError as exc:
        return _fail(Item.POLICY, f"a setting cannot be used: {exc}", "correct the named setting"), None
    entries = len(resolved.policy.entries)
    detail = (
        f"in force: {entries} entr{'y' if entries == 1 else 'ies'} from {folders.config / 'policies'}, "
        f"mode {resolved.mode.value}, hash {resolved.policy_hash[:12]}"
    )
    if entries == 0:
        return (
            Finding(Item.POLICY, Status.WARN, f"no policy file: {detail}", "deploy the bank's policy file"),
            resolved,
        )
    ignored = resolved.policy.ignored
    if ignored:
        words = " ".join(item.words for item in ignored)
        return Finding(Item.POLICY, Status.WARN, f"{detail}; {words}", "remove the retired keys"), resolved
    return Finding(Item.POLICY, Status.PASS, detail), resolved


def _no_user_file(folders: MachineFolders) -> Path:
    """The doctor judges the machine's configuration, never one operator's saved settings."""
    return folders.data / "doctor-has-no-user-settings.toml"


# ------------------------------------------------------------------------------------ service

#: Asks the service whether it answers; raises ``OSError`` (with a plain message) when it does not.
ServiceProbe = Callable[[], str]


def socket_probe(path: Path = DEFAULT_SERVICE_SOCKET, timeout: float = 2.0) -> ServiceProbe:
    """Until the service client is wired in: the socket exists, is a socket, and accepts a
    connection. (It does not yet speak the service's protocol.)"""

    def probe() -> str:
        try:
            info = path.lstat()
        except FileNotFoundError:
            raise OSError(f"there is no socket at {path}: the station service is not running") from None
        if not stat.S_ISSOCK(info.st_mode):
            raise OSError(f"{path} is not a socket")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(path))
        return f"{path} accepts connections (socket check only; the protocol is not exercised yet)"

    return probe


def check_service(probe: ServiceProbe) -> Finding:
    try:
        detail = probe()
    except PermissionError as exc:
        return _fail(
            Item.SERVICE,
            f"this account may not talk to the station service: {exc.strerror or exc}",
            "add the account to the station-clients group (install.sh --system --operator USER)",
        )
    except OSError as exc:
        reason = exc.strerror if exc.strerror else str(exc)
        return _fail(
            Item.SERVICE,
            f"the station service does not answer: {reason}",
            "start it: systemctl start station-service; see journalctl -u station-service",
        )
    return Finding(Item.SERVICE, Status.PASS, detail)


# ------------------------------------------------------------------------------------- camera

#: Opens and closes the configured source; raises ``CameraError`` or ``ValueError``.
CameraOpener = Callable[[str], None]


def open_camera(spec: str) -> None:
    source = parse_source(spec)
    try:
        source.open()
        source.read()
    finally:
        source.close()


def check_camera(
    config: StationConfig,
    *,
    identify: Callable[[int | str], CameraIdentity] | None = None,
    opener: CameraOpener = open_camera,
) -> Finding:
    """The configured camera is allowed here (a device: present, not virtual, approved in
    production) and delivers a picture."""
    verdict = camera_verdict(config, identify)
    if verdict.refusal:
        return _fail(Item.CAMERA, verdict.refusal, "connect an approved camera or correct approved_cameras")
    if config.camera.strip().lower() == "demo":
        return _fail(
            Item.CAMERA, "the camera is the demo picture", "set the counter's camera (camera setting)"
        )
    try:
        opener(config.camera)
    except (CameraError, ValueError, OSError) as exc:
        return _fail(Item.CAMERA, f"{verdict.label} does not deliver a picture: {exc}", "check the cable")
    if verdict.kind is not None and not verdict.kind.is_live:
        return Finding(
            Item.CAMERA,
            Status.WARN,
            f"{verdict.label} opens, but it is not a live camera (allowed by policy for training)",
            "use a live camera at a counter",
        )
    approved = " (approved)" if config.approved_cameras and verdict.kind is SourceKind.DEVICE else ""
    return Finding(Item.CAMERA, Status.PASS, f"{verdict.label} delivers a picture{approved}")


# ------------------------------------------------------------------------------------ journal


def _folder_writable(folder: Path) -> str:
    """ "" if a file can be created in ``folder`` (tried, then removed); else why not."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def _ownership_problem(path: Path, account: str) -> str:
    """ "" if ``path`` (a folder: 0700; a file: 0600) belongs to ``account`` and no one else can
    reach it; else what is wrong."""
    if sys.platform == "win32":  # the installer's ACLs guard ProgramData there (the Windows issue)
        return ""
    import pwd

    try:
        expected = pwd.getpwnam(account).pw_uid
    except KeyError:
        return f"there is no {account} account: the station service is not installed"
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    wanted = 0o700 if path.is_dir() else 0o600
    if info.st_uid != expected:
        try:
            owner = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            owner = f"uid {info.st_uid}"
        return f"{path} belongs to {owner}, not {account}"
    if mode != wanted:
        return f"{path} has mode {mode:04o}, not {wanted:04o}"
    return ""


def check_journal(
    path: Path, key_loader: Callable[[], bytes] = load_key, *, service_account: str | None = None
) -> Finding:
    """The journal opens the way the station opens it (its key, its head file and anchor
    checked), and nothing is appended. With ``service_account`` (an installed station), its folder,
    the journal and the key must be that account's alone (0700, 0600).

    Run as the service's account, the journal is opened for writing. Run as root, it is opened
    read-only (root would leave files of its own beside it) and the owner's rights are judged."""
    anchor = anchor_path_beside(path)
    folder = path.parent
    if not path.exists():
        if anchor.exists() or head_path_beside(path).exists():
            return _fail(
                Item.JOURNAL,
                f"the journal {path} is missing, but its head or anchor names one",
                "restore the journal; only 'station audit new-chain' starts a new one",
            )
        why = _folder_writable(folder) if folder.is_dir() else f"{folder} does not exist"
        if not why and service_account is not None:
            why = _ownership_problem(folder, service_account)
        if why:
            return _fail(Item.JOURNAL, f"no journal can be created in {folder}: {why}", _OWNER_ACTION)
        return Finding(
            Item.JOURNAL, Status.WARN, f"no journal yet at {path}; the station creates it on its first record"
        )
    if service_account is not None:
        for part in (folder, path, folder / "audit.key"):
            why = _ownership_problem(part, service_account) if part.exists() else ""
            if why:
                return _fail(Item.JOURNAL, why, _OWNER_ACTION)
    try:
        key = key_loader()
    except AuditError as exc:
        return _fail(
            Item.JOURNAL, f"the journal's key is missing: {exc}", "restore audit.key beside the journal"
        )
    as_root_for_another = os.geteuid() == 0 and path.stat().st_uid != 0
    if as_root_for_another:
        return _judge_read_only(path, key, anchor)
    why = _folder_writable(folder)
    if why:  # SQLite needs its -wal and -shm files beside the journal
        return _fail(Item.JOURNAL, f"the journal's folder {folder} is not writable: {why}", _OWNER_ACTION)
    try:
        journal = AuditJournal.open(path, key, create=False, anchor_file=anchor)
    except AuditError as exc:
        return _fail(Item.JOURNAL, f"the journal cannot be written: {exc}", _OWNER_ACTION)
    journal.close()
    anchored = "with its anchor" if anchor.exists() else "no anchor yet (nothing shipped)"
    return Finding(Item.JOURNAL, Status.PASS, f"{path} opens for writing with its key, {anchored}")


def _judge_read_only(path: Path, key: bytes, anchor_file: Path) -> Finding:
    """Root's look at another account's journal: the key, and the anchored row still there."""
    try:
        with AuditJournal.open(path, key, read_only=True) as journal:
            head, journal_id = journal.head(), journal.journal_id
        anchor = read_anchor(anchor_file, key)
    except AuditError as exc:
        return _fail(Item.JOURNAL, f"the journal cannot be used: {exc}", _OWNER_ACTION)
    if anchor is not None and (anchor.journal_id != journal_id or head is None or head[0] < anchor.sequence):
        return _fail(
            Item.JOURNAL,
            f"the journal {path} does not hold row {anchor.sequence} its anchor names",
            "restore the journal; only 'station audit new-chain' starts a new one",
        )
    anchored = "with its anchor" if anchor is not None else "no anchor yet (nothing shipped)"
    return Finding(
        Item.JOURNAL,
        Status.PASS,
        f"{path} opens with its key, {anchored} (read-only: run as root, the owner's rights were judged)",
    )


_OWNER_ACTION: Final = "the station's account must own the journal folder (install.sh --system)"


# -------------------------------------------------------------------------------------- token


def check_token(config: StationConfig, tokens: TokenStore | None = None) -> Finding:
    """A token for the configured environment is enrolled (never shown)."""
    store = tokens or TokenStore()
    environment = config.environment.value
    try:
        store.credential(config.environment)
    except NoSecureStoreError as exc:
        return _fail(Item.TOKEN, f"no {environment} token: {exc}", "enrol it: station token set")
    except LivenessAPIError as exc:
        return _fail(Item.TOKEN, f"no {environment} token: {exc.message}", "enrol it: station token set")
    status = store.status(config.environment)
    return Finding(Item.TOKEN, Status.PASS, f"{environment} token: {status.describe()}")


# ------------------------------------------------------------------------------- service host


def check_service_host(config: StationConfig, credential: Credential | None = None) -> Finding:
    """The service's host answers through the policy's proxy, with the station's trust (the
    machine store plus the policy's CA bundle and pins). ``credential`` adds the balance call."""
    results = asyncio.run(
        run_network_check(
            config.base_url,
            config.environment,
            ca_bundle=config.network.ca_bundle,
            proxy=config.network.proxy,
            credential=credential,
            spki_pins=config.network.spki_pins,
            timeout=_NETWORK_TIMEOUT_S,
        )
    )
    failed = next((r for r in results if r.ok is False), None)
    if failed is not None:
        return _fail(
            Item.SERVICE_HOST,
            f"{failed.name}: {failed.detail}",
            "check the proxy, firewall and CA bundle (the Network check panel shows each step)",
        )
    done = [r for r in results if r.ok]
    return Finding(Item.SERVICE_HOST, Status.PASS, "; ".join(r.detail for r in done[-2:]))


# -------------------------------------------------------------------------------- supervisors

PeopleLoader = Callable[[], People]


def check_supervisors(loader: PeopleLoader, *, production: bool) -> Finding:
    """Supervisors who can settle a review are configured (a review needs one in production)."""
    try:
        people = loader()
    except (PinError, PolicyError, OSError) as exc:
        return _fail(
            Item.SUPERVISORS, f"the supervisors cannot be read: {exc}", "station admin supervisor add ID"
        )
    count = len(people.supervisors)
    if count == 0:
        status = Status.FAIL if production else Status.WARN
        return Finding(
            Item.SUPERVISORS,
            status,
            "no supervisor is configured: reviews cannot be settled",
            "station admin supervisor add ID",
        )
    admin = "" if people.admin is not None else "; no administrator PIN (station admin init)"
    return Finding(Item.SUPERVISORS, Status.PASS, f"{count} supervisor{'s' if count != 1 else ''}{admin}")


# ----------------------------------------------------------------------------------- shipping


def check_shipping(ship: ShipConfig | None, *, production: bool) -> Finding:
    """The shipping target takes a connection (a relay: the TLS handshake; a folder: a file).
    An unreachable target does not stop the counter (rows wait in the journal): a warning."""
    if ship is None or ship.target is TargetKind.OFF:
        if production:
            return Finding(
                Item.SHIPPING, Status.WARN, "the journal is not shipped", "set ship_target in policy"
            )
        return Finding(Item.SHIPPING, Status.PASS, "off (not shipped)")
    if ship.target is TargetKind.JSONL:
        assert ship.jsonl_dir is not None
        why = _folder_writable(ship.jsonl_dir) if ship.jsonl_dir.is_dir() else "it does not exist"
        if why:
            return Finding(
                Item.SHIPPING, Status.WARN, f"cannot write to {ship.jsonl_dir}: {why}", "create the folder"
            )
        return Finding(Item.SHIPPING, Status.PASS, f"JSONL files in {ship.jsonl_dir}")
    try:
        with connect_relay(ship, relay_context(ship)) as connection:
            version = connection.version() or "TLS"
    except ShipError as exc:
        return Finding(
            Item.SHIPPING,
            Status.WARN,
            f"the relay {ship.relay_host}:{ship.relay_port} cannot be reached: {exc}",
            "check the relay, firewall and CA bundle; rows wait in the journal meanwhile",
        )
    return Finding(
        Item.SHIPPING,
        Status.PASS,
        f"{ship.target.value} relay {ship.relay_host}:{ship.relay_port}: {version}",
    )


# ----------------------------------------------------------------------------------------- run


@dataclass(frozen=True)
class DoctorParts:
    """What :func:`run_doctor` checks against; each part has the station's own default."""

    folders: MachineFolders = field(default_factory=machine_folders)
    service: ServiceProbe = field(default_factory=socket_probe)
    tokens: TokenStore = field(default_factory=TokenStore)
    identify: Callable[[int | str], CameraIdentity] | None = None
    opener: CameraOpener = open_camera


def _blocked(items: Sequence[Item]) -> list[Finding]:
    return [_fail(item, "not checked: the policy is not in force", "fix the policy first") for item in items]


def run_doctor(parts: DoctorParts | None = None) -> DoctorReport:
    """Every check, in :class:`Item` order."""
    parts = parts or DoctorParts()
    policy, resolved = check_policy(parts.folders)
    findings = [policy, check_service(parts.service)]
    if resolved is None:
        findings += _blocked((Item.CAMERA,))
        account = SERVICE_ACCOUNT if parts.folders.installed else None
        findings.append(check_journal(parts.folders.data / JOURNAL_FILENAME, service_account=account))
        findings += _blocked((Item.TOKEN, Item.SERVICE_HOST, Item.SUPERVISORS, Item.SHIPPING))
        return DoctorReport(tuple(findings))
    config = config_from_resolved(resolved)
    findings.append(check_camera(config, identify=parts.identify, opener=parts.opener))
    account = SERVICE_ACCOUNT if parts.folders.installed else None
    findings.append(
        check_journal(config.audit_db or parts.folders.data / JOURNAL_FILENAME, service_account=account)
    )
    findings.append(check_token(config, parts.tokens))
    findings.append(check_service_host(config))
    findings.append(check_supervisors(lambda: read_people(people_store()), production=config.production))
    findings.append(check_shipping(config.ship, production=config.production))
    return DoctorReport(tuple(findings))
