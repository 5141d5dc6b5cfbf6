"""The Linux launcher: install.sh puts a valid .desktop entry and the icon into an XDG data dir."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux launcher")

LINUX = PACKAGING / "linux"


def fake_bundle(tmp_path: Path) -> Path:
    """A folder laid out like dist/station (a stand-in program, the real icon and scripts)."""
    bundle = tmp_path / "opt" / "station app"  # a space, as a real install path may have
    (bundle / "_internal" / "resources" / "icons").mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "station.png", bundle / "_internal" / "resources" / "icons")
    exe = bundle / "station"
    exe.write_text("#!/bin/sh\necho station\n")
    exe.chmod(0o755)
    for name in ("station.desktop", "install.sh", "uninstall.sh"):
        shutil.copy2(LINUX / name, bundle / name)
    return bundle


def install(bundle: Path, data_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    return subprocess.run(
        [str(bundle / "install.sh"), *args], env=env, capture_output=True, text=True, check=False
    )


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_scripts_are_executable() -> None:
    for name in ("install.sh", "uninstall.sh"):
        assert (LINUX / name).stat().st_mode & stat.S_IXUSR, name


def test_install_gives_a_valid_launcher_for_the_installed_program(
    tmp_path: Path, project_metadata: dict[str, str]
) -> None:
    bundle = fake_bundle(tmp_path)
    data_home = tmp_path / "xdg-data"
    result = install(bundle, data_home)
    assert result.returncode == 0, result.stderr
    desktop = data_home / "applications" / "station.desktop"
    icon = data_home / "icons" / "hicolor" / "256x256" / "apps" / "station.png"
    assert desktop.is_file() and icon.read_bytes() == (ROOT / "resources/icons/station.png").read_bytes()

    entry = read_entry(desktop)
    exe = str((bundle / "station").resolve())
    assert entry["Type"] == "Application"
    assert entry["Name"] == project_metadata["AppName"]
    assert entry["Exec"] == f'"{exe}"'
    assert entry["TryExec"] == exe
    assert entry["Icon"] == "station"
    assert entry["Terminal"] == "false"
    assert os.access(entry["TryExec"], os.X_OK)

    validator = shutil.which("desktop-file-validate")
    if validator:
        check = subprocess.run([validator, str(desktop)], capture_output=True, text=True, check=False)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr


def test_uninstall_removes_only_the_launcher(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    data_home = tmp_path / "xdg-data"
    assert install(bundle, data_home).returncode == 0
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    subprocess.run([str(bundle / "uninstall.sh")], env=env, check=True, capture_output=True)
    assert not (data_home / "applications" / "station.desktop").exists()
    assert not (data_home / "icons" / "hicolor" / "256x256" / "apps" / "station.png").exists()
    assert (bundle / "station").exists()


def test_install_refuses_to_run_outside_a_bundle(tmp_path: Path) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    shutil.copy2(LINUX / "install.sh", lonely / "install.sh")
    result = install(lonely, tmp_path / "xdg-data")
    assert result.returncode == 1
    assert "unpacked station folder" in result.stderr


# The system install (--system: accounts, folders, the service's unit, the upgrade) is tested in
# test_linux_install.py.
