"""The few Win32 calls the station service needs on Windows, through ctypes (no pywin32).

Qt-free and importable everywhere: the structures and constants are plain ctypes, and the DLLs
are loaded only when :func:`kernel32` or :func:`advapi32` is first called, which raises
:class:`NotOnWindowsError` anywhere but Windows. The functions are declared with their argument and
result types so a wrong call fails in ctypes, not in the kernel.

Used by :mod:`station.service.windows_pipe` (the named-pipe transport) and
:mod:`station.service.windows_service` (the service control handler and the Event Log).
"""

from __future__ import annotations

import ctypes
import functools
from ctypes import wintypes
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "ERROR_BROKEN_PIPE",
    "ERROR_FILE_NOT_FOUND",
    "ERROR_IO_PENDING",
    "ERROR_MORE_DATA",
    "ERROR_NO_DATA",
    "ERROR_OPERATION_ABORTED",
    "ERROR_PIPE_BUSY",
    "ERROR_PIPE_CONNECTED",
    "ERROR_PIPE_NOT_CONNECTED",
    "INFINITE",
    "INVALID_HANDLE",
    "OVERLAPPED",
    "SECURITY_ATTRIBUTES",
    "WAIT_OBJECT_0",
    "WAIT_TIMEOUT",
    "Account",
    "NotOnWindowsError",
    "Win32Error",
    "advapi32",
    "check",
    "kernel32",
    "last_error",
    "process_account",
    "token_account",
]

ERROR_FILE_NOT_FOUND: Final = 2
ERROR_BROKEN_PIPE: Final = 109
ERROR_PIPE_BUSY: Final = 231
ERROR_NO_DATA: Final = 232
ERROR_PIPE_NOT_CONNECTED: Final = 233
ERROR_MORE_DATA: Final = 234
ERROR_PIPE_CONNECTED: Final = 535
ERROR_OPERATION_ABORTED: Final = 995
ERROR_IO_PENDING: Final = 997
ERROR_INSUFFICIENT_BUFFER: Final = 122

WAIT_OBJECT_0: Final = 0
WAIT_TIMEOUT: Final = 0x102
INFINITE: Final = 0xFFFFFFFF
#: ``INVALID_HANDLE_VALUE`` as ctypes hands back a ``HANDLE`` result.
INVALID_HANDLE: Final = ctypes.c_void_p(-1).value

TOKEN_QUERY: Final = 0x0008
TOKEN_USER_CLASS: Final = 1


class NotOnWindowsError(RuntimeError):
    """A Windows-only call was made on another OS."""


class Win32Error(OSError):
    """A Win32 call failed: ``winerror`` is its ``GetLastError()`` code, ``call`` the function."""

    def __init__(self, call: str, winerror: int) -> None:
        super().__init__(f"{call} failed (Windows error {winerror})")
        self.call = call
        self.winerror = winerror


class OVERLAPPED(ctypes.Structure):
    _fields_ = [
        ("Internal", ctypes.c_size_t),
        ("InternalHigh", ctypes.c_size_t),
        ("Offset", wintypes.DWORD),
        ("OffsetHigh", wintypes.DWORD),
        ("hEvent", wintypes.HANDLE),
    ]


class SECURITY_ATTRIBUTES(ctypes.Structure):  # noqa: N801 - the Win32 name
    _fields_ = [
        ("nLength", wintypes.DWORD),
        ("lpSecurityDescriptor", ctypes.c_void_p),
        ("bInheritHandle", wintypes.BOOL),
    ]


class _SID_AND_ATTRIBUTES(ctypes.Structure):  # noqa: N801 - the Win32 name
    _fields_ = [("Sid", ctypes.c_void_p), ("Attributes", wintypes.DWORD)]


@dataclass(frozen=True, slots=True)
class Account:
    """An OS account as Windows names it: ``DOMAIN\\user`` and its SID string (``S-1-5-…``)."""

    name: str
    sid: str


def last_error() -> int:
    return int(getattr(ctypes, "get_last_error")())  # noqa: B009 - Windows-only in typeshed


def check(call: str, ok: object) -> None:
    """Raise :class:`Win32Error` with ``GetLastError()`` when a BOOL result is false."""
    if not ok:
        raise Win32Error(call, last_error())


def _declare(dll: Any, name: str, restype: Any, *argtypes: Any) -> None:
    function = getattr(dll, name)
    function.restype = restype
    function.argtypes = list(argtypes)


def _load(name: str) -> Any:
    if not hasattr(ctypes, "WinDLL"):  # ctypes has it on Windows only
        raise NotOnWindowsError(f"{name}.dll exists only on Windows")
    return getattr(ctypes, "WinDLL")(name, use_last_error=True)  # noqa: B009 - Windows-only in typeshed


