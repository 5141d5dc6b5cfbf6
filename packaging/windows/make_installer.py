#!/usr/bin/env python3
"""Build the Windows installer from ``dist\\station`` with Inno Setup 6, optionally signed.

    py packaging\\build                                   # the bundle first
    py packaging\\windows\\make_installer.py               # dist\\station-<ver>-windows-x86_64-setup.exe
    py packaging\\windows\\make_installer.py --sign        # the same, code-signed and timestamped
    py packaging\\windows\\make_installer.py --print-defines   # what would be passed to ISCC

The name, version and publisher come from ``pyproject.toml`` (``[tool.station]`` app_name and
publisher; the version from ``station/__init__.py``) and reach ``station.iss`` as ``/D`` defines.

Signing (``--sign``): ``signtool`` from the Windows SDK signs every PE file of the bundle (the
two executables and every .dll and .pyd: WDAC and AppLocker policies check each one) *before*
Inno packs them, then verifies them; the list is written to ``dist\\signed-files.txt``. Inno then
signs the setup and the uninstaller through ``/S``. Every signature is SHA-256 and RFC 3161
timestamped (``/tr``, ``/td``), so it stays valid after the certificate expires. The certificate
is chosen by SHA-1 thumbprint from ``STATION_SIGN_CERT_SHA1`` (a certificate in the Windows
store, e.g. on a hardware token), else ``/a`` picks the best one available.
``STATION_TIMESTAMP_URL`` overrides the timestamp server.

Quoting: ISCC receives the sign command inside one argument, ``/Sstationsign=…``. A literal
``"`` there splits ISCC's command line (it then sees several script names), so the command is
written with Inno's ``$q`` for each quote and ``$f`` for the file; the whole command line is
built with Windows' own quoting rules (the ones ``CommandLineToArgvW`` parses), which
tests/packaging/test_signing.py checks by parsing it back.

After the installer is built, its SHA-256 is added to ``dist\\SHA256SUMS``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ISS = ROOT / "packaging" / "windows" / "station.iss"
BUNDLE = ROOT / "dist" / "station"
DIST = ROOT / "dist"
EXECUTABLES = ("station.exe", "station-console.exe")
DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
SIGN_TOOL_NAME = "stationsign"
SIGNED_LIST = "signed-files.txt"
# CreateProcess takes 32 767 characters; cmd.exe (a .cmd wrapper around signtool) 8 191.
MAX_COMMAND_LINE = 8000


def metadata() -> dict[str, str]:
    """AppName, AppVersion and AppPublisher, from pyproject.toml and station/__init__.py."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["station"]
    version = next(
        line.split("=", 1)[1].strip().strip("\"'")
        for line in (ROOT / "station" / "__init__.py").read_text(encoding="utf-8").splitlines()
        if line.startswith("__version__")
    )
    return {"AppName": tool["app_name"], "AppVersion": version, "AppPublisher": tool["publisher"]}


def signtool_args(timestamp_url: str) -> list[str]:
    """``signtool sign`` arguments (without the files): SHA-256, RFC 3161 timestamp, which cert."""
    args = ["sign", "/fd", "SHA256", "/tr", timestamp_url, "/td", "SHA256"]
    thumbprint = os.environ.get("STATION_SIGN_CERT_SHA1")
    args += ["/sha1", thumbprint] if thumbprint else ["/a"]
    return args


def quote_argument(arg: str) -> str:
    """One argument as Windows programs parse it (the C runtime's and CommandLineToArgvW's rules).

    Quoted if empty or if it holds a space, tab or quote; inside quotes a ``"`` is written ``\\"``
    and backslashes are doubled only where they precede a quote (or the closing quote).
    """
    if arg and not any(c in arg for c in ' \t\n\v"'):
        return arg
    out = ['"']
    backslashes = 0
    for char in arg:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')
        else:
            out.append("\\" * backslashes + char)
        backslashes = 0
    out.append("\\" * (2 * backslashes) + '"')
    return "".join(out)


def command_line(args: Sequence[str]) -> str:
    return " ".join(quote_argument(a) for a in args)


def inno_sign_command(signtool: str, timestamp_url: str) -> str:
    """The value after ``/S<name>=``: the signtool command in Inno's notation, with no ``"`` in it.

    ``$q`` stands for a quote, ``$f`` for the quoted file to sign, ``$$`` for a dollar sign.
    """

    def inno(arg: str) -> str:
        escaped = arg.replace("$", "$$")
        return f"$q{escaped}$q" if any(c in arg for c in " \t") else escaped

    return " ".join([inno(signtool), *(inno(a) for a in signtool_args(timestamp_url)), "$f"])


