#!/usr/bin/env python3
"""The dependency lock: ``uv.lock`` and the pip requirement files exported from it.

    python3 packaging/dev.py lock                  # after changing dependencies in pyproject.toml
    python3 packaging/dev.py lock --upgrade        # move every pin to the newest allowed release
    python3 packaging/dev.py lock --upgrade-package httpx

Why uv: ``uv lock`` resolves once for every platform (Linux, Windows, macOS) and Python the
project allows, so the Windows bundle is built from the same pins as the Linux one; pip-tools'
``pip-compile`` resolves for the machine it runs on only and would need one lock per platform.
uv also records what ``pyproject.toml`` asked for inside the lock, so ``uv lock --check`` can
tell offline, in a fraction of a second, that the two disagree.

Why the exported files: every machine installs with plain pip ``--require-hashes`` (nothing but
Python is needed on a fresh clone, and pip refuses any file whose hash is not in the lock).
``packaging/lock/dev.txt`` is everything the development venv holds (runtime, the ``dev`` and
``package`` extras and the ``build`` group: pip, setuptools, wheel); ``packaging/lock/runtime.txt``
is what the station itself may ship. Both are generated; never edit them by hand.

Run with the venv's Python (``packaging`` is needed to evaluate environment markers):

    python packaging/lockfile.py check       # exit 1 if pyproject.toml, uv.lock and the exports disagree
    python packaging/lockfile.py verify-venv # exit 1 unless pip freeze equals the lock for this machine
    python packaging/lockfile.py extras      # names installed but not locked (dev.py removes them)
    python packaging/lockfile.py refresh [uv lock options]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
UV_LOCK = ROOT / "uv.lock"
LOCK_DIR = ROOT / "packaging" / "lock"
DEV_LOCK = LOCK_DIR / "dev.txt"
RUNTIME_LOCK = LOCK_DIR / "runtime.txt"
REFRESH_COMMAND = "python3 packaging/dev.py lock"
PROJECT = "station"

# uv export arguments for each file; the header says where it came from and how to refresh it.
EXPORTS: dict[Path, list[str]] = {
    DEV_LOCK: ["--all-extras", "--group", "build"],
    RUNTIME_LOCK: ["--no-dev"],
}
HEADER = (
    "# Generated from uv.lock by `{command}` ({what}). Do not edit.\n"
    "# Install: python -m pip install --require-hashes --no-deps --only-binary :all: -r {name}\n"
)
WHAT = {
    DEV_LOCK: "runtime + dev + package extras + build group: the development venv",
    RUNTIME_LOCK: "runtime dependencies only: what the station may ship",
}


def uv_executable() -> str:
    """uv from the venv this script runs in (it is locked like every other tool), else PATH."""
    here = Path(sys.executable).parent
    for name in ("uv", "uv.exe"):
        if (here / name).is_file():
            return str(here / name)
    return "uv"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def export_text(target: Path, uv: str) -> str:
    """What ``uv export`` makes of the current uv.lock for ``target``, with our header."""
    result = subprocess.run(
        [
            uv,
            "export",
            "--frozen",
            "--format",
            "requirements-txt",
            "--no-emit-project",
            "--no-header",
            *EXPORTS[target],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    header = HEADER.format(
        command=REFRESH_COMMAND, what=WHAT[target], name=target.relative_to(ROOT).as_posix()
    )
    return header + result.stdout


def refresh(uv_args: list[str]) -> int:
    """``uv lock`` (keeping existing pins unless told to upgrade), then the pip files."""
    uv = uv_executable()
    if UV_LOCK.is_file() and "\n<<<<<<< " in "\n" + UV_LOCK.read_text(encoding="utf-8"):
        # A merge of two branches that both changed dependencies: start from this branch's lock
        # (its pins are kept) and let uv add what the other branch asked for.
        head = subprocess.run(
            ["git", "show", "HEAD:uv.lock"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if head.returncode != 0:
            print("uv.lock has merge conflicts and HEAD has no uv.lock: resolve it by hand", file=sys.stderr)
            return 1
        UV_LOCK.write_text(head.stdout, encoding="utf-8", newline="\n")
        print("uv.lock had merge conflicts: started again from HEAD's uv.lock")
    code = subprocess.call([uv, "lock", *uv_args], cwd=ROOT)
    if code != 0:
        return code
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    for target in EXPORTS:
        target.write_text(export_text(target, uv), encoding="utf-8", newline="\n")
        print(f"wrote {target.relative_to(ROOT).as_posix()}")
    problems = banned_pins()
    for problem in problems:
        print(f"lock: {problem}", file=sys.stderr)
    return 1 if problems else 0


# ------------------------------------------------------------------------------------ reading


def _requirement_key(text: str) -> tuple[str, str]:
    """(normalized name, the rest without spaces) of a PEP 508 string, for a readable diff."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(.*)", text)
    if not match:
        return (text, "")
    return normalize(match.group(1)), re.sub(r"\s+", "", match.group(2))


