#!/usr/bin/env python3
"""Set everything up and run the station or its tests, on a fresh machine with only Python 3.11+.

    python3 packaging/dev.py run     # a venv in .venv, the station installed, the GUI in demo mode
    python3 packaging/dev.py test    # the same venv, then lint, types, layering and the test suite

The venv is rebuilt only when pyproject.toml changes (a stamp file remembers its hash). Extra
arguments after the command go to the station or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".station-installed"
MIN_PYTHON = (3, 11)


def _bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def ensure_venv() -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"station needs Python {'.'.join(map(str, MIN_PYTHON))} or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and _bin("station").exists():
        return
    if not _bin("python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    _run(_bin("python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(_bin("python"), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def run_station(extra: list[str]) -> int:
    args = extra or ["--demo"]
    return subprocess.call([str(_bin("station")), *args], cwd=ROOT)


def run_tests(extra: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # A real rsyslog for the fleet-shipping tests: installed here when missing and possible.
    sys.path.insert(0, str(ROOT / "packaging"))
    from system_packages import ensure as ensure_system_packages

    ensure_system_packages()
    steps: list[list[str]] = [
        [str(_bin("ruff")), "check", "station", "tests", "packaging"],
        [str(_bin("mypy"))],
        [str(_bin("lint-imports"))],
        [str(_bin("python")), "-m", "pytest", *extra],
    ]
    for step in steps:
        print("+", " ".join(step), flush=True)
        code = subprocess.call(step, cwd=ROOT, env=env)
        if code != 0:
            return code
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "setup"):
        print(__doc__)
        return 64
    command, extra = sys.argv[1], sys.argv[2:]
    ensure_venv()
    if command == "run":
        return run_station(extra)
    if command == "test":
        return run_tests(extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
