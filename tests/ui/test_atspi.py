"""Issue 28: the real station, read through the real accessibility bus, as a screen reader would.

A private session bus (``dbus-daemon``), the AT-SPI bus launcher and registry (Debian's
``at-spi2-core``), a real X server (Xvfb) and the real station (``python -m station --demo
--scenario spoof``) with Qt's AT-SPI bridge on; the client (``tests/ui/atspi_client.py``, pyatspi in
the system Python) reads the tree, walks the focus with Tab and presses Space, and the test checks:

* the verdict region is named and described, every control has a role and a name;
* Space on a spoof raises an AT-SPI ``object:announcement`` event from the verdict region, with
  the verdict's text, assertive (Qt 6.11's bridge forwards ``QAccessibleAnnouncementEvent``);
* Tab visits the controls in the order they are on the screen (the picture, then the side column
  from top to bottom).

Nothing here is mocked. Every wait is on a condition, an event or a process's output, bounded by a
deadline far from what it guards. The station's folders are the test run's own (tests/conftest.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# packaging/ is not a package: load the module that knows (and installs) the Debian packages.
_spec = importlib.util.spec_from_file_location("system_packages", ROOT / "packaging" / "system_packages.py")
assert _spec is not None and _spec.loader is not None
_system_packages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_system_packages)
CLIENT = Path(__file__).with_name("atspi_client.py")
APP_NAME = "Station"
TITLE_PART = "face liveness verification"
ATSPI_PACKAGES: tuple[str, ...] = _system_packages.ATSPI_PACKAGES
ASSERTIVE = 2  # AT-SPI's live-region politeness in an announcement's detail1 (1 polite, 2 assertive)


def _need_packages() -> None:
    missing = _system_packages.missing_atspi()
    if missing:
        message = (
            f"needs the Debian packages {' '.join(missing)}: apt-get install {' '.join(ATSPI_PACKAGES)}"
            " (python3 packaging/dev.py test does it as root)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="module")
def atspi_reading(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The client's JSON, from one run of the whole chain."""
    if not sys.platform.startswith("linux"):
        pytest.skip("AT-SPI is the Linux accessibility bus")
    _need_packages()
    folder = tmp_path_factory.mktemp("atspi")
    started: list[subprocess.Popen[Any]] = []
    logs = {name: (folder / f"{name}.log").open("w") for name in ("dbus", "launcher", "xvfb", "station")}
    try:
        # A private session bus: its address on its first line of output, once it listens.
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=logs["dbus"],
            text=True,
        )
        started.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), address
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, HOME=str(folder))
        env.pop("DISPLAY", None)
        # The AT-SPI bus launcher (it starts the accessibility bus and the registry), in its own
        # process group so the children it starts end with it.
        launcher = subprocess.Popen(
            [_system_packages.ATSPI_BUS_LAUNCHER, "--launch-immediately"],
            env=env,
            stdout=logs["launcher"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(launcher)
        subprocess.run(
            ["gdbus", "wait", "--session", "--timeout", "60", "org.a11y.Bus"], env=env, check=True, timeout=90
        )
        # A real X server on the first free display; it writes the display's number once ready.
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
            stdout=subprocess.PIPE,
            stderr=logs["xvfb"],
            text=True,
        )
        started.append(xvfb)
        assert xvfb.stdout is not None
        display = xvfb.stdout.readline().strip()
        assert display.isdigit(), display
        env.update(DISPLAY=f":{display}", QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
        station = subprocess.Popen(
            [sys.executable, "-m", "station", "--demo", "--scenario", "spoof"],
            cwd=ROOT,
            env=env,
            stdout=logs["station"],
            stderr=subprocess.STDOUT,
        )
        started.append(station)
        client = subprocess.run(
            [_system_packages.SYSTEM_PYTHON, str(CLIENT), APP_NAME, TITLE_PART],
            env={k: v for k, v in env.items() if not k.startswith("PYTHON")},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert station.poll() is None, (folder / "station.log").read_text()
        assert client.stdout.strip(), client.stderr
        reading: dict[str, Any] = json.loads(client.stdout.strip().splitlines()[-1])
        assert "error" not in reading, (reading["error"], client.stderr[-2000:])
        yield reading
    finally:
        for process in reversed(started):
            if process is started[1]:  # the launcher's group: the bus and registry it started
                if process.poll() is None:
                    os.killpg(process.pid, 15)
                process.wait(timeout=20)
            else:
                _stop(process)
        for log in logs.values():
            log.close()


def _named(tree: list[dict[str, Any]], role: str, name: str) -> dict[str, Any]:
    found = [n for n in tree if n["role"] == role and n["name"] == name]
    assert found, f"no {role} named {name!r} in {[(n['role'], n['name']) for n in tree]}"
    return found[0]


def test_the_verdict_region_is_named_and_described(atspi_reading: dict[str, Any]) -> None:
    tree = atspi_reading["tree"]
    verdict = _named(tree, "panel", "Verdict")
    assert verdict["description"].startswith("Ready."), verdict
    for part in ("Verdict word", "Action line"):
        assert _named(tree, "label", part)["description"], part
    after = _named(atspi_reading["after"], "panel", "Verdict")
    assert after["description"].startswith("Verdict: SPOOF. "), after


def test_controls_have_roles_and_names(atspi_reading: dict[str, Any]) -> None:
    tree = atspi_reading["tree"]
    for role, name in (
        ("push button", "Capture"),
        ("push button", "Next customer"),
        ("push button", "Cancel verification"),
        ("text", "Customer reference"),
        ("filler", "Station health"),
        ("label", "Camera health"),
        ("table", "Recent attempts"),
        ("filler", "Camera preview"),
    ):
        _named(tree, role, name)
    health = _named(tree, "label", "Service health")
    assert health["description"].startswith("Service: "), health
    assert any(level in health["description"] for level in ("good", "warning", "bad")), health


def test_space_on_a_spoof_is_announced_with_the_verdict(atspi_reading: dict[str, Any]) -> None:
    events = atspi_reading["events"]
    announcements = [e for e in events if e["type"] == "object:announcement"]
    verdicts = [e for e in announcements if "SPOOF" in (e["text"] or "")]
    assert len(verdicts) == 1, announcements  # once
    (verdict,) = verdicts
    assert verdict["source"] == "Verdict" and verdict["role"] == "panel"
    assert verdict["text"].startswith("Verdict: SPOOF. Liveness not confirmed.")
    assert verdict["detail1"] == ASSERTIVE
    # The region's description changed to the same words (a reader without announcements).
    assert any(
        e["type"] == "object:property-change:accessible-description" and e["text"] == verdict["text"]
        for e in events
    )


def test_tab_follows_the_screen(atspi_reading: dict[str, Any]) -> None:
    """The picture on the left first, then the side column from top to bottom; every stop named."""
    focus = atspi_reading["focus"]
    assert len(focus) >= 3, focus
    assert focus[0]["name"] == "Camera preview", focus
    assert all(stop["name"] for stop in focus), [(s["role"], s["name"]) for s in focus]
    preview_right = focus[0]["extents"][0] + focus[0]["extents"][2]

    def reading_order(stop: dict[str, Any]) -> tuple[bool, int, int]:
        x, y, _w, _h = stop["extents"]
        return (x >= preview_right, y, x)

    assert focus == sorted(focus, key=reading_order), [(s["name"], s["extents"]) for s in focus]
    assert "Customer reference" in [stop["name"] for stop in focus]
