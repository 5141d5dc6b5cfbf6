"""A dict-backed stand-in for ``winreg``: the same functions and constants the policy reader uses,
so the parsing code under test is the one that runs on Windows."""

from __future__ import annotations

from typing import Any

HKEY_LOCAL_MACHINE = 0x80000002
HKEY_CURRENT_USER = 0x80000001
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11


class FakeRegistry:
    HKEY_LOCAL_MACHINE = HKEY_LOCAL_MACHINE
    HKEY_CURRENT_USER = HKEY_CURRENT_USER
    REG_SZ = REG_SZ
    REG_EXPAND_SZ = REG_EXPAND_SZ
    REG_DWORD = REG_DWORD
    REG_QWORD = REG_QWORD
    REG_MULTI_SZ = REG_MULTI_SZ

    def __init__(self) -> None:
        #: (hive, key path) → [(name, value, type)], in insertion order like the real registry.
        self.keys: dict[tuple[int, str], list[tuple[str, Any, int]]] = {}
        self.unreadable: set[tuple[int, str]] = set()
        self.open_handles = 0

    def set(self, hive: int, path: str, name: str, value: Any, kind: int) -> None:
        self.keys.setdefault((hive, path.lower()), []).append((name, value, kind))

    def OpenKey(self, key: int, sub_key: str) -> tuple[int, str]:
        handle = (key, sub_key.lower())
        if handle in self.unreadable:
            raise PermissionError(5, "Access is denied")
        if handle not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        self.open_handles += 1
        return handle

    def EnumValue(self, key: tuple[int, str], index: int) -> tuple[str, Any, int]:
        values = self.keys[key]
        if index >= len(values):
            raise OSError(259, "No more data is available")
        return values[index]

    def CloseKey(self, key: tuple[int, str]) -> None:
        self.open_handles -= 1
