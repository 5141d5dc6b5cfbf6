"""``station -platform offscreen --demo --screenshot PATH``: the real station, one real capture
against its emulator, the window saved with its verdict, then it quits by itself. The Windows
bundle under Wine runs the same (tests/packaging/test_windows_bundle.py); this runs it here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.packaging.conftest import ROOT

#: The SPOOF banner's red (station/ui/style.py), as the screenshot must show it.
SPOOF_RED = (0xB7, 0x1C, 0x1C)


def verdict_pixels(path: Path) -> tuple[int, int, int, int]:
    """(width, height, distinct colours on a sampling grid, pixels near the SPOOF red)."""
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    colours: set[int] = set()
    red = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            pixel = image.pixelColor(x, y)
            colours.add(pixel.rgb())
            near = abs(pixel.red() - SPOOF_RED[0]) + abs(pixel.green() - SPOOF_RED[1])
            red += near + abs(pixel.blue() - SPOOF_RED[2]) < 40
    return image.width(), image.height(), len(colours), red


def _station(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # -platform says it
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "station", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_demo_saves_its_verdict_and_quits(tmp_path: Path) -> None:
    shot = tmp_path / "spoof.png"
    done = _station("-platform", "offscreen", "--demo", "--scenario", "spoof", "--screenshot", str(shot))
    assert done.returncode == 0, done.stdout + done.stderr
    width, height, colours, red = verdict_pixels(shot)
    assert width >= 1024 and height >= 768
    assert colours > 500  # the camera's picture, the banner, the text: not a blank window
    assert red > 1000  # the SPOOF banner is on it


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("--screenshot", "x.png"), "refused on a production station"),
        (("-platform", "vnc", "--demo"), "invalid choice: 'vnc'"),
    ],
)
def test_refused_on_a_production_station_or_with_another_platform(
    tmp_path: Path, args: tuple[str, ...], why: str
) -> None:
    """A shot outside the demo would hold a customer's face: production refuses it (a checkout that
    assumes it is installed, with no policy, is production), before any window or camera."""
    done = _station(*args, extra_env={"STATION_ASSUME_INSTALLED": "1"})
    assert done.returncode in (2, 64), done.stdout + done.stderr
    assert why in done.stderr
    assert not (tmp_path / "x.png").exists() and not (ROOT / "x.png").exists()
