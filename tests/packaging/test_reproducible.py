"""Two clones of the same commit build byte-identical archives and SBOMs (opt-in; CI runs it).

    .venv/bin/python -m pytest tests/packaging/test_reproducible.py -m reproducible

The first build is this checkout's own ``dist/`` when the bundle test has just built it from a
clean checkout of HEAD (as in CI), else a fresh clone; the second is always a fresh clone in a
folder of another name and depth, with its own venv from the lock. Anything that leaks the
checkout's path, the venv's path, a file time or the file system's order into the output shows
up as a different SHA256SUMS. What is built is the commit at HEAD: uncommitted changes are not
in the clones. Each clone build takes 2.5-3.5 minutes on this busy 2-core machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT

pytestmark = [pytest.mark.reproducible, pytest.mark.timeout(3600)]


def build_clone(dest: Path, commit: str) -> tuple[str, dict[str, object], float]:
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", commit], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "VIRTUAL_ENV")}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(dest / "packaging" / "build")],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    info: dict[str, object] = json.loads((dest / "dist" / "build-info.json").read_text(encoding="utf-8"))
    return (dest / "dist" / "SHA256SUMS").read_text(encoding="utf-8"), info, seconds


def member_hashes(archive: Path) -> dict[str, str]:
    with tarfile.open(archive) as tf:
        return {
            m.name: hashlib.sha256(tf.extractfile(m).read()).hexdigest()  # type: ignore[union-attr]
            for m in tf.getmembers()
            if m.isreg()
        }


def test_two_clones_build_byte_identical_outputs(tmp_path: Path) -> None:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    here = ROOT / "dist" / "build-info.json"
    built: dict[str, object] = json.loads(here.read_text(encoding="utf-8")) if here.is_file() else {}
    if (
        built.get("commit") == commit
        and built.get("clean") is True
        and (ROOT / "dist" / "SHA256SUMS").is_file()
    ):
        first, one, one_s = ROOT, built, 0.0
        one_sums = (ROOT / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    else:
        first = tmp_path / "one"
        one_sums, one, one_s = build_clone(first, commit)
    two_sums, two, two_s = build_clone(tmp_path / "second clone" / "station", commit)
    print(f"\nbuild times: {one_s:.0f} s and {two_s:.0f} s (load average {os.getloadavg()[0]:.1f})")
    if one_sums != two_sums and str(one["archive"]).endswith(".tar.gz"):
        a = member_hashes(first / str(one["archive"]))
        b = member_hashes(tmp_path / "second clone" / "station" / str(two["archive"]))
        differing = sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
        pytest.fail(f"archives differ; files that differ: {differing[:20]}")
    assert one_sums == two_sums
    assert one["source_date_epoch"] == two["source_date_epoch"]
