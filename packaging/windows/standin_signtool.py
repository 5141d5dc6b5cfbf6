"""A stand-in for ``signtool``: gives PE files a placeholder Authenticode entry, and checks for one.

    python standin_signtool.py sign /fd SHA256 /tr URL /td SHA256 /a FILE...
    python standin_signtool.py verify /pa FILE...

Nothing is really signed: ``sign`` appends a WIN_CERTIFICATE holding a fixed text to each file and
points the PE security directory at it (what ISCC checks after its ``/S`` sign tool ran, and what
``signtool verify`` would look at first); ``verify`` exits 1 naming each file without one. The
Windows build under Wine (packaging/windows/wine_build.py) runs it in place of the Windows SDK's
signtool, with the same command lines ``make_installer.py`` gives the real one, so the signing
steps — every PE file of the bundle, then the setup and the uninstaller through ISCC — run for
real; a release for the branches is signed on a Windows machine with the bank's certificate.
"""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

__all__ = ["STAND_IN", "is_signed", "main", "sign"]

STAND_IN = b"STAND-IN SIGNATURE: packaging/windows/standin_signtool.py"
WIN_CERT_REVISION_2_0 = 0x0200
WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002
# signtool options that take a value (the rest are flags).
VALUE_OPTIONS = {"/fd", "/tr", "/td", "/sha1", "/f", "/p", "/n", "/t", "/d", "/du", "/ac", "/csp", "/kc"}


def _security_entry(data: bytes | bytearray) -> int:
    """Offset of the PE optional header's security data directory (IMAGE_DIRECTORY_ENTRY_SECURITY)."""
    if data[:2] != b"MZ":
        raise ValueError("not a PE file (no MZ header)")
    pe = struct.unpack_from("<I", data, 60)[0]
    if data[pe : pe + 4] != b"PE\0\0":
        raise ValueError("not a PE file (no PE signature)")
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    return optional + (96 if magic == 0x10B else 112) + 4 * 8


def is_signed(path: Path) -> bool:
    """The file's security directory points at a certificate table inside the file."""
    data = path.read_bytes()
    offset, size = struct.unpack_from("<II", data, _security_entry(data))
    return size > 8 and offset + size <= len(data)


def sign(path: Path) -> None:
    """Append the stand-in certificate and point the security directory at it (idempotent)."""
    if is_signed(path):
        return
    data = bytearray(path.read_bytes())
    entry = _security_entry(data)
    data += bytes(-len(data) % 8)
    blob = STAND_IN + bytes(-len(STAND_IN) % 8)
    offset = len(data)
    data += struct.pack("<IHH", 8 + len(blob), WIN_CERT_REVISION_2_0, WIN_CERT_TYPE_PKCS_SIGNED_DATA) + blob
    struct.pack_into("<II", data, entry, offset, 8 + len(blob))
    path.write_bytes(bytes(data))


def files_named(args: list[str]) -> list[Path]:
    """The file arguments of a signtool command line (options and their values left out)."""
    files: list[Path] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.lower() in VALUE_OPTIONS:
            skip = True
        elif not re.fullmatch(r"/[A-Za-z0-9]+", arg):  # an option is one word: /a, /pa, /v
            files.append(Path(arg))
    return files


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("sign", "verify"):
        print("usage: standin_signtool.py sign|verify [options] FILE...", file=sys.stderr)
        return 2
    files = files_named(argv[1:])
    if not files:
        print("standin_signtool: no files named", file=sys.stderr)
        return 2
    unsigned = []
    for path in files:
        if argv[0] == "sign":
            sign(path)
            print(f"Stand-in signed: {path}")
        elif not is_signed(path):
            unsigned.append(path)
    for path in unsigned:
        print(f"SignTool Error: no signature found: {path}", file=sys.stderr)
    return 1 if unsigned else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
