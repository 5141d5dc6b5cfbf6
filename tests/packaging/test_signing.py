"""Signing on Windows: the command lines ISCC and signtool receive, parsed back as Windows parses them.

Comparing strings is what let the broken ``/S`` argument through before: here every command
line is parsed back with the rules of ``CommandLineToArgvW`` (implemented below from Microsoft's
description), and the sign command ISCC will run is expanded the way Inno expands it and parsed
again, so a quote in the wrong place shows up as the wrong arguments.
"""

from __future__ import annotations

import struct
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.packaging.conftest import PACKAGING, load_script

SIGNTOOL = r"C:\Program Files (x86)\Windows Kits\10\bin\10.0.22621.0\x64\signtool.exe"
ISCC = r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"


@pytest.fixture(scope="module")
def maker() -> ModuleType:
    return load_script(PACKAGING / "windows" / "make_installer.py", "station_make_installer_signing")


def command_line_to_argv(line: str) -> list[str]:
    """``CommandLineToArgvW``: the program name, then arguments by the C runtime's rules.

    The first argument ends at the first space, or at the closing quote if it starts with one;
    backslashes in it are literal. After it: 2n backslashes before a quote give n backslashes
    and the quote opens or closes quoting; 2n+1 give n backslashes and a literal quote; other
    backslashes are literal; inside quotes, a doubled quote gives one literal quote.
    """
    argv: list[str] = []
    i, n = 0, len(line)
    if line.startswith('"'):
        end = line.find('"', 1)
        end = n if end < 0 else end
        argv.append(line[1:end])
        i = end + 1
    else:
        end = i
        while end < n and line[end] not in " \t":
            end += 1
        argv.append(line[:end])
        i = end
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return argv
        arg: list[str] = []
        quoted = False
        while i < n and (quoted or line[i] not in " \t"):
            if line[i] == "\\":
                start = i
                while i < n and line[i] == "\\":
                    i += 1
                count = i - start
                if i < n and line[i] == '"':
                    arg.append("\\" * (count // 2))
                    if count % 2:
                        arg.append('"')
                        i += 1
                else:
                    arg.append("\\" * count)
            elif line[i] == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    arg.append('"')
                    i += 2
                else:
                    quoted = not quoted
                    i += 1
            else:
                arg.append(line[i])
                i += 1
        argv.append("".join(arg))


def expand_inno(command: str, file: str) -> str:
    """What Inno runs for ``/S`` tools: ``$q`` a quote, ``$f`` the quoted file, ``$$`` a dollar."""
    out, i = [], 0
    while i < len(command):
        if command[i] == "$" and i + 1 < len(command):
            code = command[i + 1]
            out.append({"q": '"', "f": f'"{file}"', "$": "$"}.get(code, "$" + code))
            i += 2
        else:
            out.append(command[i])
            i += 1
    return "".join(out)


def test_parser_follows_the_documented_examples() -> None:
    # Microsoft's table for the C runtime / CommandLineToArgvW.
    assert command_line_to_argv('prog "a b c" d e') == ["prog", "a b c", "d", "e"]
    assert command_line_to_argv(r'prog "ab\"c" "\\" d') == ["prog", 'ab"c', "\\", "d"]
    assert command_line_to_argv(r'prog a\\\b d"e f"g h') == ["prog", r"a\\\b", "de fg", "h"]
    assert command_line_to_argv(r"prog a\\\"b c d") == ["prog", r"a\"b", "c", "d"]
    assert command_line_to_argv(r'prog a\\\\"b c" d e') == ["prog", r"a\\b c", "d", "e"]
    assert command_line_to_argv(r'"C:\Program Files\x.exe" /a') == [r"C:\Program Files\x.exe", "/a"]


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=12), max_size=6))
def test_any_arguments_survive_quoting(maker: ModuleType, args: list[str]) -> None:
    line = maker.command_line([ISCC, *args])
    assert command_line_to_argv(line) == [ISCC, *args]


def test_iscc_receives_one_script_and_a_sign_tool_with_no_quotes(maker: ModuleType) -> None:
    script = r"C:\build agent\station\packaging\windows\station.iss"
    command = maker.iscc_command(
        ISCC,
        sign=True,
        signtool=SIGNTOOL,
        timestamp_url="http://ts.example/rfc3161",
        root=r"C:\build agent\station",
        script=script,
    )
    argv = command_line_to_argv(maker.command_line(command))
    assert argv == command
    # ISCC takes every argument that is not a /switch as a script: exactly one.
    assert [a for a in argv[1:] if not a.startswith("/")] == [script]
    assert "/DRepoRoot=C:\\build agent\\station" in argv
    tool = next(a for a in argv if a.startswith("/Sstationsign="))
    assert '"' not in tool  # a literal quote is what split the argument before
    assert "/DSignTool=stationsign" in argv


