"""What each setting looks like in the settings dialog: its label, its editor, its group.

Pure data and small text helpers, no widgets: the dialog builds its form from these, the PIN
prompt names changes with the same labels the administrator sees, and the tests read them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, Final

from station.api.environments import Environment
from station.core import bounds
from station.core.decision import SeveralFacesPolicy

__all__ = [
    "BOOLS",
    "CHOICES",
    "FIELD_LABELS",
    "FLOATS",
    "GROUPS",
    "INT_RANGES",
    "OPTIONAL",
    "PATHS",
    "PLACEHOLDERS",
    "describe_change",
    "number_text",
    "plain_problem",
    "shown",
]

#: The person-facing name of each setting.
FIELD_LABELS: Final[Mapping[str, str]] = {
    "camera": "Camera",
    "environment": "Environment",
    "base_url": "Service address (override)",
    "liveness_threshold": "Liveness threshold",
    "min_detection_score": "Minimum face detection score",
    "review_upper": "Review band upper edge",
    "several_faces": "Several faces in view",
    "jpeg_quality": "JPEG quality",
    "quality_gate": "Check picture quality before sending",
    "connect_timeout": "Connect timeout (seconds)",
    "read_timeout": "Read timeout (seconds)",
    "deadline": "Deadline per verification (seconds)",
    "retry_attempts": "Attempts per verification",
    "proxy": "Proxy",
    "ca_bundle": "Extra CA bundle (PEM file)",
    "audit_db": "Audit journal file",
    "audit_retention_days": "Keep audit records (days)",
    "station_id": "Station id",
    "kiosk": "Kiosk mode (full screen)",
    "min_antispoof_score": "Minimum anti-spoof score",
    "max_attempts": "Attempts per customer",
    "verdict_timeout": "Clear a verdict after (seconds)",
    "review_blocks_next": "A review must be settled before the next customer",
    "allow_non_live_camera": "Allow a picture or a video as the camera (training only)",
    "auto_capture": "Capture by itself when ready for (seconds)",
    "consent_required": "Ask the customer's consent before the first capture",
    "consent_notice_version": "Consent notice version",
    "consent_notice": "Consent notice (the bank's own text)",
    "ship_target": "Ship the journal to",
    "relay_host": "Syslog relay host",
    "relay_port": "Syslog relay port (TLS)",
    "relay_ca_bundle": "Relay CA bundle (PEM file)",
    "relay_client_cert": "Station certificate for the relay (PEM)",
    "relay_client_key": "Its private key (PEM)",
    "ship_format": "Record format",
    "ship_resend_window": "Resend window after a reconnect (seconds)",
    "ship_backoff_cap": "Longest wait between reconnections (seconds)",
    "heartbeat_interval": "Heartbeat every (seconds)",
    "ship_jsonl_dir": "Spool folder for a log forwarder",
    "prometheus_textfile": "Fleet-health file (.prom)",
    "ship_alert_age": "Warn when unshipped for (seconds)",
}

CHOICES: Final[Mapping[str, Sequence[tuple[str, str]]]] = {
    "environment": (
        (Environment.SANDBOX.value, "Sandbox (tests; no real customers)"),
        (Environment.PRODUCTION.value, "Production (real customers; uses credits)"),
    ),
    "consent_required": (
        ("", "On a production station (the default)"),
        ("True", "Always"),
        ("False", "Never (the bank asks for consent another way)"),
    ),
    "ship_target": (
        ("off", "Nowhere (shipping off)"),
        ("syslog_tls", "The bank's syslog relay (TLS)"),
        ("jsonl", "A spool folder a log forwarder tails"),
    ),
    "ship_format": (("json", "JSON (Splunk, Elastic, QRadar)"), ("cef", "CEF (ArcSight, Sentinel)")),
    "several_faces": (
        (SeveralFacesPolicy.RETRY.value, "Ask for one person in frame"),
        (SeveralFacesPolicy.OPERATOR_PICKS.value, "Operator picks the customer's face"),
    ),
}

INT_RANGES: Final[Mapping[str, tuple[int, int]]] = {
    name: (int(limits.low), int(limits.high))
    for name, limits in {
        "jpeg_quality": bounds.JPEG_QUALITY,
        "retry_attempts": bounds.RETRY_ATTEMPTS,
        "audit_retention_days": bounds.RETENTION_DAYS,
        "max_attempts": bounds.ATTEMPTS_PER_CUSTOMER,
        "relay_port": bounds.TCP_PORT,
    }.items()
}

#: (group title, fields) in the order shown.
GROUPS: Final[Sequence[tuple[str, Sequence[str]]]] = (
    ("Camera", ("camera", "allow_non_live_camera")),
    ("Service", ("environment", "base_url")),
    (
        "Decision",
        ("liveness_threshold", "min_detection_score", "min_antispoof_score", "review_upper", "several_faces"),
    ),
    ("Customer session", ("max_attempts", "verdict_timeout", "review_blocks_next")),
    ("Capture", ("jpeg_quality", "quality_gate", "auto_capture")),
    ("Network", ("connect_timeout", "read_timeout", "deadline", "retry_attempts", "proxy", "ca_bundle")),
    ("Audit", ("audit_db", "audit_retention_days")),
    ("Consent", ("consent_required", "consent_notice_version", "consent_notice")),
    ("Station", ("station_id", "kiosk")),
    (
        "Fleet shipping",
        (
            "ship_target",
            "relay_host",
            "relay_port",
            "relay_ca_bundle",
            "relay_client_cert",
            "relay_client_key",
            "ship_format",
            "ship_jsonl_dir",
            "prometheus_textfile",
            "ship_resend_window",
            "ship_backoff_cap",
            "heartbeat_interval",
            "ship_alert_age",
        ),
    ),
)

FLOATS = frozenset(
    {
        "liveness_threshold",
        "min_detection_score",
        "min_antispoof_score",
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
OPTIONAL = frozenset(
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
    }
)
BOOLS = frozenset({"quality_gate", "kiosk", "review_blocks_next", "allow_non_live_camera"})
PATHS = frozenset({"ca_bundle", "audit_db"})


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)  # exact round trip: an untouched field never "changes"
    return str(value)


def number_text(text: str) -> str:
    """``0,85`` (a decimal comma) → ``0.85``; anything else unchanged for the model to judge."""
    text = text.strip()
    if "," in text and "." not in text and text.count(",") == 1:
        return text.replace(",", ".")
    return text


def plain_problem(problem: str) -> str:
    """A model message with field names (``liveness_threshold``) in the dialog's words."""
    # Only names with an underscore: "camera" or "proxy" are also ordinary words in the messages.
    for name in sorted((n for n in FIELD_LABELS if "_" in n), key=len, reverse=True):
        if name in problem:
            problem = problem.replace(name, f"“{FIELD_LABELS[name].lower()}”")
    return problem


PLACEHOLDERS: Final[Mapping[str, str]] = {
    "base_url": "empty = the environment's own address",
    "review_upper": "empty = no review band",
    "proxy": "empty = the system's proxy settings, if any",
    "ca_bundle": "empty = the operating system's trusted CAs only",
    "relay_host": "e.g. syslog-relay.bank.example",
    "relay_ca_bundle": "empty = the operating system's trusted CAs only",
    "relay_client_cert": "empty = no client certificate",
    "relay_client_key": "empty = no client certificate",
    "ship_jsonl_dir": "for the jsonl target only",
    "prometheus_textfile": "empty = no fleet-health file",
    "consent_notice": "empty = the station's own notice",
    "min_antispoof_score": "empty = the service's verdict alone",
    "auto_capture": "empty = off: the operator presses Space",
}


def describe_change(fields: Iterable[str]) -> str:
    """``change the liveness threshold and the review band upper edge``: what a PIN prompt says,
    in the labels the dialog shows (never the internal field names)."""
    names = sorted(FIELD_LABELS.get(name, name.replace("_", " ")).lower() for name in fields)
    if not names:
        return "change the settings"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"change {listed}"
