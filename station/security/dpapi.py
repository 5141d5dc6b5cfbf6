"""Machine-scope DPAPI: a secret sealed for this Windows machine, kept as text in a file.

``CryptProtectData`` with ``CRYPTPROTECT_LOCAL_MACHINE`` (and ``CRYPTPROTECT_UI_FORBIDDEN``: a
service has no desktop) seals the station service's token so that only this machine can open it;
*which account* on the machine may read the sealed file is the folder's ACL (SYSTEM,
Administrators and the service's account: the installer sets it on
``%ProgramData%\\Station\\private``). The sealed bytes are kept as base64 text under a short
prefix, so a file that is not a sealed token is told apart from one that does not open here.

The secret never appears in an exception: a failure names the call and the Windows error code.
Qt-free; importable everywhere (the calls raise :class:`NotOnWindowsError` off Windows). It sits
below the service's own Win32 module (:mod:`station.service.win32_api`), so it loads its two DLLs itself.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import functools
from ctypes import wintypes
from typing import Any, Final

__all__ = ["SEALED_PREFIX", "NotOnWindowsError", "SealError", "seal", "unseal"]

#: What a sealed file's text starts with (the format's name and version).
SEALED_PREFIX: Final = "dpapi-machine:1:"
_CRYPTPROTECT_UI_FORBIDDEN: Final = 0x1
_CRYPTPROTECT_LOCAL_MACHINE: Final = 0x4
#: The description stored in the blob (not secret; shown by DPAPI tools).
_DESCRIPTION: Final = "station service token"


class SealError(Exception):
    """A secret could not be sealed or opened; the message never quotes it."""


class NotOnWindowsError(SealError):
    """DPAPI exists only on Windows."""


class _BLOB(ctypes.Structure):  # DATA_BLOB
    _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]


def _load(name: str) -> Any:
    if not hasattr(ctypes, "WinDLL"):  # ctypes has it on Windows only
        raise NotOnWindowsError(f"{name}.dll (DPAPI) exists only on Windows")
    return getattr(ctypes, "WinDLL")(name, use_last_error=True)  # noqa: B009 - Windows-only in typeshed


def _last_error() -> int:
    return int(getattr(ctypes, "get_last_error")())  # noqa: B009 - Windows-only in typeshed


@functools.cache
def _kernel32() -> Any:
    dll = _load("kernel32")
    dll.LocalFree.restype = ctypes.c_void_p
    dll.LocalFree.argtypes = [ctypes.c_void_p]
    return dll


@functools.cache
def _crypt32() -> Any:
    dll = _load("crypt32")
    p, b, dw = ctypes.c_void_p, wintypes.BOOL, wintypes.DWORD
    blob = ctypes.POINTER(_BLOB)
    dll.CryptProtectData.restype = b
    dll.CryptProtectData.argtypes = [blob, wintypes.LPCWSTR, blob, p, p, dw, blob]
    dll.CryptUnprotectData.restype = b
    dll.CryptUnprotectData.argtypes = [blob, ctypes.POINTER(wintypes.LPWSTR), blob, p, p, dw, blob]
    return dll


def _blob(data: bytes) -> tuple[_BLOB, ctypes.Array[ctypes.c_char]]:
    buffer = ctypes.create_string_buffer(data, len(data))
    return _BLOB(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char))), buffer


def _take(out: _BLOB) -> bytes:
    try:
        return ctypes.string_at(out.pbData, out.cbData)
    finally:
        _kernel32().LocalFree(ctypes.cast(out.pbData, ctypes.c_void_p))


def seal(secret: str) -> str:
    """``secret`` sealed for this machine, as one line of text (:data:`SEALED_PREFIX` + base64)."""
    source, _keep = _blob(secret.encode("utf-8"))
    out = _BLOB()
    flags = _CRYPTPROTECT_LOCAL_MACHINE | _CRYPTPROTECT_UI_FORBIDDEN
    ok = _crypt32().CryptProtectData(
        ctypes.byref(source), _DESCRIPTION, None, None, None, flags, ctypes.byref(out)
    )
    if not ok:
        raise SealError(f"CryptProtectData failed (Windows error {_last_error()})")
    return SEALED_PREFIX + base64.b64encode(_take(out)).decode("ascii")


def unseal(text: str) -> str:
    """The secret in ``text`` (made by :func:`seal` on this machine); :class:`SealError` otherwise."""
    text = text.strip()
    if not text.startswith(SEALED_PREFIX):
        raise SealError("not a sealed token (it was not written by `station token set` on Windows)")
    try:
        sealed = base64.b64decode(text[len(SEALED_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SealError("the sealed token is damaged (not base64)") from None
    source, _keep = _blob(sealed)
    out = _BLOB()
    ok = _crypt32().CryptUnprotectData(
        ctypes.byref(source), None, None, None, None, _CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(out)
    )
    if not ok:
        raise SealError(
            "the sealed token does not open on this machine "
            f"(CryptUnprotectData, Windows error {_last_error()})"
        )
    try:
        return _take(out).decode("utf-8")
    except UnicodeDecodeError:
        raise SealError("the sealed token is damaged (not text)") from None
