"""packaging/build's size budget, names and settings, without building anything."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest

import station
from tests.packaging.conftest import PACKAGING, ROOT


def test_version_and_archive_name_come_from_the_package(build_script: ModuleType) -> None:
    assert build_script.version() == station.__version__
    assert re.fullmatch(r"(linux|windows|macos|[a-z0-9]+)-[a-z0-9_]+", build_script.platform_tag())


def test_bundle_goes_to_dist_station(build_script: ModuleType) -> None:
    assert build_script.BUNDLE == ROOT / "dist" / "station"
    assert build_script.SPEC == PACKAGING / "station.spec"


def test_recorded_budget_is_sane() -> None:
    data = json.loads((PACKAGING / "size-budget.json").read_text(encoding="utf-8"))
    assert data["tolerance"] == pytest.approx(0.10)
    assert data["bundles"], "record a budget with: python3 packaging/build --update-budget"
    for tag, entry in data["bundles"].items():
        assert 50_000_000 < entry["bytes"] < 1_000_000_000, tag
    assert set(data["archives"]) == set(data["bundles"]), "every platform has an archive budget too"
    for tag, entry in data["archives"].items():
        assert 20_000_000 < entry["bytes"] < data["bundles"][tag]["bytes"], tag


@pytest.fixture
def budget(build_script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "size-budget.json"
    path.write_text(json.dumps({"tolerance": 0.10, "bundles": {"linux-x86_64": {"bytes": 1000}}}))
    monkeypatch.setattr(build_script, "BUDGET", path)
    return path


def test_budget_allows_up_to_ten_percent_growth(build_script: ModuleType, budget: Path) -> None:
    assert build_script.check_budget(900, "linux-x86_64", update=False)
    assert build_script.check_budget(1100, "linux-x86_64", update=False)
    assert not build_script.check_budget(1101, "linux-x86_64", update=False)


def test_unrecorded_platform_passes_and_says_how_to_record(
    build_script: ModuleType, budget: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build_script.check_budget(10**9, "windows-x86_64", update=False)
    assert "--update-budget" in capsys.readouterr().out


def test_update_records_the_new_size(build_script: ModuleType, budget: Path) -> None:
    assert build_script.check_budget(5000, "linux-x86_64", update=True)
    data = json.loads(budget.read_text())
    assert data["bundles"]["linux-x86_64"]["bytes"] == 5000
    assert data["bundles"]["linux-x86_64"]["version"] == station.__version__
    assert not build_script.check_budget(5501, "linux-x86_64", update=False)


def test_spec_ships_the_resources_the_station_loads() -> None:
    spec = (PACKAGING / "station.spec").read_text(encoding="utf-8")
    assert 'RESOURCE_DIRS = ("models", "samples", "icons")' in spec
    for folder in ("models", "samples", "icons"):
        assert (ROOT / "resources" / folder).is_dir()
    assert (ROOT / "resources" / "icons" / "station.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_archive_budget_is_kept_apart_from_the_bundles(build_script: ModuleType, budget: Path) -> None:
    assert build_script.check_budget(400, "linux-x86_64", update=True, kind="archives")
    assert not build_script.check_budget(441, "linux-x86_64", update=False, kind="archives")
    assert build_script.check_budget(1100, "linux-x86_64", update=False)  # the bundle's own budget
    data = json.loads(budget.read_text())
    assert data["archives"]["linux-x86_64"]["bytes"] == 400
    assert data["bundles"]["linux-x86_64"]["bytes"] == 1000
