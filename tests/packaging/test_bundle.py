"""Build the PyInstaller bundle with packaging/build and run its ``--self-test`` (slow: CI runs it).

Skip locally with ``-m 'not bundle'``. ``STATION_BUNDLE_REUSE=1`` reuses an existing
``dist/station`` instead of building (for iterating on this test).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import station
from station.licences import NOTICES_NAME
from station.selftest import STEPS
from tests.packaging.conftest import PACKAGING, ROOT

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(1200)]

BUNDLE = ROOT / "dist" / "station"
EXE = BUNDLE / ("station-console.exe" if sys.platform == "win32" else "station")


@pytest.fixture(scope="module")
def build_info() -> dict[str, object]:
    if not (os.environ.get("STATION_BUNDLE_REUSE") == "1" and EXE.is_file()):
        result = subprocess.run(
            [sys.executable, str(ROOT / "packaging" / "build")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1100,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    info: dict[str, object] = json.loads((ROOT / "dist" / "build-info.json").read_text(encoding="utf-8"))
    return info


def run_bundle(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env)
    environ.pop("STATION_SELFTEST_STEPS", None)
    return subprocess.run(
        [str(EXE), *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_bundle_self_test_passes(build_info: dict[str, object]) -> None:
    result = run_bundle("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in STEPS:
        assert f"ok   {name}" in result.stdout, name
    assert f"station {station.__version__} self-test (bundle," in result.stdout
    assert str(BUNDLE) in result.stdout  # resources were loaded from the bundle, not the checkout


def test_bundle_reports_its_version(build_info: dict[str, object]) -> None:
    result = run_bundle("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"station {station.__version__}"


def test_bundle_leaves_out_what_the_station_does_not_use(build_info: dict[str, object]) -> None:
    internal = BUNDLE / "_internal"
    assert not (internal / "resources" / "screenshots").exists()
    assert not list(internal.glob("PySide6/Qt/translations/*.qm"))
    used = {"QtCore", "QtGui", "QtWidgets"}
    for path in (ROOT / "station").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    bundled = {p.name.split(".")[0] for p in internal.glob("PySide6/Qt*.*") if p.suffix in (".so", ".pyd")}
    assert bundled <= used, f"Qt modules the station does not import: {sorted(bundled - used)}"
    assert not list(internal.glob("PySide6/Qt/plugins/imageformats/*"))
    for name in ("tkinter", "pytest", "hypothesis", "tests"):
        assert not (internal / name).exists(), name
    assert build_info["within_budget"] is True


def test_archive_holds_the_bundle(build_info: dict[str, object]) -> None:
    archive = ROOT / str(build_info["archive"])
    tag = build_info["platform"]
    assert archive.name.startswith(f"station-{station.__version__}-{tag}.")
    if archive.suffix == ".gz":
        with tarfile.open(archive) as tf:
            names = set(tf.getnames())
        assert {"station/station", "station/install.sh", "station/station.desktop"} <= names
        models = "station/_internal/resources/models/"
        assert {
            f"{models}face_detection_full_range.tflite",
            f"{models}face_detection_short_range.tflite",
            f"{models}LICENSE-Apache-2.0.txt",
        } <= names
        assert not any("haarcascade" in name for name in names)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux launcher")
def test_launcher_installs_and_points_at_the_bundle(build_info: dict[str, object], tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    subprocess.run([str(BUNDLE / "install.sh")], env=env, check=True, capture_output=True)
    desktop = tmp_path / "applications" / "station.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert f"TryExec={EXE.resolve()}\n" in text
    validator = shutil.which("desktop-file-validate")
    if validator:
        subprocess.run([validator, str(desktop)], check=True)


# ------------------------------------------------------------------------ SBOM, notices, checksums


def sbom(build_info: dict[str, object]) -> dict[str, object]:
    data: dict[str, object] = json.loads((ROOT / str(build_info["sbom"])).read_text(encoding="utf-8"))
    return data


def sbom_components(document: dict[str, object]) -> list[dict[str, object]]:
    metadata = document["metadata"]
    assert isinstance(metadata, dict)
    components = document["components"]
    assert isinstance(components, list)
    return [metadata["component"], *components]


def _files_in(component: dict[str, object]) -> dict[str, str]:
    nested = component.get("components", [])
    assert isinstance(nested, list)
    return {f["name"]: f["hashes"][0]["content"] for f in nested if f["type"] == "file"}


def _property(component: dict[str, object], name: str) -> str:
    properties = component.get("properties", [])
    assert isinstance(properties, list)
    return next((p["value"] for p in properties if p["name"] == name), "")


def test_sbom_is_valid_cyclonedx(build_info: dict[str, object]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = (ROOT / str(build_info["sbom"])).read_text(encoding="utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    assert document["specVersion"] == "1.6"
    assert str(build_info["sbom"]).startswith(
        str(build_info["archive"]).removesuffix(".tar.gz").removesuffix(".zip")
    )


def test_sbom_lists_exactly_the_files_in_the_bundle_with_their_hashes(build_info: dict[str, object]) -> None:
    listed: dict[str, str] = {}
    for component in sbom_components(sbom(build_info)):
        files = _files_in(component)
        assert not set(files) & set(listed), f"files listed twice: {set(files) & set(listed)}"
        listed.update(files)
    on_disk = {
        p.relative_to(BUNDLE).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in BUNDLE.rglob("*")
        if p.is_file() and not p.is_symlink()
    }
    assert sorted(set(on_disk) - set(listed)) == [], "in the bundle, not in the SBOM"
    assert sorted(set(listed) - set(on_disk)) == [], "in the SBOM, not in the bundle"
    assert listed == on_disk


def test_sbom_names_every_distribution_whose_modules_are_in_the_executable(
    build_info: dict[str, object],
) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    reader = CArchiveReader(str(EXE))
    pyz = next(name for name, entry in reader.toc.items() if entry[-1] == "z")
    archived = set(reader.open_embedded_archive(pyz).toc)
    claimed: dict[str, str] = {}
    for component in sbom_components(sbom(build_info)):
        for module in _property(component, "station:archived-modules").split():
            claimed[module] = str(component["bom-ref"])
    assert archived - set(claimed) == set(), "modules in the executable the SBOM does not attribute"
    assert claimed["httpx"] == "pypi:httpx" and claimed["station.cli"] == "station"
    assert claimed["PySide6"] == "pypi:pyside6-essentials"
    assert claimed["json"] == "runtime:cpython"


def test_every_locked_runtime_package_in_the_bundle_has_its_locked_version(
    build_info: dict[str, object],
) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        from lockfile import locked_here  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(PACKAGING))
    locked = locked_here(PACKAGING / "lock" / "runtime.txt")
    pypi = {
        str(c["name"]).lower().replace("_", "-").replace(".", "-"): str(c["version"])
        for c in sbom_components(sbom(build_info))
        if str(c.get("purl", "")).startswith("pkg:pypi/") and c["bom-ref"] != "pypi:pyinstaller-bootloader"
    }
    assert pypi, "no Python packages in the SBOM"
    for name, version in pypi.items():
        assert locked.get(name) == version, f"{name} {version} in the bundle, {locked.get(name)} locked"
    assert {"pyside6-essentials", "opencv-python-headless", "numpy", "httpx"} <= set(pypi)


def test_no_gpl_only_component_ships(build_info: dict[str, object]) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        from release import spdx
    finally:
        sys.path.remove(str(PACKAGING))
    for component in sbom_components(sbom(build_info)):
        licences = component.get("licenses", [])
        assert isinstance(licences, list) and licences, component["name"]
        expression = licences[0].get("expression") or "LicenseRef-" + licences[0]["license"]["name"]
        assert not spdx.needs_gpl(expression), f"{component['name']}: {expression}"
    assert not list((BUNDLE / "_internal").rglob("libreadline*"))
    assert not list((BUNDLE / "_internal").rglob("readline.*"))


def test_notices_name_every_component_and_native_library(build_info: dict[str, object]) -> None:
    notices = (BUNDLE / NOTICES_NAME).read_text(encoding="utf-8")
    for component in sbom_components(sbom(build_info))[1:]:
        assert f"{component['name']} {component['version']}" in notices, component["name"]
    for native in ("Qt 6.", "FFmpeg", "OpenSSL 1.1", "ICU", "OpenBLAS", "PDFium", "libjpeg-turbo", "CPython"):
        assert native in notices, native
    # Full texts, not just names: the LGPL-3.0 and the PSF licence as written.
    assert "GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007" in notices
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in notices
    assert "Mozilla Public License Version 2.0" in notices  # certifi
    assert "LGPL COMPONENTS: DYNAMIC LINKING, RELINKING AND SOURCES" in notices
    # Every LGPL library is a separate file, named in the notices so it can be replaced.
    for component in sbom_components(sbom(build_info)):
        if _property(component, "station:lgpl-dynamically-linked") == "true":
            for path in _files_in(component):
                if path.endswith((".so", ".dll")) or ".so." in path:
                    assert path in notices, path


def test_checksums_cover_the_archive_and_the_sbom(build_info: dict[str, object]) -> None:
    sums = (ROOT / "dist" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    names = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums}
    archive = ROOT / str(build_info["archive"])
    sbom_path = ROOT / str(build_info["sbom"])
    assert set(names) == {archive.name, sbom_path.name}
    for path in (archive, sbom_path):
        assert names[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_archive_entries_are_normalized(build_info: dict[str, object]) -> None:
    archive = ROOT / str(build_info["archive"])
    if archive.suffix != ".gz":
        pytest.skip("the Linux archive")
    epoch = int(str(build_info["source_date_epoch"]))
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", epoch)}
    assert f"station/{NOTICES_NAME}" in names
    assert build_info["archive_within_budget"] is True


def test_the_face_models_are_a_component_of_their_own(build_info: dict[str, object]) -> None:
    """Issue 26: the vendored BlazeFace models in the SBOM (a machine-learning model, Apache-2.0,
    with the hashes the station checks at load) and in the notices with both licence texts."""
    from station.vision.faces import MODELS

    models = next(c for c in sbom_components(sbom(build_info)) if c["bom-ref"] == "model:mediapipe-blazeface")
    assert models["type"] == "machine-learning-model"
    assert "Apache-2.0" in json.dumps(models["licenses"])
    files = _files_in(models)
    for model in MODELS.values():
        assert files[f"_internal/resources/models/{model.name}"] == model.sha256
    notices = (BUNDLE / NOTICES_NAME).read_text(encoding="utf-8")
    assert "MediaPipe BlazeFace" in notices
    assert "Apache License\n                           Version 2.0, January 2004" in notices
    assert "Copyright © 2021,2024 Patrick Levin" in notices


def _in_private_machine_folders(script: str, *, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a private mount namespace whose ``/etc/opt``, ``/var/lib`` and ``/run``
    are empty tmpfs: the installed program sees machine folders of its own (and a runtime folder for
    the station service's socket) and the real ones stay untouched."""
    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env)
    setup = (
        "mount -t tmpfs tmpfs /etc/opt && mount -t tmpfs tmpfs /var/lib && mount -t tmpfs tmpfs /run && "
        "mkdir -p /etc/opt/station /run/station"
    )
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", f"{setup} && {script}"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


