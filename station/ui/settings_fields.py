"""What each setting looks like in the settings dialog: its label, its editor, its group.

Pure data and small text helpers, no widgets: the dialog builds its form from these, the PIN
prompt names changes with the same labels the administrator sees, and the tests read them too.
The labels are English source texts marked for the translation tools; :func:`label` gives one in
the interface language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from PySide6.QtCore import QCoreApplication

from station.application.service import Environment
from station.core import bounds
from station.core.decision import SeveralFacesPolicy
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "BOOLS",
    "CHOICES",
    "FIELD_LABELS",
    "GROUPS",
    "INT_RANGES",
    "PLACEHOLDERS",
    "describe_change",
    "label",
    "plain_problem",
]

#: The person-facing name of each setting.
FIELD_LABELS: Final[Mapping[str, str]] = {
    "camera": QT_TRANSLATE_NOOP("Settings", "Camera"),
    "environment": QT_TRANSLATE_NOOP("Settings", "Environment"),
    "base_url": QT_TRANSLATE_NOOP("Settings", "Service address (override)"),
    "liveness_threshold": QT_TRANSLATE_NOOP("Settings", "Liveness threshold"),
    "min_detection_score": QT_TRANSLATE_NOOP("Settings", "Minimum face detection score"),
    "review_upper": QT_TRANSLATE_NOOP("Settings", "Review band upper edge"),
    "several_faces": QT_TRANSLATE_NOOP("Settings", "Several faces in view"),
    "jpeg_quality": QT_TRANSLATE_NOOP("Settings", "JPEG quality"),
    "quality_gate": QT_TRANSLATE_NOOP("Settings", "Check picture quality before sending"),
    "connect_timeout": QT_TRANSLATE_NOOP("Settings", "Connect timeout (seconds)"),
    "read_timeout": QT_TRANSLATE_NOOP("Settings", "Read timeout (seconds)"),
    "deadline": QT_TRANSLATE_NOOP("Settings", "Deadline per verification (seconds)"),
    "retry_attempts": QT_TRANSLATE_NOOP("Settings", "Attempts per verification"),
    "proxy": QT_TRANSLATE_NOOP("Settings", "Proxy"),
    "ca_bundle": QT_TRANSLATE_NOOP("Settings", "Extra CA bundle (PEM file)"),
    "audit_db": QT_TRANSLATE_NOOP("Settings", "Audit journal file"),
    "audit_retention_days": QT_TRANSLATE_NOOP("Settings", "Keep audit records (days)"),
    "station_id": QT_TRANSLATE_NOOP("Settings", "Station id"),
    "kiosk": QT_TRANSLATE_NOOP("Settings", "Kiosk mode (full screen)"),
    "min_antispoof_score": QT_TRANSLATE_NOOP("Settings", "Minimum anti-spoof score"),
    "max_attempts": QT_TRANSLATE_NOOP("Settings", "Attempts per customer"),
    "verdict_timeout": QT_TRANSLATE_NOOP("Settings", "Clear a verdict after (seconds)"),
    "verdict_extensions": QT_TRANSLATE_NOOP("Settings", "Times the operator may keep a verdict longer"),
    "review_blocks_next": QT_TRANSLATE_NOOP("Settings", "A review must be settled before the next customer"),
    "allow_non_live_camera": QT_TRANSLATE_NOOP(
        "Settings", "Allow a picture or a video as the camera (training only)"
    ),
    "auto_capture": QT_TRANSLATE_NOOP("Settings", "Capture by itself when ready for (seconds)"),
    "consent_required": QT_TRANSLATE_NOOP("Settings", "Ask the customer's consent before the first capture"),
    "consent_notice_version": QT_TRANSLATE_NOOP("Settings", "Consent notice version"),
    "consent_notice": QT_TRANSLATE_NOOP("Settings", "Consent notice (the bank's own text)"),
    "ship_target": QT_TRANSLATE_NOOP("Settings", "Ship the journal to"),
    "relay_host": QT_TRANSLATE_NOOP("Settings", "Syslog relay host"),
    "relay_port": QT_TRANSLATE_NOOP("Settings", "Syslog relay port (TLS)"),
    "relay_ca_bundle": QT_TRANSLATE_NOOP("Settings", "Relay CA bundle (PEM file)"),
    "relay_client_cert": QT_TRANSLATE_NOOP("Settings", "Station certificate for the relay (PEM)"),
    "relay_client_key": QT_TRANSLATE_NOOP("Settings", "Its private key (PEM)"),
    "ship_format": QT_TRANSLATE_NOOP("Settings", "Record format"),
    "ship_resend_window": QT_TRANSLATE_NOOP("Settings", "Resend window after a reconnect (seconds)"),
    "ship_backoff_cap": QT_TRANSLATE_NOOP("Settings", "Longest wait between reconnections (seconds)"),
    "heartbeat_interval": QT_TRANSLATE_NOOP("Settings", "Heartbeat every (seconds)"),
    "ship_jsonl_dir": QT_TRANSLATE_NOOP("Settings", "Spool folder for a log forwarder"),
    "prometheus_textfile": QT_TRANSLATE_NOOP("Settings", "Fleet-health file (.prom)"),
    "ship_alert_age": QT_TRANSLATE_NOOP("Settings", "Warn when unshipped for (seconds)"),
    "interface_language": QT_TRANSLATE_NOOP("Settings", "Screen language (operators may choose their own)"),
    "customer_languages": QT_TRANSLATE_NOOP("Settings", "Customer languages, F2 order (e.g. hi,en)"),
}

CHOICES: Final[Mapping[str, Sequence[tuple[str, str]]]] = {
    "environment": (
        (Environment.SANDBOX.value, QT_TRANSLATE_NOOP("Settings", "Sandbox (tests; no real customers)")),
        (
            Environment.PRODUCTION.value,
            QT_TRANSLATE_NOOP("Settings", "Production (real customers; uses credits)"),
        ),
    ),
    "consent_required": (
        ("", QT_TRANSLATE_NOOP("Settings", "On a production station (the default)")),
        ("True", QT_TRANSLATE_NOOP("Settings", "Always")),
        ("False", QT_TRANSLATE_NOOP("Settings", "Never (the bank asks for consent another way)")),
    ),
    "ship_target": (
        ("off", QT_TRANSLATE_NOOP("Settings", "Nowhere (shipping off)")),
        ("syslog_tls", QT_TRANSLATE_NOOP("Settings", "The bank's syslog relay (TLS)")),
        ("relp_tls", QT_TRANSLATE_NOOP("Settings", "The bank's relay, acknowledged (RELP over TLS)")),
        ("jsonl", QT_TRANSLATE_NOOP("Settings", "A spool folder a log forwarder tails")),
    ),
    "ship_format": (
        ("json", QT_TRANSLATE_NOOP("Settings", "JSON (Splunk, Elastic, QRadar)")),
        ("cef", QT_TRANSLATE_NOOP("Settings", "CEF (ArcSight, Sentinel)")),
    ),
    "several_faces": (
        (SeveralFacesPolicy.RETRY.value, QT_TRANSLATE_NOOP("Settings", "Ask for one person in frame")),
        (
            SeveralFacesPolicy.OPERATOR_PICKS.value,
            QT_TRANSLATE_NOOP("Settings", "Operator picks the customer's face"),
        ),
    ),
}

INT_RANGES: Final[Mapping[str, tuple[int, int]]] = {
    name: (int(limits.low), int(limits.high))
    for name, limits in {
        "jpeg_quality": bounds.JPEG_QUALITY,
        "retry_attempts": bounds.RETRY_ATTEMPTS,
        "audit_retention_days": bounds.RETENTION_DAYS,
        "max_attempts": bounds.ATTEMPTS_PER_CUSTOMER,
        "verdict_extensions": bounds.VERDICT_EXTENSIONS,
        "relay_port": bounds.TCP_PORT,
    }.items()
}

#: (group title, fields) in the order shown.
GROUPS: Final[Sequence[tuple[str, Sequence[str]]]] = (
    (QT_TRANSLATE_NOOP("Settings", "Camera"), ("camera", "allow_non_live_camera")),
    (QT_TRANSLATE_NOOP("Settings", "Service"), ("environment", "base_url")),
    (
        QT_TRANSLATE_NOOP("Settings", "Decision"),
        ("liveness_threshold", "min_detection_score", "min_antispoof_score", "review_upper", "several_faces"),
    ),
    (
        QT_TRANSLATE_NOOP("Settings", "Customer session"),
        ("max_attempts", "verdict_timeout", "verdict_extensions", "review_blocks_next"),
    ),
    (QT_TRANSLATE_NOOP("Settings", "Capture"), ("jpeg_quality", "quality_gate", "auto_capture")),
    (
        QT_TRANSLATE_NOOP("Settings", "Network"),
        ("connect_timeout", "read_timeout", "deadline", "retry_attempts", "proxy", "ca_bundle"),
    ),
    (QT_TRANSLATE_NOOP("Settings", "Audit"), ("audit_db", "audit_retention_days")),
    (
        QT_TRANSLATE_NOOP("Settings", "Consent"),
        ("consent_required", "consent_notice_version", "consent_notice"),
    ),
    (QT_TRANSLATE_NOOP("Settings", "Station"), ("station_id", "kiosk")),
    (QT_TRANSLATE_NOOP("Settings", "Languages"), ("interface_language", "customer_languages")),
    (
        QT_TRANSLATE_NOOP("Settings", "Fleet shipping"),
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

BOOLS = frozenset({"quality_gate", "kiosk", "review_blocks_next", "allow_non_live_camera"})


def label(name: str) -> str:
    """The person-facing name of setting ``name`` in the interface language."""
    source = FIELD_LABELS.get(name)
    return QCoreApplication.translate("Settings", source) if source else name.replace("_", " ")


def plain_problem(problem: str) -> str:
    """A model message with field names (``liveness_threshold``) in the dialog's words."""
    # Only names with an underscore: "camera" or "proxy" are also ordinary words in the messages.
    for name in sorted((n for n in FIELD_LABELS if "_" in n), key=len, reverse=True):
        if name in problem:
            problem = problem.replace(name, f"“{label(name).lower()}”")
    return problem


