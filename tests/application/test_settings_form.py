"""The settings dialog's rules without Qt (issue 23): what is read-only and why, how a typed value
is read, what changed, what needs the administrator PIN, which file dialog and camera a choice means.

Real settings resolved from a (fake) Windows registry policy and development overrides, the real
settings model's validation; no widgets."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

import pytest

from station.application.settings_form import (
    DECIMALS,
    OPTIONAL,
    PATHS,
    Checked,
    FileChoice,
    Fixed,
    FixedBy,
    Problems,
    SettingsForm,
    group_problems,
    number_text,
)
from station.config import SECURITY_FIELDS, ResolvedSettings, Settings, resolve_settings
from station.config.policy import POLICY_KEY, RegistryPolicy
from station.core.decision import SeveralFacesPolicy
from tests.config.fake_registry import HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, REG_DWORD, REG_SZ, FakeRegistry

BASE = Settings(station_id="branch-12", camera="device:0")
#: The fields the dialog shows (every one but four the dialog leaves to policy files).
SHOWN = frozenset(Settings.model_fields) - {
    "approved_cameras",
    "operator_sign_in",
    "allow_document_verification",
    "service_spki_pins",
}


def _form(settings: ResolvedSettings | Settings = BASE, **kwargs: Any) -> SettingsForm:
    return SettingsForm(settings, SHOWN, **kwargs)


def _with_policy() -> ResolvedSettings:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "liveness_threshold", "0.8", REG_SZ)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "audit_db", "/srv/station/audit.sqlite3", REG_SZ)
    registry.set(HKEY_CURRENT_USER, POLICY_KEY, "kiosk", 1, REG_DWORD)
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY + r"\Recommended", "jpeg_quality", 85, REG_DWORD)
    return resolve_settings(policy_sources=[RegistryPolicy(registry)], environ={"STATION_DEADLINE": "20"})


# -- what is fixed, and why ------------------------------------------------------------------------


def test_policy_and_development_overrides_fix_their_fields_and_say_which() -> None:
    form = _form(_with_policy())
    assert form.fixed["liveness_threshold"] == Fixed(FixedBy.POLICY, "machine policy")
    assert form.fixed["kiosk"] == Fixed(FixedBy.POLICY, "user policy")
    assert form.fixed["deadline"] == Fixed(FixedBy.DEVELOPMENT, "STATION_DEADLINE")
    assert form.fixed["environment"] == Fixed(FixedBy.MODE)
    # A recommended value is a default someone may change; the rest is free (a development
    # checkout: paths too).
    assert set(form.fixed) == {"liveness_threshold", "audit_db", "kiosk", "deadline", "environment"}
    assert form.read_only("kiosk") and not form.read_only("jpeg_quality")


def test_outside_development_the_paths_are_machine_policys() -> None:
    production = _form(resolve_settings(installed=True))
    for name in PATHS:
        assert production.fixed[name] == Fixed(FixedBy.PATH_POLICY)
    assert set(production.fixed) == {*PATHS, "environment"}
    assert set(_form(resolve_settings(installed=False)).fixed) == {"environment"}


def test_the_environment_set_by_policy_names_the_policy() -> None:
    registry = FakeRegistry()
    registry.set(HKEY_LOCAL_MACHINE, POLICY_KEY, "environment", "sandbox", REG_SZ)
    form = _form(resolve_settings(policy_sources=[RegistryPolicy(registry)]))
    assert form.fixed["environment"] == Fixed(FixedBy.POLICY, "machine policy")


def test_plain_settings_fix_only_the_environment() -> None:
    form = _form(BASE)
    assert form.original is BASE
    assert dict(form.fixed) == {"environment": Fixed(FixedBy.MODE)}


# -- file dialogs ------------------------------------------------------------------------------------


def test_file_dialogs_open_only_in_development_for_a_free_path() -> None:
    development = _form(resolve_settings(installed=False))
    assert development.file_choice("ca_bundle") is FileChoice.CERTIFICATES
    assert development.file_choice("audit_db") is FileChoice.JOURNAL
    assert development.file_choice("station_id") is None  # not a path
    production = _form(resolve_settings(installed=True))
    assert [production.file_choice(name) for name in sorted(PATHS)] == [None, None]
    locked = _form(_with_policy())  # a development checkout whose policy fixes the journal
    assert locked.file_choice("audit_db") is None
    assert locked.file_choice("ca_bundle") is FileChoice.CERTIFICATES


# -- reading what was typed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("0,85", "0.85"),
        (" 12,5 ", "12.5"),
        ("0.85", "0.85"),
        ("1,2,3", "1,2,3"),
        ("1.5,2", "1.5,2"),
        ("", ""),
    ],
)
def test_a_decimal_comma_is_a_point_and_nothing_else_changes(text: str, read: str) -> None:
    assert number_text(text) == read


def test_an_entry_means_what_its_setting_expects() -> None:
    value = SettingsForm.entered_value
    assert value("station_id", "  desk-3 ") == "desk-3"
    assert value("station_id", "") == ""  # not optional: the model says it must not be empty
    assert value("proxy", "   ") is None
    assert value("consent_required", "") is None  # the list's "production only (the default)"
    assert value("read_timeout", "12,5") == "12.5"
    assert value("review_upper", " 0,95") == "0.95"
    assert value("station_id", "a,b") == "a,b"  # a comma only means a decimal point in a number
    assert value("kiosk", True) is True and value("jpeg_quality", 55) == 55
    assert {"review_upper", "auto_capture"} <= DECIMALS and "consent_required" in OPTIONAL


def test_every_field_shows_its_value_exactly_so_an_untouched_form_changes_nothing() -> None:
    tricky = BASE.with_changes(liveness_threshold=0.1234567891, review_upper=0.95, proxy=None)
    form = _form(tricky)
    assert form.shown("liveness_threshold") == "0.1234567891"
    assert form.shown("proxy") == ""
    assert form.shown("several_faces") == "retry"
    assert form.shown("audit_db") == str(tricky.audit_db)
    for name in SHOWN:  # every choice is a StrEnum: its text is its value
        value = getattr(tricky, name)
        assert not isinstance(value, StrEnum) or form.shown(name) == value.value
    entered = {name: form.shown(name) for name in SHOWN}
    checked = form.check(entered)
    assert checked.settings == tricky
    assert checked.changes == {} and checked.needs_pin == frozenset()


# -- checking ------------------------------------------------------------------------------------------


def test_a_valid_entry_gives_a_copy_the_changes_and_the_fields_that_need_the_pin() -> None:
    form = _form()
    checked = form.check({"station_id": " desk-9 ", "interface_language": "hi", "read_timeout": "12,5"})
    assert checked.settings is not None
    assert (checked.settings.station_id, checked.settings.read_timeout) == ("desk-9", 12.5)
    assert checked.changes == {"station_id": "desk-9", "interface_language": "hi", "read_timeout": 12.5}
    assert checked.needs_pin == {"station_id", "read_timeout"} <= SECURITY_FIELDS
    assert "interface_language" not in SECURITY_FIELDS
    assert checked.problems.count == 0 and not checked.pin_refused
    assert BASE.station_id == "branch-12"  # the original is left alone


def test_a_field_fixed_in_the_form_is_never_taken_from_it() -> None:
    form = _form(_with_policy())
    checked = form.check({"liveness_threshold": "0.1", "deadline": "99", "jpeg_quality": 70})
    assert checked.settings is not None
    assert (checked.settings.liveness_threshold, checked.settings.deadline) == (0.8, 20.0)
    assert checked.changes == {"jpeg_quality": 70}


def test_problems_come_back_by_field_in_order_and_the_rest_as_general() -> None:
    form = SettingsForm(BASE, SHOWN - {"proxy"})
    checked = form.check(
        {"liveness_threshold": "high", "connect_timeout": "-1", "station_id": " ", "proxy": "ftp://nope"}
    )
    assert checked.settings is None and checked.changes == {} and checked.needs_pin == frozenset()
    problems = checked.problems
    assert list(problems.fields) == ["liveness_threshold", "connect_timeout", "station_id"]
    assert problems.fields["liveness_threshold"] == ("must be a number, got 'high'",)
    assert problems.fields["connect_timeout"] == ("must be positive, got -1",)
    assert len(problems.general) == 1 and "must be a url such as" in problems.general[0].lower()
    assert problems.count == 4


def test_two_problems_of_one_field_stay_together() -> None:
    checked = _form().check({"liveness_threshold": "0.9", "review_upper": "0.8"})
    (found,) = checked.problems.fields.values()
    assert list(checked.problems.fields) == ["review_upper"]
    assert "must be above liveness_threshold" in found[0].lower()
    assert Problems(fields={"a": ("one", "two")}, general=("three",)).count == 3
    grouped = group_problems(
        [("proxy", "one"), ("station_id", "two"), ("proxy", "three"), ("", "four"), ("other", "five")],
        {"proxy", "station_id"},
    )
    assert grouped == Problems({"proxy": ("one", "three"), "station_id": ("two",)}, ("four", "five"))
    assert Problems().count == 0


# -- OK: the PIN after the values are valid ------------------------------------------------------------


class Approver:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[frozenset[str]] = []

    def __call__(self, fields: frozenset[str]) -> bool:
        self.asked.append(fields)
        return self.answer


def test_ok_asks_the_pin_only_for_a_valid_security_change() -> None:
    form = _form()
    approve = Approver(False)
    invalid = form.submit({"station_id": "desk-9", "liveness_threshold": "1.7"}, approve)
    assert invalid.settings is None and approve.asked == []  # nothing authorised before it is valid
    operators = form.submit({"interface_language": "hi"}, approve)
    assert operators.settings is not None and not operators.pin_refused and approve.asked == []
    refused = form.submit({"station_id": "desk-9", "interface_language": "hi"}, approve)
    assert approve.asked == [frozenset({"station_id"})]
    assert refused.pin_refused and refused.needs_pin == {"station_id"}
    approve.answer = True
    allowed = form.submit({"station_id": "desk-9"}, approve)
    assert not allowed.pin_refused and allowed.changes == {"station_id": "desk-9"}
    assert isinstance(allowed, Checked) and len(approve.asked) == 2


# -- cameras ----------------------------------------------------------------------------------------------


def test_a_detected_camera_is_chosen_by_its_device_index() -> None:
    form = _form(camera_lister=lambda: ((0, "Fake USB camera"), (2, "Document camera")))
    assert form.detected_cameras() == [(0, "Fake USB camera"), (2, "Document camera")]
    assert SettingsForm.camera_of_device(2) == "device:2"
    checked = form.check({"camera": SettingsForm.camera_of_device(2)})
    assert checked.changes == {"camera": "device:2"} and checked.needs_pin == {"camera"}


def test_a_camera_list_that_fails_is_empty_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> list[tuple[int, str]]:
        raise OSError("no /dev/video access")

    with caplog.at_level(logging.WARNING, "station.application.settings_form"):
        assert _form(camera_lister=broken).detected_cameras() == []
    assert [record.getMessage() for record in caplog.records] == ["listing the cameras failed"]
    # With its traceback, for IT. Once the station's logging is set up (another test in the same
    # run may have done it), the redacting filter has turned the traceback into redacted text.
    record = caplog.records[0]
    traceback = record.exc_text or (
        logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
    )
    assert "OSError: no /dev/video access" in traceback


def test_without_a_lister_the_station_lists_its_own_cameras(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "station.application.settings_form"):
        found = _form().detected_cameras()
    assert isinstance(found, list) and all(isinstance(index, int) for index, _name in found)
    assert caplog.records == []  # the station's own enumeration ran, and did not fail


def test_the_several_faces_choice_is_read_as_its_policy() -> None:
    checked = _form().check({"several_faces": "operator_picks", "ca_bundle": ""})
    assert checked.settings is not None
    assert checked.settings.several_faces is SeveralFacesPolicy.OPERATOR_PICKS
    assert checked.settings.ca_bundle is None
