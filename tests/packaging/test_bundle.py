"""Build the PyInstaller bundle with packaging/build and run its ``--self-test`` (slow: CI runs it).

Skip locally with ``-m 'not bundle'``. ``STATION_BUNDLE_REUSE=1`` reuses an existing
``dist/station`` instead of building (for iterating on this test).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import station
from station.selftest import STEPS
from tests.packaging.conftest import ROOT

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(1200)]

BUNDLE = ROOT / "dist" / "station"
EXE = BUNDLE / ("station-console.exe" if sys.platform == "win32" else "station")


@pytest.fixture(scope="module")
def build_info() -> dict[str, object]:
    if not (os.environ.get("STATION_BUNDLE_REUSE") == "1" and EXE.is_file()):
        result = subprocess.run(
            [sys.executable, str(ROOT / "packaging" / "build")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1100,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    info: dict[str, object] = json.loads((ROOT / "dist" / "build-info.json").read_text(encoding="utf-8"))
    return info


def run_bundle(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env)
    environ.pop("STATION_SELFTEST_STEPS", None)
    return subprocess.run(
        [str(EXE), *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_bundle_self_test_passes(build_info: dict[str, object]) -> None:
    result = run_bundle("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in STEPS:
        assert f"ok   {name}" in result.stdout, name
    assert f"station {station.__version__} self-test (bundle," in result.stdout
    assert str(BUNDLE) in result.stdout  # resources were loaded from the bundle, not the checkout


def test_bundle_reports_its_version(build_info: dict[str, object]) -> None:
    result = run_bundle("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"station {station.__version__}"


def test_bundle_leaves_out_what_the_station_does_not_use(build_info: dict[str, object]) -> None:
    internal = BUNDLE / "_internal"
    assert not (internal / "resources" / "screenshots").exists()
    assert not list(internal.glob("PySide6/Qt/translations/*.qm"))
    used = {"QtCore", "QtGui", "QtWidgets"}
    for path in (ROOT / "station").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    bundled = {p.name.split(".")[0] for p in internal.glob("PySide6/Qt*.*") if p.suffix in (".so", ".pyd")}
    assert bundled <= used, f"Qt modules the station does not import: {sorted(bundled - used)}"
    assert not list(internal.glob("PySide6/Qt/plugins/imageformats/*"))
    for name in ("tkinter", "pytest", "hypothesis", "tests"):
        assert not (internal / name).exists(), name
    assert build_info["within_budget"] is True


def test_archive_holds_the_bundle(build_info: dict[str, object]) -> None:
    archive = ROOT / str(build_info["archive"])
    tag = build_info["platform"]
    assert archive.name.startswith(f"station-{station.__version__}-{tag}.")
    if archive.suffix == ".gz":
        with tarfile.open(archive) as tf:
            names = set(tf.getnames())
        assert {"station/station", "station/install.sh", "station/station.desktop"} <= names
        assert "station/_internal/resources/models/haarcascade_frontalface_default.xml" in names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux launcher")
def test_launcher_installs_and_points_at_the_bundle(build_info: dict[str, object], tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    subprocess.run([str(BUNDLE / "install.sh")], env=env, check=True, capture_output=True)
    desktop = tmp_path / "applications" / "station.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert f"TryExec={EXE.resolve()}\n" in text
    validator = shutil.which("desktop-file-validate")
    if validator:
        subprocess.run([validator, str(desktop)], check=True)
