"""Issue 27: PySide6's look at every imported module answered from the file's bytes, the same answer."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable
from typing import cast

import pytest

import station.core.geometry
import station.ui.preview
from station.ui.qt_startup import uses_pyside


def _pysides_own() -> Callable[[types.ModuleType], bool]:
    import shiboken6  # noqa: F401 - it makes shibokensupport

    feature = importlib.import_module("shibokensupport.feature")
    check = feature._mod_uses_pyside
    return cast(Callable[[types.ModuleType], bool], getattr(check, "__wrapped__", check))


@pytest.mark.parametrize("module", [station.ui.preview, station.core.geometry, json, pytest])
def test_the_answer_is_pysides_own(module: types.ModuleType) -> None:
    def never(_module: types.ModuleType) -> bool:
        raise AssertionError("a module with a .py file is answered from its bytes")

    assert uses_pyside(module, never) == _pysides_own()(module)


def test_a_module_without_a_source_file_is_left_to_pyside() -> None:
    asked: list[str] = []

    def fallback(module: types.ModuleType) -> bool:
        asked.append(module.__name__)
        return False

    assert uses_pyside(sys, fallback) is False  # built in: no file
    bare = types.ModuleType("station_test_bare")
    bare.__file__ = "/nonexistent/station_test_bare.py"
    assert uses_pyside(bare, fallback) is False  # a file that cannot be read
    assert asked == ["sys", "station_test_bare"]


_FRESH = textwrap.dedent(
    """
    import json, sys
    import station.core.geometry
    from station.ui.qt_startup import quicken_pyside_module_check
    quickened = quicken_pyside_module_check()
    import shibokensupport.feature as feature
    check = feature._mod_uses_pyside
    answers = []
    def spy(module):
        answers.append((module.__name__, check(module), check.__wrapped__(module)))
        return answers[-1][1]
    feature._mod_uses_pyside = spy
    from PySide6.QtWidgets import QWidget  # PySide6 looks at the modules imported so far
    import station.ui.overlay, station.ui.preview  # and at those imported after it
    print(json.dumps({
        "quickened": quickened,
        "again": quicken_pyside_module_check(),
        "ours": getattr(check, "_station_quickened", False),
        "answers": answers,
        "kept": {name: feature.pyside_feature_dict.get(name) for name, _, _ in answers},
    }))
    """
)


def test_the_gui_process_starts_with_the_quick_check_and_pyside_keeps_its_answers() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", _FRESH]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["quickened"] is True and seen["again"] is True and seen["ours"] is True
    answers = seen["answers"]
    assert len(answers) > 50  # every module imported so far, and each one after
    assert all(quick == own for _, quick, own in answers), [a for a in answers if a[1] != a[2]]
    using = {name for name, quick, _ in answers if quick}
    assert "station.ui.overlay" in using and "station.core.geometry" not in using
    # PySide6 keeps them as before: 0 "uses PySide6, no feature switched", -1 "ignore".
    assert seen["kept"] == {name: 0 if quick else -1 for name, quick, _ in answers}
