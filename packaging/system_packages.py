#!/usr/bin/env python3
"""Operating-system packages some tests need, installed when missing and the machine allows it.

The fleet-shipping tests ship to a real rsyslog over TLS (Debian ``rsyslog`` and
``rsyslog-gnutls``) and over RELP with TLS (``rsyslog-relp``); the station service's unit is
checked with ``systemd-analyze`` (Debian ``systemd``). The accessibility tests read the real
station's accessible tree through AT-SPI: a private session bus (``dbus-daemon``), the AT-SPI bus
launcher and registry (``at-spi2-core``), the client (``python3-pyatspi``, with
``gir1.2-atspi-2.0`` and ``python3-gi``, for the system ``/usr/bin/python3``), a real X server
(``xvfb``) and real key presses (``xdotool``); the station's own window on that X server (the
AT-SPI tests, the Xvfb idle benchmark, the screenshots) needs the X11 libraries Qt's ``xcb``
platform plugin loads (:data:`QT_XCB_LIBRARIES`), which a minimal Debian lacks two of
(``libxcb-icccm4``, ``libxcb-keysyms1``). ``packaging/dev.py test`` calls
:func:`ensure` first: as root on a Debian or Ubuntu machine (CI, a developer's container) it runs
``apt-get install -y`` non-interactively, and ``apt-get update`` first if that fails; anywhere
else it installs nothing, and the tests that need the packages are skipped with a message naming
them (under ``CI=true`` they fail instead, so CI never passes by skipping them).

    python3 packaging/system_packages.py          # install what is missing, say what is still missing
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import shutil
import subprocess
import sys

__all__ = [
    "ATSPI_BUS_LAUNCHER",
    "ATSPI_PACKAGES",
    "QT_XCB_LIBRARIES",
    "RSYSLOG_PACKAGES",
    "SYSTEM_PYTHON",
    "ensure",
    "missing_atspi",
    "missing_packages",
    "missing_qt_xcb",
    "missing_rsyslog",
    "rsyslogd_path",
]

RSYSLOG_PACKAGES = ("rsyslog", "rsyslog-gnutls", "rsyslog-relp")
ATSPI_PACKAGES = (
    "dbus-daemon",
    "at-spi2-core",
    "gir1.2-atspi-2.0",
    "python3-gi",
    "python3-pyatspi",
    "xvfb",
    "xdotool",
)
#: The libraries Qt's ``xcb`` platform plugin links (``ldd libqxcb.so``; Qt's "X11 requirements"), by
#: the name the linker knows them by, and the Debian package of each.
QT_XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-shm": "libxcb-shm0",
    "xcb-sync": "libxcb-sync1",
    "xcb-xfixes": "libxcb-xfixes0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}
#: The AT-SPI bus launcher (Debian's at-spi2-core): it starts the accessibility bus and registry.
ATSPI_BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
#: pyatspi is a system package: the AT-SPI client runs in the system Python, not the venv.
SYSTEM_PYTHON = "/usr/bin/python3"
_APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "a"}


def rsyslogd_path() -> str | None:
    """The rsyslogd binary (it lives in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("rsyslogd") or next(
        (p for p in ("/usr/sbin/rsyslogd", "/sbin/rsyslogd") if os.access(p, os.X_OK)), None
    )


def _has_gtls() -> bool:
    """rsyslog's GnuTLS network stream driver (the rsyslog-gnutls package)."""
    return bool(glob.glob("/usr/lib/*/rsyslog/lmnsd_gtls.so") or glob.glob("/usr/lib/rsyslog/lmnsd_gtls.so"))


def _has_relp() -> bool:
    """rsyslog's RELP input (the rsyslog-relp package), for the acknowledged-delivery tests."""
    return bool(glob.glob("/usr/lib/*/rsyslog/imrelp.so") or glob.glob("/usr/lib/rsyslog/imrelp.so"))


def missing_rsyslog() -> list[str]:
    """The Debian packages still needed for the rsyslog tests ([] when all are there)."""
    needed = []
    if rsyslogd_path() is None:
        needed.append("rsyslog")
    if not _has_gtls():
        needed.append("rsyslog-gnutls")
    if not _has_relp():
        needed.append("rsyslog-relp")
    return needed


def _system_python_imports(module: str) -> bool:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    try:
        done = subprocess.run(
            [SYSTEM_PYTHON, "-c", f"import {module}"], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def missing_atspi() -> list[str]:
    """The Debian packages still needed for the AT-SPI accessibility tests ([] when all are there)."""
    needed = []
    if shutil.which("dbus-daemon") is None:
        needed.append("dbus-daemon")
    if not os.access(ATSPI_BUS_LAUNCHER, os.X_OK):
        needed.append("at-spi2-core")
    if not _system_python_imports("gi"):
        needed.append("python3-gi")
    if not glob.glob("/usr/lib/*/girepository-1.0/Atspi-2.0.typelib"):
        needed.append("gir1.2-atspi-2.0")
    if not _system_python_imports("pyatspi"):
        needed.append("python3-pyatspi")
    if shutil.which("Xvfb") is None:
        needed.append("xvfb")
    if shutil.which("xdotool") is None:
        needed.append("xdotool")
    return needed


def missing_qt_xcb() -> list[str]:
    """The Debian packages of the X11 libraries Qt's window on an X server still needs."""
    return [package for name, package in QT_XCB_LIBRARIES.items() if ctypes.util.find_library(name) is None]


def missing_packages() -> list[str]:
    """Every Debian package still needed by the tests: rsyslog's, systemd for ``systemd-analyze``,
    the AT-SPI accessibility tests' (:func:`missing_atspi`) and Qt's X11 libraries
    (:func:`missing_qt_xcb`)."""
    return [
        *missing_rsyslog(),
        *([] if shutil.which("systemd-analyze") else ["systemd"]),
        *missing_atspi(),
        *missing_qt_xcb(),
    ]


def _apt(*args: str) -> bool:
    cmd = ["apt-get", *args]
    print("+", " ".join(cmd), flush=True)
    env = {**os.environ, **_APT_ENV}
    try:
        done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, check=False, timeout=900)
        return done.returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"apt-get failed: {exc}", flush=True)
        return False


def ensure() -> list[str]:
    """Install the missing packages if this is a Debian-like machine and we are root.

    Returns the packages still missing afterwards (and says why on stdout).
    """
    needed = missing_packages()
    if not needed:
        return []
    can_install = sys.platform.startswith("linux") and shutil.which("apt-get") is not None
    if not can_install or os.geteuid() != 0:
        why = "not root" if can_install else "no apt-get on this machine"
        print(f"missing ({why}): {' '.join(needed)}; the tests that need them will be skipped", flush=True)
        return needed
    install = ("install", "-y", "--no-install-recommends", *needed)
    if not _apt(*install):
        _apt("update")
        _apt(*install)
    still = missing_packages()
    if still:
        print(f"could not install: {' '.join(still)}", flush=True)
    return still


if __name__ == "__main__":
    sys.exit(1 if ensure() else 0)
