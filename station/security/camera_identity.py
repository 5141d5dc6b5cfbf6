"""Which physical camera a device is: USB VID:PID and serial, bus, driver, and whether it is virtual.

Why: an injection attack (CEN/TS 18099) feeds a recorded or synthetic face through a *virtual*
camera (OBS Virtual Camera, ManyCam, v4l2loopback, a Windows 11 Media Foundation virtual camera)
or an HDMI capture stick. A name says little ("Integrated Camera" can be anything), so the station
reads what the operating system knows about the device:

* **Linux**: ``/sys/class/video4linux/videoN`` — ``name`` is the card name; ``device`` links to
  the device in sysfs. A USB camera's device is an interface (``…/1-2/1-2:1.0``) whose parent holds
  ``idVendor``, ``idProduct`` and often ``serial``; ``device/driver`` names the driver
  (``uvcvideo``). v4l2loopback's devices are platform devices (``…/platform/v4l2loopback.0``,
  driver ``v4l2loopback``, and the card reports the bus ``platform:v4l2loopback-000``); a node
  with no ``device`` link at all (``/sys/devices/virtual/…``) has no hardware behind it.
* **Windows**: the device path (DirectShow's ``DevicePath``, Media Foundation's symbolic link):
  a USB camera is ``\\\\?\\usb#vid_046d&pid_085b&mi_00#7&1a2b3c4d&0&0000#{guid}\\global``; a
  Windows 11 Media Foundation virtual camera is ``\\\\?\\swd#vcamdevapi#…``; a root-enumerated
  software device is ``\\\\?\\root#…``. The segment after the VID:PID is the USB serial number when
  the device has one, and an instance id made up by Windows (``7&1a2b3c4d&0&0000``) when not.
* **Names**: some virtual cameras have no device path worth the name (OBS Virtual Camera is a
  DirectShow filter); :data:`VIRTUAL_CAMERA_NAMES` lists the known ones.

HDMI capture sticks have real VID:PIDs: that is why the policy is an allowlist of the bank's own
cameras (``approved_cameras``), and "virtual" only a second, coarser refusal.

No OpenCV and no Qt here: pure parsing of strings and files, tested on real-format strings and a
fake sysfs tree.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = [
    "VIRTUAL_CAMERA_NAMES",
    "CameraIdentity",
    "linux_identity",
    "name_identity",
    "parse_approved",
    "windows_identity",
]

#: Names (lower case, matched as substrings) of virtual cameras known to feed any picture.
VIRTUAL_CAMERA_NAMES: tuple[str, ...] = (
    "obs virtual camera",
    "obs-camera",
    "manycam",
    "xsplit vcam",
    "snap camera",
    "splitcam",
    "e2esoft vcam",
    "droidcam",
    "iriun webcam",
    "camo",
    "nvidia broadcast",
    "v4l2 loopback",
    "dummy video device",
    "unity video capture",
    "virtual",
)

#: Drivers (Linux) that have no sensor behind them.
_VIRTUAL_DRIVERS = frozenset({"v4l2loopback", "v4l2 loopback", "vivid", "akvcam"})

_WINDOWS_USB = re.compile(
    r"^\\\\\?\\usb#vid_(?P<vid>[0-9a-f]{4})&pid_(?P<pid>[0-9a-f]{4})(?:&mi_[0-9a-f]{2})?#(?P<instance>[^#]+)#",
    re.IGNORECASE,
)
_WINDOWS_BUS = re.compile(r"^\\\\\?\\(?P<bus>[a-z0-9_]+)#(?P<rest>.*)$", re.IGNORECASE)
_VIDEO_NODE = re.compile(r"^(?:/dev/)?video\d+$")
_APPROVED = re.compile(r"^(?P<vid>[0-9a-fA-F]{4}):(?P<pid>[0-9a-fA-F]{4})(?::(?P<serial>[^\s:]{1,64}))?$")


@dataclass(frozen=True, slots=True)
class CameraIdentity:
    """What the operating system says a camera device is. ``vid``/``pid`` are 4 lower-case hex
    digits (None when it is not a USB device or the OS did not say); ``virtual_reason`` says why
    the device is recognisably virtual ("" when it is not)."""

    name: str
    vid: str | None = None
    pid: str | None = None
    serial: str | None = None
    bus: str = "unknown"
    driver: str | None = None
    virtual_reason: str = ""

    @property
    def virtual(self) -> bool:
        return bool(self.virtual_reason)

    @property
    def vid_pid(self) -> str | None:
        return None if self.vid is None or self.pid is None else f"{self.vid}:{self.pid}"

    def describe(self) -> str:
        """One line for the journal and the screen: name, USB ids and serial, or why virtual."""
        parts = [self.name or "unnamed camera"]
        if self.vid_pid:
            parts.append(f"USB {self.vid_pid}" + (f" serial {self.serial}" if self.serial else ""))
        elif self.bus != "unknown":
            parts.append(f"bus {self.bus}")
        if self.virtual:
            parts.append(f"virtual: {self.virtual_reason}")
        return ", ".join(parts)

    def approved_by(self, approved: tuple[tuple[str, str, str | None], ...]) -> bool:
        """Whether an entry of a parsed ``approved_cameras`` list (:func:`parse_approved`)
        matches: the same VID:PID, and the same serial when the entry names one."""
        if self.vid is None or self.pid is None:
            return False
        for vid, pid, serial in approved:
            if (vid, pid) == (self.vid, self.pid) and (serial is None or serial == self.serial):
                return True
        return False


def parse_approved(entries: tuple[str, ...] | list[str]) -> tuple[tuple[str, str, str | None], ...]:
    """``("046d:085b", "046d:0825:ABC123")`` as ``(vid, pid, serial or None)``; raises
    ``ValueError`` naming the first entry that is not ``VVVV:PPPP`` or ``VVVV:PPPP:SERIAL``."""
    parsed: list[tuple[str, str, str | None]] = []
    for entry in entries:
        match = _APPROVED.match(entry.strip())
        if match is None:
            raise ValueError(
                f"{entry!r} is not a camera's USB id: write VID:PID or VID:PID:SERIAL, e.g. 046d:085b"
            )
        parsed.append((match["vid"].lower(), match["pid"].lower(), match["serial"]))
    return tuple(parsed)


def _virtual_name(name: str) -> str:
    lower = name.lower()
    for known in VIRTUAL_CAMERA_NAMES:
        if known in lower:
            return f"the name {name!r} is a known virtual camera's"
    return ""


def name_identity(name: str) -> CameraIdentity:
    """All that is known from a name alone: whether it is a known virtual camera's."""
    return CameraIdentity(name=name, virtual_reason=_virtual_name(name))


