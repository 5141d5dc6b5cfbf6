"""Run by the Windows CPython under Wine (not by pytest): press Ctrl+Break for one console program.

Windows delivers a console control event by starting a thread at ``kernel32!CtrlRoutine`` in each
process attached to the console, with the event as its argument (that thread calls the handlers
``SetConsoleCtrlHandler`` registered, newest first). Under Wine 8.0 nothing else reaches a console
program whose standard streams are pipes (``GenerateConsoleCtrlEvent`` and ``AttachConsole`` fail),
so this does what the console host does: the same thread, in the one process named on the command
line whose parent is not ``services.exe`` (the station service runs the same executable).

Usage: python.exe windows_ctrl_break.py station-console.exe  (exit 0: delivered; 2: no such process)
"""

from __future__ import annotations

import ctypes
import sys
from ctypes import wintypes

assert sys.platform == "win32"  # a Windows program (mypy checks it as one only there)

CTRL_BREAK_EVENT = 1
TH32CS_SNAPPROCESS = 0x2
PROCESS_ALL_ACCESS = 0x1F0FFF


class ProcessEntry(ctypes.Structure):
    _fields_ = [
        ("dwSize", wintypes.DWORD),
        ("cntUsage", wintypes.DWORD),
        ("th32ProcessID", wintypes.DWORD),
        ("th32DefaultHeapID", ctypes.c_void_p),
        ("th32ModuleID", wintypes.DWORD),
        ("cntThreads", wintypes.DWORD),
        ("th32ParentProcessID", wintypes.DWORD),
        ("pcPriClassBase", ctypes.c_long),
        ("dwFlags", wintypes.DWORD),
        ("szExeFile", ctypes.c_wchar * 260),
    ]


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, executable name)."""
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateToolhelp32Snapshot.restype = wintypes.HANDLE
    snapshot = kernel32.CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0)
    entry = ProcessEntry()
    entry.dwSize = ctypes.sizeof(ProcessEntry)
    found: dict[int, tuple[int, str]] = {}
    more = kernel32.Process32FirstW(snapshot, ctypes.byref(entry))
    while more:
        found[entry.th32ProcessID] = (entry.th32ParentProcessID, entry.szExeFile)
        more = kernel32.Process32NextW(snapshot, ctypes.byref(entry))
    kernel32.CloseHandle(snapshot)
    return found


def main(exe: str) -> int:
    table = processes()
    targets = [
        pid
        for pid, (parent, name) in table.items()
        if name.lower() == exe.lower() and table.get(parent, (0, ""))[1].lower() != "services.exe"
    ]
    if len(targets) != 1:
        print(f"expected one {exe} outside the services, found {targets}", flush=True)
        return 2
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetModuleHandleW.restype = wintypes.HMODULE
    kernel32.GetProcAddress.restype = ctypes.c_void_p
    kernel32.GetProcAddress.argtypes = [wintypes.HMODULE, ctypes.c_char_p]
    routine = kernel32.GetProcAddress(kernel32.GetModuleHandleW("kernel32"), b"CtrlRoutine")
    kernel32.OpenProcess.restype = wintypes.HANDLE
    process = kernel32.OpenProcess(PROCESS_ALL_ACCESS, False, targets[0])
    kernel32.CreateRemoteThread.restype = wintypes.HANDLE
    kernel32.CreateRemoteThread.argtypes = [
        wintypes.HANDLE,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.c_void_p,
    ]
    thread = kernel32.CreateRemoteThread(process, None, 0, routine, CTRL_BREAK_EVENT, 0, None)
    if not routine or not process or not thread:
        print(f"could not deliver Ctrl+Break: error {ctypes.get_last_error()}", flush=True)
        return 1
    kernel32.WaitForSingleObject(thread, 30_000)
    print(f"Ctrl+Break delivered to {exe} (pid {targets[0]})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
