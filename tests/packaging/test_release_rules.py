"""The release rules that need no bundle: GPL detection, reproducible archives, checksums."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING

sys.path.insert(0, str(PACKAGING))
from release import reproducible, spdx

EPOCH = 1_700_000_000


@pytest.mark.parametrize(
    ("expression", "gpl"),
    [
        ("GPL-3.0-or-later", True),
        ("GPL-2.0-only", True),
        ("AGPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", True),
        ("(MIT OR GPL-2.0-only) AND GPL-3.0-or-later", True),
        ("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only", False),
        ("LGPL-2.1-or-later", False),
        ("GPL-3.0-or-later WITH GCC-exception-3.1", False),
        ("GPL-2.0-or-later WITH Bootloader-exception", False),
        ("BSD-3-Clause OR GPL-2.0-only", False),
        ("(AFL-2.1 OR GPL-2.0-or-later) AND MIT", False),
        ("Apache-2.0 AND (MIT OR GPL-3.0-only)", False),
        ("MPL-2.0", False),
    ],
)
def test_gpl_only_components_are_told_apart(expression: str, gpl: bool) -> None:
    assert spdx.needs_gpl(expression) is gpl


def test_the_branch_taken_avoids_the_gpl() -> None:
    assert spdx.chosen("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only") == "LGPL-3.0-only"
    assert spdx.chosen("(GPL-2.0-only OR MIT) AND Zlib") == "MIT AND Zlib"


@pytest.mark.parametrize("bad", ["MIT OR", "(MIT", "MIT WITH", "MIT, BSD", "AND MIT"])
def test_malformed_expressions_are_refused(bad: str) -> None:
    with pytest.raises(spdx.ExpressionError):
        spdx.alternatives(bad)


def make_folder(root: Path, order: list[str]) -> Path:
    """A small bundle-like folder, its files created in ``order`` with scattered times and modes."""
    folder = root / "station"
    for i, name in enumerate(order):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"content of {name}".encode())
        os.utime(path, (EPOCH + 1000 * i, EPOCH + 1000 * i))
        path.chmod(0o775 if name.endswith(".sh") else 0o664)
    if "_internal/PySide6/libQt6Core.so.6" in order:
        (folder / "_internal" / "libQt6Core.so.6").symlink_to("PySide6/libQt6Core.so.6")
    return folder


FILES = ["station", "install.sh", "_internal/b.txt", "_internal/a/z.so", "_internal/PySide6/libQt6Core.so.6"]


def test_tar_gz_is_byte_identical_whatever_the_times_and_order(tmp_path: Path) -> None:
    one = make_folder(tmp_path / "one", FILES)
    two = make_folder(tmp_path / "two", list(reversed(FILES)))
    os.chown(two / "install.sh", 1234, 1234)
    reproducible.write_tar_gz(one, tmp_path / "one.tar.gz", EPOCH)
    reproducible.write_tar_gz(two, tmp_path / "two.tar.gz", EPOCH)
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()

    header = (tmp_path / "one.tar.gz").read_bytes()[:10]
    assert int.from_bytes(header[4:8], "little") == EPOCH  # gzip's own time stamp
    assert header[3] & 0x08 == 0  # and no original file name
    with tarfile.open(tmp_path / "one.tar.gz") as tf:
        members = tf.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names) and names[0] == "station"
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", EPOCH)}
    modes = {m.name: m.mode for m in members}
    assert modes["station/install.sh"] == 0o755 and modes["station/_internal/b.txt"] == 0o644
    link = next(m for m in members if m.name == "station/_internal/libQt6Core.so.6")
    assert link.issym() and link.linkname == "PySide6/libQt6Core.so.6"


def test_tar_gz_changes_when_a_file_does(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, FILES)
    reproducible.write_tar_gz(folder, tmp_path / "a.tar.gz", EPOCH)
    (folder / "_internal" / "b.txt").write_bytes(b"changed")
    reproducible.write_tar_gz(folder, tmp_path / "b.tar.gz", EPOCH)
    assert (tmp_path / "a.tar.gz").read_bytes() != (tmp_path / "b.tar.gz").read_bytes()


def test_zip_archive_is_byte_identical_and_dated(tmp_path: Path) -> None:
    files = [f for f in FILES if "Qt6" not in f]
    one = make_folder(tmp_path / "one", files)
    two = make_folder(tmp_path / "two", list(reversed(files)))
    reproducible.write_zip(one, tmp_path / "one.zip", EPOCH)
    reproducible.write_zip(two, tmp_path / "two.zip", EPOCH)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        assert {info.date_time for info in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_base_library_zip_is_normalized(tmp_path: Path) -> None:
    def write(path: Path, names: list[str], year: int) -> None:
        with zipfile.ZipFile(path, "w") as zf:
            for name in names:
                zf.writestr(zipfile.ZipInfo(name, (year, 1, 1, 0, 0, 0)), f"code of {name}")

    write(tmp_path / "a.zip", ["os.pyc", "abc.pyc", "json/__init__.pyc"], 2024)
    write(tmp_path / "b.zip", ["json/__init__.pyc", "os.pyc", "abc.pyc"], 2025)
    for name in ("a.zip", "b.zip"):
        reproducible.normalize_zip(tmp_path / name, EPOCH)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.namelist() == ["abc.pyc", "json/__init__.pyc", "os.pyc"]
        assert zf.read("os.pyc") == b"code of os.pyc"


def test_sha256sums_is_what_sha256sum_checks(tmp_path: Path) -> None:
    (tmp_path / "station-0.1.0-linux-x86_64.tar.gz").write_bytes(b"archive")
    (tmp_path / "station-0.1.0-linux-x86_64.cdx.json").write_bytes(b"{}")
    sums = reproducible.write_sha256sums(
        tmp_path, ["station-0.1.0-linux-x86_64.tar.gz", "station-0.1.0-linux-x86_64.cdx.json"]
    )
    lines = sums.read_text(encoding="utf-8").splitlines()
    assert lines[1] == f"{hashlib.sha256(b'archive').hexdigest()}  station-0.1.0-linux-x86_64.tar.gz"
    result = subprocess.run(
        ["sha256sum", "-c", sums.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "station-0.1.0-linux-x86_64.tar.gz").write_bytes(b"tampered")
    result = subprocess.run(
        ["sha256sum", "-c", sums.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1


def test_source_date_epoch_is_the_last_commit_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert reproducible.source_date_epoch(tmp_path) == 1234567890
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    env = dict(os.environ, GIT_AUTHOR_DATE="@1600000000 +0000", GIT_COMMITTER_DATE="@1600000000 +0000")
    for command in (
        ["init", "-q"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"],
    ):
        subprocess.run(["git", *command], cwd=tmp_path, env=env, check=True)
    assert reproducible.source_date_epoch(tmp_path) == 1600000000


def test_records_lose_only_the_lines_for_files_outside_the_bundle(tmp_path: Path) -> None:
    record = tmp_path / "_internal" / "keyring-25.7.0.dist-info" / "RECORD"
    record.parent.mkdir(parents=True)
    record.write_text(
        "../../../bin/keyring,sha256=p7cvgko,227\nkeyring/__init__.py,sha256=abc,100\n"
        "keyring-25.7.0.dist-info/RECORD,,\n",
        encoding="utf-8",
    )
    assert reproducible.strip_foreign_records(tmp_path) == [record]
    assert (
        record.read_text(encoding="utf-8")
        == "keyring/__init__.py,sha256=abc,100\nkeyring-25.7.0.dist-info/RECORD,,\n"
    )
    assert reproducible.strip_foreign_records(tmp_path) == []
