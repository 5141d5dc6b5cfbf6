"""No pydantic plugin runs while the station reads its settings, whatever the environment says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_PLUGIN = """
import pathlib, sys

pathlib.Path(sys.argv[1]).write_text("loaded")


class Plugin:
    def new_schema_validator(self, *args, **kwargs):
        return None, None, None


plugin = Plugin()
"""


def _plant_plugin(root: Path) -> None:
    """A distribution on ``sys.path`` declaring a pydantic plugin that leaves a mark when loaded."""
    (root / "spy_plugin.py").write_text(_PLUGIN)
    info = root / "spy_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")


def _run(code: str, root: Path, mark: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "PYDANTIC_DISABLE_PLUGINS": ""}
    return subprocess.run(
        [sys.executable, "-c", code, str(mark)], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_planted_pydantic_plugin_is_not_loaded_by_the_station(tmp_path: Path) -> None:
    root, mark = tmp_path / "site", tmp_path / "mark"
    root.mkdir()
    _plant_plugin(root)
    # The plugin is real: a model built outside the station loads it.
    outside = _run("import pydantic\nclass M(pydantic.BaseModel):\n    x: int = 1\n", root, mark)
    assert outside.returncode == 0, outside.stderr
    assert mark.read_text() == "loaded"
    mark.unlink()
    # The station's settings models and a model built after the station is imported: not loaded.
    inside = _run(
        "import station.config\nimport pydantic\nstation.config.Settings()\n"
        "class M(pydantic.BaseModel):\n    x: int = 1\n",
        root,
        mark,
    )
    assert inside.returncode == 0, inside.stderr
    assert not mark.exists()
