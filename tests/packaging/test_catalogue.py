"""The licence catalogue behind the notices and the SBOM: every rule is usable, unknowns stop the build."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING

sys.path.insert(0, str(PACKAGING))
from release import catalogue, inventory, spdx


def test_every_licence_in_the_catalogue_is_an_spdx_expression() -> None:
    expressions = [lib.licence for lib in catalogue.NATIVE_LIBRARIES]
    expressions += [rule.licence for rule in catalogue.DEBIAN_PACKAGES.values()]
    expressions += [licence for licence, _ in catalogue.DIST_LICENCE_OVERRIDES.values()]
    for expression in expressions:
        assert spdx.alternatives(expression), expression


def test_committed_licence_texts_exist_and_are_full_texts() -> None:
    sources = {s for lib in catalogue.NATIVE_LIBRARIES for s in lib.texts}
    sources |= {s for _, texts in catalogue.DIST_LICENCE_OVERRIDES.values() for s in texts}
    for source in sorted(s for s in sources if s.startswith("repo:")):
        path = PACKAGING / "licences" / source.removeprefix("repo:")
        assert path.is_file(), source
        assert len(path.read_text(encoding="utf-8")) > 1000, source  # a licence, not a pointer to one


def test_text_sources_in_installed_wheels_resolve() -> None:
    sources = {s for lib in catalogue.NATIVE_LIBRARIES for s in lib.texts if s.startswith("dist:")}
    for source in sorted(sources):
        _title, text = inventory.resolve_text(source)
        assert text.strip(), source


def test_native_library_patterns_name_the_files_they_are_for() -> None:
    def names(path: str) -> list[str]:
        return [lib.name for lib in catalogue.NATIVE_LIBRARIES if re.search(lib.pattern, path)]

    assert names("PySide6/Qt/lib/libQt6Core.so.6") == ["Qt"]
    assert names("PySide6/Qt/plugins/platforms/libqxcb.so") == ["Qt"]
    assert names("PySide6/Qt/lib/libicuuc.so.73") == ["ICU"]
    assert names("opencv_python_headless.libs/libavcodec-57aca189.so.62.28.102") == ["FFmpeg"]
    assert names("opencv_python_headless.libs/libssl-8248cfc9.so.1.1.1k") == [
        "OpenSSL 1.1 (inside OpenCV's FFmpeg)"
    ]
    assert names("numpy.libs/libscipy_openblas64_-32a4b2a6.so") == ["OpenBLAS (NumPy)"]
    assert names("pypdfium2_raw/libpdfium.so") == ["PDFium"]
    assert names("PySide6/msvcp140.dll") == ["Microsoft Visual C++ runtime"]
    assert names("httpx/_client.py") == []


def test_readline_is_known_as_gpl_so_it_could_never_ship_unnoticed() -> None:
    assert spdx.needs_gpl(catalogue.DEBIAN_PACKAGES["libreadline8"].licence)
    allowed = {name for name, rule in catalogue.DEBIAN_PACKAGES.items() if not spdx.needs_gpl(rule.licence)}
    assert "libreadline8" not in allowed and "libstdc++6" in allowed and "libdbus-1-3" in allowed


def test_an_unknown_build_machine_library_stops_the_build() -> None:
    with pytest.raises(inventory.UnknownComponentError, match=r"libexample9.*catalogue\.py"):
        inventory._debian_component("libexample9")


def test_lgpl_native_libraries_are_marked_for_the_relinking_notes() -> None:
    lgpl = {lib.name for lib in catalogue.NATIVE_LIBRARIES if lib.lgpl}
    assert {"Qt", "FFmpeg"} <= lgpl
    for lib in catalogue.NATIVE_LIBRARIES:
        if "LGPL" in lib.licence:
            assert lib.lgpl, lib.name


@pytest.mark.parametrize("source", ["repo:NOPE.txt", "dist:numpy:licenses/NOPE", "web:x"])
def test_a_missing_text_source_is_an_error_not_an_empty_notice(source: str) -> None:
    with pytest.raises((inventory.UnknownComponentError, OSError)):
        inventory.resolve_text(source)


def test_licence_folder_holds_only_what_the_catalogue_uses() -> None:
    sources = {s for lib in catalogue.NATIVE_LIBRARIES for s in lib.texts}
    sources |= {s for _, texts in catalogue.DIST_LICENCE_OVERRIDES.values() for s in texts}
    used = {s.removeprefix("repo:") for s in sources if s.startswith("repo:")}
    shipped = {p.name for p in Path(PACKAGING / "licences").iterdir()}
    assert shipped == used
