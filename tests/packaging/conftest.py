"""Shared helpers for the packaging tests: the repository layout and the build script as a module."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
OPT_IN_MARKERS = ("wine", "reproducible")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``wine`` or ``reproducible`` run only when ``-m`` names their marker.

    CI (``CI=true``, set by the CI runner) also runs ``reproducible``: it reuses the bundle CI
    has just built, so it costs one more build (a few minutes), not two.
    """
    chosen = str(config.getoption("markexpr") or "")
    in_ci = os.environ.get("CI") == "true"
    for item in items:
        for marker in OPT_IN_MARKERS:
            if not item.get_closest_marker(marker):
                continue
            if marker in chosen.replace(f"not {marker}", "") or (marker == "reproducible" and in_ci):
                continue
            item.add_marker(pytest.mark.skip(reason=f"opt-in: run with -m {marker}"))


def load_script(path: Path, name: str) -> ModuleType:
    """Import a script (``packaging/build`` has no .py suffix) without running its main()."""
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return load_script(PACKAGING / "build", "station_packaging_build")


@pytest.fixture(scope="session")
def project_metadata() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    import station

    return {
        "AppName": data["tool"]["station"]["app_name"],
        "AppPublisher": data["tool"]["station"]["publisher"],
        "AppVersion": station.__version__,
    }