@pytest.mark.parametrize(
    "signed", [r"C:\Users\build agent\AppData\Local\Temp\is-ABC.tmp\uninst.e32.tmp", r"C:\out\setup.exe"]
)
def test_the_sign_command_inno_runs_parses_to_signtool_and_the_file(
    maker: ModuleType, signed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATION_SIGN_CERT_SHA1", raising=False)
    tool = maker.inno_sign_command(SIGNTOOL, "http://ts.example/rfc3161")
    argv = command_line_to_argv(expand_inno(tool, signed))
    assert argv == [
        SIGNTOOL,
        "sign",
        "/fd",
        "SHA256",
        "/tr",
        "http://ts.example/rfc3161",
        "/td",
        "SHA256",
        "/a",
        signed,
    ]


def test_thumbprint_and_a_dollar_in_a_path_survive(
    maker: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_SIGN_CERT_SHA1", "0123456789abcdef0123456789abcdef01234567")
    tool = maker.inno_sign_command(r"D:\tools$\sign tool\signtool.exe", "http://ts")
    argv = command_line_to_argv(expand_inno(tool, r"C:\a b\c.exe"))
    assert argv[0] == r"D:\tools$\sign tool\signtool.exe"
    assert argv[-3:] == ["/sha1", "0123456789abcdef0123456789abcdef01234567", r"C:\a b\c.exe"]


def pe_image(size: int = 256) -> bytes:
    """The smallest header that makes a file a PE image: MZ, e_lfanew, the PE signature."""
    data = bytearray(size)
    data[:2] = b"MZ"
    data[60:64] = struct.pack("<I", 128)
    data[128:132] = b"PE\0\0"
    return bytes(data)


@pytest.fixture
def windows_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "dist" / "station"
    files = {
        "station.exe": pe_image(),
        "station-console.exe": pe_image(),
        "_internal/python311.dll": pe_image(),
        "_internal/PySide6/Qt6Core.dll": pe_image(),
        "_internal/PySide6/plugins/platforms/qwindows.dll": pe_image(),
        "_internal/cv2/cv2.pyd": pe_image(),
        "_internal/numpy/_core/_multiarray_umath.cp311-win_amd64.pyd": pe_image(),
        "_internal/base_library.zip": b"PK\x03\x04" + bytes(100),
        "_internal/fake.dll": b"MZ but no PE header at all" + bytes(100),  # named like one, is not
        "_internal/readme.txt": b"MZ",
        "THIRD-PARTY-NOTICES.txt": b"notices",
    }
    for name, data in files.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(data)
    return bundle


def test_every_pe_file_and_nothing_else_is_signed_then_verified(
    maker: ModuleType, windows_bundle: Path
) -> None:
    calls: list[list[str]] = []
    signed = maker.sign_bundle(windows_bundle, SIGNTOOL, "http://ts", run=calls.append)
    expected = sorted(
        p.relative_to(windows_bundle).as_posix()
        for p in windows_bundle.rglob("*")
        if p.suffix in (".exe", ".dll", ".pyd") and p.name != "fake.dll"
    )
    assert sorted(p.relative_to(windows_bundle).as_posix() for p in signed) == expected
    sign_calls = [c for c in calls if c[1] == "sign"]
    verify_calls = [c for c in calls if c[1] == "verify"]
    assert sign_calls and verify_calls
    assert calls.index(sign_calls[-1]) < calls.index(verify_calls[0])  # verified after signing
    signed_names = [a for c in sign_calls for a in c if a.startswith(str(windows_bundle))]
    assert sorted(signed_names) == sorted(str(windows_bundle / e) for e in expected)
    listed = (windows_bundle.parent / "signed-files.txt").read_text(encoding="utf-8").split()
    assert sorted(listed) == sorted(signed_names)


def test_long_file_lists_are_split_under_the_command_line_limit(maker: ModuleType) -> None:
    files = [rf"C:\Program Files\Station\_internal\some folder\library{i:03}.dll" for i in range(400)]
    commands = maker.batches([SIGNTOOL, "sign", "/fd", "SHA256"], files, limit=8000)
    assert len(commands) > 1
    assert all(len(maker.command_line(c)) <= 8000 for c in commands)
    assert [a for c in commands for a in command_line_to_argv(maker.command_line(c))[4:]] == files
