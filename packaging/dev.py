#!/usr/bin/env python3
"""Set everything up and run the station or its tests, on a fresh machine with only Python 3.11+.

    python3 packaging/dev.py run     # a venv in .venv, the station installed, the GUI in demo mode
    python3 packaging/dev.py test    # the same venv, then the lock check, lint, types, layering, tests
    python3 packaging/dev.py setup   # only the venv
    python3 packaging/dev.py lock    # refresh uv.lock and packaging/lock/ after changing dependencies
    python3 packaging/dev.py windows # the Windows installer, built under Wine (packaging/windows/)

The venv holds exactly the locked versions: pip installs ``packaging/lock/dev.txt`` with
``--require-hashes`` (wheels only), removes anything installed that the lock does not list, then
installs the project itself (editable, no dependencies) and checks that ``pip freeze`` equals the
lock. It is redone only when pyproject.toml or the lock changes (a stamp file remembers their
hash). If pyproject.toml and uv.lock disagree, setup stops and names the difference. Extra
arguments after ``run``/``test`` go to the station or to pytest, after ``lock`` to ``uv lock``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".station-installed"
MIN_PYTHON = (3, 11)
LOCKFILE = ROOT / "packaging" / "lockfile.py"
DEV_LOCK = ROOT / "packaging" / "lock" / "dev.txt"
WINDOWS_BUILD = ROOT / "packaging" / "windows" / "wine_build.py"
PIP_INSTALL = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check")


def _bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def _lock_inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", ROOT / "uv.lock", DEV_LOCK):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _create_venv() -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"station needs Python {'.'.join(map(str, MIN_PYTHON))} or newer")
    if not _bin("python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)


def _lockfile(*args: str) -> int:
    return subprocess.call([str(_bin("python")), str(LOCKFILE), *args], cwd=ROOT)


def ensure_venv() -> None:
    """The venv with exactly the locked versions (see the module docstring)."""
    wanted = _lock_inputs_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and _bin("station").exists():
        return
    _create_venv()
    if not DEV_LOCK.is_file():
        sys.exit(f"{DEV_LOCK.relative_to(ROOT)} is missing: create it with python3 packaging/dev.py lock")
    STAMP.unlink(missing_ok=True)
    _run(
        _bin("python"),
        *PIP_INSTALL,
        "--require-hashes",
        "--no-deps",
        "--only-binary",
        ":all:",
        "-r",
        DEV_LOCK,
    )
    if _lockfile("check") != 0:
        sys.exit(1)
    unlocked = subprocess.run(
        [str(_bin("python")), str(LOCKFILE), "extras"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    if unlocked:
        _run(_bin("python"), "-m", "pip", "uninstall", "--quiet", "--yes", *unlocked)
    # The project itself: its build backend (setuptools, wheel) comes from the lock too.
    _run(_bin("python"), *PIP_INSTALL, "--no-deps", "--no-build-isolation", "-e", ".")
    if _lockfile("verify-venv") != 0:
        sys.exit("the venv does not hold exactly the locked versions (see above)")
    STAMP.write_text(wanted)


def refresh_lock(extra: list[str]) -> int:
    """uv.lock and packaging/lock/ from pyproject.toml, with the locked uv (even from a stale lock)."""
    _create_venv()
    # The uv pin and its hashes: "uv==X \\" and the continuation lines after it.
    text = DEV_LOCK.read_text(encoding="utf-8") if DEV_LOCK.is_file() else ""
    uv_pin = re.search(r"^uv==.*?(?:\\\n.*?)*$", text, re.MULTILINE)
    if uv_pin and not _bin("uv").exists():
        pinned = VENV / "uv-requirement.txt"
        pinned.write_text(uv_pin.group(0) + "\n", encoding="utf-8")
        _run(
            _bin("python"),
            *PIP_INSTALL,
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-r",
            pinned,
        )
    elif not _bin("uv").exists():
        _run(_bin("python"), *PIP_INSTALL, "uv>=0.13,<0.14")
    return _lockfile("refresh", *extra)


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
        [str(_bin("python")), str(LOCKFILE), "check"],
        [str(_bin("ruff")), "check", "station", "tests", "packaging"],
        [str(_bin("ruff")), "format", "--check", "station", "tests", "packaging"],
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
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "setup", "lock", "windows"):
        print(__doc__)
        return 64
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "lock":
        return refresh_lock(extra)
    ensure_venv()
    # The translation catalogues (.qm) are build outputs of the reviewed .ts: rebuilt when stale.
    catalogues = ROOT / "packaging" / "catalogues.py"
    subprocess.run([str(_bin("python")), str(catalogues), "build"], cwd=ROOT, check=True)
    if command == "run":
        return run_station(extra)
    if command == "test":
        return run_tests(extra)
    if command == "windows":
        return subprocess.call([str(_bin("python")), str(WINDOWS_BUILD), *extra], cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
