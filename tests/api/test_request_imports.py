"""A verification imports nothing: no module is looked for on ``sys.path`` once the client runs."""

from __future__ import annotations

import importlib.machinery
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from station.api import Credential, LivenessClient
from station.emulator import Emulator
from tests.api.conftest import SHORT

pytestmark = pytest.mark.anyio


async def test_a_verification_searches_sys_path_for_no_module(
    emulator: Emulator, credential: Credential, face_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpcore and anyio ask for ``sniffio`` (not installed) with every request: without the
    client's mark of it as absent, each ask searched every folder of ``sys.path``."""
    searched: list[str] = []
    real = importlib.machinery.PathFinder.find_spec
    caller = threading.get_ident()

    def spy(name: str, path: Any = None, target: Any = None) -> Any:
        if threading.get_ident() == caller:  # the client's thread, not the emulator's
            searched.append(name)
        return real(name, path, target)

    async with LivenessClient(credential, base_url=emulator.base_url, timeouts=SHORT) as client:
        await client.verify_image(face_jpeg)  # the first request may import what it needs once
        monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", spy)
        for _ in range(3):
            verification = await client.verify_image(face_jpeg)
    assert verification.result.face_count == 1
    assert searched == []


def test_sniffio_is_marked_absent_only_when_it_is_not_installed(tmp_path: Path) -> None:
    """In a fresh interpreter: absent, it fails at once as an import error; the mark is not set
    when the module is importable (here a stand-in on ``sys.path``)."""
    script = (
        "import sys\n"
        "sys.path[:0] = sys.argv[1:]\n"
        "import station.api.client\n"
        "try:\n    import sniffio\nexcept ImportError as e:\n    print('absent', type(e).__name__)\n"
        "else:\n    print('present', sniffio.__name__)\n"
    )
    absent = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert absent.stdout.strip() == "absent ModuleNotFoundError", absent.stderr
    (tmp_path / "sniffio.py").write_text("def current_async_library():\n    return 'asyncio'\n")
    present = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert present.stdout.strip() == "present sniffio", present.stderr
