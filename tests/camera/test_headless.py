"""station.camera must stay usable without Qt (headless benchmark, CLI self-test)."""

from __future__ import annotations

import subprocess
import sys


def test_camera_package_imports_no_qt() -> None:
    code = (
        "import sys, station.camera; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'qasync', 'shiboken6'}"
        " or m.startswith('station.ui')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
