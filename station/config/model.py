"""The station's settings: one typed, validated, immutable model, and what each field may change.

Every bad value, wherever it came from (a policy file, the registry, the settings file, the
dialog), becomes one :class:`SettingsError` whose message names the field and the problem in plain
words (``liveness_threshold: must be between 0 and 1, got 1.7``).

:data:`FIELD_RULES` says, per field, whether it is *security-relevant* (it can change a verdict,
where a customer's face is sent, or what evidence is kept): such a field comes only from machine
policy or from settings an administrator changed with the PIN, never from the operator's own
settings file, environment or command line in production (see :mod:`station.config.resolve`).
Ranges come from :mod:`station.core.bounds`, the one definition the dialog and the CLI use too.

No Qt and no OpenCV here: the command-line tools load settings too.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from station.audit.paths import default_journal_path
from station.core import bounds
from station.core.decision import (
    DEFAULT_LIVENESS_THRESHOLD,
    DEFAULT_MIN_DETECTION_SCORE,
    DecisionPolicy,
    SeveralFacesPolicy,
)
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.endpoint.environments import Environment, base_url_for, known_environment_of, validate_base_url
from station.endpoint.errors import ConfigurationError
from station.endpoint.network import NetworkSettings, RetryPolicy, Timeouts
from station.endpoint.pins import normalize_spki_pin
from station.logs import register_secret
from station.security.camera_identity import parse_approved
from station.security.urls import mask_url_credentials
from station.ship.config import (
    DEFAULT_ALERT_AGE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_PORT,
    DEFAULT_RESEND_WINDOW,
    PayloadFormat,
    ShipConfig,
    ShipConfigError,
    TargetKind,
)

__all__ = [
    "DEFAULT_AUDIT_RETENTION_DAYS",
    "DEFAULT_CAMERA",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_CONSENT_NOTICE_VERSION",
    "DEFAULT_CUSTOMER_LANGUAGES",
    "DEFAULT_DEADLINE",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_INTERFACE_LANGUAGE",
    "DEFAULT_JPEG_QUALITY",
    "DEFAULT_KIOSK",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_QUALITY_GATE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_SEVERAL_FACES",
    "DEFAULT_VERDICT_EXTENSIONS",
    "DEFAULT_VERDICT_TIMEOUT",
    "ENV_PREFIX",
    "FIELD_RULES",
    "MAX_TIMEOUT_SECONDS",
    "SECURITY_FIELDS",
    "SETTINGS_FILENAME",
    "FieldRule",
    "OperatorSignIn",
    "Settings",
    "SettingsError",
    "parse_settings",
]

#: Prefix of the per-field overrides: ``STATION_<FIELD NAME IN CAPITALS>``.
ENV_PREFIX: Final = "STATION_"
SETTINGS_FILENAME: Final = "settings.toml"

# -- defaults ---------------------------------------------------------------------------------

#: The first camera the OS lists. ``"demo"`` is the bundled sample picture.
DEFAULT_CAMERA: Final = "device:0"
#: A fresh install talks to the sandbox: production must be chosen on purpose.
DEFAULT_ENVIRONMENT: Final = Environment.SANDBOX
DEFAULT_SEVERAL_FACES: Final = SeveralFacesPolicy.RETRY
#: Seconds, from :class:`station.api.client.Timeouts`: one source for the client and the settings.
DEFAULT_CONNECT_TIMEOUT: Final = Timeouts().connect
DEFAULT_READ_TIMEOUT: Final = Timeouts().read
#: One whole verification, every retry and wait included.
DEFAULT_DEADLINE: Final = Timeouts().deadline
#: No timeout above ten minutes makes sense at a counter; larger values are typing mistakes.
MAX_TIMEOUT_SECONDS: Final = bounds.TIMEOUT_SECONDS.high
DEFAULT_RETRY_ATTEMPTS: Final = RetryPolicy().attempts
#: About seven years (7 × 365 days), a common retention period for banking records. The bank's
#: compliance framework decides the real value; the provider asks that verdicts and client_ids be
#: kept "as long as the compliance framework requires".
DEFAULT_AUDIT_RETENTION_DAYS: Final = 2555
#: The version of the station's own consent notice (see station.application.consent).
DEFAULT_CONSENT_NOTICE_VERSION: Final = "station-2026-12"
#: Check locally that one sharp, well-lit face is in frame before spending a call.
DEFAULT_QUALITY_GATE: Final = True
#: Full-screen, no window controls: for a dedicated counter terminal.
DEFAULT_KIOSK: Final = False
#: Answered attempts per customer before the branch's manual identity check.
DEFAULT_MAX_ATTEMPTS: Final = 2
#: Seconds a verdict (and the customer's picture) stays on screen before it clears itself.
DEFAULT_VERDICT_TIMEOUT: Final = 60.0
#: Extensions of one verdict's time on screen (WCAG 2.2.1's "extend": at least ten).
DEFAULT_VERDICT_EXTENSIONS: Final = 10

#: The operator's interface language when neither policy nor the operator chose one (BCP 47).
DEFAULT_INTERFACE_LANGUAGE: Final = "en"
#: The languages F2 cycles through for the customer, the first being each new customer's.
DEFAULT_CUSTOMER_LANGUAGES: Final = "en,hi"

_MAX_TEXT = 256
#: A language tag as the station names its catalogues: ``hi``, ``en``, ``pt-BR``, ``en-XA``.
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


class SettingsError(ValueError):
    """Settings that cannot be used; the message names each field and its problem in plain words.

    ``problems`` holds ``(field, problem)`` pairs, for a dialog to mark the fields concerned.
    """

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.source = source
        text = "; ".join(f"{field}: {problem}" if field else problem for field, problem in problems)
        if source:
            text = f"{text} (in {source})"
        super().__init__(text)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(field for field, _ in self.problems if field)


def _default_station_id() -> str:
    name = socket.gethostname().strip()
    return name[:64] or "station"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(f"must not be empty; give {what}")
    if len(text) > _MAX_TEXT or not text.isprintable():
        raise ValueError(f"must be {what} of at most {_MAX_TEXT} printable characters")
    return text


class OperatorSignIn(StrEnum):
    """How the station service knows who the operator is (README *Deployments*)."""

    #: Named OS accounts per operator: the operator is the caller's own OS account.
    OS_ACCOUNT = "os_account"
    #: A shared kiosk account: each operator signs in with their own PIN, checked by the service.
    PIN = "pin"


class Settings(BaseModel):
    """Everything the station can be told. Immutable: change with :meth:`with_changes`."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    #: Camera source: ``device:0``, ``device:<name>``, ``file:<video>``, ``image:<picture>``,
    #: ``rtsp://…``, or ``demo`` (the bundled sample). Checked in full when the camera opens.
    camera: str = DEFAULT_CAMERA
    environment: Environment = DEFAULT_ENVIRONMENT
    #: Another base URL (a bank's API gateway, the local emulator); ``None`` = the environment's.
    base_url: str | None = None
    liveness_threshold: float = DEFAULT_LIVENESS_THRESHOLD
    min_detection_score: float = DEFAULT_MIN_DETECTION_SCORE
    #: Upper edge of the supervisor-review band above the threshold; ``None`` = no band.
    review_upper: float | None = None
    several_faces: SeveralFacesPolicy = DEFAULT_SEVERAL_FACES
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    deadline: float = DEFAULT_DEADLINE
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    #: Proxy URL; ``None`` = no proxy. The process environment (``HTTPS_PROXY``, ``NO_PROXY``) and
    #: the system's proxy settings are never used.
    proxy: str | None = None
    #: Extra PEM file of CAs to trust (the bank's TLS-inspection CA), on top of the OS store.
    ca_bundle: Path | None = None
    #: Pins on the service's TLS key: base64 SHA-256 of its SubjectPublicKeyInfo, comma-separated
    #: (a JSON list is taken too); ``None`` = no pin, the trust store alone.
    service_spki_pins: str | None = None
    audit_db: Path = Field(default_factory=default_journal_path)
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    #: Ask the customer's consent before the first capture: ``None`` = in production only.
    consent_required: bool | None = None
    #: The notice's version, written with every record; change it whenever the text changes.
    consent_notice_version: str = DEFAULT_CONSENT_NOTICE_VERSION
    #: The bank's own notice text; ``None`` = the station's (see station.application.consent).
    consent_notice: str | None = None
    #: Written into every audit record; the host name unless the bank numbers its stations.
    station_id: str = Field(default_factory=_default_station_id)
    quality_gate: bool = DEFAULT_QUALITY_GATE
    kiosk: bool = DEFAULT_KIOSK
    #: A minimum for the primary face's anti-spoof score; ``None`` = the service's verdict alone.
    min_antispoof_score: float | None = None
    #: Answered attempts per customer before the branch's manual identity check.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    #: Seconds a verdict stays on screen before it clears itself.
    verdict_timeout: float = DEFAULT_VERDICT_TIMEOUT
    #: How many times the operator may keep a verdict for another timeout with one key (0: never).
    verdict_extensions: int = DEFAULT_VERDICT_EXTENSIONS
    #: An unresolved REVIEW blocks the next customer.
    review_blocks_next: bool = True
    #: A still picture or a video file as the camera outside demo mode (training rooms only).
    allow_non_live_camera: bool = False
    #: A back-office channel: ``station verify`` on a file, PDF or link is allowed in production
    #: (the rows say the picture did not come from the counter's camera).
    allow_document_verification: bool = False
    #: The bank's own cameras, "VID:PID" or "VID:PID:SERIAL" separated by commas; "" = any
    #: physical camera (a recognisably virtual one is refused in production either way).
    approved_cameras: str = ""
    #: Capture by itself once the picture has been ready this many seconds; ``None`` = off.
    auto_capture: float | None = None
    #: How the station service knows the operator: their own OS account, or their own PIN on a
    #: shared kiosk account.
    operator_sign_in: OperatorSignIn = OperatorSignIn.OS_ACCOUNT
    # -- fleet shipping: where the journal goes off the machine (see station.ship) -------------------
    ship_target: TargetKind = TargetKind.OFF
    relay_host: str | None = None
    relay_port: int = DEFAULT_PORT
    #: CA bundle for the relay's certificate; None: the OS trust store.
    relay_ca_bundle: Path | None = None
    relay_client_cert: Path | None = None
    relay_client_key: Path | None = None
    ship_format: PayloadFormat = PayloadFormat.JSON
    #: Seconds after which a record sent on a live connection counts as delivered.
    ship_resend_window: float = DEFAULT_RESEND_WINDOW.total_seconds()
    ship_backoff_cap: float = DEFAULT_BACKOFF_CAP.total_seconds()
    heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL.total_seconds()
    ship_jsonl_dir: Path | None = None
    prometheus_textfile: Path | None = None
    #: Past this age (seconds) of the oldest unshipped record, the health strip turns amber.
    ship_alert_age: float = DEFAULT_ALERT_AGE.total_seconds()
    # -- languages -------------------------------------------------------------------------------
    #: The operator's interface language unless the operator chose another (BCP 47: ``en``, ``hi``).
    interface_language: str = DEFAULT_INTERFACE_LANGUAGE
    #: The customer instruction languages F2 cycles through, comma-separated; the first is each
    #: new customer's. A JSON list is taken too (``["hi", "en"]``).
    customer_languages: str = DEFAULT_CUSTOMER_LANGUAGES

    # -- field checks (messages are shown to people: plain words, the bad value echoed) -----------

    @field_validator(
        "environment", "several_faces", "ship_target", "ship_format", "operator_sign_in", mode="before"
    )
    @classmethod
    def _normalise_choice(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("consent_notice_version")
    @classmethod
    def _check_notice_version(cls, value: str) -> str:
        return _check_text(value, "a version such as 'bank-2026-12'")

    @field_validator("consent_notice")
    @classmethod
    def _check_notice(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        if not text or len(text) > 4000:
            raise ValueError("must be the notice's text, at most 4000 characters")
        return text

    @field_validator("interface_language")
    @classmethod
    def _check_interface_language(cls, value: str) -> str:
        text = value.strip()
        if not _LANGUAGE_TAG.fullmatch(text):
            raise ValueError(f"must be a language tag such as 'en' or 'hi', got {value!r}")
        return text

    @field_validator("customer_languages", mode="before")
    @classmethod
    def _check_customer_languages(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        if not isinstance(value, str):
            return value  # the type check names the problem
        tags = [tag.strip() for tag in value.split(",") if tag.strip()]
        bad = [tag for tag in tags if not _LANGUAGE_TAG.fullmatch(tag)]
        if not tags or bad:
            raise ValueError(f"must be language tags separated by commas, such as 'hi,en', got {value!r}")
        if len(set(tags)) != len(tags):
            raise ValueError(f"names a language twice: {value!r}")
        return ",".join(tags)

    @field_validator("approved_cameras", mode="before")
    @classmethod
    def _check_approved_cameras(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        if not isinstance(value, str):
            return value  # the type check names the problem
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        try:
            parse_approved(entries)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return ",".join(entries)

    @field_validator("camera")
    @classmethod
    def _check_camera(cls, value: str) -> str:
        return _check_text(value, "a camera such as 'device:0' or 'demo'")

    @field_validator("station_id")
    @classmethod
    def _check_station_id(cls, value: str) -> str:
        return _check_text(value, "a name for this station")

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(validate_base_url(value))
        except ConfigurationError as exc:
            raise ValueError(exc.message) from None

    @field_validator("liveness_threshold", "min_detection_score")
    @classmethod
    def _check_fractions(cls, value: float) -> float:
        return bounds.FRACTION.check(value)

    @field_validator("review_upper", "min_antispoof_score")
    @classmethod
    def _check_optional_fractions(cls, value: float | None) -> float | None:
        return None if value is None else bounds.FRACTION.check(value)

    @field_validator("jpeg_quality")
    @classmethod
    def _check_quality(cls, value: int) -> int:
        return bounds.JPEG_QUALITY.check(value)

    @field_validator("connect_timeout", "read_timeout", "deadline")
    @classmethod
    def _check_timeouts(cls, value: float) -> float:
        return bounds.TIMEOUT_SECONDS.check(value)

    @field_validator("retry_attempts")
    @classmethod
    def _check_attempts(cls, value: int) -> int:
        return bounds.RETRY_ATTEMPTS.check(value)

    @field_validator("max_attempts")
    @classmethod
    def _check_max_attempts(cls, value: int) -> int:
        return bounds.ATTEMPTS_PER_CUSTOMER.check(value)

    @field_validator("auto_capture")
    @classmethod
    def _check_auto_capture(cls, value: float | None) -> float | None:
        return None if value is None else bounds.AUTO_CAPTURE_SECONDS.check(value)

    @field_validator("verdict_extensions")
    @classmethod
    def _check_verdict_extensions(cls, value: int) -> int:
        return bounds.VERDICT_EXTENSIONS.check(value)

    @field_validator("verdict_timeout")
    @classmethod
    def _check_verdict_timeout(cls, value: float) -> float:
        return bounds.VERDICT_SECONDS.check(value)

    @field_validator("proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        shown = mask_url_credentials(text)
        import httpx  # only where a URL is parsed: the settings load without it (issue 27)

        try:
            url = httpx.URL(text)
        except (httpx.InvalidURL, TypeError):
            raise ValueError(f"not a valid proxy URL: {shown!r}") from None
        if url.scheme not in ("http", "https", "socks5", "socks5h") or not url.host:
            raise ValueError(f"must be a URL such as http://proxy.bank.example:8080, got {shown!r}")
        if url.password and len(url.password) >= 6:
            register_secret(url.password)  # a proxy password is kept out of every log line
        return text

    @field_validator("service_spki_pins", mode="before")
    @classmethod
    def _check_spki_pins(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        if not isinstance(value, str):
            return value  # None, or the type check names the problem
        pins = [pin for pin in value.split(",") if pin.strip()]
        if not pins:
            raise ValueError("must be one or more base64 SHA-256 pins separated by commas")
        return ",".join(dict.fromkeys(normalize_spki_pin(pin) for pin in pins))

    @field_validator(
        "ca_bundle",
        "audit_db",
        "relay_ca_bundle",
        "relay_client_cert",
        "relay_client_key",
        "ship_jsonl_dir",
        "prometheus_textfile",
        mode="before",
    )
    @classmethod
    def _expand_path(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("must not be empty; give a file path")
            return Path(value.strip()).expanduser()
        if isinstance(value, Path):
            return value.expanduser()
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _check_ca_bundle(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.exists():
            raise ValueError(f"{value} does not exist")
        if not value.is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @field_validator("audit_retention_days")
    @classmethod
    def _check_retention(cls, value: int) -> int:
        return bounds.RETENTION_DAYS.check(value)

    @field_validator("relay_port")
    @classmethod
    def _check_port(cls, value: int) -> int:
        return bounds.TCP_PORT.check(value)

    @field_validator("ship_resend_window", "ship_backoff_cap", "heartbeat_interval", "ship_alert_age")
    @classmethod
    def _check_ship_seconds(cls, value: float) -> float:
        return bounds.SHIP_SECONDS.check(value)

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        if self.ship_target is not TargetKind.OFF:
            try:
                self.to_ship_config()
            except ShipConfigError as exc:
                raise ValueError(f"ship_target: {exc}") from None
        if self.review_upper is not None and not self.review_upper > self.liveness_threshold:
            raise ValueError(
                f"review_upper: must be above liveness_threshold ({_number(self.liveness_threshold)}), "
                f"got {_number(self.review_upper)}"
            )
        if self.base_url is not None:
            import httpx  # only where a URL is parsed: the settings load without it (issue 27)

            owner = known_environment_of(httpx.URL(self.base_url))
            if owner is not None and owner is not self.environment:
                raise ValueError(
                    f"base_url: {self.base_url} is the {owner.value} service but environment is "
                    f"{self.environment.value}; sandbox and production are kept apart"
                )
        return self

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            if name == "proxy" and isinstance(value, str):
                value = mask_url_credentials(value)
            yield name, value

    # -- views for the rest of the station -----------------------------------------------------

    @property
    def effective_base_url(self) -> str:
        """The override if set, else the environment's own base URL."""
        return self.base_url or base_url_for(self.environment)

    def to_policy(self) -> DecisionPolicy:
        return DecisionPolicy(
            liveness_threshold=self.liveness_threshold,
            min_detection_score=self.min_detection_score,
            several_faces=self.several_faces,
            review_upper=self.review_upper,
            min_antispoof_score=self.min_antispoof_score,
        )

    def to_ship_config(self) -> ShipConfig:
        """What the shipper needs; :class:`ShipConfigError` if the fields do not go together."""
        return ShipConfig(
            target=self.ship_target,
            station_id=self.station_id,
            relay_host=self.relay_host,
            relay_port=self.relay_port,
            ca_bundle=self.relay_ca_bundle,
            client_cert=self.relay_client_cert,
            client_key=self.relay_client_key,
            payload_format=self.ship_format,
            resend_window=timedelta(seconds=self.ship_resend_window),
            backoff_cap=timedelta(seconds=self.ship_backoff_cap),
            heartbeat_interval=timedelta(seconds=self.heartbeat_interval),
            jsonl_dir=self.ship_jsonl_dir,
            prometheus_textfile=self.prometheus_textfile,
            alert_age=timedelta(seconds=self.ship_alert_age),
        )

    def to_timeouts(self) -> Timeouts:
        """Writes (the upload) get the read timeout: both are "the other side is too slow"."""
        return Timeouts(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            deadline=self.deadline,
        )

    def to_retry(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.retry_attempts)

    def to_network(self) -> NetworkSettings:
        pins = tuple(self.service_spki_pins.split(",")) if self.service_spki_pins else ()
        return NetworkSettings(ca_bundle=self.ca_bundle, proxy=self.proxy, spki_pins=pins)

    def with_changes(self, **changes: Any) -> Settings:
        """A validated copy with some fields changed; :class:`SettingsError` if any is bad."""
        return parse_settings({**self.model_dump(), **changes})


def _plain_problem(error: ErrorDetails) -> tuple[str, str]:
    """One pydantic error in the station's words: (field, problem)."""
    loc = error.get("loc", ())
    field = str(loc[0]) if loc else ""
    kind = error["type"]
    value = error.get("input")
    shown = repr(value) if not isinstance(value, Mapping) else "a table"
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        # Model-level checks name their field themselves ("review_upper: ...").
        head, sep, rest = message.partition(": ")
        if not field and sep and head in Settings.model_fields:
            return head, rest
        return field, message
    if kind == "extra_forbidden":
        return field, "is not a setting the station knows (a typing mistake?)"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return field, f"must be a number, got {shown}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return field, f"must be a whole number, got {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return field, f"must be true or false, got {shown}"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return field, f"must be one of {expected}, got {shown}"
    if kind in ("string_type", "path_type"):
        return field, f"must be text, got {shown}"
    return field, f"{error['msg'].lower()}, got {shown}"


def parse_settings(data: Mapping[str, Any], source: str | None = None) -> Settings:
    """Validate a mapping of setting values; :class:`SettingsError` in plain words if any is bad."""
    try:
        return Settings.model_validate(dict(data))
    except ValidationError as exc:
        raise SettingsError([_plain_problem(e) for e in exc.errors()], source) from None


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What a setting may change, and so where it may come from."""

    #: Changes a verdict, where a customer's face goes, or what evidence is kept: only machine
    #: policy or the administrator (PIN) may set it; never the operator's own file, environment
    #: or command line in production.
    security: bool
    #: Why, for the README's policy table and the administrators who read it.
    locks: str


#: One rule per field of :class:`Settings` (a test checks that none is missing).
FIELD_RULES: Final[Mapping[str, FieldRule]] = {
    "camera": FieldRule(True, "which camera is the customer's face; a picture or a video is a spoof"),
    "environment": FieldRule(True, "sandbox or production service"),
    "base_url": FieldRule(True, "where faces are sent"),
    "liveness_threshold": FieldRule(True, "the score above which a face is live"),
    "min_detection_score": FieldRule(True, "how sure the service must be that it saw a face"),
    "review_upper": FieldRule(True, "the borderline band a supervisor reviews"),
    "min_antispoof_score": FieldRule(True, "a minimum anti-spoof score for LIVE"),
    "several_faces": FieldRule(True, "whether the operator may pick the customer among faces"),
    "jpeg_quality": FieldRule(True, "the detail the service sees"),
    "connect_timeout": FieldRule(True, "how long the station waits for the service"),
    "read_timeout": FieldRule(True, "how long the station waits for the service"),
    "deadline": FieldRule(True, "how long one verification may take"),
    "retry_attempts": FieldRule(True, "how many paid calls one verification may make"),
    "proxy": FieldRule(True, "the route faces take (a proxy can read them)"),
    "ca_bundle": FieldRule(True, "whom the station trusts with faces (TLS)"),
    "service_spki_pins": FieldRule(True, "which TLS key the service must present (a pin)"),
    "audit_db": FieldRule(True, "where the evidence is kept"),
    "audit_retention_days": FieldRule(True, "how long the evidence is kept"),
    "consent_required": FieldRule(True, "whether the customer is asked to agree before a capture"),
    "consent_notice_version": FieldRule(True, "which consent notice the records name"),
    "consent_notice": FieldRule(True, "what the customer is told before agreeing"),
    "station_id": FieldRule(True, "which station the evidence names"),
    "quality_gate": FieldRule(True, "the local check before a paid call"),
    "kiosk": FieldRule(True, "whether the operator can leave the station"),
    "max_attempts": FieldRule(True, "attempts per customer before the manual check"),
    "verdict_timeout": FieldRule(True, "how long a verdict and a face stay on screen"),
    "verdict_extensions": FieldRule(True, "how often the operator may keep a verdict and a face longer"),
    "review_blocks_next": FieldRule(True, "whether a REVIEW must be settled before the next customer"),
    "allow_non_live_camera": FieldRule(True, "whether a picture or a video may stand in for the camera"),
    "allow_document_verification": FieldRule(
        True, "whether `station verify` may judge a file, PDF or link in production (back office)"
    ),
    "approved_cameras": FieldRule(True, "which cameras (USB VID:PID, optionally :serial) may be used"),
    "auto_capture": FieldRule(True, "whether the station captures by itself once the picture is ready"),
    "operator_sign_in": FieldRule(
        True, "who the rows name as operator: the caller's OS account (os_account), or a PIN (pin)"
    ),
    "ship_target": FieldRule(
        True, "whether and where the journal leaves the machine (syslog_tls, relp_tls, jsonl, off)"
    ),
    "relay_host": FieldRule(True, "the bank's syslog relay the journal is shipped to"),
    "relay_port": FieldRule(True, "the relay's TLS port (6514)"),
    "relay_ca_bundle": FieldRule(True, "whom the station trusts as the relay"),
    "relay_client_cert": FieldRule(True, "the station's certificate for mutual TLS"),
    "relay_client_key": FieldRule(True, "the key of that certificate"),
    "ship_format": FieldRule(True, "the records' format for the SIEM (json, cef)"),
    "ship_resend_window": FieldRule(True, "how long a record is resent after a reconnect"),
    "ship_backoff_cap": FieldRule(True, "the longest wait between reconnections"),
    "heartbeat_interval": FieldRule(True, "how often the station tells the SIEM it is alive"),
    "ship_jsonl_dir": FieldRule(True, "the spool folder a log forwarder tails"),
    "prometheus_textfile": FieldRule(True, "the fleet-health file for node_exporter"),
    "ship_alert_age": FieldRule(True, "when an unshipped backlog turns the health strip amber"),
    # Words on screen, not evidence: an operator may choose their own; the journal records the
    # customer's language either way.
    "interface_language": FieldRule(False, "nothing: the operator's default screen language"),
    "customer_languages": FieldRule(False, "nothing: the languages F2 offers the customer"),
}

#: The security-relevant fields (see :class:`FieldRule`).
SECURITY_FIELDS: Final[frozenset[str]] = frozenset(
    name for name, rule in FIELD_RULES.items() if rule.security
)
