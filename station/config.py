"""The station's settings: one typed, validated, immutable model, a TOML file and env overrides.

Where settings come from, later ones winning:

1. the defaults below (each a named constant, so the README and an auditor can cite it);
2. ``settings.toml`` in :func:`config_dir` (a flat table of ``key = value`` lines);
3. environment variables ``STATION_<FIELD>``, e.g. ``STATION_LIVENESS_THRESHOLD=0.8`` or
   ``STATION_ENVIRONMENT=production``. An empty variable clears an optional setting
   (``STATION_PROXY=``) and is ignored for the others.

Every bad value, wherever it came from, becomes one :class:`SettingsError` whose message names
the field and the problem in plain words (``liveness_threshold: must be between 0 and 1, got
1.7``). The fields in :data:`SECURITY_FIELDS` change what the station accepts as a live person or
where the customer's face is sent; the settings dialog puts them behind the administrator PIN.

No Qt and no OpenCV here: the command-line tools load settings too.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import tomllib
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Final

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from station.api.client import NetworkSettings, RetryPolicy, Timeouts
from station.api.environments import Environment, base_url_for, known_environment_of, validate_base_url
from station.api.errors import ConfigurationError
from station.audit.paths import default_journal_path
from station.core.decision import (
    DEFAULT_LIVENESS_THRESHOLD,
    DEFAULT_MIN_DETECTION_SCORE,
    DecisionPolicy,
    SeveralFacesPolicy,
)
from station.core.encode import DEFAULT_JPEG_QUALITY
from station.locations import ENV_CONFIG_DIR, user_config_dir
from station.logs import register_secret
from station.security.files import atomic_write_text

__all__ = [
    "DEFAULT_AUDIT_RETENTION_DAYS",
    "DEFAULT_CAMERA",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_DEADLINE",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_JPEG_QUALITY",
    "DEFAULT_KIOSK",
    "DEFAULT_QUALITY_GATE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETAIN_IMAGES",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_SEVERAL_FACES",
    "ENV_CONFIG_DIR",
    "ENV_PREFIX",
    "MAX_TIMEOUT_SECONDS",
    "SECURITY_FIELDS",
    "SETTINGS_FILENAME",
    "Settings",
    "SettingsError",
    "config_dir",
    "default_settings_path",
    "dumps_settings",
    "env_overrides",
    "load_settings",
    "mask_url_credentials",
    "parse_settings",
    "save_settings",
    "security_fields_changed",
]

_log = logging.getLogger(__name__)

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
MAX_TIMEOUT_SECONDS: Final = 600.0
DEFAULT_RETRY_ATTEMPTS: Final = RetryPolicy().attempts
#: About seven years (7 × 365 days), a common retention period for banking records. The bank's
#: compliance framework decides the real value; the provider asks that verdicts and client_ids be
#: kept "as long as the compliance framework requires".
DEFAULT_AUDIT_RETENTION_DAYS: Final = 2555
#: Pictures of customers' faces are personal data: not kept unless the bank decides to.
DEFAULT_RETAIN_IMAGES: Final = False
#: Check locally that one sharp, well-lit face is in frame before spending a call.
DEFAULT_QUALITY_GATE: Final = True
#: Full-screen, no window controls: for a dedicated counter terminal.
DEFAULT_KIOSK: Final = False

_MAX_TEXT = 256

#: Settings that change what counts as a live person, where faces are sent, or how long the
#: evidence is kept. Changing any of them needs the administrator PIN.
SECURITY_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "environment",
        "base_url",
        "liveness_threshold",
        "min_detection_score",
        "review_upper",
        "audit_retention_days",
    }
)


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


def mask_url_credentials(url: str) -> str:
    """``http://user:secret@proxy:8080`` → ``http://***@proxy:8080``: for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"


def _default_station_id() -> str:
    name = socket.gethostname().strip()
    return name[:64] or "station"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_fraction(value: float) -> float:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"must be between 0 and 1, got {_number(value)}")
    return value


def _check_seconds(value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"must be positive, got {_number(value)}")
    if value > MAX_TIMEOUT_SECONDS:
        raise ValueError(f"must be at most {MAX_TIMEOUT_SECONDS:g} seconds, got {_number(value)}")
    return value


