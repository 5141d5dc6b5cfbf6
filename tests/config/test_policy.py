"""Machine policy: Linux files, the registry (through a stand-in with winreg's API), precedence,
fail-closed, and every way an operator might try to get around it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from station.api import Environment
from station.config import (
    AdminSettingsFile,
    Origin,
    PolicyError,
    SettingsError,
    resolve_settings,
    save_settings,
)
from station.config.model import Settings
from station.config.policy import (
    POLICY_KEY,
    LinuxPolicyFiles,
    PolicyLevel,
    RegistryPolicy,
    read_policy,
)
from station.locations import ENV_MACHINE_DATA_DIR, machine_folders
from tests.config.fake_registry import (
    HKEY_CURRENT_USER,
    HKEY_LOCAL_MACHINE,
    REG_BINARY,
    REG_DWORD,
    REG_SZ,
    FakeRegistry,
)

ROOT_UID = os.getuid()  # the tests run as the owner the reader trusts; see ``not_trusted``


def policy_root(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    for sub in ("managed", "recommended"):
        (root / sub).mkdir(parents=True)
        os.chmod(root / sub, 0o755)
    return root


def write_policy(root: Path, level: str, name: str, document: object, mode: int = 0o644) -> Path:
    path = root / level / name
    path.write_text(json.dumps(document))
    os.chmod(path, mode)
    return path


def files(root: Path) -> LinuxPolicyFiles:
    return LinuxPolicyFiles(root, trusted_owner=ROOT_UID)


# -- Linux files ----------------------------------------------------------------------------------


def test_managed_and_recommended_files_are_read(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.85, "environment": "production"})
    write_policy(root, "recommended", "10-bank.json", {"jpeg_quality": 80})
    policy = read_policy([files(root)])
    assert policy.value("liveness_threshold") == 0.85
    assert policy.entries["liveness_threshold"].level is PolicyLevel.MANDATORY_MACHINE
    assert policy.entries["jpeg_quality"].level is PolicyLevel.RECOMMENDED
    assert policy.entries["environment"].origin.endswith("managed/10-bank.json")


def test_no_policy_folder_is_no_policy(tmp_path: Path) -> None:
    assert read_policy([files(tmp_path / "absent")]).entries == {}


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root (CI runs as root)")
def test_a_file_not_owned_by_root_is_refused(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    path = write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.9})
    os.chown(path, 65534, 65534)
    with pytest.raises(PolicyError, match="not owned by root") as caught:
        read_policy([LinuxPolicyFiles(root)])
    assert str(path) in str(caught.value)


def test_a_file_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    path = write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.9})
    with pytest.raises(PolicyError, match="not owned by root") as caught:
        read_policy([LinuxPolicyFiles(root, trusted_owner=ROOT_UID + 1)])
    assert str(root / "managed") in str(caught.value) or str(path) in str(caught.value)


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_a_file_writable_by_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    root = policy_root(tmp_path)
    path = write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.9}, mode=mode)
    with pytest.raises(PolicyError, match="writable by group or others") as caught:
        read_policy([files(root)])
    assert str(path) in str(caught.value)


def test_a_writable_folder_is_refused(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.9})
    os.chmod(root / "managed", 0o777)
    with pytest.raises(PolicyError, match="writable by group or others"):
        read_policy([files(root)])


def test_a_symlinked_policy_is_refused(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"liveness_threshold": 0.1}))
    (root / "managed" / "10-bank.json").symlink_to(target)
    with pytest.raises(PolicyError, match="symbolic link"):
        read_policy([files(root)])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"liveness_treshold": 0.9}', "not a policy the station knows"),
    ],
)
def test_a_broken_policy_fails_closed_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    root = policy_root(tmp_path)
    path = root / "managed" / "20-broken.json"
    path.write_text(content)
    os.chmod(path, 0o644)
    with pytest.raises(PolicyError, match=problem) as caught:
        read_policy([files(root)])
    assert str(path) in str(caught.value)


def test_a_field_set_twice_is_reported_and_the_later_file_wins(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 0.8})
    write_policy(root, "managed", "20-branch.json", {"liveness_threshold": 0.9})
    policy = read_policy([files(root)])
    assert policy.value("liveness_threshold") == 0.9
    (report,) = policy.duplicates
    assert "liveness_threshold" in report
    assert "10-bank.json" in report and "20-branch.json" in report


def test_a_policy_value_the_model_refuses_names_its_file(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    path = write_policy(root, "managed", "10-bank.json", {"liveness_threshold": 1.7})
    with pytest.raises(SettingsError, match="liveness_threshold: must be between 0 and 1") as caught:
        resolve_settings(policy_sources=[files(root)])
    assert str(path) in str(caught.value)


# -- the registry -----------------------------------------------------------------------------------


def test_hklm_beats_hkcu_and_recommended_sits_under_mandatory() -> None:
    registry = FakeRegistry()
    registry.set(HKEY_CURRENT_USER, POLICY_KEY, "liveness_threshold", "0.75", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.9", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "liveness_threshold", "0.6", REG_SZ)
    registry.set(HKEY_CURRENT_USER, POLICY_KEY, "quality_gate", 0, REG_DWORD)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "max_attempts", 3, REG_DWORD)
    resolved = resolve_settings(policy_sources=[RegistryPolicy(registry)])
    assert resolved.settings.liveness_threshold == 0.9
    assert resolved.origin("liveness_threshold") is Origin.MACHINE_POLICY
    assert resolved.settings.quality_gate is False
    assert resolved.origin("quality_gate") is Origin.USER_POLICY
    assert resolved.settings.max_attempts == 3
    assert resolved.origin("max_attempts") is Origin.RECOMMENDED
    assert resolved.locked("liveness_threshold") and resolved.locked("quality_gate")
    assert not resolved.locked("max_attempts")
    assert registry.open_handles == 0


def test_a_pin_hash_in_the_registry_is_ignored_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    """admin_pin_hash / supervisors left in a GPO: the hash is never used, the rest still holds."""
    registry = FakeRegistry()
    secret = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA=="
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "admin_pin_hash", secret, REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "supervisors", "[{ not even JSON", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.9", REG_SZ)
    with caplog.at_level("WARNING", logger="station.config.policy"):
        policy = read_policy([RegistryPolicy(registry)])
    assert set(policy.entries) == {"liveness_threshold"}
    assert policy.value("admin_pin_hash") is None and policy.value("supervisors") is None
    assert [(item.name, item.origin) for item in policy.ignored] == [
        ("admin_pin_hash", "HKLM\\" + POLICY_KEY),
        ("supervisors", "HKLM\\" + POLICY_KEY),
    ]
    assert all("station admin init" in item.words for item in policy.ignored)
    assert "admin_pin_hash" in caplog.text and "station admin init" in caplog.text
    assert secret not in caplog.text and all(secret not in item.words for item in policy.ignored)
    assert secret not in repr(policy) and secret not in str(policy.ignored)
    assert policy.digest == read_policy([RegistryPolicy(_only_threshold())]).digest


def _only_threshold() -> FakeRegistry:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.9", REG_SZ)
    return registry


def test_a_pin_hash_in_a_policy_file_is_ignored_and_reported(tmp_path: Path) -> None:
    root = policy_root(tmp_path)
    write_policy(root, "managed", "10-people.json", {"admin_pin_hash": "scrypt$x", "audit_retention_days": 3})
    write_policy(root, "recommended", "10-people.json", {"supervisors": [{"id": "a", "pin_hash": "y"}]})
    policy = read_policy([files(root)])
    assert set(policy.entries) == {"audit_retention_days"}
    assert {item.name for item in policy.ignored} == {"admin_pin_hash", "supervisors"}
    resolved = resolve_settings(policy_sources=[files(root)])
    assert resolved.settings.audit_retention_days == 3


def test_registry_problems_fail_closed_naming_the_key() -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", b"\x00", REG_BINARY)
    with pytest.raises(PolicyError, match=r"HKLM\\SOFTWARE\\Policies\\Station\\liveness_threshold"):
        read_policy([RegistryPolicy(registry)])
    denied = FakeRegistry()
    denied.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "kiosk", 1, REG_DWORD)
    denied.unreadable.add((HKEY_LOCAL_MACHINE, POLICY_KEY.lower()))
    with pytest.raises(PolicyError, match="cannot be read"):
        read_policy([RegistryPolicy(denied)])
    unknown = FakeRegistry()
    unknown.set(HKEY_CURRENT_USER, POLICY_KEY, "threshold", "0.1", REG_SZ)
    with pytest.raises(PolicyError, match=r"HKCU\\.*'threshold' is not a policy"):
        read_policy([RegistryPolicy(unknown)])


# -- precedence and the operator ------------------------------------------------------------------------


def production_policy(threshold: float = 0.7) -> RegistryPolicy:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "environment", "production", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", str(threshold), REG_SZ)
    return RegistryPolicy(registry)


def test_the_operator_file_cannot_lower_the_threshold_in_production(tmp_path: Path) -> None:
    user_file = tmp_path / "settings.toml"
    user_file.write_text('liveness_threshold = 0.05\nmin_detection_score = 0.0\ncamera = "image:x.jpg"\n')
    resolved = resolve_settings(policy_sources=[production_policy()], user_file=user_file)
    assert resolved.production
    assert resolved.settings.liveness_threshold == 0.7
    assert resolved.settings.min_detection_score == Settings().min_detection_score
    assert resolved.settings.camera == Settings().camera
    assert any("liveness_threshold in the operator's settings file" in line for line in resolved.refused)


def test_the_environment_cannot_lower_the_threshold_in_production() -> None:
    resolved = resolve_settings(
        policy_sources=[production_policy()],
        environ={"STATION_LIVENESS_THRESHOLD": "0.0", "STATION_BASE_URL": "http://127.0.0.1:9"},
    )
    assert resolved.settings.liveness_threshold == 0.7
    assert resolved.settings.base_url is None
    assert resolved.dev_overrides == ()
    assert "STATION_LIVENESS_THRESHOLD (set by your organisation's policy)" in resolved.refused
    assert "STATION_BASE_URL (not on a production station)" in resolved.refused


def test_a_stricter_threshold_is_always_allowed() -> None:
    resolved = resolve_settings(policy_sources=[production_policy(0.7)], cli={"liveness_threshold": 0.9})
    assert resolved.settings.liveness_threshold == 0.9
    assert resolved.dev_overrides == ("--liveness-threshold",)
    lower = resolve_settings(policy_sources=[production_policy(0.7)], cli={"liveness_threshold": 0.3})
    assert lower.settings.liveness_threshold == 0.7
    assert lower.refused == ("--liveness-threshold (set by your organisation's policy)",)


def test_turning_on_an_anti_spoof_minimum_is_stricter_even_in_production() -> None:
    """Unset, there is no minimum: setting one only adds a check, so it is allowed like a higher
    threshold (and still marked as an override); a value that is not a number is not."""
    resolved = resolve_settings(policy_sources=[production_policy(0.7)], cli={"min_antispoof_score": 0.5})
    assert resolved.settings.min_antispoof_score == 0.5
    assert (resolved.dev_overrides, resolved.refused) == (("--min-antispoof-score",), ())
    junk = resolve_settings(policy_sources=[production_policy(0.7)], cli={"min_antispoof_score": "high"})
    assert junk.settings.min_antispoof_score is None
    assert junk.refused == ("--min-antispoof-score (not on a production station)",)


def test_the_operator_cannot_make_a_station_a_development_one() -> None:
    resolved = resolve_settings(
        policy_sources=[production_policy()], environ={"STATION_ENVIRONMENT": "sandbox"}
    )
    assert resolved.production
    assert resolved.settings.environment is Environment.PRODUCTION


def test_overrides_cannot_select_production(tmp_path: Path) -> None:
    user_file = tmp_path / "settings.toml"
    save_settings(Settings(environment=Environment.PRODUCTION), user_file)
    resolved = resolve_settings(user_file=user_file, environ={"STATION_ENVIRONMENT": "production"})
    assert not resolved.production
    assert resolved.settings.environment is Environment.SANDBOX
    assert resolved.refused == (
        "environment in the operator's settings file (production is chosen by machine policy)",
        "STATION_ENVIRONMENT (production is chosen by machine policy, not an override)",
    )


def test_a_development_station_may_name_its_own_environment_by_override() -> None:
    resolved = resolve_settings(environ={"STATION_ENVIRONMENT": "sandbox"})
    assert resolved.settings.environment is Environment.SANDBOX
    assert (resolved.dev_overrides, resolved.refused) == (("STATION_ENVIRONMENT",), ())


def test_a_mandatory_environment_beats_the_administrator(tmp_path: Path) -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "environment", "sandbox", REG_SZ)
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"environment": "production"})
    resolved = resolve_settings(policy_sources=[RegistryPolicy(registry)], admin_file=admin)
    assert not resolved.production
    assert resolved.settings.environment is Environment.SANDBOX
    assert resolved.origin("environment") is Origin.MACHINE_POLICY


def test_a_recommended_production_holds_and_the_administrators_file_cannot_change_it(tmp_path: Path) -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "environment", "production", REG_SZ)
    recommended = RegistryPolicy(registry)
    resolved = resolve_settings(
        policy_sources=[recommended], environ={"STATION_BASE_URL": "http://127.0.0.1:9"}
    )
    assert resolved.production
    assert resolved.refused == ("STATION_BASE_URL (not on a production station)",)
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"environment": "sandbox"})
    changed = resolve_settings(policy_sources=[recommended], admin_file=admin)
    assert changed.production
    assert changed.settings.environment is Environment.PRODUCTION
    assert changed.refused == (
        "environment in the administrator's settings (the environment is machine policy)",
    )


def test_an_override_equal_to_the_policy_threshold_is_not_lower() -> None:
    resolved = resolve_settings(policy_sources=[production_policy(0.7)], cli={"liveness_threshold": 0.7})
    assert (resolved.dev_overrides, resolved.refused) == (("--liveness-threshold",), ())


def test_an_override_is_compared_with_the_policy_not_the_default() -> None:
    resolved = resolve_settings(policy_sources=[production_policy(0.85)], cli={"liveness_threshold": 0.8})
    assert resolved.settings.liveness_threshold == 0.85
    assert resolved.refused == ("--liveness-threshold (set by your organisation's policy)",)


def test_a_threshold_nobody_set_is_compared_with_the_default() -> None:
    resolved = resolve_settings(installed=True, environ={"STATION_LIVENESS_THRESHOLD": "0.9"})
    assert resolved.production
    assert resolved.settings.liveness_threshold == 0.9
    assert (resolved.dev_overrides, resolved.refused) == (("STATION_LIVENESS_THRESHOLD",), ())
    # Just below the default 0.7 that nobody changed: lower, so refused.
    lower = resolve_settings(installed=True, environ={"STATION_LIVENESS_THRESHOLD": "0.69"})
    assert lower.settings.liveness_threshold == Settings().liveness_threshold
    assert lower.refused == ("STATION_LIVENESS_THRESHOLD (not on a production station)",)


def test_a_threshold_that_is_not_a_number_is_not_stricter() -> None:
    resolved = resolve_settings(installed=True, environ={"STATION_LIVENESS_THRESHOLD": "high"})
    assert resolved.settings.liveness_threshold == Settings().liveness_threshold
    assert resolved.refused == ("STATION_LIVENESS_THRESHOLD (not on a production station)",)


def test_command_line_overrides_are_named_as_typed() -> None:
    labels = {"liveness_threshold": "--threshold"}
    lower = resolve_settings(
        policy_sources=[production_policy(0.7)], cli={"liveness_threshold": 0.3}, cli_labels=labels
    )
    assert lower.refused == ("--threshold (set by your organisation's policy)",)
    higher = resolve_settings(
        policy_sources=[production_policy(0.7)], cli={"liveness_threshold": 0.9}, cli_labels=labels
    )
    assert higher.dev_overrides == ("--threshold",)


def test_a_bad_combination_names_where_each_value_came_from(tmp_path: Path) -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.8", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "review_upper", "0.9", REG_SZ)
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"review_upper": 0.75})  # over the recommended value, under the machine's threshold
    with pytest.raises(SettingsError) as caught:
        resolve_settings(policy_sources=[RegistryPolicy(registry)], admin_file=admin)
    assert str(caught.value) == (
        "review_upper: must be above liveness_threshold (0.8), got 0.75 (in the administrator (PIN))"
    )
    with pytest.raises(SettingsError) as caught:
        resolve_settings(environ={"STATION_LIVENESS_THRESHOLD": "1.7", "STATION_CONNECT_TIMEOUT": "-1"})
    assert str(caught.value).endswith("(in STATION_CONNECT_TIMEOUT, STATION_LIVENESS_THRESHOLD)")
    assert caught.value.fields == {"liveness_threshold", "connect_timeout"}


def test_development_overrides_apply_and_are_named(tmp_path: Path) -> None:
    resolved = resolve_settings(
        environ={"STATION_LIVENESS_THRESHOLD": "0.2"}, cli={"base_url": "http://127.0.0.1:8765"}
    )
    assert not resolved.production
    assert resolved.settings.liveness_threshold == 0.2
    assert resolved.settings.base_url == "http://127.0.0.1:8765"
    assert resolved.dev_overrides == ("--base-url", "STATION_LIVENESS_THRESHOLD")
    assert resolved.origin("liveness_threshold") is Origin.DEVELOPMENT


def test_precedence_from_defaults_to_machine_policy(tmp_path: Path) -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "jpeg_quality", 70, REG_DWORD)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "retry_attempts", 4, REG_DWORD)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "max_attempts", 4, REG_DWORD)
    registry.set(HKEY_CURRENT_USER, POLICY_KEY, "deadline", "40", REG_SZ)
    registry.set(HKEY_CURRENT_USER, POLICY_KEY, "read_timeout", "20", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "read_timeout", "25", REG_SZ)
    user_file = tmp_path / "settings.toml"
    user_file.write_text("jpeg_quality = 85\ndeadline = 50\n")
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"retry_attempts": 2, "deadline": 45})
    resolved = resolve_settings(
        policy_sources=[RegistryPolicy(registry)], admin_file=admin, user_file=user_file
    )
    settings = resolved.settings
    assert (settings.max_attempts, resolved.origin("max_attempts")) == (4, Origin.RECOMMENDED)
    assert (settings.jpeg_quality, resolved.origin("jpeg_quality")) == (85, Origin.OPERATOR)
    assert (settings.retry_attempts, resolved.origin("retry_attempts")) == (2, Origin.ADMINISTRATOR)
    assert (settings.deadline, resolved.origin("deadline")) == (40, Origin.USER_POLICY)
    assert (settings.read_timeout, resolved.origin("read_timeout")) == (25, Origin.MACHINE_POLICY)
    assert resolved.origin("connect_timeout") is Origin.DEFAULT


def test_a_hand_edited_administrator_file_fails_closed(tmp_path: Path) -> None:
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"liveness_threshold": 0.8})
    assert resolve_settings(admin_file=admin).settings.liveness_threshold == 0.8
    text = admin.path.read_text().replace("liveness_threshold = 0.8", "liveness_threshold = 0.05")
    admin.path.write_text(text)
    with pytest.raises(SettingsError, match="MAC mismatch") as caught:
        resolve_settings(admin_file=admin)
    assert str(admin.path) in str(caught.value)
    unsigned = "\n".join(line for line in text.splitlines() if not line.startswith("# hmac"))
    admin.path.write_text(unsigned + "\n")
    with pytest.raises(SettingsError, match="no MAC"):
        resolve_settings(admin_file=admin)
    other_key = AdminSettingsFile(admin.path, lambda: b"b" * 32)
    admin.write({"liveness_threshold": 0.8})
    with pytest.raises(SettingsError, match="MAC mismatch"):
        resolve_settings(admin_file=other_key)


def test_the_administrators_file_does_not_choose_production(tmp_path: Path) -> None:
    """Failure 5 of issue 22: production set in the administrator's file reverted to development
    when the file was deleted. The file no longer chooses the mode, so there is nothing to revert."""
    admin = AdminSettingsFile(tmp_path / "admin-settings.toml", lambda: b"a" * 32)
    admin.write({"environment": "production", "liveness_threshold": 0.8})
    resolved = resolve_settings(admin_file=admin, environ={"STATION_LIVENESS_THRESHOLD": "0.1"})
    assert not resolved.production
    assert (
        "environment in the administrator's settings (the environment is machine policy)" in resolved.refused
    )
    installed = resolve_settings(
        admin_file=admin, installed=True, environ={"STATION_LIVENESS_THRESHOLD": "0.1"}
    )
    assert installed.production
    assert installed.settings.liveness_threshold == 0.8
    (tmp_path / "admin-settings.toml").unlink()
    deleted = resolve_settings(
        admin_file=admin, installed=True, environ={"STATION_LIVENESS_THRESHOLD": "0.1"}
    )
    assert deleted.production
    assert deleted.settings.liveness_threshold == Settings().liveness_threshold
    assert deleted.refused == ("STATION_LIVENESS_THRESHOLD (not on a production station)",)


def test_the_policy_hash_follows_the_policy(tmp_path: Path) -> None:
    first = read_policy([production_policy(0.7)]).digest
    assert first == read_policy([production_policy(0.7)]).digest
    assert first != read_policy([production_policy(0.8)]).digest
    assert read_policy([]).digest != first


def test_the_environment_cannot_move_an_installed_stations_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import station.locations

    installed_config, installed_data = tmp_path / "etc", tmp_path / "var"
    monkeypatch.setattr(station.locations, "installed_config_dir", lambda: installed_config)
    monkeypatch.setattr(station.locations, "installed_data_dir", lambda: installed_data)
    environ = {
        ENV_MACHINE_DATA_DIR: str(tmp_path / "mine"),
        "STATION_MACHINE_CONFIG_DIR": str(tmp_path / "p"),
    }
    # Installed is a fact about the program: whether the machine folder exists plays no part.
    for exists in (False, True):
        if exists:
            installed_data.mkdir()
        folders = machine_folders(environ, checkout=False)
        assert folders.installed
        assert (folders.config, folders.data) == (installed_config, installed_data)
        development = machine_folders(environ, checkout=True)
        assert not development.installed
        assert (development.config, development.data) == (tmp_path / "p", tmp_path / "mine")