needs_root = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="a private mount namespace needs root and unshare (CI runs as root)",
)


@needs_root
def test_the_installed_bundle_is_production_without_policy_and_removing_policy_lets_nothing_through(
    build_info: dict[str, object], tmp_path: Path
) -> None:
    """Issue 22, failure 5, from outside: the real bundle, with the machine folders its own."""
    from station.emulator import Emulator
    from station.resources import sample_path

    face = shlex.quote(str(sample_path("face.jpg")))
    exe = shlex.quote(str(EXE))
    with Emulator(token="bundle-token", scenario="live") as emulator:
        policy = json.dumps({"environment": "sandbox", "base_url": emulator.base_url})
        env = {
            # The operator's variable is never read on an installed station: the service's token is.
            "SUREPASS_SANDBOX_TOKEN": "the-operators-own-token",
            # An installed program ignores these: its folders are the OS's.
            "STATION_MACHINE_CONFIG_DIR": str(tmp_path / "operator-config"),
            "STATION_MACHINE_DATA_DIR": str(tmp_path / "operator-data"),
        }
        sandbox = _in_private_machine_folders(
            "mkdir -p /etc/opt/station/policies/managed && chmod 755 /etc/opt/station/policies "
            "/etc/opt/station/policies/managed && "
            f"printf '%s' {shlex.quote(policy)} > /etc/opt/station/policies/managed/10-bank.json && "
            # An installed Linux station: IT enrols the service's token; the service verifies.
            f"printf 'bundle-token\\n' | {exe} token set --env sandbox; "
            f"{exe} service run & svc=$!; "
            "timeout 120 sh -c 'until [ -S /run/station/station.sock ]; do sleep 0.05; done'; "
            f"{exe} verify --json {face}; echo rc=$?; "
            "rm /etc/opt/station/policies/managed/10-bank.json; "
            f"{exe} verify {face} --threshold 0.3; echo rc=$?; "
            f"{exe} verify {face} --base-url {shlex.quote(emulator.base_url)}; echo rc=$?; "
            "kill $svc; wait $svc",
            env=env,
        )
        answered = emulator.requests_received
    out = sandbox.stdout + sandbox.stderr
    assert sandbox.stdout.count("rc=") == 3, out
    first, second, third = (line for line in sandbox.stdout.splitlines() if line.startswith("rc="))
    assert first == "rc=0", out  # a sandbox station keeps command-line verification
    assert '"outcome": "LIVE"' in sandbox.stdout
    assert (second, third) == ("rc=64", "rc=64"), out
    assert "--threshold (not on a production station): refused" in sandbox.stderr
    assert "--base-url (not on a production station): refused" in sandbox.stderr
    assert answered == 1  # only the sandbox station's one verification reached the service
    assert not (tmp_path / "operator-config").exists() and not (tmp_path / "operator-data").exists()


def test_the_bundle_runs_under_the_kernels_write_xor_execute_rule(build_info: dict[str, object]) -> None:
    """MemoryDenyWriteExecute=yes stays only if the bundle (PyInstaller, numpy, OpenCV's dnn,
    offscreen Qt) runs with it. Without systemd here, the kernel's own rule stands in: prctl
    PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN), kept across exec, refuses what the unit's filter does."""
    libc = ctypes.CDLL(None, use_errno=True)
    # PR_GET_MDWE: Linux 6.3 and later (this machine's kernel and CI's have it).
    assert libc.prctl(66, 0, 0, 0, 0) >= 0, "this kernel has no PR_SET_MDWE"
    code = (
        "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True); "
        "assert libc.prctl(65, 1, 0, 0, 0) == 0, ctypes.get_errno(); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    probe = (
        "import ctypes, mmap, os, sys; libc = ctypes.CDLL(None); print(libc.prctl(66, 0, 0, 0, 0)); "
        "mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
    )
    refused = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert refused.stdout.strip() == "1" and "PermissionError" in refused.stderr, refused.stderr
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code, str(EXE), "--self-test"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0 and "self-test passed" in done.stdout, done.stdout + done.stderr
