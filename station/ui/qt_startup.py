"""Before Qt loads: PySide6's look at every imported module, made cheap (issue 27).

PySide6 (PYSIDE-2029, for its optional ``from __feature__ import snake_case`` switches) asks of
every module imported after it, and of every module already imported when it loads, whether the
module uses PySide6: it reads the module's source with :func:`inspect.getsource` (through
``linecache`` and ``tokenize``) and looks for the word ``PySide6``. The GUI imports about 315
modules before its first frame, and those looks took 45-60 ms of it (measured on the launch path,
about a tenth of the first frame's time). :func:`quicken_pyside_module_check` answers the same
question by searching the module file's bytes, and leaves every other module (no file, not a
``.py`` file, a file that cannot be read) to PySide6's own check.

The check lives in PySide6's private ``shibokensupport.feature`` module. When a PySide6 release
has no such function, nothing is changed and the station starts as fast as that release allows;
``tests/ui/test_qt_startup.py`` keeps the two answers equal on the station's own modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Final

__all__ = ["quicken_pyside_module_check", "uses_pyside"]

_WORD: Final = b"PySide6"
_MARK: Final = "_station_quickened"


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source names PySide6, read from its ``.py`` file; ``fallback`` (PySide6's
    own check) for a module without one."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return fallback(module)
    try:
        with open(path, "rb") as source:
            return _WORD in source.read()
    except OSError:
        return fallback(module)


def quicken_pyside_module_check() -> bool:
    """Replace PySide6's per-module check with :func:`uses_pyside`; call before PySide6 is imported
    (its first look covers every module imported so far). True if it was replaced (now or
    before)."""
    try:
        feature: ModuleType = importlib.import_module("shibokensupport.feature")
    except ImportError:  # shiboken6 makes that module when it loads
        importlib.import_module("shiboken6")
        try:
            feature = importlib.import_module("shibokensupport.feature")
        except ImportError:
            return False
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if not callable(upstream):
        return False
    if getattr(upstream, _MARK, False):
        return True

    def check(module: ModuleType) -> bool:
        return uses_pyside(module, upstream)

    setattr(check, _MARK, True)
    check.__wrapped__ = upstream  # type: ignore[attr-defined]  # PySide6's own, for comparison
    feature._mod_uses_pyside = check  # type: ignore[attr-defined]  # PySide6's private module
    return True
