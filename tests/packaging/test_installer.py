"""The Windows installer script refers to what the build really produces (it is compiled on Windows only)."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, load_script

ISS = PACKAGING / "windows" / "station.iss"


def _iss() -> str:
    """The script without its comment lines."""
    lines = ISS.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(";"))


def _defines(text: str) -> dict[str, str]:
    return dict(re.findall(r"^#define (\w+) (.+)$", text, re.MULTILINE))


def _resolve(expr: str, defines: dict[str, str]) -> str:
    """Evaluate an ISPP string expression of quoted literals and defines joined with '+'."""
    parts = []
    for token in (t.strip() for t in expr.split("+")):
        parts.append(token.strip('"') if token.startswith('"') else _resolve(defines[token], defines))
    return "".join(parts)


def _repo_path(windows_path: str) -> Path:
    assert windows_path.startswith("REPO\\"), windows_path
    return ROOT.joinpath(*windows_path.removeprefix("REPO\\").split("\\"))


def test_bundle_folder_and_exe_names_match_the_build(build_script: ModuleType) -> None:
    defines = _defines(_iss())
    defines["RepoRoot"] = '"REPO"'
    assert _repo_path(_resolve(defines["BundleDir"], defines)) == build_script.BUNDLE
    spec = (PACKAGING / "station.spec").read_text(encoding="utf-8")
    # The spec names the windowed program "station" and, on Windows, "station-console".
    assert '_exe("station", console=not IS_WIN)' in spec
    assert '_exe("station-console", console=True)' in spec
    assert 'name="station"' in spec  # the COLLECT folder: dist/station
    assert _resolve(defines["AppExeName"], defines) == "station.exe"
    assert _resolve(defines["ConsoleExeName"], defines) == "station-console.exe"


def test_files_section_takes_the_bundle() -> None:
    text = _iss()
    sources = re.findall(r'^Source: "([^"]+)"', text, re.MULTILINE)
    assert sources == [
        "{#BundleDir}\\{#AppExeName}",
        "{#BundleDir}\\{#ConsoleExeName}",
        "{#BundleDir}\\{#NoticesName}",
        "{#BundleDir}\\_internal\\*",
    ]
    assert "recursesubdirs" in text
    # The notices the build writes into the bundle are installed beside the program.
    notices = _resolve(_defines(text)["NoticesName"], _defines(text))
    release_inventory = (PACKAGING / "release" / "inventory.py").read_text(encoding="utf-8")
    assert f'NOTICES_NAME = "{notices}"' in release_inventory


def test_icon_is_the_committed_ico() -> None:
    defines = _defines(_iss())
    defines["RepoRoot"] = '"REPO"'
    icon = _repo_path(_resolve(defines["AppIcon"], defines))
    assert icon == ROOT / "resources" / "icons" / "station.ico"
    data = icon.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    assert "SetupIconFile={#AppIcon}" in _iss()


def test_output_goes_to_dist() -> None:
    text = _iss()
    assert "OutputDir={#OutputDir}" in text
    defines = _defines(text)
    defines["RepoRoot"] = '"REPO"'
    assert _repo_path(_resolve(defines["OutputDir"], defines)) == ROOT / "dist"


def test_release_compression_unless_told_otherwise() -> None:
    """lzma2/max by default (the release); only an explicit /DCompression=none (CI) stores the files."""
    text = _iss()
    assert _resolve(_defines(text)["Compression"], {}) == "lzma2/max"
    assert "Compression={#Compression}" in text
    assert re.search(r'#if Compression != "none"\nSolidCompression=yes\n#endif', text)


def test_metadata_comes_from_pyproject_not_the_script(project_metadata: dict[str, str]) -> None:
    text = _iss()
    for name in ("AppName", "AppVersion", "AppPublisher"):
        assert f"#ifndef {name}" in text and f"#define {name}" not in text
    assert project_metadata["AppVersion"] not in text
    maker = load_script(PACKAGING / "windows" / "make_installer.py", "station_make_installer")
    assert maker.metadata() == project_metadata
    command = maker.iscc_command("ISCC.exe", sign=False, signtool="signtool", timestamp_url="http://ts")
    for name, value in project_metadata.items():
        assert f"/D{name}={value}" in command
    assert command[-1] == str(ISS)


def test_signing_uses_sha256_and_a_timestamp_server() -> None:
    maker = load_script(PACKAGING / "windows" / "make_installer.py", "station_make_installer")
    command = maker.iscc_command(
        "ISCC.exe", sign=True, signtool="signtool", timestamp_url="http://ts.example"
    )
    tool = next(arg for arg in command if arg.startswith("/Sstationsign="))
    assert "/fd SHA256" in tool and "/tr http://ts.example" in tool and "/td SHA256" in tool
    assert tool.endswith("$f")
    assert "/DSignTool=stationsign" in command
    assert "SignTool={#SignTool}" in _iss()


def test_per_machine_with_optional_shortcuts_and_kiosk() -> None:
    text = _iss()
    assert "PrivilegesRequired=admin" in text
    assert "DefaultDirName={autopf}\\{#AppName}" in text
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"', text, re.MULTILINE)
    assert re.search(r'^Name: "desktopicon";.*Flags: unchecked', text, re.MULTILINE)
    assert re.search(r'^Name: "kiosk";.*Flags: unchecked', text, re.MULTILINE)
    kiosk = re.search(r'^Name: "\{commonstartup\}.*$', text, re.MULTILINE)
    assert kiosk and 'Parameters: "--kiosk"' in kiosk.group(0) and "Tasks: kiosk" in kiosk.group(0)


def test_uninstall_keeps_journal_and_settings() -> None:
    text = _iss()
    uninstall = text.split("[UninstallDelete]", 1)[1] if "[UninstallDelete]" in text else ""
    for location in ("{localappdata}", "{userappdata}", "{commonappdata}", "{app}"):
        assert location not in uninstall
    # The only delete the installer does is of its own previous bundle, on upgrade.
    install_delete = re.findall(r"^Type: .*$", text, re.MULTILINE)
    assert install_delete == ['Type: filesandordirs; Name: "{app}\\_internal"']


def test_downgrade_is_refused_unless_an_administrator_asks_for_it() -> None:
    text = _iss()
    code = text.split("[Code]", 1)[1]
    app_id = re.search(r"^AppId=\{\{([0-9A-F-]+)\}", text, re.MULTILINE)
    assert app_id
    # The version installed is read from this very product's uninstall key.
    assert f"{{{app_id.group(1)}}}_is1" in code
    assert "function InitializeSetup(): Boolean;" in code
    assert "DowngradeSwitch = '/ALLOWDOWNGRADE'" in code
    assert "Result := False;" in code and "SuppressibleMsgBox" in code


def _section(text: str, name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, f"no [{name}] section"
    return [line for line in match.group(1).splitlines() if line.strip()]


def _acl_grants(text: str) -> dict[str, dict[str, str]]:
    """Folder (as Inno names it) → {SID: rights} from the icacls lines of [Run]."""
    grants: dict[str, dict[str, str]] = {}
    for line in _section(text, "Run"):
        if "icacls.exe" not in line:
            continue
        parameters = re.search(r'Parameters: "(.*)"; Flags:', line)
        assert parameters is not None, line
        args = parameters.group(1).replace('""', '"')
        folder = re.match(r'"([^"]+)"', args)
        assert folder is not None, args
        assert "/inheritance:r" in args, f"{folder.group(1)} keeps ProgramData's inherited ACL"
        grants[folder.group(1)] = dict(re.findall(r"\*(S-[\d-]+):\(OI\)\(CI\)(\w+)", args))
    return grants


def test_the_machine_folders_are_made_with_acls_operators_cannot_widen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The config folder (policy, people.json) is read-only to Users, or an operator could write a
    PIN of their own; the data folder lets every operator's process append to the one journal."""
    import sys

    import station.locations as locations

    text = _iss()
    grants = _acl_grants(text)
    users, admins, system = "S-1-5-32-545", "S-1-5-32-544", "S-1-5-18"
    config, data = r"{commonappdata}\Station\config", r"{commonappdata}\Station\data"
    private = r"{commonappdata}\Station\private"
    assert grants == {
        config: {admins: "F", system: "F", users: "RX"},
        data: {admins: "F", system: "F", users: "M"},
        private: {admins: "F", system: "F"},  # the service's token and PINs: no Users entry at all
    }
    run = _section(text, "Run")
    service = r'""NT SERVICE\Station:(OI)(CI)M""'
    granted = [f for f in (config, data, private) if any(f in line and service in line for line in run)]
    assert granted == [data, private]
    # The grants name the service's virtual account, so the service is created before them.
    created = next(i for i, line in enumerate(run) if "sc.exe" in line and '"create Station' in line)
    assert created < min(i for i, line in enumerate(run) if "icacls.exe" in line)
    dirs = _section(text, "Dirs")
    for folder in (config, data):
        assert any(f'Name: "{folder}"; Flags: uninsneveruninstall' in line for line in dirs), folder
    # The folders the installer protects are the ones an installed station reads.
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", r"D:\an operator's own")  # never read: the registry says
    read_by_station = {config: locations.installed_config_dir(), data: locations.installed_data_dir()}
    for folder, station_path in read_by_station.items():
        expected = folder.replace("{commonappdata}", r"C:\ProgramData")
        assert str(station_path).replace("/", "\\") == expected