def iscc_command(
    iscc: str,
    sign: bool,
    signtool: str,
    timestamp_url: str,
    *,
    root: str | None = None,
    defines: dict[str, str] | None = None,
    script: str | None = None,
) -> list[str]:
    """ISCC's arguments. ``root``/``script`` are Windows paths (under Wine: Z:\\…)."""
    command = [iscc, "/Qp"]
    values = {**metadata(), **(defines or {})}
    command += [f"/D{name}={value}" for name, value in values.items()]
    command.append(f"/DRepoRoot={root or ROOT}")
    if sign:
        command += [
            f"/S{SIGN_TOOL_NAME}={inno_sign_command(signtool, timestamp_url)}",
            f"/DSignTool={SIGN_TOOL_NAME}",
        ]
    command.append(script or str(ISS))
    return command


def is_pe(path: Path) -> bool:
    """A Windows PE image (exe, dll, pyd, sys …), told by its headers rather than its name."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
            if len(head) < 64 or head[:2] != b"MZ":
                return False
            fh.seek(int.from_bytes(head[60:64], "little"))
            return fh.read(4) == b"PE\0\0"
    except OSError:
        return False


def pe_files(bundle: Path) -> list[Path]:
    """Every PE file in the bundle, sorted: what signtool must sign before Inno packs it."""
    return sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_pe(p))


def batches(prefix: Sequence[str], files: Sequence[str], limit: int = MAX_COMMAND_LINE) -> list[list[str]]:
    """``prefix + files`` split into command lines of at most ``limit`` characters each."""
    out: list[list[str]] = []
    current: list[str] = []
    length = len(command_line(prefix))
    for name in files:
        extra = len(quote_argument(name)) + 1
        if current and length + extra > limit:
            out.append([*prefix, *current])
            current, length = [], len(command_line(prefix))
        current.append(name)
        length += extra
    if current:
        out.append([*prefix, *current])
    return out


Runner = Callable[[list[str]], None]


def _run(command: list[str]) -> None:
    print("+", command_line(command)[:300], flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def sign_bundle(
    bundle: Path,
    signtool: str,
    timestamp_url: str,
    run: Runner = _run,
    windows_path: Callable[[Path], str] = str,
) -> list[Path]:
    """Sign, then verify, every PE file of ``bundle``; write their list beside it."""
    files = pe_files(bundle)
    if not files:
        raise SystemExit(f"no PE files in {bundle}: is it a Windows build?")
    names = [windows_path(f) for f in files]
    (bundle.parent / SIGNED_LIST).write_text("\n".join(names) + "\n", encoding="utf-8")
    for command in batches([signtool, *signtool_args(timestamp_url)], names):
        run(command)
    for command in batches([signtool, "verify", "/pa"], names):
        run(command)
    return files


def add_checksum(target: Path) -> None:
    """Add (or replace) ``target``'s line in ``SHA256SUMS`` beside it."""
    sums = target.parent / "SHA256SUMS"
    lines = [
        line
        for line in (sums.read_text(encoding="utf-8").splitlines() if sums.exists() else [])
        if not line.endswith(f"  {target.name}")
    ]
    lines.append(f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {target.name}")
    sums.write_text(
        "\n".join(sorted(lines, key=lambda line: line.split("  ", 1)[1])) + "\n", encoding="utf-8"
    )


def find_iscc(given: str | None) -> str:
    candidates = [given] if given else []
    candidates += [
        shutil.which("iscc") or "",
        r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
        r"C:\Program Files\Inno Setup 6\ISCC.exe",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("Inno Setup 6 (ISCC.exe) not found: install it (winget install JRSoftware.InnoSetup)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sign", action="store_true", help="sign the executables, setup and uninstaller")
    parser.add_argument("--iscc", help="path of ISCC.exe")
    parser.add_argument("--signtool", default="signtool", help="path of signtool.exe (Windows SDK)")
    parser.add_argument(
        "--timestamp-url",
        default=os.environ.get("STATION_TIMESTAMP_URL", DEFAULT_TIMESTAMP_URL),
        help=f"RFC 3161 timestamp server (default {DEFAULT_TIMESTAMP_URL})",
    )
    parser.add_argument("--print-defines", action="store_true", help="print the /D defines and exit")
    args = parser.parse_args()

    if args.print_defines:
        for name, value in metadata().items():
            print(f"/D{name}={value}")
        return 0
    if sys.platform != "win32":
        raise SystemExit("the installer is built on Windows (Inno Setup); run packaging/build there first")
    missing = [name for name in EXECUTABLES if not (BUNDLE / name).is_file()]
    if missing:
        raise SystemExit(f"{', '.join(missing)} missing in {BUNDLE}: run py packaging\\build first")
    if args.sign:
        sign_bundle(BUNDLE, args.signtool, args.timestamp_url)
    command = iscc_command(find_iscc(args.iscc), args.sign, args.signtool, args.timestamp_url)
    print("+", command_line(command), flush=True)
    # The command line is passed as one string, quoted as above: what ISCC receives is exactly
    # what the quoting test parses back.
    subprocess.run(command_line(command), check=True, cwd=ROOT)
    add_checksum(DIST / f"station-{metadata()['AppVersion']}-windows-x86_64-setup.exe")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
