#!/usr/bin/env python3
"""Take the README's screenshots from the real station in demo mode, in a real X window.

    python packaging/screenshots.py              # re-runs itself under xvfb-run when there is no display
    python packaging/screenshots.py --large-text # only text150-{live,spoof,review,consent}.png

Writes resources/screenshots/{live,live-result,spoof,review,retry-several-faces,consent,no-token}.png
at 1024x768, the smallest screen the station supports, and live-result-1920.png at 1920x1080 (each
the real window after a real capture against the built-in emulator; nothing is mocked),
guide-too-dark.png,
settings-policy-locked.png (the settings dialog under a real policy file), and the same station in
Hindi: hi-ready.png (the guide's instruction on the picture), hi-live.png, hi-spoof.png and
hi-consent.png (the consent notice), drawn with the bundled Noto Sans Devanagari (the screenshot
machine has no Devanagari font of its own).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "screenshots"


def _reexec_under_xvfb() -> None:
    if os.environ.get("DISPLAY") or os.environ.get("STATION_SCREENSHOT_CHILD"):
        return
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        sys.exit("no display and no xvfb-run: apt-get install xvfb xauth (see ECOSYSTEM.md)")
    env = dict(os.environ, STATION_SCREENSHOT_CHILD="1", QT_QPA_PLATFORM="xcb")
    code = subprocess.call(
        [xvfb, "-a", "-s", "-screen 0 1920x1200x24", sys.executable, __file__, *sys.argv[1:]], env=env
    )
    sys.exit(code)


async def _signal(signal: Any, within: float = 20.0) -> tuple[Any, ...]:
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def done(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(done)
    try:
        return await asyncio.wait_for(future, within)
    finally:
        signal.disconnect(done)


async def _until(predicate: Any, within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


SMALL = (1024, 768)
LARGE = (1920, 1080)


async def take_large_text(app: Any) -> None:
    """Issue 28: the station with the system's text at 150 % (as Windows' "Make text bigger" sets
    the application font) on the smallest screen: LIVE, SPOOF, REVIEW and the consent notice."""
    from station.app import StationConfig
    from station.application.consent import DEFAULT_NOTICE, ConsentNotice
    from station.core.decision import DecisionPolicy
    from station.ui import style

    OUT.mkdir(parents=True, exist_ok=True)
    larger = app.font()
    larger.setPointSizeF(style.REFERENCE_POINT_SIZE * 1.5)
    app.setFont(larger)
    print(f"text at {style.text_scale():.0%} ({larger.pointSizeF():g} pt)")
    plain = StationConfig(demo=True, demo_scenario="live")
    await _customer_shots(app, plain, SMALL, [("text150-live", "live"), ("text150-spoof", "spoof")])
    reviewed = StationConfig(demo=True, demo_scenario="live", policy=DecisionPolicy(review_upper=0.999))
    await _customer_shots(app, reviewed, SMALL, [("text150-review", "live")])
    consent = StationConfig(
        demo=True, demo_scenario="live", consent=ConsentNotice("station-2026-12", DEFAULT_NOTICE)
    )
    await _customer_shots(app, consent, SMALL, [("text150-consent", None)])


async def take(app: Any) -> None:
    from station.app import StationConfig
    from station.application.consent import DEFAULT_NOTICE, ConsentNotice
    from station.core.decision import DecisionPolicy

    OUT.mkdir(parents=True, exist_ok=True)
    plain = StationConfig(demo=True, demo_scenario="live")
    await _customer_shots(
        app,
        plain,
        SMALL,
        [
            ("live", None),
            ("live-result", "live"),
            ("spoof", "spoof"),
            ("retry-several-faces", "several_faces"),
        ],
    )
    reviewed = StationConfig(demo=True, demo_scenario="live", policy=DecisionPolicy(review_upper=0.999))
    await _customer_shots(app, reviewed, SMALL, [("review", "live")])
    await _customer_shots(app, plain, LARGE, [("live-result-1920", "live")])
    consent = StationConfig(
        demo=True, demo_scenario="live", consent=ConsentNotice("station-2026-12", DEFAULT_NOTICE)
    )
    await _customer_shots(app, consent, SMALL, [("consent", None)])
    await _no_token(app)
    await _guide_too_dark(app)
    await _settings_policy_locked(app)
    await _hindi(app)


async def _customer_shots(
    app: Any, config: Any, size: tuple[int, int], shots: list[tuple[str, str | None]]
) -> None:
    """One demo station at ``size``: for each shot, capture against ``scenario`` (None: as it is)."""
    import tempfile

    from station.app import build_station
    from station.security.lockout import PinLedger
    from station.security.people import People, PinGuard
    from station.security.pin import hash_pin

    # One supervisor, as a branch has: the trusted side then offers F9 / F10 on a REVIEW (with none
    # it says "no supervisor can settle this here", as `station --demo` on a bare machine does).
    ledger = Path(tempfile.mkdtemp(prefix="station-shots-")) / "pins.sqlite3"
    pins = PinGuard(People(None, {"sup1": hash_pin("736251")}), PinLedger(ledger))
    station = build_station(config, pins=pins)
    window = station.window
    window.set_operator("demo")  # as `station --demo` shows it
    window.resize(*size)
    station.start(maximised=False)
    assert station.emulator is not None
    try:
        await _until(lambda: window.preview.frames_painted > 20 and window.camera_is_live)
        for name, scenario in shots:
            if scenario is not None:
                window.next_customer()
                await _until(window.has_new_frame)  # a new live frame (never the judged one)
                station.emulator.set_scenario(scenario)
                for action_name, action in window.scenario_actions.items():
                    action.setChecked(action_name == scenario)
                pending = _signal(station.controller.finished)
                window.capture()
                if window.gate.objection is not None:  # the guide held it back: capture anyway
                    window.capture()
                await pending
            await asyncio.sleep(0.3)  # let the last paint reach the X server before grabbing
            _grab(app, window, name)
    finally:
        window.close()
        await station.aclose()


async def _no_token(app: Any) -> None:
    """A station with no token enrolled: never Ready, and the health strip says where to fix it."""
    import tempfile

    import keyring
    import keyring.backends.null

    from station.app import StationConfig, build_station
    from station.application.tokens import TokenStore

    os.environ.pop("SUREPASS_SANDBOX_TOKEN", None)
    keyring.set_keyring(keyring.backends.null.Keyring())  # this machine's keyring stays out of it
    with tempfile.TemporaryDirectory() as folder:
        config = StationConfig(
            camera="demo", base_url="http://127.0.0.1:9", audit_db=Path(folder) / "audit.sqlite3"
        )
        station = build_station(config, tokens=TokenStore(environ={}))
        window = station.window
        window.set_operator("op7")
        window.resize(*SMALL)
        station.start(maximised=False)
        try:
            await _until(lambda: window.preview.frames_painted > 20)
            window.capture()  # refused: says why
            await asyncio.sleep(0.5)
            _grab(app, window, "no-token")
        finally:
            window.close()
            await station.aclose()


def _grab(app: Any, window: Any, name: str) -> None:
    path = OUT / f"{name}.png"
    pixmap = app.primaryScreen().grabWindow(window.winId())
    if not pixmap.save(str(path)):
        raise RuntimeError(f"could not save {path}")
    print(f"wrote {path.relative_to(ROOT)} ({pixmap.width()}x{pixmap.height()})")


async def _hindi(app: Any) -> None:
    """The station with Hindi as the operator's and the customer's language, at 1366x768."""
    from station.application.consent import DEFAULT_NOTICE, ConsentNotice
    from station.ui.fonts import ensure_devanagari_font
    from station.ui.languages import Languages

    print("bundled font registered:", ensure_devanagari_font() or "no (the system has one)")
    languages = Languages(interface="hi", customers="hi,en")
    languages.set_operator_language("hi")
    await _hindi_station(app, languages, consent=None)
    await _hindi_station(app, languages, consent=ConsentNotice("station-2026-12", DEFAULT_NOTICE))
    languages.set_operator_language("en")


async def _hindi_station(app: Any, languages: Any, consent: Any) -> None:
    """One station in Hindi: the consent notice (``consent``), or ready, LIVE and SPOOF."""
    from station.app import StationConfig, build_station

    config = StationConfig(demo=True, demo_scenario="live", quality_gate=True, consent=consent)
    station = build_station(config, languages=languages)
    window = station.window
    window.set_operator("demo")
    window.resize(1366, 740)
    station.start(maximised=False)
    assert station.emulator is not None
    try:
        await _until(lambda: window.gate.latest is not None and window.preview.frames_painted > 20)
        await asyncio.sleep(0.5)
        if consent is not None:
            _grab(app, window, "hi-consent")
            return
        _grab(app, window, "hi-ready")
        for scenario, name in (("live", "hi-live"), ("spoof", "hi-spoof")):
            window.next_customer()
            await _until(window.has_new_frame)  # a new live frame (never the judged one)
            station.emulator.set_scenario(scenario)
            pending = _signal(station.controller.finished)
            window.capture()
            if window.gate.objection is not None:  # the guide held it back: capture anyway
                window.capture()
            await pending
            await asyncio.sleep(0.3)
            _grab(app, window, name)
    finally:
        window.close()
        await station.aclose()


async def _guide_too_dark(app: Any) -> None:
    """The capture guide objecting to a dark picture (the camera is the sample, darkened)."""
    import tempfile

    import cv2

    from station.app import StationConfig, build_station
    from station.camera import StillImageSource
    from station.resources import sample_path

    with tempfile.TemporaryDirectory() as folder:
        dark = Path(folder) / "dark.png"
        cv2.imwrite(str(dark), (cv2.imread(str(sample_path("face.jpg"))) * 0.3).astype("uint8"))
        station = build_station(
            StationConfig(demo=True, demo_scenario="live"), source_factory=lambda: StillImageSource(dark)
        )
        window = station.window
        window.set_operator("demo")
        window.resize(*SMALL)
        station.start(maximised=False)
        try:
            await _until(lambda: window.gate.latest is not None and window.preview.frames_painted > 20)
            window.capture()  # the gate objects: nothing is sent
            await asyncio.sleep(0.5)
            path = OUT / "guide-too-dark.png"
            app.primaryScreen().grabWindow(window.winId()).save(str(path))
            print(f"wrote {path.relative_to(ROOT)}")
        finally:
            window.close()
            await station.aclose()


async def _settings_policy_locked(app: Any) -> None:
    """The settings dialog on a station whose policy sets some fields: they are disabled and say so."""
    import json
    import tempfile

    from station.config import resolve_settings
    from station.config.policy import LinuxPolicyFiles
    from station.ui.settings_dialog import SettingsDialog

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "policies"
        for sub in ("managed", "recommended"):
            (root / sub).mkdir(parents=True)
            os.chmod(root / sub, 0o755)  # noqa: S103 - a policy folder: root's, not group-writable
        managed = {
            "environment": "production",
            "liveness_threshold": 0.85,
            "review_upper": 0.9,
            "several_faces": "retry",
            "station_id": "branch-042-counter-3",
            "camera": "device:0",
        }
        (root / "managed" / "10-bank.json").write_text(json.dumps(managed))
        (root / "recommended" / "10-bank.json").write_text(json.dumps({"max_attempts": 3}))
        for path in root.rglob("*.json"):
            os.chmod(path, 0o644)
        resolved = resolve_settings(policy_sources=[LinuxPolicyFiles(root, trusted_owner=os.getuid())])
    dialog = SettingsDialog(resolved, camera_lister=lambda: [(0, "Integrated Webcam")], environ={})
    dialog.resize(820, 980)
    dialog.show()
    try:
        await _until(lambda: not dialog.busy)
        await asyncio.sleep(0.5)
        path = OUT / "settings-policy-locked.png"
        app.primaryScreen().grabWindow(dialog.winId()).save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")
    finally:
        dialog.close()
        await dialog.wait_idle()


def main() -> int:
    _reexec_under_xvfb()
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # two windows in turn, one after the other
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(take_large_text(app) if "--large-text" in sys.argv else take(app))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
