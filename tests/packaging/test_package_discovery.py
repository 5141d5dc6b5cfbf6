"""Installing the project finds its packages without walking the build's Wine prefix, whose Z: drive
is a link to ``/`` (a second ``dev.py setup`` after a Windows build once never ended)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.packaging.conftest import ROOT

FIND = (
    "import json\n"
    "from setuptools.config.pyprojecttoml import read_configuration\n"
    "config = read_configuration('pyproject.toml')\n"
    "print(json.dumps(sorted(config['tool']['setuptools']['packages'])))\n"
)


def test_packages_are_found_beside_a_wine_prefix_that_links_to_the_root(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "station", clone / "station", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", clone)
    shutil.copy(ROOT / "README.md", clone)
    dosdevices = clone / "build" / "windows" / "wineprefix" / "dosdevices"
    dosdevices.mkdir(parents=True)
    (dosdevices / "z:").symlink_to("/")  # as wineboot makes it
    done = subprocess.run(
        [sys.executable, "-c", FIND], cwd=clone, capture_output=True, text=True, timeout=45, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    packages = json.loads(done.stdout)
    assert {"station", "station.ui", "station.application", "station.service"} <= set(packages)
    assert all(name == "station" or name.startswith("station.") for name in packages)
