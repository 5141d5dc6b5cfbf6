"""The running station ships its journal off the machine (here to a JSONL spool a forwarder
tails) on its own thread, and the health strip says how it goes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from station.app import StationConfig, build_station
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.emulator import Emulator
from station.ship.config import ShipConfig, TargetKind
from tests.ui.conftest import close_station
from tests.ui.test_station_flow import capture


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(scenario="live") as running:
        yield running


def spooled(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines()[1:]:  # the first line names the file
            if line.strip():
                rows.append(json.loads(line))
    return rows


def test_the_station_ships_every_row_and_shows_it(
    qtbot: QtBot, journal: AuditJournal, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", emulator.token)
    spool = tmp_path / "spool"
    ship = ShipConfig(target=TargetKind.JSONL, station_id="branch-7", jsonl_dir=spool)
    config = StationConfig(camera="demo", base_url=emulator.base_url, ship=ship, allow_non_live_camera=True)
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    station = build_station(config, recorder=recorder, journal=journal)
    qtbot.addWidget(station.window)
    station.start()
    try:
        qtbot.waitUntil(lambda: station.window.preview.latest_frame() is not None, timeout=10_000)
        report = capture(qtbot, station)
        assert report.final
        qtbot.waitUntil(
            lambda: any(row.get("sequence") == report.audit_sequence for row in spooled(spool)),
            timeout=30_000,
        )
        fleet = station.fleet
        assert fleet is not None and fleet.thread_ident is not None
        # The shipper pushes its status: the strip leaves "starting" without anybody asking it.
        chip = station.window.health_strip.chips[station.window.health.parts[4].part]
        qtbot.waitUntil(lambda: "starting" not in chip.text(), timeout=10_000)
        assert "Shipping" in chip.text()
        kinds = {row.get("kind") for row in spooled(spool)}
        assert "verification" in kinds and "policy" in kinds
    finally:
        close_station(qtbot, station)
    assert station.fleet is not None and not station.fleet.is_running
