"""The Group Policy templates: parsed, every policy the station reads has exactly one entry per key
(mandatory, recommended), every entry is a policy the station reads, and the strings resolve."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from station.config.model import Settings
from station.config.policy import MOVED_OUT_OF_POLICY, POLICY_KEY

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}


def value_names(policy: ET.Element) -> set[str]:
    names = {policy.get("valueName")} if policy.get("valueName") else set()
    elements = policy.find("p:elements", NS)
    if elements is not None:
        names |= {element.get("valueName") or "" for element in elements}
    return {name for name in names if name}


def policies_by_key() -> dict[str, Counter[str]]:
    root = ET.parse(WINDOWS / "station.admx").getroot()
    found: dict[str, Counter[str]] = {}
    for policy in root.iterfind("p:policies/p:policy", NS):
        key = policy.get("key") or ""
        for name in value_names(policy):
            found.setdefault(key, Counter())[name] += 1
    return found


def test_every_policy_has_exactly_one_entry_and_the_reverse() -> None:
    found = policies_by_key()
    mandatory = found[POLICY_KEY]
    assert set(mandatory) == set(Settings.model_fields)
    assert not set(mandatory) & MOVED_OUT_OF_POLICY  # no PIN hash in a place every account reads
    assert all(count == 1 for count in mandatory.values()), mandatory
    recommended = found[POLICY_KEY + "\\Recommended"]
    assert set(recommended) == set(Settings.model_fields)
    assert all(count == 1 for count in recommended.values()), recommended
    assert set(found) == {POLICY_KEY, POLICY_KEY + "\\Recommended"}


def test_every_string_and_presentation_the_admx_names_is_in_the_adml() -> None:
    admx = ET.parse(WINDOWS / "station.admx").getroot()
    adml = ET.parse(WINDOWS / "en-US" / "station.adml").getroot()
    strings = {s.get("id") for s in adml.iterfind("p:resources/p:stringTable/p:string", NS)}
    presentations = {p.get("id") for p in adml.iterfind("p:resources/p:presentationTable/p:presentation", NS)}
    wanted_strings: set[str] = set()
    wanted_presentations: set[str] = set()
    for element in admx.iter():
        for attribute in ("displayName", "explainText", "presentation"):
            value = element.get(attribute) or ""
            if value.startswith("$(string."):
                wanted_strings.add(value[len("$(string.") : -1])
            elif value.startswith("$(presentation."):
                wanted_presentations.add(value[len("$(presentation.") : -1])
    assert wanted_strings <= strings
    assert wanted_presentations <= presentations


def test_the_templates_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(WINDOWS / "make_admx.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
