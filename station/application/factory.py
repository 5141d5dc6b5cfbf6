"""One factory for the parts a verification needs, from the station's settings: the service
client, the audit journal and its recorder, the decision and session rules.

The GUI's composition root, ``station verify`` and the self-test build their parts here, so the
rules (which token goes to which host, where the journal is, that a journal that cannot be opened
makes every verdict not final) are written once.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from station.application.consent import DEFAULT_NOTICE, ConsentNotice
from station.audit.paths import anchor_path_beside, default_journal_path
from station.camera import SourceKind, describe_source
from station.config import Mode, ResolvedSettings, Settings
from station.core.decision import DecisionPolicy
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.endpoint.environments import Environment
from station.endpoint.network import NetworkSettings, RetryPolicy, Timeouts
from station.security.camera_identity import CameraIdentity, camera_refusal, identify_device
from station.security.identity import normalise_identity
from station.ship.config import ShipConfig, TargetKind
from station.words import QT_TRANSLATE_NOOP, Phrase

# What only building the parts needs (the service client and httpx, the journal, the trusted side,
# the customer session) is imported where they are built: the settings and the camera's verdict,
# which decide the first frame, are read without them (issue 27: the station's start).
if TYPE_CHECKING:
    from station.api.client import LivenessClient
    from station.api.credentials import Credential
    from station.application.port import VerifierPort
    from station.application.readiness import Hold
    from station.application.recording import Recorder
    from station.application.session import SessionPolicy
    from station.application.tokens import TokenStore
    from station.application.verifier import Verifier
    from station.audit import AuditJournal
    from station.security.people import PinGuard

__all__ = [
    "DEMO_SCENARIO",
    "CameraVerdict",
    "StationConfig",
    "blocked_config",
    "build_client",
    "build_client_or_hold",
    "build_port",
    "camera_check",
    "camera_verdict",
    "config_from_resolved",
    "config_from_settings",
    "open_recorder",
    "session_terms",
    "stopped_because",
]

_log = logging.getLogger(__name__)

#: The demo's first answer: a live person.
DEMO_SCENARIO = "live"


@dataclass(frozen=True)
class StationConfig:
    """What the station needs to run, derived from the settings (and ``--demo``)."""

    environment: Environment = Environment.SANDBOX
    base_url: str | None = None
    camera: str = "demo"
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)
    #: The customer session's rules as ``SessionPolicy`` keyword arguments (:attr:`session`).
    session_terms: tuple[tuple[str, object], ...] = ()
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    audit_db: Path | None = None
    quality_gate: bool = True
    station_id: str = field(default_factory=socket.gethostname)
    operator_id: str | None = None
    demo: bool = False
    demo_scenario: str = DEMO_SCENARIO
    #: A still picture or a video as the camera, outside demo mode (a training room's policy).
    allow_non_live_camera: bool = False
    #: The bank's own cameras ("VID:PID[:SERIAL]" by commas); "" = any physical camera.
    approved_cameras: str = ""
    #: The station's mode (station.config.modes); demo is development.
    mode: Mode = Mode.DEVELOPMENT
    #: The effective machine policy's SHA-256 (journaled at start and on change).
    policy_hash: str = ""
    #: Development overrides in effect (a marker on screen; every record names them).
    dev_overrides: tuple[str, ...] = ()
    #: Overrides the station refused (production, or a mandatory policy).
    refused: tuple[str, ...] = ()
    #: Why verification is stopped (a policy or settings problem): the station fails closed.
    blocked: str = ""
    #: Seconds the picture must stay ready before the station captures by itself; None: off.
    auto_capture: float | None = None
    #: Where the journal is shipped (None: nowhere; never in demo mode).
    ship: ShipConfig | None = None
    #: The consent notice each customer must agree to first (None: policy does not ask).
    consent: ConsentNotice | None = None

    @property
    def production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def session(self) -> SessionPolicy:
        """The customer session's rules (its defaults where the settings set none)."""
        from station.application.session import SessionPolicy

        return SessionPolicy(**dict(self.session_terms))  # type: ignore[arg-type]

    def service_part(self) -> tuple[object, ...]:
        """What the service client is built from: a change here needs a new client."""
        return (self.environment, self.base_url, self.timeouts, self.retry, self.network)


def session_terms(policy: SessionPolicy) -> tuple[tuple[str, object], ...]:
    """``policy`` as :attr:`StationConfig.session_terms`."""
    return tuple((term.name, getattr(policy, term.name)) for term in fields(policy))