def windows_identity(name: str, device_path: str) -> CameraIdentity:
    """A camera from its Windows device path (see the module docstring) and friendly name."""
    path = device_path.strip()
    usb = _WINDOWS_USB.match(path)
    if usb is not None:
        instance = usb["instance"]
        # An instance id Windows made up has '&' in it; a USB serial number never does.
        serial = None if "&" in instance else instance
        return CameraIdentity(
            name=name,
            vid=usb["vid"].lower(),
            pid=usb["pid"].lower(),
            serial=serial,
            bus="usb",
            virtual_reason=_virtual_name(name),
        )
    bus_match = _WINDOWS_BUS.match(path)
    bus = bus_match["bus"].lower() if bus_match else "unknown"
    reason = _virtual_name(name)
    if bus == "swd" and bus_match is not None and bus_match["rest"].lower().startswith("vcamdevapi#"):
        reason = "a Windows Media Foundation virtual camera (swd#vcamdevapi)"
    elif bus == "root":
        reason = reason or "a software device with no hardware bus (root#)"
    return CameraIdentity(name=name, bus=bus, virtual_reason=reason)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None


def linux_identity(node: str | int, sysfs: Path = Path("/sys")) -> CameraIdentity | None:
    """The camera behind ``/dev/videoN`` (``node``: N, or ``"videoN"``, or ``"/dev/videoN"``),
    from ``sysfs``; None if there is no such node."""
    text = str(node).strip()
    name_part = text.rsplit("/", 1)[-1]
    index = name_part if name_part.startswith("video") else f"video{name_part}"
    entry = sysfs / "class" / "video4linux" / index
    if not entry.exists():
        return None
    name = _read(entry / "name") or index
    device_link = entry / "device"
    if not device_link.exists():
        return CameraIdentity(name=name, bus="virtual", virtual_reason="no device behind the video node")
    device = device_link.resolve()
    driver_link = device / "driver"
    driver = driver_link.resolve().name if driver_link.exists() else None
    parts = device.parts
    reason = _virtual_name(name)
    if driver is not None and driver.lower() in _VIRTUAL_DRIVERS:
        reason = f"the {driver} driver feeds any picture"
    elif any(p.startswith("v4l2loopback") for p in parts):
        reason = "a v4l2loopback device"
    elif "virtual" in parts:
        reason = reason or "no hardware device behind the video node"
    usb = next((d for d in (device, *device.parents) if (d / "idVendor").is_file()), None)
    if usb is not None and usb.is_relative_to(sysfs / "devices"):
        return CameraIdentity(
            name=name,
            vid=(_read(usb / "idVendor") or "").lower() or None,
            pid=(_read(usb / "idProduct") or "").lower() or None,
            serial=_read(usb / "serial"),
            bus="usb",
            driver=driver,
            virtual_reason=reason,
        )
    bus = (
        "platform" if "platform" in parts else "pci" if any(p.startswith("pci") for p in parts) else "unknown"
    )
    return CameraIdentity(name=name, bus=bus, driver=driver, virtual_reason=reason)


# ------------------------------------------------------------------------------ Windows registry

#: Device interface classes cameras register under (``HKLM\SYSTEM\CurrentControlSet\Control\
#: DeviceClasses``): KSCATEGORY_VIDEO_CAMERA and KSCATEGORY_CAPTURE.
WINDOWS_CAMERA_CLASSES = (
    "{e5323777-f976-4f5b-9b55-b94699c46e44}",
    "{65e8773d-8f56-11d0-a3b9-00a0c9223196}",
)
_DEVICE_CLASSES = r"SYSTEM\CurrentControlSet\Control\DeviceClasses"


