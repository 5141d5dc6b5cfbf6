"""The administrator-PIN rule is kept where settings are saved (issue 23): no caller that skips the
settings dialog, or hands in anything but the guard's own fresh approval, saves a security field.

Real files in tmp_path (the administrator's MAC'd file, the operator's file), a real PIN guard and
attempt count; no Qt."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from pathlib import Path

import pytest

from station.application.settings_store import AdminApprovalRequiredError, SettingsStore
from station.config import AdminSettingsFile, SettingsError, resolve_settings
from station.config.policy import LinuxPolicyFiles
from station.core.decision import SeveralFacesPolicy
from station.endpoint.environments import Environment
from station.security.lockout import PinLedger
from station.security.people import APPROVAL_LIFETIME_S, AdminApproval, People, PinGuard
from station.security.pin import hash_pin
from tests.application.conftest import Clock

PIN = "482913"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guard(tmp_path: Path, clock: Clock) -> PinGuard:
    return PinGuard(People(hash_pin(PIN)), PinLedger(tmp_path / "pins.sqlite3"), clock=clock)


def _store(tmp_path: Path, guard: PinGuard | None, *, persist: bool = True) -> SettingsStore:
    admin_file = AdminSettingsFile(tmp_path / "machine" / "admin-settings.toml", lambda: b"k" * 32)
    user_file = tmp_path / "user" / "settings.toml"
    return SettingsStore(
        lambda: resolve_settings(admin_file=admin_file, user_file=user_file),
        admin_file=admin_file,
        user_file=user_file,
        guard=guard,
        persist=persist,
    )


def _admin_file(tmp_path: Path) -> Path:
    return tmp_path / "machine" / "admin-settings.toml"


@pytest.mark.parametrize("persist", [True, False], ids=["station", "demo"])
def test_a_caller_that_skips_the_dialog_cannot_save_a_security_field(
    tmp_path: Path, guard: PinGuard, persist: bool
) -> None:
    store = _store(tmp_path, guard, persist=persist)
    before = store.current().settings
    with pytest.raises(AdminApprovalRequiredError) as refused:
        store.save({"jpeg_quality": 55, "liveness_threshold": 0.5})
    assert refused.value.fields == {"jpeg_quality", "liveness_threshold"}
    assert store.current().settings == before
    assert not _admin_file(tmp_path).exists()


@pytest.mark.parametrize(
    "forged",
    [True, "approved", AdminApproval("change jpeg quality", 1000.0)],
    ids=["true", "text", "built-by-the-caller"],
)
def test_nothing_but_the_guards_own_approval_counts(tmp_path: Path, guard: PinGuard, forged: object) -> None:
    store = _store(tmp_path, guard)
    with pytest.raises(AdminApprovalRequiredError):
        store.save({"jpeg_quality": 55}, forged)  # type: ignore[arg-type]
    assert not _admin_file(tmp_path).exists()


def test_the_right_pin_saves_once_and_a_copy_or_a_reuse_is_refused(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    approval, _tries_left = guard.approve_admin(PIN, "change jpeg quality")
    assert approval is not None
    twin = copy.copy(approval)
    also_twin = dataclasses.replace(approval)
    assert store.save({"jpeg_quality": 55}, approval).settings.jpeg_quality == 55
    assert "jpeg_quality = 55" in _admin_file(tmp_path).read_text()
    assert not (tmp_path / "user" / "settings.toml").exists()  # a security change is the administrator's
    for again in (approval, twin, also_twin):  # used up; copies were never issued
        with pytest.raises(AdminApprovalRequiredError):
            store.save({"jpeg_quality": 60}, again)
    assert store.current().settings.jpeg_quality == 55


def test_a_wrong_pin_gives_no_approval(tmp_path: Path, guard: PinGuard) -> None:
    approval, tries_left = guard.approve_admin("000000", "change jpeg quality")
    assert approval is None and tries_left > 0
    with pytest.raises(AdminApprovalRequiredError):
        _store(tmp_path, guard).save({"jpeg_quality": 55}, approval)


def test_an_approval_left_too_long_is_refused(tmp_path: Path, guard: PinGuard, clock: Clock) -> None:
    store = _store(tmp_path, guard)
    approval, _ = guard.approve_admin(PIN, "change jpeg quality")
    clock.now += APPROVAL_LIFETIME_S + 1
    with pytest.raises(AdminApprovalRequiredError):
        store.save({"jpeg_quality": 55}, approval)


def test_another_guards_approval_is_refused(tmp_path: Path, guard: PinGuard) -> None:
    other = PinGuard(People(hash_pin(PIN)), PinLedger(tmp_path / "other-pins.sqlite3"))
    approval, _ = other.approve_admin(PIN, "change jpeg quality")
    with pytest.raises(AdminApprovalRequiredError):
        _store(tmp_path, guard).save({"jpeg_quality": 55}, approval)
    assert other.redeem(approval)  # it was the other guard's, and still is


def test_without_a_guard_every_security_change_is_refused(tmp_path: Path, guard: PinGuard) -> None:
    approval, _ = guard.approve_admin(PIN, "change jpeg quality")
    with pytest.raises(AdminApprovalRequiredError):
        _store(tmp_path, None).save({"jpeg_quality": 55}, approval)


def test_an_operators_field_needs_no_pin_and_an_unchanged_security_field_none_either(
    tmp_path: Path, guard: PinGuard
) -> None:
    store = _store(tmp_path, guard)
    current = store.current().settings
    resolved = store.save({"interface_language": "hi", "jpeg_quality": current.jpeg_quality})
    assert resolved.settings.interface_language == "hi"
    assert not _admin_file(tmp_path).exists()


def test_a_security_change_names_each_field_that_needs_the_pin(tmp_path: Path, guard: PinGuard) -> None:
    with pytest.raises(AdminApprovalRequiredError) as refused:
        _store(tmp_path, guard).save({"liveness_threshold": 0.5, "jpeg_quality": 55})
    assert list(refused.value.problems) == [
        ("jpeg_quality", "needs the administrator PIN"),
        ("liveness_threshold", "needs the administrator PIN"),
    ]


def test_the_environment_is_machine_policys_and_not_a_setting(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    current = store.current().settings.environment
    other = next(environment for environment in Environment if environment is not current)
    with pytest.raises(SettingsError) as refused:
        store.save({"environment": other})
    assert list(refused.value.problems) == [
        ("environment", "is chosen by machine policy, not in the settings")
    ]
    assert store.save({"environment": current}).settings.environment is current  # no change: no refusal


def test_a_station_without_an_administrators_file_takes_no_security_change(
    tmp_path: Path, guard: PinGuard
) -> None:
    store = SettingsStore(resolve_settings, admin_file=None, user_file=None, guard=guard)
    approval, _left = guard.approve_admin(PIN, "change jpeg quality")
    with pytest.raises(SettingsError) as refused:
        store.save({"jpeg_quality": 55}, approval)
    assert list(refused.value.problems) == [("", "this station keeps no administrator's settings")]


def test_the_demo_keeps_its_changes_in_memory_only(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard, persist=False)
    approval, _left = guard.approve_admin(PIN, "change jpeg quality")
    after = store.save({"jpeg_quality": 55, "quality_gate": False}, approval)
    assert (after.settings.jpeg_quality, after.settings.quality_gate) == (55, False)
    assert store.current().settings.jpeg_quality == 55  # layered over the resolved settings
    assert not _admin_file(tmp_path).exists() and not (tmp_path / "user" / "settings.toml").exists()


def test_the_administrators_file_holds_plain_values(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    bundle = tmp_path / "bank-ca.pem"
    bundle.write_text("not read here")
    approval, _left = guard.approve_admin(PIN, "change the trust")
    store.save({"ca_bundle": bundle, "several_faces": SeveralFacesPolicy.OPERATOR_PICKS}, approval)
    admin = AdminSettingsFile(_admin_file(tmp_path), lambda: b"k" * 32).read()
    assert admin["ca_bundle"] == str(bundle) and admin["several_faces"] == "operator_picks"
    assert store.current().settings.several_faces is SeveralFacesPolicy.OPERATOR_PICKS


# -- every route around the PIN (issue 23): a field fixed by policy, files the store lacks ---------


def _policy_store(tmp_path: Path, guard: PinGuard, managed: dict[str, object]) -> SettingsStore:
    """A store whose station has a mandatory machine policy file (the real Linux reader, owned by
    this test's own account in tmp_path)."""
    root = tmp_path / "policies"
    (root / "managed").mkdir(parents=True)
    os.chmod(root / "managed", 0o755)
    (root / "managed" / "10-bank.json").write_text(json.dumps(managed))
    os.chmod(root / "managed" / "10-bank.json", 0o644)
    sources = [LinuxPolicyFiles(root, trusted_owner=os.getuid())]
    admin_file = AdminSettingsFile(_admin_file(tmp_path), lambda: b"k" * 32)
    user_file = tmp_path / "user" / "settings.toml"
    return SettingsStore(
        lambda: resolve_settings(policy_sources=sources, admin_file=admin_file, user_file=user_file),
        admin_file=admin_file,
        user_file=user_file,
        guard=guard,
    )


def test_a_field_fixed_by_policy_is_refused_even_with_the_pin(tmp_path: Path, guard: PinGuard) -> None:
    store = _policy_store(tmp_path, guard, {"liveness_threshold": 0.8, "kiosk": True})
    assert store.current().locked("liveness_threshold")
    approval, _left = guard.approve_admin(PIN, "change the liveness threshold")
    for changes in (
        {"liveness_threshold": 0.5, "kiosk": False},
        {"kiosk": True, "liveness_threshold": 0.8},  # at the policy's own values: still not the store's
        {"station_id": "desk-9", "kiosk": False},
    ):
        with pytest.raises(SettingsError) as refused:
            store.save(changes, approval)
        assert AdminApprovalRequiredError not in type(refused.value).__mro__
        locked = sorted(name for name in changes if name in {"liveness_threshold", "kiosk"})
        assert list(refused.value.problems) == [
            (name, "is set by your organisation's policy") for name in locked
        ]
    assert not _admin_file(tmp_path).exists() and not (tmp_path / "user" / "settings.toml").exists()
    assert store.current().settings.liveness_threshold == 0.8
    # Refused before the PIN was looked at: the approval is still good for a field policy leaves free.
    assert store.save({"jpeg_quality": 55}, approval).settings.jpeg_quality == 55


def test_operator_changes_go_to_the_operators_file_only(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    store.save({"interface_language": "hi"})
    store.save({"customer_languages": "hi,en", "kiosk": False})  # kiosk unchanged: not a change
    user = (tmp_path / "user" / "settings.toml").read_text()
    assert 'interface_language = "hi"' in user and 'customer_languages = "hi,en"' in user
    assert not _admin_file(tmp_path).exists()
    after = store.current()
    assert (after.settings.interface_language, after.origin("interface_language").name) == ("hi", "OPERATOR")


def test_a_station_without_an_operators_file_refuses_operator_changes(
    tmp_path: Path, guard: PinGuard
) -> None:
    admin_file = AdminSettingsFile(_admin_file(tmp_path), lambda: b"k" * 32)
    store = SettingsStore(
        lambda: resolve_settings(admin_file=admin_file), admin_file=admin_file, user_file=None, guard=guard
    )
    approval, _left = guard.approve_admin(PIN, "change jpeg quality")
    with pytest.raises(SettingsError) as refused:
        store.save({"jpeg_quality": 55, "interface_language": "hi"}, approval)
    assert list(refused.value.problems) == [("", "this station keeps no operator's settings")]
    assert not _admin_file(tmp_path).exists()  # nothing half-saved
    assert guard.redeem(approval)  # refused before the approval was used up
    assert store.current().settings.interface_language != "hi"


def test_a_station_without_an_administrators_file_keeps_the_approval(tmp_path: Path, guard: PinGuard) -> None:
    store = SettingsStore(
        resolve_settings, admin_file=None, user_file=tmp_path / "settings.toml", guard=guard
    )
    approval, _left = guard.approve_admin(PIN, "change jpeg quality")
    with pytest.raises(SettingsError):
        store.save({"jpeg_quality": 55}, approval)
    assert guard.redeem(approval)
    assert store.save({"interface_language": "hi"}).settings is not None  # operators' fields still save
    assert 'interface_language = "hi"' in (tmp_path / "settings.toml").read_text()


def test_the_demo_needs_the_pin_too_and_keeps_operator_changes_without_files(guard: PinGuard) -> None:
    store = SettingsStore(resolve_settings, admin_file=None, user_file=None, guard=guard, persist=False)
    with pytest.raises(AdminApprovalRequiredError):
        store.save({"jpeg_quality": 55}, True)  # type: ignore[arg-type]
    assert store.save({"interface_language": "hi"}).settings.interface_language == "hi"
    approval, _left = guard.approve_admin(PIN, "change jpeg quality")
    assert store.save({"jpeg_quality": 55}, approval).settings.jpeg_quality == 55
    with pytest.raises(AdminApprovalRequiredError):
        store.save({"jpeg_quality": 60}, approval)  # reused
    assert (store.current().settings.jpeg_quality, store.current().settings.interface_language) == (55, "hi")


def test_values_are_written_as_the_model_read_them(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    approval, _left = guard.approve_admin(PIN, "change the station id")
    store.save({"station_id": "  desk-9 ", "jpeg_quality": "55", "interface_language": " hi "}, approval)
    admin = AdminSettingsFile(_admin_file(tmp_path), lambda: b"k" * 32).read()
    assert admin == {"station_id": "desk-9", "jpeg_quality": 55}
    assert 'interface_language = "hi"' in (tmp_path / "user" / "settings.toml").read_text()
    assert store.current().settings.station_id == "desk-9"


def test_an_administrator_change_keeps_the_earlier_ones(tmp_path: Path, guard: PinGuard) -> None:
    store = _store(tmp_path, guard)
    first, _left = guard.approve_admin(PIN, "change jpeg quality")
    store.save({"jpeg_quality": 55}, first)
    second, _left = guard.approve_admin(PIN, "change the station id")
    store.save({"station_id": "desk-9"}, second)
    admin = AdminSettingsFile(_admin_file(tmp_path), lambda: b"k" * 32).read()
    assert admin == {"jpeg_quality": 55, "station_id": "desk-9"}
