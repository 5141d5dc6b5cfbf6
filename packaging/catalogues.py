#!/usr/bin/env python3
"""The translation catalogues: ``resources/i18n/station_<lang>.ts`` (reviewed) → ``.qm`` (built).

    python3 packaging/catalogues.py update   # pyside6-lupdate: new texts from station/ into every .ts
    python3 packaging/catalogues.py build    # pyside6-lrelease: every .ts → .qm (only those out of date)
    python3 packaging/catalogues.py check    # exit 1 if a .ts lacks a text, has an unfinished or obsolete one

The ``.ts`` files are the source a translator edits and a reviewer reads in a pull request; the
``.qm`` files are build outputs (``packaging/dev.py`` builds them at set-up and before the tests,
``packaging/station.spec`` for the bundle), never committed: a binary that can drift from its
source has no place in review. ``update`` runs lupdate with ``-locations none`` (a moved line does
not churn the catalogue) and ``-no-obsolete`` (a text removed from the code leaves the catalogue).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "resources" / "i18n"
SOURCES = ROOT / "station"


def _tool(name: str) -> str:
    """``pyside6-lupdate`` / ``pyside6-lrelease`` beside the running Python (the venv's), else on PATH."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: it comes with PySide6 (python3 packaging/dev.py setup)")
    return found


def sources() -> list[Path]:
    """Every Python file of the station: the UI's ``tr()`` texts, and the lower layers' texts
    marked with ``station.words.QT_TRANSLATE_NOOP`` where they are written."""
    return sorted(SOURCES.rglob("*.py"))


#: lupdate reads a ``#:`` comment as a note for the translator and carries every one it meets until
#: the next marked text; in this code ``#:`` documents attributes (for Sphinx), not translations,
#: and rewording one must not make the catalogue stale.
_TRANSLATOR_NOTE = re.compile(r"#:")


def _readable_copies(paths: Sequence[Path], folder: Path) -> list[Path]:
    """What lupdate reads: copies in ``folder`` without ``#:`` (the same lines otherwise; the
    catalogue records no locations, so where the copies are does not matter)."""
    out: list[Path] = []
    for index, path in enumerate(paths):
        copy = folder / str(index) / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(_TRANSLATOR_NOTE.sub("# ", path.read_text(encoding="utf-8")), encoding="utf-8")
        out.append(copy)
    return out


def catalogues() -> list[Path]:
    return sorted(CATALOGUES.glob("station_*.ts"))


def lupdate(ts_files: list[Path], extra: Sequence[Path] = ()) -> str:
    """Bring ``ts_files`` up to date with the code (and ``extra`` source files); lupdate's report."""
    with tempfile.TemporaryDirectory() as folder:
        read = _readable_copies([*sources(), *extra], Path(folder))
        command = [
            _tool("pyside6-lupdate"),
            *(str(path) for path in read),
            "-locations",
            "none",
            "-no-obsolete",
            "-ts",
            *(str(path) for path in ts_files),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def build(force: bool = False) -> list[Path]:
    """Compile every .ts whose .qm is missing or older; returns the .qm files written."""
    written: list[Path] = []
    for ts in catalogues():
        qm = ts.with_suffix(".qm")
        if not force and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run(
            [_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
            cwd=ROOT,
            check=True,
        )
        written.append(qm)
    return written


_UNFINISHED = re.compile(r'type="(unfinished|obsolete|vanished)"')


def problems(extra: Sequence[Path] = ()) -> list[str]:
    """What lupdate would change in each catalogue, and what is not translated: empty when current.
    ``extra``: more source files to read with the station's (a test's own marked text)."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for ts in catalogues():
            copy = Path(folder) / ts.name
            shutil.copyfile(ts, copy)
            lupdate([copy], extra)
            if copy.read_bytes() != ts.read_bytes():
                found.append(
                    f"{ts.name}: not current with the code (run: python3 packaging/catalogues.py update)"
                )
            text = copy.read_text(encoding="utf-8")
            for kind in sorted(set(_UNFINISHED.findall(text))):
                count = len(re.findall(f'type="{kind}"', text))
                found.append(f"{ts.name}: {count} {kind} entr{'y' if count == 1 else 'ies'}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        print(lupdate(catalogues()), end="")
        return 0
    if command == "build":
        for qm in build(force="--force" in argv):
            print(f"wrote {qm.relative_to(ROOT)}")
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 64


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main(sys.argv))
