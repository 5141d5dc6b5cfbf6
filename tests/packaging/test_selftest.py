"""``station --self-test`` from the source tree: every step named, failures name their step."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import station.resources
from station.selftest import STEPS, run_self_test
from tests.packaging.conftest import ROOT


def test_module_imports_no_qt() -> None:
    code = (
        "import sys, station.selftest; "
        "print(sorted(m for m in sys.modules if 'PySide6' in m or 'qasync' in m))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_qt_free_steps_pass_in_process() -> None:
    out = io.StringIO()
    assert run_self_test(out, steps="audit,resources") == 0, out.getvalue()
    text = out.getvalue()
    for name in STEPS[:-1]:  # audit pulls in everything before it; gui was not asked for
        assert f"ok   {name}" in text
    assert "ok   gui" not in text
    assert "self-test passed: 7 steps" in text


def test_a_failure_names_its_step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(station.resources, "resources_root", lambda: tmp_path)
    out = io.StringIO()
    assert run_self_test(out, steps="resources") == 1
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("self-test FAILED at step resources: FaceDetectorError: ")
    assert "models/face_detection_full_range.tflite" in last


def test_an_altered_model_fails_the_resources_step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A model file that is not the one shipped (one byte changed) stops the self-test."""
    real = station.resources.resources_root()
    copy = tmp_path / "resources"
    shutil.copytree(real, copy, ignore=shutil.ignore_patterns("screenshots"))
    model = copy / "models" / "face_detection_short_range.tflite"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01
    model.write_bytes(bytes(data))
    monkeypatch.setattr(station.resources, "resources_root", lambda: copy)
    out = io.StringIO()
    assert run_self_test(out, steps="resources") == 1
    last = out.getvalue().strip().splitlines()[-1]
    assert "FaceDetectorError" in last and "is not the one shipped" in last


def test_unknown_step_is_refused() -> None:
    out = io.StringIO()
    assert run_self_test(out, steps="camera,warp-drive") == 1
    assert "unknown step(s) warp-drive" in out.getvalue()


@pytest.mark.timeout(120)
def test_whole_self_test_from_source_exits_zero() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("STATION_SELFTEST_STEPS", None)
    result = subprocess.run(
        [sys.executable, "-m", "station", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in STEPS:
        assert f"ok   {name}" in result.stdout
    assert "(source," in result.stdout


@pytest.mark.timeout(120)
def test_the_gui_step_paints_the_first_frame_before_the_station_is_built() -> None:
    """What packaging/measure_cold_start.py times: the ``..   gui`` line comes, at once, when the
    early window has painted a camera frame, and before the station's own window is done."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STATION_SELFTEST_STEPS="gui")
    result = subprocess.run(
        [sys.executable, "-m", "station", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    early = [i for i, line in enumerate(lines) if line.startswith("..   gui")]
    done = [i for i, line in enumerate(lines) if line.startswith("ok   gui")]
    assert len(early) == 1 and len(done) == 1, result.stdout
    assert early[0] < done[0]
    assert "painted before the station is built" in lines[early[0]]
    assert "painted camera frame #" in lines[done[0]]
