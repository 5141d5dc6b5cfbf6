"""What the package metadata does not say: the native libraries inside wheels, and licences.

Wheel metadata names one licence per distribution, but opencv-python-headless carries FFmpeg,
OpenSSL 1.1 and a dozen codecs, numpy carries OpenBLAS and the GCC runtime, PySide6 carries Qt
and ICU, and the bundle also picks up shared libraries from the build machine (Debian packages
on Linux). Each of those is a component of its own in the SBOM and the notices; this table says
which files belong to which, under which licence (SPDX), where the full text comes from, and
where its source is. A native library the build finds and this table does not know stops the
build (``inventory.UnknownComponentError``): add it here after reading its licence.

Text sources: ``dist:NAME:PATH`` is a file in that distribution's ``.dist-info`` folder;
``repo:PATH`` is a file committed under ``packaging/licences/`` (for wheels that ship no text,
such as PySide6).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NativeLibrary:
    """A library inside a wheel: matched by a regular expression on its bundle path."""

    name: str
    pattern: str  # re.search on the path relative to the bundle's _internal folder, "/" separators
    licence: str  # SPDX expression
    texts: tuple[str, ...]
    source: str
    dist: str  # the distribution that carries it (normalized name); "" for any
    # A regex group on the file name gives the version; else, if same_version, the carrying
    # wheel's version is the library's (PySide6 6.11.3 carries Qt 6.11.3); else the version is
    # named after the wheel ("opencv-python-headless-4.14.0.94"), which is all that is known.
    version_from: str = ""
    same_version: bool = False
    lgpl: bool = False  # dynamically linked LGPL code: the relinking notes apply
    note: str = ""


QT_SOURCE = "https://download.qt.io/official_releases/qt/ (the submodules of the same version)"
OPENCV_3RD = "dist:opencv-python-headless:LICENSE-3RD-PARTY.txt"
OPENCV_SOURCE = (
    "https://github.com/opencv/opencv-python (tag of the wheel's version; build scripts and patches)"
)
NUMPY_LICENCE = "dist:numpy:licenses/LICENSE.txt"

NATIVE_LIBRARIES: tuple[NativeLibrary, ...] = (
    NativeLibrary(
        "Microsoft Visual C++ runtime",
        r"(^|/)(msvcp|vcruntime|concrt|vccorlib)\d+[^/]*\.dll$|(^|/)ucrtbase\.dll$",
        "LicenseRef-Microsoft-Visual-Cpp-Redistributable",
        (),
        "https://learn.microsoft.com/cpp/windows/redistributing-visual-cpp-files",
        "",  # shipped by the Python installation and by PySide6's wheel alike
        note="redistributable files of Visual Studio, under its licence terms (Windows only)",
    ),
    NativeLibrary(
        "ICU",
        r"(^|/)(lib)?icu(data|i18n|uc|dt|in)[^/]*$",
        "Unicode-DFS-2016 AND ICU",
        ("repo:ICU.txt",),
        "https://github.com/unicode-org/icu/releases",
        "pyside6-essentials",
        version_from=r"\.so\.(\d+)|icu\w+?(\d+)\.dll",
    ),
    NativeLibrary(
        "Qt",
        r"^PySide6/(Qt/lib/libQt6|Qt6|Qt/plugins/|plugins/)",
        "LGPL-3.0-only",
        ("repo:LGPL-3.0.txt", "repo:GPL-3.0.txt"),
        QT_SOURCE,
        "pyside6-essentials",
        same_version=True,
        lgpl=True,
        note="Qt's own third-party attributions: https://doc.qt.io/qt-6/licenses-used-in-qt.html",
    ),
    NativeLibrary(
        "FFmpeg",
        r"^opencv_python_headless\.libs/lib(avcodec|avformat|avutil|swscale|swresample)-|opencv_videoio_ffmpeg",
        "LGPL-2.1-or-later",
        ("repo:LGPL-2.1.txt", OPENCV_3RD),
        "https://ffmpeg.org/releases/ (built by " + OPENCV_SOURCE + ")",
        "opencv-python-headless",
        lgpl=True,
    ),
    NativeLibrary(
        "OpenSSL 1.1 (inside OpenCV's FFmpeg)",
        r"^opencv_python_headless\.libs/lib(crypto|ssl)-",
        "OpenSSL",
        (OPENCV_3RD,),
        "https://www.openssl.org/source/old/1.1.1/",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+\w*)$",
    ),
    NativeLibrary(
        "AOM AV1 codec",
        r"^opencv_python_headless\.libs/libaom-",
        "BSD-2-Clause",
        (OPENCV_3RD,),
        "https://aomedia.googlesource.com/aom/",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libavif",
        r"^opencv_python_headless\.libs/libavif-",
        "BSD-2-Clause",
        (OPENCV_3RD,),
        "https://github.com/AOMediaCodec/libavif",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "dav1d",
        r"^opencv_python_headless\.libs/libdav1d-",
        "BSD-2-Clause",
        (OPENCV_3RD,),
        "https://code.videolan.org/videolan/dav1d",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libvpx",
        r"^opencv_python_headless\.libs/libvpx-",
        "BSD-3-Clause",
        (OPENCV_3RD,),
        "https://chromium.googlesource.com/webm/libvpx",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libdrm",
        r"^opencv_python_headless\.libs/libdrm-",
        "MIT",
        (OPENCV_3RD,),
        "https://gitlab.freedesktop.org/mesa/drm",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libpng (OpenCV)",
        r"^opencv_python_headless\.libs/libpng16-",
        "Libpng",
        (OPENCV_3RD,),
        "http://www.libpng.org/pub/png/libpng.html",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "OpenBLAS (OpenCV)",
        r"^opencv_python_headless\.libs/libopenblas",
        "BSD-3-Clause",
        (OPENCV_3RD,),
        "https://github.com/OpenMathLib/OpenBLAS",
        "opencv-python-headless",
        version_from=r"r0-\w+\.(\d+\.\d+\.\d+)\.so$",
    ),
    NativeLibrary(
        "GCC Fortran runtime (OpenCV)",
        r"^opencv_python_headless\.libs/libgfortran-",
        "GPL-3.0-or-later WITH GCC-exception-3.1",
        (NUMPY_LICENCE,),
        "https://gcc.gnu.org/",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libquadmath (OpenCV)",
        r"^opencv_python_headless\.libs/libquadmath-",
        "LGPL-2.1-or-later",
        ("repo:LGPL-2.1.txt",),
        "https://gcc.gnu.org/",
        "opencv-python-headless",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
        lgpl=True,
    ),
    NativeLibrary(
        "OpenCV libraries statically linked in cv2 (libjpeg-turbo, libwebp, libtiff, OpenJPEG, zlib, "
        "protobuf, …)",
        r"^cv2/cv2[^/]*\.(so|pyd)$",
        "Apache-2.0 AND IJG AND BSD-3-Clause AND Zlib AND libtiff AND BSD-2-Clause",
        ("dist:opencv-python-headless:LICENSE.txt", OPENCV_3RD),
        OPENCV_SOURCE,
        "opencv-python-headless",
        same_version=True,
    ),
    NativeLibrary(
        "OpenBLAS (NumPy)",
        r"^numpy\.libs/lib(scipy_)?openblas",
        "BSD-3-Clause",
        (NUMPY_LICENCE,),
        "https://github.com/OpenMathLib/OpenBLAS",
        "numpy",
    ),
    NativeLibrary(
        "GCC Fortran runtime (NumPy)",
        r"^numpy\.libs/libgfortran-",
        "GPL-3.0-or-later WITH GCC-exception-3.1",
        (NUMPY_LICENCE,),
        "https://gcc.gnu.org/",
        "numpy",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
    ),
    NativeLibrary(
        "libquadmath (NumPy)",
        r"^numpy\.libs/libquadmath-",
        "LGPL-2.1-or-later",
        ("repo:LGPL-2.1.txt", NUMPY_LICENCE),
        "https://gcc.gnu.org/",
        "numpy",
        version_from=r"\.so\.(\d+\.\d+\.\d+)$",
        lgpl=True,
    ),
    NativeLibrary(
        "PDFium",
        r"^pypdfium2_raw/(lib)?pdfium",
        "BSD-3-Clause AND Apache-2.0",
        (
            "dist:pypdfium2:licenses/BUILD_LICENSES/pdfium.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/freetype.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/icu.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/lcms.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/libjpeg_turbo.md",
            "dist:pypdfium2:licenses/BUILD_LICENSES/libopenjpeg.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/libpng.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/libtiff.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/zlib.txt",
            "dist:pypdfium2:licenses/BUILD_LICENSES/pdfium-binaries.txt",
        ),
        "https://pdfium.googlesource.com/pdfium/ (binaries: https://github.com/bblanchon/pdfium-binaries)",
        "pypdfium2",
    ),
)

QT_CHOICE = "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"
QT_TEXTS = ("repo:LGPL-3.0.txt", "repo:GPL-3.0.txt")
# Distributions whose wheels ship no licence text (or whose metadata names no SPDX licence).
DIST_LICENCE_OVERRIDES: dict[str, tuple[str, tuple[str, ...]]] = {
    # Both are offered under LGPL-3.0 or GPL; the station takes LGPL-3.0 (spdx.chosen).
    "pyside6-essentials": (
        "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
        ("repo:LGPL-3.0.txt", "repo:GPL-3.0.txt"),
    ),
    "shiboken6": ("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only", ("repo:LGPL-3.0.txt", "repo:GPL-3.0.txt")),
    "opencv-python-headless": ("Apache-2.0", ("dist:opencv-python-headless:LICENSE.txt",)),
    "pypdfium2": ("BSD-3-Clause OR Apache-2.0", ()),
}
# Distributions whose dynamically loaded parts are LGPL (relinking notes apply).
LGPL_DISTS = frozenset({"pyside6-essentials", "shiboken6"})


@dataclass(frozen=True)
class SystemPackage:
    """A Debian package whose shared library the bundle carries (the build machine's, on Linux)."""

    licence: str
    lgpl: bool = False
    note: str = ""


_X11 = SystemPackage("X11")
_MIT = SystemPackage("MIT")
_LGPL21 = SystemPackage("LGPL-2.1-or-later", lgpl=True)
_GCC = SystemPackage("GPL-3.0-or-later WITH GCC-exception-3.1")
_KRB5 = SystemPackage("MIT")

DEBIAN_PACKAGES: dict[str, SystemPackage] = {
    # Kept out of the bundle (station.spec excludes readline): GPL-3.0, the station never uses it.
    "libreadline8": SystemPackage("GPL-3.0-or-later"),
    "libtinfo6": _X11,
    "libncursesw6": _X11,
    "libgcrypt20": _LGPL21,
    "libgpg-error0": _LGPL21,
    "libsystemd0": _LGPL21,
    "libglib2.0-0": _LGPL21,
    "libmount1": _LGPL21,
    "libblkid1": _LGPL21,
    "libkeyutils1": _LGPL21,
    "libselinux1": SystemPackage("LicenseRef-public-domain"),
    "libcap2": SystemPackage("BSD-3-Clause OR GPL-2.0-only"),
    "libdbus-1-3": SystemPackage("AFL-2.1 OR GPL-2.0-or-later"),
    "libpcre2-8-0": SystemPackage("BSD-3-Clause"),
    "libfreetype6": SystemPackage("FTL OR GPL-2.0-or-later"),
    "libfontconfig1": SystemPackage("HPND-sell-variant"),
    "libpng16-16": SystemPackage("Libpng"),
    "zlib1g": SystemPackage("Zlib"),
    "libzstd1": SystemPackage("BSD-3-Clause OR GPL-2.0-only"),
    "liblz4-1": SystemPackage("BSD-2-Clause"),
    "liblzma5": SystemPackage("LicenseRef-public-domain"),
    "libbz2-1.0": SystemPackage("bzip2-1.0.6"),
    "libexpat1": _MIT,
    "libffi8": _MIT,
    "libsqlite3-0": SystemPackage("blessing"),
    "libssl3": SystemPackage("Apache-2.0"),
    "libuuid1": SystemPackage("BSD-3-Clause"),
    "libx11-6": _X11,
    "libx11-xcb1": _X11,
    "libxau6": _MIT,
    "libxdmcp6": _MIT,
    "libxcb1": _X11,
    "libxcb-cursor0": _X11,
    "libxcb-glx0": _X11,
    "libxcb-image0": _X11,
    "libxcb-randr0": _X11,
    "libxcb-render-util0": _X11,
    "libxcb-render0": _X11,
    "libxcb-shape0": _X11,
    "libxcb-shm0": _X11,
    "libxcb-sync1": _X11,
    "libxcb-util1": _X11,
    "libxcb-xfixes0": _X11,
    "libxcb-xkb1": _X11,
    "libxcb-icccm4": _X11,
    "libxcb-keysyms1": _X11,
    "libxkbcommon0": _MIT,
    "libxkbcommon-x11-0": _MIT,
    "libbrotli1": _MIT,
    "libbsd0": SystemPackage("BSD-3-Clause AND ISC AND MIT"),
    "libmd0": SystemPackage("BSD-3-Clause AND BSD-2-Clause AND ISC"),
    "libkrb5-3": _KRB5,
    "libk5crypto3": _KRB5,
    "libkrb5support0": _KRB5,
    "libgssapi-krb5-2": _KRB5,
    "libcom-err2": _MIT,
    "libstdc++6": _GCC,
    "libgcc-s1": _GCC,
}


@dataclass(frozen=True)
class Runtime:
    """The Python runtime the bundle carries (libpython, lib-dynload, base_library.zip, stdlib)."""

    name: str = "CPython"
    licence: str = "PSF-2.0"
    source: str = "https://www.python.org/downloads/source/"
    extra: dict[str, str] = field(default_factory=dict)


PYINSTALLER_BOOTLOADER_LICENCE = "GPL-2.0-or-later WITH Bootloader-exception"
PYINSTALLER_SOURCE = "https://github.com/pyinstaller/pyinstaller"