PLACEHOLDERS: Final[Mapping[str, str]] = {
    "base_url": QT_TRANSLATE_NOOP("Settings", "empty = the environment's own address"),
    "review_upper": QT_TRANSLATE_NOOP("Settings", "empty = no review band"),
    "proxy": QT_TRANSLATE_NOOP("Settings", "empty = the system's proxy settings, if any"),
    "ca_bundle": QT_TRANSLATE_NOOP("Settings", "empty = the operating system's trusted CAs only"),
    "relay_host": QT_TRANSLATE_NOOP("Settings", "e.g. syslog-relay.bank.example"),
    "relay_ca_bundle": QT_TRANSLATE_NOOP("Settings", "empty = the operating system's trusted CAs only"),
    "relay_client_cert": QT_TRANSLATE_NOOP("Settings", "empty = no client certificate"),
    "relay_client_key": QT_TRANSLATE_NOOP("Settings", "empty = no client certificate"),
    "ship_jsonl_dir": QT_TRANSLATE_NOOP("Settings", "for the jsonl target only"),
    "prometheus_textfile": QT_TRANSLATE_NOOP("Settings", "empty = no fleet-health file"),
    "consent_notice": QT_TRANSLATE_NOOP("Settings", "empty = the station's own notice"),
    "min_antispoof_score": QT_TRANSLATE_NOOP("Settings", "empty = the service's verdict alone"),
    "auto_capture": QT_TRANSLATE_NOOP("Settings", "empty = off: the operator presses Space"),
}


def describe_change(fields: Iterable[str]) -> str:
    """``change the liveness threshold and the review band upper edge``: what a PIN prompt says,
    in the labels the dialog shows (never the internal field names)."""
    translate = QCoreApplication.translate
    names = sorted(label(name).lower() for name in fields)
    if not names:
        return translate("Settings", "change the settings")
    joined = translate("Settings", "{first} and {last}")
    listed = names[0] if len(names) == 1 else joined.format(first=", ".join(names[:-1]), last=names[-1])
    return translate("Settings", "change {settings}").format(settings=listed)
