"""The modes table (issue 22): one function decides, from the program and machine policy only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import station.locations
from station.config import Mode, resolve_settings, resolve_station_settings, station_mode
from station.config.policy import default_policy_sources
from station.locations import machine_folders, program_installed
from tests.machine import write_machine_policy


@pytest.mark.parametrize(
    ("installed", "policy_environment", "mode"),
    [
        (False, None, Mode.DEVELOPMENT),
        (False, "sandbox", Mode.SANDBOX),
        (False, "production", Mode.PRODUCTION),
        (False, " Production ", Mode.PRODUCTION),
        (True, None, Mode.PRODUCTION),
        (True, "", Mode.PRODUCTION),
        (True, "sandbox", Mode.SANDBOX),
        (True, "production", Mode.PRODUCTION),
    ],
)
def test_the_modes_table(installed: bool, policy_environment: str | None, mode: Mode) -> None:
    assert station_mode(installed=installed, policy_environment=policy_environment) is mode


def test_what_each_mode_allows() -> None:
    allowed = {mode: mode.allows_development_overrides for mode in Mode}
    assert allowed == {Mode.DEVELOPMENT: True, Mode.SANDBOX: False, Mode.PRODUCTION: False}
    assert [mode for mode in Mode if mode.requires_consent] == [Mode.PRODUCTION]
    assert [mode for mode in Mode if not mode.allows_file_verification] == [Mode.PRODUCTION]
    assert [mode for mode in Mode if mode.allows_file_dialogs] == [Mode.DEVELOPMENT]
    assert [mode for mode in Mode if not mode.allows_screenshots] == [Mode.PRODUCTION]


def test_an_installed_station_without_policy_is_production_and_refuses_overrides() -> None:
    """Failure 5: an installed station with no production policy took STATION_LIVENESS_THRESHOLD
    and --base-url."""
    resolved = resolve_settings(
        installed=True,
        environ={"STATION_LIVENESS_THRESHOLD": "0.2"},
        cli={"base_url": "http://127.0.0.1:9"},
        cli_labels={"base_url": "--base-url"},
    )
    assert resolved.mode is Mode.PRODUCTION
    assert resolved.settings.environment.value == "production"
    assert resolved.settings.base_url is None
    assert resolved.settings.liveness_threshold == 0.7
    assert resolved.refused == (
        "--base-url (not on a production station)",
        "STATION_LIVENESS_THRESHOLD (not on a production station)",
    )


def test_removing_the_policy_folder_never_moves_an_installed_station_up_the_table(tmp_path: Path) -> None:
    """Failure 5: a policies/ folder moved away silently made the station a development one."""
    config = tmp_path / "etc-opt-station"
    write_machine_policy(config, {"environment": "production", "liveness_threshold": 0.9})
    with_policy = resolve_settings(policy_sources=default_policy_sources(config), installed=True)
    assert (with_policy.mode, with_policy.settings.liveness_threshold) == (Mode.PRODUCTION, 0.9)
    (config / "policies").rename(tmp_path / "moved-away")
    without = resolve_settings(
        policy_sources=default_policy_sources(config),
        installed=True,
        environ={"STATION_LIVENESS_THRESHOLD": "0.1"},
    )
    assert without.mode is Mode.PRODUCTION
    assert without.settings.liveness_threshold == 0.7
    assert without.refused == ("STATION_LIVENESS_THRESHOLD (not on a production station)",)


def test_a_sandbox_policy_refuses_overrides_too() -> None:
    from station.config.policy import POLICY_KEY, RegistryPolicy
    from tests.config.fake_registry import HKEY_LOCAL_MACHINE, REG_SZ, FakeRegistry

    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "environment", "sandbox", REG_SZ)
    resolved = resolve_settings(
        policy_sources=[RegistryPolicy(registry)], environ={"STATION_BASE_URL": "http://127.0.0.1:9"}
    )
    assert resolved.mode is Mode.SANDBOX
    assert resolved.refused == ("STATION_BASE_URL (not on a sandbox station)",)


def test_a_leftover_machine_folder_changes_nothing_for_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure 8: "installed" meant "the real machine data folder exists", so on a machine where
    one existed the tests ran against it. Now a checkout is a checkout whatever folders exist."""
    real_config, real_data = tmp_path / "etc-opt-station", tmp_path / "var-lib-station"
    real_data.mkdir()
    write_machine_policy(real_config, {"environment": "production"})
    monkeypatch.setattr(station.locations, "installed_config_dir", lambda: real_config)
    monkeypatch.setattr(station.locations, "installed_data_dir", lambda: real_data)
    own_config, own_data = tmp_path / "own-config", tmp_path / "own-data"
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(own_config))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(own_data))
    folders = machine_folders()
    assert (folders.config, folders.data, folders.installed) == (own_config, own_data, False)
    resolved = resolve_station_settings(user_file=tmp_path / "settings.toml")
    assert resolved.mode is Mode.DEVELOPMENT
    assert not any(real_data.iterdir())


def test_the_installed_fact_is_about_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    assert station.locations.running_from_checkout()  # the tests run from the checkout
    assert not program_installed({})
    # A checkout may be told to behave as installed (stricter only) ...
    assert program_installed({"STATION_ASSUME_INSTALLED": "1"})
    # ... and a frozen bundle is installed whatever its environment says.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not station.locations.running_from_checkout()
    assert program_installed({"STATION_ASSUME_INSTALLED": "0"})


def test_overrides_given_explicitly_never_move_the_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``environ={}`` means "no development overrides", not "forget this run's own root": with it
    the tests used to read the OS's real policy folder (found by running the suite where
    /etc/opt/station held a production policy)."""
    real_config = tmp_path / "etc-opt-station"
    write_machine_policy(real_config, {"environment": "production"})
    monkeypatch.setattr(station.locations, "installed_config_dir", lambda: real_config)
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(tmp_path / "own-config"))
    assert resolve_station_settings(user_file=tmp_path / "settings.toml", environ={}).mode is Mode.DEVELOPMENT
