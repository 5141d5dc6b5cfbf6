"""Byte-identical archives from identical bundles: fixed times, owners, modes and order.

``tar`` and ``zipfile`` left to themselves record the builder's uid, the file times of the
checkout and the order the file system returns; gzip adds the time and the file name. Here every
entry is sorted, owned by 0:0 with no names, dated ``SOURCE_DATE_EPOCH`` (the last commit's time
unless set), and has mode 0755 (directories and executables) or 0644, so the archive's SHA-256
depends only on the files' contents and names. ``base_library.zip`` (PyInstaller's copy of the
standard library) gets the same treatment, since its entry order and times vary between builds.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

ZIP_EPOCH_MIN = 315532800  # 1980-01-01: the earliest time a zip entry can hold


def source_date_epoch(repo: Path) -> int:
    """``SOURCE_DATE_EPOCH`` if set, else the time of the last commit, else now (with a warning)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    result = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=repo, capture_output=True, text=True, check=False
    )
    if result.returncode == 0 and result.stdout.strip().isdigit():
        return int(result.stdout.strip())
    print("warning: not a git checkout and no SOURCE_DATE_EPOCH: the archive records today's date")
    return int(time.time())


def _entries(root: Path) -> list[Path]:
    """Every path under ``root`` (not following links), sorted by its posix name."""
    paths = [root, *root.rglob("*")]
    return sorted(paths, key=lambda p: p.relative_to(root.parent).as_posix())


def _mode(path: Path) -> int:
    if path.is_symlink():
        return 0o777
    if path.is_dir() or os.stat(path).st_mode & stat.S_IXUSR:
        return 0o755
    return 0o644


def write_tar_gz(folder: Path, target: Path, epoch: int, level: int = 6) -> None:
    """``folder`` as ``target`` (.tar.gz), the folder's own name as the top directory."""
    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=level) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tf,
    ):
        for path in _entries(folder):
            info = tf.gettarinfo(str(path), arcname=path.relative_to(folder.parent).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = epoch
            info.mode = _mode(path)
            if info.isreg():
                with path.open("rb") as fh:
                    tf.addfile(info, fh)
            else:
                tf.addfile(info)


def _zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    moment = time.gmtime(max(epoch, ZIP_EPOCH_MIN))
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min, moment.tm_sec & ~1)


def write_zip(folder: Path, target: Path, epoch: int) -> None:
    """``folder`` as ``target`` (.zip), sorted, dated ``epoch``, with fixed permissions."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in _entries(folder):
            name = path.relative_to(folder.parent).as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(name + "/", _zip_time(epoch))
                info.external_attr = (stat.S_IFDIR | 0o755) << 16
                zf.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(name, _zip_time(epoch))
                info.external_attr = (stat.S_IFREG | _mode(path)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())


def normalize_zip(path: Path, epoch: int) -> None:
    """Rewrite a zip (base_library.zip) with sorted entries and fixed times; contents unchanged."""
    with zipfile.ZipFile(path) as source:
        items = sorted((info.filename, source.read(info)) for info in source.infolist())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            info = zipfile.ZipInfo(name, _zip_time(epoch))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def strip_foreign_records(bundle: Path) -> list[Path]:
    """Drop the lines of bundled ``*.dist-info/RECORD`` files that name files outside the package.

    Those are the venv's console scripts (``../../../bin/keyring``), which the bundle does not
    carry and whose hashes change with the venv's path (their first line names its Python), so
    two clones would otherwise differ in these RECORD files alone.
    """
    changed = []
    for record in sorted(bundle.glob("_internal/*.dist-info/RECORD")):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith("../")]
        if kept != lines:
            record.write_text("".join(kept), encoding="utf-8", newline="")
            changed.append(record)
    return changed


def write_sha256sums(folder: Path, names: list[str]) -> Path:
    """``SHA256SUMS`` in ``folder`` for ``names`` (``sha256sum -c SHA256SUMS`` checks it)."""
    lines = []
    for name in sorted(names):
        digest = hashlib.sha256()
        with (folder / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {name}\n")
    target = folder / "SHA256SUMS"
    target.write_text("".join(lines), encoding="utf-8", newline="\n")
    return target
