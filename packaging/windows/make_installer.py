#!/usr/bin/env python3
"""Build the Windows installer from ``dist\\station`` with Inno Setup 6, optionally signed.

    py packaging\\build                                   # the bundle first
    py packaging\\windows\\make_installer.py               # dist\\station-<ver>-windows-x86_64-setup.exe
    py packaging\\windows\\make_installer.py --sign        # the same, code-signed and timestamped
    py packaging\\windows\\make_installer.py --print-defines   # what would be passed to ISCC

The name, version and publisher come from ``pyproject.toml`` (``[tool.station]`` app_name and
publisher; the version from ``station/__init__.py``) and reach ``station.iss`` as ``/D`` defines.

Signing (``--sign``): ``signtool`` from the Windows SDK signs ``station.exe`` and
``station-console.exe`` in the bundle *before* Inno packs them, then Inno signs the setup and the
uninstaller through ``/S``. Every signature is SHA-256 and RFC 3161 timestamped (``/tr``, ``/td``),
so it stays valid after the certificate expires. The certificate is chosen by SHA-1 thumbprint
from ``STATION_SIGN_CERT_SHA1`` (a certificate in the Windows store, e.g. on a hardware token),
else ``/a`` picks the best one available. ``STATION_TIMESTAMP_URL`` overrides the timestamp server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ISS = ROOT / "packaging" / "windows" / "station.iss"
BUNDLE = ROOT / "dist" / "station"
EXECUTABLES = ("station.exe", "station-console.exe")
DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
SIGN_TOOL_NAME = "stationsign"


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


def iscc_command(iscc: str, sign: bool, signtool: str, timestamp_url: str) -> list[str]:
    command = [iscc, "/Qp"]
    command += [f"/D{name}={value}" for name, value in metadata().items()]
    command.append(f"/DRepoRoot={ROOT}")
    if sign:
        tool = " ".join([f'"{signtool}"', *signtool_args(timestamp_url), "$f"])
        command += [f"/S{SIGN_TOOL_NAME}={tool}", f"/DSignTool={SIGN_TOOL_NAME}"]
    command.append(str(ISS))
    return command


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
        files = [str(BUNDLE / name) for name in EXECUTABLES]
        subprocess.run([args.signtool, *signtool_args(args.timestamp_url), *files], check=True)
        subprocess.run([args.signtool, "verify", "/pa", "/v", *files], check=True)
    command = iscc_command(find_iscc(args.iscc), args.sign, args.signtool, args.timestamp_url)
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
