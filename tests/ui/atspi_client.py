"""The AT-SPI side of tests/ui/test_atspi.py: a screen reader's view of the running station.

Run by the *system* Python (``/usr/bin/python3``): pyatspi and gi are Debian packages, not in the
venv. It talks only to the session bus named by ``DBUS_SESSION_BUS_ADDRESS`` (the test's private
one) and to the X display in ``DISPLAY`` (the test's Xvfb), and prints one JSON object:

* ``tree``: every node of the station's window (role, name, description, states, extents);
* ``events``: the accessibility events after Space (announcements, name and description changes);
* ``focus``: the controls Tab visits, in order from the one focused first until it comes back,
  with where they are on the screen (before any verdict);
* ``after``: the tree again once the verdict was announced.

Every wait is for a condition or an event, bounded by a generous deadline; nothing sleeps.

    python3 tests/ui/atspi_client.py APP_NAME WINDOW_TITLE_PART
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pyatspi  # type: ignore[import-not-found]
from gi.repository import GLib  # type: ignore[import-not-found]

DEADLINE_S = 90
MAX_TAB_PRESSES = 20
EVENT_TYPES = (
    "object:announcement",
    "object:property-change:accessible-name",
    "object:property-change:accessible-description",
)


def wait_for(condition: Callable[[], Any], what: str, deadline_s: float = DEADLINE_S) -> Any:
    """Run the GLib loop (events arrive) until ``condition()`` is truthy; its value."""
    loop = GLib.MainLoop()
    found: list[Any] = []

    def check() -> bool:
        try:
            value = condition()
        except Exception:  # the tree can change under a query (a window appears): ask again
            value = None
        if value:
            found.append(value)
            loop.quit()
            return False
        return True

    def give_up() -> bool:
        loop.quit()
        return False

    GLib.idle_add(check)
    GLib.timeout_add(50, check)
    timer = GLib.timeout_add(int(deadline_s * 1000), give_up)
    loop.run()
    if not found:
        fail(f"gave up after {deadline_s} s waiting for {what}")
    GLib.source_remove(timer)
    return found[0]


def fail(message: str) -> None:
    print(json.dumps({"error": message}), flush=True)
    sys.exit(2)


def application(name: str) -> Any:
    desktop = pyatspi.Registry.getDesktop(0)
    return next((app for app in desktop if app is not None and app.name == name), None)


def frame_of(app: Any, title_part: str) -> Any:
    return next(
        (c for c in app if c is not None and c.getRoleName() == "frame" and title_part in c.name), None
    )


def node(accessible: Any) -> dict[str, Any]:
    states = accessible.getState()
    try:
        box = accessible.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        extents = [box.x, box.y, box.width, box.height]
    except NotImplementedError:
        extents = None
    return {
        "role": accessible.getRoleName(),
        "name": accessible.name,
        "description": accessible.description,
        "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
        "showing": states.contains(pyatspi.STATE_SHOWING),
        "enabled": states.contains(pyatspi.STATE_ENABLED),
        "extents": extents,
    }


def tree(root: Any, depth: int = 0) -> list[dict[str, Any]]:
    rows = [{**node(root), "depth": depth}]
    for child in root:
        if child is not None and depth < 30:
            rows += tree(child, depth + 1)
    return rows


def find(root: Any, role: str, name: str) -> Any:
    return pyatspi.findDescendant(root, lambda a: a.getRoleName() == role and a.name == name)


def xdotool(*args: str) -> str:
    done = subprocess.run(["xdotool", *args], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def main(app_name: str, title_part: str) -> None:
    app = wait_for(lambda: application(app_name), f"the application {app_name!r} on the bus")
    frame = wait_for(lambda: frame_of(app, title_part), f"its window {title_part!r}")
    verdict = wait_for(lambda: find(frame, "panel", "Verdict"), "the verdict region")
    camera = wait_for(lambda: find(frame, "label", "Camera health"), "the camera's health part")
    # Ready to capture: the camera is live and the verdict region says Ready.
    wait_for(
        lambda: "good" in camera.description and verdict.description.startswith("Ready"),
        "the station to be ready",
    )
    before = tree(frame)

    # Focus order: Tab from the control that has the focus until it comes back to it.
    window = xdotool("search", "--sync", "--onlyvisible", "--name", title_part).split()[0]
    # Under Xvfb with no window manager, Qt takes keys only in the focused window (ECOSYSTEM.md).
    xdotool("windowfocus", "--sync", window)
    first = wait_for(
        lambda: pyatspi.findDescendant(frame, lambda a: a.getState().contains(pyatspi.STATE_FOCUSED)),
        "the control with the keyboard focus",
    )
    focus = [node(first)]
    moves: list[dict[str, Any]] = []

    def focused(event: Any) -> None:
        if event.detail1 == 1 and event.source is not None:
            moves.append(node(event.source))

    listener = pyatspi.Registry.registerEventListener
    listener(focused, "object:state-changed:focused")
    for press in range(MAX_TAB_PRESSES):
        xdotool("key", "Tab")
        wait_for(functools.partial(lambda seen: len(moves) > seen, press), f"focus to move (Tab {press + 1})")
        if moves[-1]["name"] == focus[0]["name"] and moves[-1]["extents"] == focus[0]["extents"]:
            break
        focus.append(moves[-1])
    else:
        fail(f"Tab did not come back to {focus[0]['name']!r} in {MAX_TAB_PRESSES} presses")
    pyatspi.Registry.deregisterEventListener(focused, "object:state-changed:focused")

    events: list[dict[str, Any]] = []

    def heard(event: Any) -> None:
        source = event.source
        events.append(
            {
                "type": event.type,
                "source": source.name if source is not None else None,
                "role": source.getRoleName() if source is not None else None,
                "text": event.any_data if isinstance(event.any_data, str) else None,
                "detail1": event.detail1,
            }
        )

    for kind in EVENT_TYPES:
        listener(heard, kind)
    xdotool("key", "space")
    wait_for(
        lambda: any(e["type"] == "object:announcement" and "SPOOF" in (e["text"] or "") for e in events),
        "the verdict's announcement",
    )
    after = tree(frame)
    for kind in EVENT_TYPES:
        pyatspi.Registry.deregisterEventListener(heard, kind)
    print(json.dumps({"tree": before, "after": after, "events": events, "focus": focus}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
