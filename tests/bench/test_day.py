"""The scripted counter day: its script as data, the service link, the pictures, and one short day."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from station.bench.dayscript import DayScriptError, load_day
from station.bench.scenes import CounterCamera, Picture, picture
from station.bench.servicelink import RESET, ServiceLink, Trouble
from station.emulator import LIVENESS_PATH, Emulator
from station.resources import sample_path
from station.vision.quality import Instruction, QualityAnalyser

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------- the script


def test_the_bundled_day_is_what_issue_16_asks_for() -> None:
    day = load_day()
    people = day.customers
    assert len(people) == 20
    poor = [c for c in people if c.first_picture is not Picture.CUSTOMER]
    assert len(poor) == 6  # about 30 % of first captures are poor
    assert {c.first_picture for c in poor} == set(Picture) - {Picture.CUSTOMER}
    assert Counter(c.fault for c in people if c.fault) == {"5xx": 2, "429": 1, "slow": 1, "reset": 1}
    assert any(c.spoof for c in people) and any(not c.spoof for c in people)
    assert all(c.expected == ("SPOOF" if c.spoof else "LIVE") for c in people)
    assert sum(c.double_press for c in people) >= 1
    assert day.service_latency_s == 1.0
    spoof = next(c for c in people if c.spoof)
    live = next(c for c in people if not c.spoof)
    assert day.answer(spoof, Picture.CUSTOMER) == {"X-Emulator-Scenario": "spoof"}
    assert day.answer(live, Picture.CUSTOMER) == {"X-Emulator-Scenario": "live"}
    assert day.answer(live, Picture.NOBODY) == {"X-Emulator-Scenario": "no_face"}


def test_more_customers_than_the_script_repeat_it_with_new_ids() -> None:
    day = load_day().first(23)
    ids = [c.id for c in day.customers]
    assert len(ids) == len(set(ids)) == 23
    assert ids[20] == "C01-2"
    with pytest.raises(DayScriptError, match="at least one"):
        load_day().first(0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(customers=[]), "customers must be a non-empty list"),
        (lambda d: d["customers"][0].update(person="robot"), r"customers\[0\]\.person"),
        (lambda d: d["customers"][1].update(first_picture="upside_down"), r"customers\[1\]\.first_picture"),
        (lambda d: d["customers"][2].update(fault="flood"), r"customers\[2\]\.fault"),
        (lambda d: d["customers"][3].update(fault="5xx"), "faults other than a reset are for live"),
        (lambda d: d["customers"][0].update(press_after_s=-1), r"customers\[0\]\.press_after_s"),
        (lambda d: d["operator"].pop("reads_verdict_s"), r"operator\.reads_verdict_s"),
        (lambda d: d["service_answers"].update(nobody="party"), r"service_answers\.nobody"),
    ],
    ids=["no-customers", "person", "picture", "fault", "spoof-fault", "press", "operator", "answers"],
)
def test_a_script_that_does_not_fit_is_refused_by_name(tmp_path: Path, change: object, message: str) -> None:
    data = json.loads((ROOT / "resources" / "bench" / "day.json").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DayScriptError, match=message):
        load_day(path)


def test_an_unreadable_script_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DayScriptError, match="cannot be read as JSON"):
        load_day(path)
    done = subprocess.run(
        [sys.executable, "-m", "station.bench", "day", "--script", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 64
    assert "cannot be read as JSON" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------- the pictures


EXPECTED = {
    Picture.CUSTOMER: Instruction.READY,
    Picture.TOO_DARK: Instruction.TOO_DARK,
    Picture.TOO_FAR: Instruction.MOVE_CLOSER,
    Picture.TWO_PEOPLE: Instruction.SEVERAL_FACES,
    Picture.MOTION_BLUR: Instruction.HOLD_STILL,
    Picture.NOBODY: Instruction.NO_FACE,
}


@pytest.mark.parametrize("kind", list(Picture))
def test_each_picture_of_the_day_gets_its_instruction(kind: Picture) -> None:
    assert QualityAnalyser().analyse(picture(kind, 1280, 720)).instruction is EXPECTED[kind]
    camera = CounterCamera(1280, 720, fps=4.0)
    stream = QualityAnalyser()
    seen = {stream.analyse_stream(camera.frame(index, kind)).instruction for index in range(8)}
    assert seen == {EXPECTED[kind]}


def test_the_camera_moves_only_the_customer() -> None:
    camera = CounterCamera(1280, 720, fps=4.0)
    a, b = camera.frame(1, Picture.CUSTOMER), camera.frame(3, Picture.CUSTOMER)
    assert a.shape == (720, 1280, 3) and a.flags.writeable
    changed = (abs(a.astype(int) - b.astype(int)).max(axis=2) > 20).any(axis=0)
    columns = changed.nonzero()[0]
    assert columns.min() > 300 and columns.max() < 980  # the band round the person, not the wall


# ------------------------------------------------------------------------------- the service link


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def _post(client: httpx.Client) -> httpx.Response:
    picture_bytes = sample_path("face.jpg").read_bytes()
    return client.post(LIVENESS_PATH, files={"file": ("face.jpg", picture_bytes, "application/octet-stream")})


def test_the_link_holds_answers_plays_planned_trouble_once_and_resets(emulator: Emulator) -> None:
    link = ServiceLink(("127.0.0.1", emulator.port), latency_s=0.3).start()
    try:
        link.set_default({"X-Emulator-Scenario": "spoof"})
        with httpx.Client(
            base_url=link.url, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=20
        ) as client:
            started = time.monotonic()
            first = _post(client)
            assert time.monotonic() - started >= 0.3  # the service's latency
            assert first.json()["data"]["detail"]["verdict"] == "spoof"
            link.plan(Trouble("5xx", {"X-Emulator-Scenario": "error", "X-Emulator-Status": "503"}))
            assert _post(client).status_code == 503
            assert _post(client).status_code == 200  # the trouble was for one request only
            link.plan(RESET)
            with pytest.raises(httpx.TransportError):
                _post(client)
            assert _post(client).status_code == 200
        assert link.trouble_met == ["5xx", "reset"]
        assert link.requests == 5
        assert emulator.requests_received == 4  # the reset one never reached the service
    finally:
        link.stop()


# ------------------------------------------------------------------------------- a short day


@pytest.mark.timeout(330)
def test_a_short_day_on_both_stations() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "station.bench", "day", "--customers", "4", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=320,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    for key in (
        "paid_calls_per_completed_verification",
        "calls_refused_by_guide",
        "click_to_verdict_median_s",
        "verdicts_wrong",
    ):
        for name in (key, f"{key}_naive"):
            assert isinstance(data[name], int | float) and math.isfinite(data[name]), name
    # C01-C04: three live customers (one with a 503 first) and a photo held up, tried twice.
    assert data["verdicts_wrong"] == 0 and data["verdicts_wrong_naive"] == 0
    assert data["customers_final_verdict_right"] == 4
    assert data["completed_verifications"] == 5
    assert data["paid_calls"] >= data["completed_verifications"]
    assert data["calls_made"] >= data["paid_calls"] + 1  # the 503 was a call, not a paid one
