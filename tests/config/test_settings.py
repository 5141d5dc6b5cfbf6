"""Settings: defaults, the TOML file, environment overrides, and plain messages for bad values."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from station.api import Environment
from station.config import (
    DEFAULT_AUDIT_RETENTION_DAYS,
    ENV_CONFIG_DIR,
    FIELD_RULES,
    SECURITY_FIELDS,
    SETTINGS_FILENAME,
    Settings,
    SettingsError,
    config_dir,
    dumps_settings,
    env_overrides,
    load_settings,
    parse_settings,
    save_settings,
    security_fields_changed,
)
from station.core.decision import DEFAULT_LIVENESS_THRESHOLD, DEFAULT_MIN_DETECTION_SCORE, SeveralFacesPolicy


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / SETTINGS_FILENAME


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


def test_defaults_without_a_file(settings_path: Path) -> None:
    settings = load_settings(settings_path, environ={})
    assert settings == Settings(audit_db=settings.audit_db, station_id=settings.station_id)
    assert settings.camera == "device:0"
    assert settings.environment is Environment.SANDBOX
    assert settings.base_url is None
    assert settings.effective_base_url == "https://sandbox.surepass.app"
    assert settings.liveness_threshold == DEFAULT_LIVENESS_THRESHOLD
    assert settings.min_detection_score == DEFAULT_MIN_DETECTION_SCORE
    assert settings.review_upper is None
    assert settings.several_faces is SeveralFacesPolicy.RETRY
    assert settings.audit_retention_days == DEFAULT_AUDIT_RETENTION_DAYS
    assert settings.consent_required is None  # asked in production only
    assert settings.quality_gate is True
    assert settings.kiosk is False
    assert settings.station_id
    assert not settings_path.exists()


def test_conversions_to_the_api_and_core_types(ca_file: Path) -> None:
    settings = Settings(
        liveness_threshold=0.8,
        min_detection_score=0.5,
        review_upper=0.9,
        several_faces=SeveralFacesPolicy.OPERATOR_PICKS,
        connect_timeout=2,
        read_timeout=7.5,
        deadline=20,
        retry_attempts=4,
        proxy="http://proxy.bank.example:8080",
        ca_bundle=ca_file,
    )
    policy = settings.to_policy()
    assert (policy.liveness_threshold, policy.min_detection_score, policy.review_upper) == (0.8, 0.5, 0.9)
    assert policy.several_faces is SeveralFacesPolicy.OPERATOR_PICKS
    timeouts = settings.to_timeouts()
    assert (timeouts.connect, timeouts.read, timeouts.write, timeouts.deadline) == (2, 7.5, 7.5, 20)
    assert settings.to_retry().attempts == 4
    network = settings.to_network()
    assert network.proxy == "http://proxy.bank.example:8080"
    assert network.ca_bundle == ca_file


def test_toml_round_trip(settings_path: Path, ca_file: Path) -> None:
    original = Settings(
        camera='file:C:\\clips\\a "b".mp4',
        environment=Environment.PRODUCTION,
        base_url="https://gateway.bank.example/surepass/",
        liveness_threshold=0.85,
        review_upper=0.95,
        jpeg_quality=80,
        ca_bundle=ca_file,
        audit_db=Path("/var/lib/station/audit.sqlite3"),
        audit_retention_days=3650,
        consent_required=True,
        station_id="branch-042-counter-3",
        kiosk=True,
    )
    written = save_settings(original, settings_path)
    assert written == settings_path
    loaded = parse_settings(tomllib.loads(settings_path.read_text(encoding="utf-8")))  # the file format
    assert loaded == original
    assert loaded.base_url == "https://gateway.bank.example/surepass"
    document = tomllib.loads(settings_path.read_text(encoding="utf-8"))
    assert "proxy" not in document  # None values are left out
    assert document["environment"] == "production"


def test_save_is_private_and_atomic(settings_path: Path) -> None:
    save_settings(Settings(station_id="one"), settings_path)
    save_settings(Settings(station_id="two"), settings_path)
    if os.name == "posix":
        assert stat.S_IMODE(settings_path.stat().st_mode) == 0o600
    # Only the settings file is left: the temporary file was renamed over it.
    assert [p.name for p in settings_path.parent.iterdir()] == [SETTINGS_FILENAME]
    assert load_settings(settings_path, environ={}).station_id == "two"


def test_a_failed_write_leaves_the_old_file(settings_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(Settings(station_id="kept"), settings_path)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_settings(Settings(station_id="lost"), settings_path)
    monkeypatch.undo()
    assert load_settings(settings_path, environ={}).station_id == "kept"
    assert [p.name for p in settings_path.parent.iterdir()] == [SETTINGS_FILENAME]


def test_environment_overrides_the_file_on_a_development_station(settings_path: Path) -> None:
    save_settings(Settings(liveness_threshold=0.75, proxy="http://proxy.bank.example:8080"), settings_path)
    environ = {
        "STATION_LIVENESS_THRESHOLD": "0.8",
        "STATION_ENVIRONMENT": "sandbox",
        "STATION_KIOSK": "yes",
        "STATION_RETRY_ATTEMPTS": "5",
        "STATION_PROXY": "",  # empty clears an optional setting
        "STATION_CAMERA": "",  # and is ignored for the others
        "STATION_LOG_DIR": "/not/a/setting",
    }
    settings = load_settings(settings_path, environ=environ)
    assert settings.liveness_threshold == 0.8
    assert settings.environment is Environment.SANDBOX
    assert settings.kiosk is True
    assert settings.retry_attempts == 5
    assert settings.proxy is None
    assert settings.camera == "device:0"
    assert set(env_overrides(environ)) == {
        "liveness_threshold",
        "environment",
        "kiosk",
        "retry_attempts",
        "proxy",
    }


def test_config_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CONFIG_DIR, str(tmp_path))
    assert config_dir() == tmp_path
    save_settings(Settings(station_id="here"))
    assert (tmp_path / SETTINGS_FILENAME).is_file()
    assert load_settings(environ={}).station_id == "here"


def _problem(settings_path: Path, text: str) -> str:
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(settings_path, environ={})
    return str(caught.value)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("liveness_threshold = 1.7", "liveness_threshold: must be between 0 and 1, got 1.7"),
        ("min_detection_score = -0.1", "min_detection_score: must be between 0 and 1, got -0.1"),
        ("connect_timeout = -1", "connect_timeout: must be positive"),
        ("read_timeout = 0", "read_timeout: must be positive"),
        ("deadline = 100000", "deadline: must be at most 600 seconds"),
        ("retry_attempts = 11", "retry_attempts: must be between 1 and 10, got 11"),
        ("jpeg_quality = 0", "jpeg_quality: must be between 1 and 100, got 0"),
        ("audit_retention_days = 0", "audit_retention_days: must be at least 1 day"),
        ('base_url = "http://api.bank.example"', "base_url: plain http:// is only allowed to this machine"),
        ("review_upper = 0.6", "review_upper: must be above liveness_threshold (0.7), got 0.6"),
        ("review_upper = 1.2", "review_upper: must be between 0 and 1, got 1.2"),
        ('environment = "staging"', "environment: must be one of 'sandbox' or 'production', got 'staging'"),
        ('several_faces = "pick"', "several_faces: must be one of"),
        ('liveness_threshold = "high"', "liveness_threshold: must be a number, got 'high'"),
        ("retry_attempts = 2.5", "retry_attempts: must be a whole number, got 2.5"),
        ('kiosk = "maybe"', "kiosk: must be true or false, got 'maybe'"),
        ("threshold = 0.8", "threshold: is not a setting the station knows"),
        ('camera = "  "', "camera: must not be empty"),
        ('proxy = "ftp://proxy"', "proxy: must be a URL such as http://proxy.bank.example:8080"),
        (
            'environment = "sandbox"\nbase_url = "https://kyc-api.surepass.app"',
            "base_url: https://kyc-api.surepass.app is the production service but environment is sandbox",
        ),
    ],
)
def test_bad_values_have_plain_messages(settings_path: Path, toml: str, expected: str) -> None:
    message = _problem(settings_path, toml)
    assert message.startswith(expected), message
    assert str(settings_path) in message


def test_missing_ca_bundle(settings_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "x" / "ca.pem"
    message = _problem(settings_path, f"ca_bundle = {str(missing)!r}")
    assert message.startswith(f"ca_bundle: {missing} does not exist")
    message = _problem(settings_path, f"ca_bundle = {str(tmp_path)!r}")
    assert message.startswith(f"ca_bundle: {tmp_path} is not a file")


def test_bad_toml(settings_path: Path) -> None:
    message = _problem(settings_path, "liveness_threshold = = 0.8\n")
    assert message.startswith("the settings file is not valid TOML")
    assert str(settings_path) in message


def test_several_problems_are_all_named(settings_path: Path) -> None:
    settings_path.parent.mkdir(parents=True)
    settings_path.write_text("liveness_threshold = 1.7\nconnect_timeout = -1\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(settings_path, environ={})
    assert caught.value.fields == {"liveness_threshold", "connect_timeout"}


def test_bad_environment_value_names_the_variable(settings_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(settings_path, environ={"STATION_LIVENESS_THRESHOLD": "1.7"})
    message = str(caught.value)
    assert message.startswith("liveness_threshold: must be between 0 and 1, got 1.7")
    assert "STATION_LIVENESS_THRESHOLD" in message
    with pytest.raises(SettingsError, match="connect_timeout: must be positive"):
        load_settings(settings_path, environ={"STATION_CONNECT_TIMEOUT": "-3"})
    with pytest.raises(SettingsError, match=r"must be a number, got 'nan'|must be positive, got nan"):
        load_settings(settings_path, environ={"STATION_DEADLINE": "nan"})


def test_with_changes_validates() -> None:
    settings = Settings()
    assert settings.with_changes(liveness_threshold=0.9).liveness_threshold == 0.9
    with pytest.raises(SettingsError, match=r"liveness_threshold: must be between 0 and 1, got 1\.7"):
        settings.with_changes(liveness_threshold=1.7)
    with pytest.raises(SettingsError, match="review_upper: must be above liveness_threshold"):
        settings.with_changes(review_upper=0.5)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.liveness_threshold = 0.1


def test_loopback_http_base_url_is_allowed() -> None:
    settings = parse_settings({"base_url": "http://127.0.0.1:8765"})
    assert settings.effective_base_url == "http://127.0.0.1:8765"


def test_proxy_password_is_masked_in_repr() -> None:
    settings = Settings(proxy="http://teller:S3cretProxyPw@proxy.bank.example:8080")
    assert "S3cretProxyPw" not in repr(settings)
    assert "S3cretProxyPw" not in str(settings)
    assert "***@proxy.bank.example:8080" in repr(settings)
    assert "S3cretProxyPw" in dumps_settings(settings)  # the file keeps it (mode 0600)


def test_every_field_has_a_rule_and_what_decides_a_verdict_is_security_relevant() -> None:
    assert set(FIELD_RULES) == set(Settings.model_fields)
    assert {
        "camera",
        "environment",
        "base_url",
        "liveness_threshold",
        "min_detection_score",
        "min_antispoof_score",
        "review_upper",
        "several_faces",
        "station_id",
        "audit_db",
        "audit_retention_days",
        "connect_timeout",
        "read_timeout",
        "deadline",
        "retry_attempts",
        "quality_gate",
        "kiosk",
    } <= SECURITY_FIELDS


def test_security_fields_changed() -> None:
    old = Settings()
    assert security_fields_changed(old, old) == set()
    new = old.with_changes(liveness_threshold=0.6, review_upper=0.8, camera="demo")
    assert security_fields_changed(old, new) == {"liveness_threshold", "review_upper", "camera"}
    new = old.with_changes(environment="production", audit_retention_days=30)
    assert security_fields_changed(old, new) == {"environment", "audit_retention_days"}