def config_from_settings(
    settings: Settings, *, demo: bool = False, scenario: str | None = None, operator_id: str | None = None
) -> StationConfig:
    """The station's configuration from the saved settings (and ``--demo``)."""
    return StationConfig(
        environment=Environment.SANDBOX if demo else settings.environment,
        base_url=None if demo else settings.base_url,
        camera="demo" if demo else settings.camera,
        policy=settings.to_policy(),
        session_terms=(
            ("max_attempts", settings.max_attempts),
            ("verdict_timeout_s", settings.verdict_timeout),
            ("review_blocks_next", settings.review_blocks_next),
            ("verdict_extensions", settings.verdict_extensions),
        ),
        timeouts=settings.to_timeouts(),
        retry=settings.to_retry(),
        network=settings.to_network(),
        jpeg_quality=settings.jpeg_quality,
        audit_db=settings.audit_db,  # in demo mode open_recorder puts "demo-" before the name
        quality_gate=settings.quality_gate,
        station_id=settings.station_id,
        operator_id=normalise_identity(operator_id) or None if operator_id else None,
        demo=demo,
        demo_scenario=scenario or DEMO_SCENARIO,
        allow_non_live_camera=settings.allow_non_live_camera,
        approved_cameras=settings.approved_cameras,
        auto_capture=settings.auto_capture,
        consent=notice_for(settings) if settings.consent_required else None,
        ship=None if demo or settings.ship_target is TargetKind.OFF else settings.to_ship_config(),
    )


def config_from_resolved(
    resolved: ResolvedSettings,
    *,
    demo: bool = False,
    scenario: str | None = None,
    operator_id: str | None = None,
) -> StationConfig:
    """The configuration with what the resolution found: production, the policy hash, overrides."""
    config = config_from_settings(resolved.settings, demo=demo, scenario=scenario, operator_id=operator_id)
    settings = resolved.settings
    # Production always asks (the modes table); elsewhere policy decides, off by default.
    asked = resolved.mode.requires_consent or bool(settings.consent_required)
    return replace(
        config,
        consent=notice_for(settings) if asked else None,
        mode=Mode.DEVELOPMENT if demo else resolved.mode,
        policy_hash=resolved.policy_hash,
        dev_overrides=resolved.dev_overrides,
        refused=resolved.refused,
    )


def notice_for(settings: Settings) -> ConsentNotice:
    """The consent notice: the bank's own text (policy) or the station's."""
    return ConsentNotice(settings.consent_notice_version, settings.consent_notice or DEFAULT_NOTICE)


def blocked_config(reason: str, *, demo: bool = False, scenario: str | None = None) -> StationConfig:
    """The configuration of a station whose policy or settings cannot be used: it starts (the
    operator must read why) but verifies nothing until IT fixes it."""
    return StationConfig(demo=demo, demo_scenario=scenario or DEMO_SCENARIO, blocked=reason)


def stopped_because(problem: Exception) -> str:
    """The operator's words for a policy or settings problem."""
    return (
        f"Verification stopped: the station's policy or settings cannot be used ({problem}). Call IT support."
    )


@dataclass(frozen=True, slots=True)
class CameraVerdict:
    """The configured camera as the journal names it, and whether captures from it are refused."""

    kind: SourceKind | None
    label: str
    refusal: str = ""

    @property
    def never_open(self) -> bool:
        """A device camera production refused: it is not opened at all, so not one frame of it
        is read (a picture or a video is shown, marked, and only its captures refused)."""
        return bool(self.refusal) and self.kind is SourceKind.DEVICE


def camera_verdict(
    config: StationConfig, identify: Callable[[int | str], CameraIdentity] | None = None
) -> CameraVerdict:
    """The camera's journal label, and why captures are refused with it.

    A still picture or a video file is the oldest presentation attack: outside demo mode it is
    refused unless a policy allows it for training (and then the window marks it "not a live
    camera" and every record names it). A device camera is identified (``identify``: USB VID:PID,
    serial, bus, virtual or not; see :mod:`station.security.camera_identity`) and its label says
    so; in production a recognisably virtual camera, or one not in ``approved_cameras`` when that
    is set, is refused before it is opened (:attr:`CameraVerdict.never_open`).
    """
    try:
        kind, label = describe_source(config.camera)
    except ValueError as exc:
        return CameraVerdict(
            None,
            "unknown",
            Phrase(
                QT_TRANSLATE_NOOP("Refusal", "The camera setting cannot be used: {error}"), error=str(exc)
            ),
        )
    if kind is SourceKind.DEVICE:
        wanted = config.camera.strip().partition(":")[2].strip() or config.camera.strip()
        identity = (identify or identify_device)(int(wanted) if wanted.isdigit() else wanted)
        refusal = camera_refusal(identity, config.approved_cameras, production=config.production)
        return CameraVerdict(kind, f"device:{identity.describe()}", refusal)
    if config.demo or kind.is_live or config.allow_non_live_camera:
        return CameraVerdict(kind, label)
    return CameraVerdict(
        kind,
        label,
        QT_TRANSLATE_NOOP(
            "Refusal",
            "A picture or a video, not a live camera: verification refused. Call IT.",
        ),
    )