def _lock_key(entry: dict[str, object]) -> tuple[str, str]:
    extras = entry.get("extras")
    rest = f"[{','.join(str(e) for e in extras)}]" if isinstance(extras, list) and extras else ""
    rest += str(entry.get("specifier", ""))
    return normalize(str(entry["name"])), re.sub(r"\s+", "", rest)


def declared(pyproject: dict[str, object]) -> dict[str, dict[str, str]]:
    """What pyproject.toml asks for, by section: {"runtime"|"extra dev"|"group build": {name: spec}}."""
    project = pyproject.get("project", {})
    assert isinstance(project, dict)
    sections: dict[str, list[str]] = {"runtime": list(project.get("dependencies", []))}
    for extra, reqs in dict(project.get("optional-dependencies", {})).items():
        sections[f"extra {extra}"] = list(reqs)
    for group, reqs in dict(pyproject.get("dependency-groups", {})).items():
        sections[f"group {group}"] = [r for r in reqs if isinstance(r, str)]
    return {where: dict(_requirement_key(r) for r in reqs) for where, reqs in sections.items()}


def recorded(lock: dict[str, object]) -> dict[str, dict[str, str]]:
    """What uv.lock says pyproject.toml asked for when it was resolved, in the same shape."""
    packages = lock.get("package", [])
    assert isinstance(packages, list)
    project = next((p for p in packages if p.get("name") == PROJECT), None)
    if project is None:
        return {}
    metadata = project.get("metadata", {})
    sections: dict[str, dict[str, str]] = {"runtime": {}}
    for entry in metadata.get("requires-dist", []):
        marker = str(entry.get("marker", ""))
        extra = re.search(r"extra == '([^']+)'", marker)
        where = f"extra {extra.group(1)}" if extra else "runtime"
        name, spec = _lock_key(entry)
        sections.setdefault(where, {})[name] = spec
    for group, entries in dict(metadata.get("requires-dev", {})).items():
        sections[f"group {group}"] = dict(_lock_key(e) for e in entries)
    return sections


def explain(pyproject: dict[str, object], lock: dict[str, object]) -> list[str]:
    """Human words for how pyproject.toml and uv.lock differ (empty if the requirements agree)."""
    want, have = declared(pyproject), recorded(lock)
    lines = []
    for where in sorted(set(want) | set(have)):
        new, old = want.get(where, {}), have.get(where, {})
        for name in sorted(set(new) - set(old)):
            lines.append(f"{where}: {name}{new[name]} is in pyproject.toml but not in the lock")
        for name in sorted(set(old) - set(new)):
            lines.append(f"{where}: {name}{old[name]} is in the lock but no longer in pyproject.toml")
        for name in sorted(set(new) & set(old)):
            if sorted(new[name].split(",")) != sorted(old[name].split(",")):
                lines.append(f"{where}: {name} is {new[name]} in pyproject.toml, {old[name]} in the lock")
    return lines