def registry_key_to_path(key: str) -> str:
    """A DeviceClasses subkey (``##?#USB#VID_046D&PID_082D&MI_00#7&2b3bd7a7&0&0000#{guid}``) as
    the device path it stands for (``\\\\?\\USB#VID_046D…``)."""
    return "\\\\?\\" + key[4:] if key.startswith("##?#") else key


def windows_cameras(registry: Any | None = None) -> list[CameraIdentity]:
    """Every camera Windows has registered (connected or not), from the registry: the device path
    and the friendly name. ``registry``: the standard library's ``winreg`` on Windows (a test's
    stand-in with the same functions elsewhere); [] with neither."""
    if registry is None and sys.platform == "win32":  # pragma: no cover - Windows
        import winreg

        registry = winreg
    if registry is None:
        return []
    found: list[CameraIdentity] = []
    seen: set[str] = set()
    for klass in WINDOWS_CAMERA_CLASSES:
        try:
            root = registry.OpenKey(registry.HKEY_LOCAL_MACHINE, f"{_DEVICE_CLASSES}\\{klass}")
        except OSError:
            continue
        index = 0
        while True:
            try:
                sub = str(registry.EnumKey(root, index))
            except OSError:  # winreg's "no more keys"
                break
            index += 1
            path = registry_key_to_path(sub)
            if path.lower() in seen:
                continue
            seen.add(path.lower())
            name = ""
            try:
                params = registry.OpenKey(root, f"{sub}\\#\\Device Parameters")
                name = str(registry.QueryValueEx(params, "FriendlyName")[0])
            except OSError:
                pass
            found.append(windows_identity(name, path))
    return found


# ------------------------------------------------------------------------------ the station's camera


def _linux_by_name(name: str, sysfs: Path) -> CameraIdentity | None:
    folder = sysfs / "class" / "video4linux"
    if not folder.is_dir():
        return None
    for entry in sorted(folder.iterdir()):
        if (_read(entry / "name") or "").lower() == name.lower():
            return linux_identity(entry.name, sysfs)
    return None


def identify_device(
    device: int | str, *, sysfs: Path = Path("/sys"), windows: list[CameraIdentity] | None = None
) -> CameraIdentity:
    """What is known about the camera a ``device:`` setting names (an index or a name).

    Linux: the video node's sysfs entry (by index, or the node whose card name matches). Windows:
    the registered camera with that friendly name (``windows``: :func:`windows_cameras` unless
    given). Otherwise, and for a Windows index (its order is the capture backend's, not the
    registry's), only the name is known.
    """
    if windows is None and sys.platform != "win32":
        if isinstance(device, str) and device.strip().startswith("/dev/"):
            device = os.path.realpath(device.strip())  # a udev alias (/dev/v4l/by-id/…) to its node
        if isinstance(device, int) or _VIDEO_NODE.match(device.strip()):
            # An index, "video4" or "/dev/video4": the node itself, never a name to match.
            found = linux_identity(device, sysfs)
            if found is None:
                return CameraIdentity(name=str(device))
            return found
        found = _linux_by_name(device, sysfs)
        if found is not None:
            return found
    if isinstance(device, str):
        cameras = windows if windows is not None else windows_cameras()
        match = next((c for c in cameras if c.name.lower() == device.lower()), None)
        if match is not None:
            return match
        return name_identity(device)
    return CameraIdentity(name=f"camera {device}")


def camera_refusal(identity: CameraIdentity, approved_cameras: str, *, production: bool) -> str:
    """Why production refuses this camera, in the operator's words ("" when it does not).

    Outside production nothing is refused (the identity is still recorded). A recognisably virtual
    camera is refused. With ``approved_cameras`` set, only a listed camera runs.
    """
    if not production:
        return ""
    if identity.virtual:
        return Phrase(
            QT_TRANSLATE_NOOP(
                "Refusal",
                "The camera {name} is a virtual camera ({reason}): it can show any picture, so "
                "verification is refused. Connect the counter's camera, or call IT.",
            ),
            name=repr(identity.name),
            reason=identity.virtual_reason,
        )
    entries = tuple(e for e in approved_cameras.split(",") if e.strip())
    if entries and not identity.approved_by(parse_approved(entries)):
        if identity.vid_pid is None:
            return Phrase(
                QT_TRANSLATE_NOOP(
                    "Refusal",
                    "The station cannot tell which camera {name} is (no USB id), and only the bank's "
                    "approved cameras may be used: verification is refused. Call IT.",
                ),
                name=repr(identity.name),
            )
        return Phrase(
            QT_TRANSLATE_NOOP(
                "Refusal",
                "The camera {name} is not one of the bank's approved cameras: verification is refused. "
                "Call IT to approve it.",
            ),
            name=identity.describe(),
        )
    return ""