@functools.cache
def kernel32() -> Any:
    """kernel32.dll with the calls the pipe and the service use declared."""
    dll = _load("kernel32")
    h, dw, b, p = wintypes.HANDLE, wintypes.DWORD, wintypes.BOOL, ctypes.c_void_p
    _declare(dll, "CreateNamedPipeW", h, wintypes.LPCWSTR, dw, dw, dw, dw, dw, dw, p)
    _declare(dll, "ConnectNamedPipe", b, h, p)
    _declare(dll, "DisconnectNamedPipe", b, h)
    _declare(dll, "CreateFileW", h, wintypes.LPCWSTR, dw, dw, p, dw, dw, h)
    _declare(dll, "WaitNamedPipeW", b, wintypes.LPCWSTR, dw)
    _declare(dll, "ReadFile", b, h, p, dw, p, p)
    _declare(dll, "WriteFile", b, h, p, dw, p, p)
    _declare(dll, "FlushFileBuffers", b, h)
    _declare(dll, "GetOverlappedResult", b, h, p, ctypes.POINTER(dw), b)
    _declare(dll, "CancelIoEx", b, h, p)
    _declare(dll, "CreateEventW", h, p, b, b, wintypes.LPCWSTR)
    _declare(dll, "SetEvent", b, h)
    _declare(dll, "ResetEvent", b, h)
    _declare(dll, "WaitForMultipleObjects", dw, dw, ctypes.POINTER(h), b, dw)
    _declare(dll, "CloseHandle", b, h)
    _declare(dll, "GetNamedPipeClientProcessId", b, h, ctypes.POINTER(wintypes.ULONG))
    _declare(dll, "GetNamedPipeServerProcessId", b, h, ctypes.POINTER(wintypes.ULONG))
    _declare(dll, "GetCurrentProcess", h)
    _declare(dll, "GetCurrentProcessId", dw)
    _declare(dll, "GetCurrentThread", h)
    _declare(dll, "LocalFree", p, p)
    return dll


@functools.cache
def advapi32() -> Any:
    """advapi32.dll with the security, service and Event Log calls declared."""
    dll = _load("advapi32")
    h, dw, b, p, w = wintypes.HANDLE, wintypes.DWORD, wintypes.BOOL, ctypes.c_void_p, wintypes.WORD
    _declare(
        dll,
        "ConvertStringSecurityDescriptorToSecurityDescriptorW",
        b,
        wintypes.LPCWSTR,
        dw,
        ctypes.POINTER(p),
        p,
    )
    _declare(dll, "ConvertSidToStringSidW", b, p, ctypes.POINTER(wintypes.LPWSTR))
    _declare(dll, "ImpersonateNamedPipeClient", b, h)
    _declare(dll, "RevertToSelf", b)
    _declare(dll, "OpenThreadToken", b, h, dw, b, ctypes.POINTER(h))
    _declare(dll, "OpenProcessToken", b, h, dw, ctypes.POINTER(h))
    _declare(dll, "GetTokenInformation", b, h, ctypes.c_int, p, dw, ctypes.POINTER(dw))
    _declare(
        dll,
        "LookupAccountSidW",
        b,
        wintypes.LPCWSTR,
        p,
        wintypes.LPWSTR,
        ctypes.POINTER(dw),
        wintypes.LPWSTR,
        ctypes.POINTER(dw),
        ctypes.POINTER(dw),
    )
    _declare(dll, "RegisterEventSourceW", h, wintypes.LPCWSTR, wintypes.LPCWSTR)
    _declare(dll, "DeregisterEventSource", b, h)
    _declare(dll, "ReportEventW", b, h, w, w, dw, p, w, dw, ctypes.POINTER(wintypes.LPCWSTR), p)
    _declare(dll, "StartServiceCtrlDispatcherW", b, p)
    _declare(dll, "RegisterServiceCtrlHandlerExW", h, wintypes.LPCWSTR, p, p)
    _declare(dll, "SetServiceStatus", b, h, p)
    return dll


def token_account(token: int) -> Account:
    """The user of an access token (``TokenUser``), named by ``LookupAccountSidW``."""
    api = advapi32()
    needed = wintypes.DWORD(0)
    api.GetTokenInformation(token, TOKEN_USER_CLASS, None, 0, ctypes.byref(needed))
    if needed.value == 0:
        raise Win32Error("GetTokenInformation", last_error())
    buffer = ctypes.create_string_buffer(needed.value)
    check(
        "GetTokenInformation",
        api.GetTokenInformation(token, TOKEN_USER_CLASS, buffer, needed, ctypes.byref(needed)),
    )
    sid = _SID_AND_ATTRIBUTES.from_buffer(buffer).Sid
    text = wintypes.LPWSTR()
    check("ConvertSidToStringSidW", api.ConvertSidToStringSidW(sid, ctypes.byref(text)))
    try:
        sid_string = str(text.value)
    finally:
        kernel32().LocalFree(text)
    name = ctypes.create_unicode_buffer(256)
    domain = ctypes.create_unicode_buffer(256)
    name_len, domain_len, use = wintypes.DWORD(256), wintypes.DWORD(256), wintypes.DWORD(0)
    found = api.LookupAccountSidW(
        None, sid, name, ctypes.byref(name_len), domain, ctypes.byref(domain_len), ctypes.byref(use)
    )
    if not found:  # a SID with no name here (a deleted account): the SID is the account
        return Account(sid_string, sid_string)
    account = f"{domain.value}\\{name.value}" if domain.value else name.value
    return Account(account, sid_string)


def process_account() -> Account:
    """The account this process runs as."""
    token = wintypes.HANDLE()
    check(
        "OpenProcessToken",
        advapi32().OpenProcessToken(kernel32().GetCurrentProcess(), TOKEN_QUERY, ctypes.byref(token)),
    )
    try:
        return token_account(token.value or 0)
    finally:
        kernel32().CloseHandle(token)