def _check_text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(f"must not be empty; give {what}")
    if len(text) > _MAX_TEXT or not text.isprintable():
        raise ValueError(f"must be {what} of at most {_MAX_TEXT} printable characters")
    return text


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
    #: Proxy URL; ``None`` = the system's (``HTTPS_PROXY``/``NO_PROXY``) if any.
    proxy: str | None = None
    #: Extra PEM file of CAs to trust (the bank's TLS-inspection CA), on top of the OS store.
    ca_bundle: Path | None = None
    audit_db: Path = Field(default_factory=default_journal_path)
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    retain_images: bool = DEFAULT_RETAIN_IMAGES
    #: Written into every audit record; the host name unless the bank numbers its stations.
    station_id: str = Field(default_factory=_default_station_id)
    quality_gate: bool = DEFAULT_QUALITY_GATE
    kiosk: bool = DEFAULT_KIOSK

    # -- field checks (messages are shown to people: plain words, the bad value echoed) -----------

    @field_validator("environment", "several_faces", mode="before")
    @classmethod
    def _normalise_choice(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

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
        return _check_fraction(value)

    @field_validator("review_upper")
    @classmethod
    def _check_review_upper(cls, value: float | None) -> float | None:
        return None if value is None else _check_fraction(value)

    @field_validator("jpeg_quality")
    @classmethod
    def _check_quality(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError(f"must be between 1 and 100, got {value}")
        return value

    @field_validator("connect_timeout", "read_timeout", "deadline")
    @classmethod
    def _check_timeouts(cls, value: float) -> float:
        return _check_seconds(value)

    @field_validator("retry_attempts")
    @classmethod
    def _check_attempts(cls, value: int) -> int:
        if not 1 <= value <= 10:
            raise ValueError(f"must be between 1 and 10, got {value}")
        return value

    @field_validator("proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        shown = mask_url_credentials(text)
        try:
            url = httpx.URL(text)
        except (httpx.InvalidURL, TypeError):
            raise ValueError(f"not a valid proxy URL: {shown!r}") from None
        if url.scheme not in ("http", "https", "socks5", "socks5h") or not url.host:
            raise ValueError(f"must be a URL such as http://proxy.bank.example:8080, got {shown!r}")
        if url.password and len(url.password) >= 6:
            register_secret(url.password)  # a proxy password is kept out of every log line
        return text

    @field_validator("ca_bundle", "audit_db", mode="before")
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
        if value < 1:
            raise ValueError(f"must be at least 1 day, got {value}")
        if value > 36500:
            raise ValueError(f"must be at most 36500 days (100 years), got {value}")
        return value

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        if self.review_upper is not None and not self.review_upper > self.liveness_threshold:
            raise ValueError(
                f"review_upper: must be above liveness_threshold ({_number(self.liveness_threshold)}), "
                f"got {_number(self.review_upper)}"
            )
        if self.base_url is not None:
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
        return NetworkSettings(ca_bundle=self.ca_bundle, proxy=self.proxy)

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


# -- where the file lives ---------------------------------------------------------------------


def config_dir() -> Path:
    """``$STATION_CONFIG_DIR`` if set, else the per-user config directory (platformdirs)."""
    return user_config_dir()


def default_settings_path() -> Path:
    return config_dir() / SETTINGS_FILENAME


# -- reading ----------------------------------------------------------------------------------


def _optional_fields() -> frozenset[str]:
    return frozenset(name for name, info in Settings.model_fields.items() if info.default is None)


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The ``STATION_<FIELD>`` variables that are set: field name → raw value (``None`` = clear).

    The settings dialog uses this to show which values the environment fixes.
    """
    environ = os.environ if environ is None else environ
    optional = _optional_fields()
    found: dict[str, str | None] = {}
    for name in Settings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None:
            continue
        value = raw.strip()
        if value:
            found[name] = value
        elif name in optional:
            found[name] = None
    return found


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([("", f"the settings file is not valid TOML: {exc}")], str(path)) from None
    except UnicodeDecodeError:
        raise SettingsError([("", "the settings file is not UTF-8 text")], str(path)) from None
    except OSError as exc:
        raise SettingsError(
            [("", f"the settings file cannot be read: {exc.strerror or exc}")], str(path)
        ) from None


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then ``settings.toml`` (missing file = defaults), then ``STATION_<FIELD>`` variables."""
    path = default_settings_path() if path is None else path
    from_file = _read_toml(path)
    # Check the file on its own first, so a bad value in it is blamed on the file.
    file_settings = parse_settings(from_file, str(path))
    overrides = env_overrides(environ)
    if not overrides:
        return file_settings
    for name in sorted(overrides.keys() & SECURITY_FIELDS):
        _log.warning("setting %s is fixed by %s%s", name, ENV_PREFIX, name.upper())
    try:
        return parse_settings({**from_file, **overrides})
    except SettingsError as exc:
        named = sorted(f"{ENV_PREFIX}{name.upper()}" for name in overrides)
        raise SettingsError(list(exc.problems), "environment variables " + ", ".join(named)) from None


# -- writing ----------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SettingsError([("", f"cannot write the number {value} to the settings file")])
        return repr(value)
    if isinstance(value, Enum):
        return _toml_string(str(value.value))
    if isinstance(value, str | Path):
        return _toml_string(str(value))
    raise TypeError(f"no TOML form for {type(value).__name__}")


def dumps_settings(settings: Settings) -> str:
    """The TOML text :func:`save_settings` writes: flat ``key = value`` lines, ``None`` left out."""
    lines = [
        "# Station settings. Written by the station; see the README for each key.",
        "# Security settings (environment, base_url, thresholds, retention) need the admin PIN.",
        "",
    ]
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is not None:
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (temp file + ``os.replace``), mode 0600; returns the path."""
    path = default_settings_path() if path is None else path
    atomic_write_text(path, dumps_settings(settings))
    return path


def security_fields_changed(old: Settings, new: Settings) -> set[str]:
    """The :data:`SECURITY_FIELDS` whose values differ between ``old`` and ``new``."""
    return {name for name in SECURITY_FIELDS if getattr(old, name) != getattr(new, name)}