def camera_check(config: StationConfig) -> tuple[str, str]:
    """:func:`camera_verdict` as ``(label, refusal)``."""
    verdict = camera_verdict(config)
    return verdict.label, verdict.refusal


def build_client(
    config: StationConfig,
    *,
    tokens: TokenStore | None = None,
    credential: Credential | None = None,
    base_url: str | None = None,
) -> tuple[LivenessClient | None, str]:
    """The service client, or None and why (no token enrolled, a refused base URL…), in the
    operator's words. ``credential`` (the emulator's token) wins over the token store."""
    client, hold = build_client_or_hold(config, tokens=tokens, credential=credential, base_url=base_url)
    return client, hold.message if hold is not None else ""


def build_client_or_hold(
    config: StationConfig,
    *,
    tokens: TokenStore | None = None,
    credential: Credential | None = None,
    base_url: str | None = None,
) -> tuple[LivenessClient | None, Hold | None]:
    """The service client, or None and the typed reason there is none (the station's policy
    stopping verification, no token, a client that cannot be built), with its words."""
    from station.api.client import LivenessClient
    from station.api.errors import LivenessAPIError
    from station.application.readiness import Hold, NotReady, client_hold
    from station.application.tokens import TokenStore

    if config.blocked:
        return None, Hold(NotReady.POLICY, config.blocked)
    try:
        if credential is None:
            credential = (tokens or TokenStore()).credential(config.environment)
        client = LivenessClient(
            credential,
            base_url=base_url if base_url is not None else config.base_url,
            timeouts=config.timeouts,
            retry=config.retry,
            network=config.network,
        )
    except LivenessAPIError as exc:
        _log.warning("verification unavailable: %s", exc.message)
        return None, Hold(client_hold(exc), exc.message)
    return client, None


def open_recorder(
    config: StationConfig, *, camera_source: str | None = None
) -> tuple[Recorder, AuditJournal | None]:
    """The journal and its recorder; if the journal cannot be opened, a recorder that makes every
    attempt fail closed (its verdict is not final, with the reason)."""
    from station.application.health import JournalState
    from station.application.recording import (
        AttemptContext,
        JournalRecorder,
        UnavailableRecorder,
        open_journal,
    )
    from station.audit import AuditError, JournalVanishedError

    context = AttemptContext(
        station_id=config.station_id, operator_id=config.operator_id, camera_source=camera_source
    )
    path = config.audit_db or default_journal_path()
    if config.demo and not path.name.startswith("demo-"):
        path = path.with_name(f"demo-{path.name}")  # emulated answers never enter the real journal
    # The last head shipped (kept beside the journal) also says whether a journal vanished here.
    anchor = None if config.demo else anchor_path_beside(path)
    try:
        journal = open_journal(path, anchor_file=anchor)
    except AuditError as exc:
        _log.error("audit journal unavailable: %s", exc)
        missing = isinstance(exc, JournalVanishedError)
        state = JournalState.MISSING if missing else JournalState.CANNOT_WRITE
        return UnavailableRecorder(f"the audit journal cannot be opened: {exc}", state), None
    return JournalRecorder(journal, context), journal


def build_port(verifier: Verifier, pins: PinGuard | None = None) -> VerifierPort:
    """The trusted side the desk talks to: THE one place that chooses it.

    Today always the :class:`~station.application.port.InProcessVerifier` over ``verifier``'s
    parts (a checkout, the demo, the tests; settings changes swap those parts inside it). On an
    installed station the station service's client (``station.service``, issue 24) is built here
    instead, and the desk cannot tell which it has.
    """
    from station.application.port import InProcessVerifier

    return InProcessVerifier(verifier, pins)