def banned_pins() -> list[str]:
    """Releases the lock must never hold (the constraints in [tool.uv] say why)."""
    lock = tomllib.loads(UV_LOCK.read_text(encoding="utf-8"))
    constraints = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["uv"][
        "constraint-dependencies"
    ]
    banned = {}
    for text in constraints:
        name, spec = _requirement_key(text)
        for part in spec.split(","):
            if part.startswith("!="):
                banned.setdefault(name, set()).add(part[2:])
    return [
        f"{pkg['name']} {pkg['version']} is locked but excluded by [tool.uv] constraint-dependencies"
        for pkg in lock.get("package", [])
        if pkg.get("version") in banned.get(normalize(str(pkg["name"])), set())
    ]


def check() -> list[str]:
    """Every way pyproject.toml, uv.lock and the exported files disagree; empty when all agree."""
    if not UV_LOCK.is_file():
        return [f"no uv.lock: create it with {REFRESH_COMMAND}"]
    problems: list[str] = []
    uv = uv_executable()
    result = subprocess.run(
        [uv, "lock", "--check", "--offline", "--quiet"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
        lock = tomllib.loads(UV_LOCK.read_text(encoding="utf-8"))
        reasons = explain(pyproject, lock) or [
            "uv lock --check: " + (result.stderr.strip().splitlines() or ["the lock is out of date"])[-1]
        ]
        problems += [f"uv.lock is out of date: {reason}" for reason in reasons]
    else:
        for target in EXPORTS:
            current = target.read_text(encoding="utf-8") if target.is_file() else ""
            if current != export_text(target, uv):
                problems.append(f"{target.relative_to(ROOT).as_posix()} does not match uv.lock")
    problems += banned_pins()
    return problems


# ------------------------------------------------------------------------------------ the venv


def parse_requirements(text: str) -> list[tuple[str, str, str]]:
    """(normalized name, version, marker) of every ``name==version ; marker`` pin in a lock export."""
    joined = re.sub(r"\\\n", " ", text)
    pins = []
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = line.split(" --hash", 1)[0].strip()
        spec, _, marker = requirement.partition(";")
        name, _, version = spec.strip().partition("==")
        pins.append((normalize(name), version.strip(), marker.strip()))
    return pins


def locked_here(path: Path = DEV_LOCK) -> dict[str, str]:
    """{name: version} that the lock file installs on this machine (markers evaluated here)."""
    from packaging.markers import Marker

    return {
        name: version
        for name, version, marker in parse_requirements(path.read_text(encoding="utf-8"))
        if not marker or Marker(marker).evaluate()
    }


def frozen(python: str = sys.executable) -> dict[str, str]:
    """``pip freeze --all`` of the venv, without the project itself (installed editable)."""
    out = subprocess.run(
        [python, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pins[normalize(name)] = version.strip()
        elif line.strip():
            pins[line.strip()] = "?"  # a direct URL or path: never what the lock installs
    pins.pop(PROJECT, None)
    return pins


def venv_differences(python: str = sys.executable, path: Path = DEV_LOCK) -> list[str]:
    installed, locked = frozen(python), locked_here(path)
    lines = [
        f"{name}=={installed[name]} installed but not locked" for name in sorted(set(installed) - set(locked))
    ]
    lines += [
        f"{name}=={locked[name]} locked but not installed" for name in sorted(set(locked) - set(installed))
    ]
    lines += [
        f"{name}: {installed[name]} installed, {locked[name]} locked"
        for name in sorted(set(installed) & set(locked))
        if installed[name] != locked[name]
    ]
    return lines


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "refresh":
        return refresh(argv[1:])
    if command == "check":
        problems = check()
        for problem in problems:
            print(f"lock: {problem}", file=sys.stderr)
        if problems:
            print(
                f"lock: refresh it with `{REFRESH_COMMAND}`, then commit uv.lock and packaging/lock/",
                file=sys.stderr,
            )
            return 1
        print("lock: pyproject.toml, uv.lock and packaging/lock/ agree")
        return 0
    if command == "verify-venv":
        differences = venv_differences()
        for line in differences:
            print(f"venv: {line}", file=sys.stderr)
        return 1 if differences else 0
    if command == "extras":
        print("\n".join(sorted(set(frozen()) - set(locked_here()))))
        return 0
    print(__doc__)
    return 64


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
