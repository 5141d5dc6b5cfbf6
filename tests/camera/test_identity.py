"""Camera identity from real-format Windows device paths and a fake Linux sysfs tree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from station.security.camera_identity import (
    CameraIdentity,
    camera_refusal,
    identify_device,
    linux_identity,
    name_identity,
    parse_approved,
    registry_key_to_path,
    windows_cameras,
    windows_identity,
)

# ------------------------------------------------------------------------------------ Windows

C920 = r"\\?\usb#vid_046d&pid_082d&mi_00#7&2b3bd7a7&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global"
BRIO_WITH_SERIAL = (
    r"\\?\USB#VID_046D&PID_085E&MI_00#8&1F4F0E5&0&0000#{e5323777-f976-4f5b-9b55-b94699c46e44}\GLOBAL"
)
SERIAL_CAM = r"\\?\usb#vid_0c45&pid_6366#SN0001A7#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global"
MF_VIRTUAL = (
    r"\\?\swd#vcamdevapi#{5d6a5c9e-2c0a-4b4c-8b8e-5c2a0a4b1c33}#{e5323777-f976-4f5b-9b55-b94699c46e44}\{some}"
)
ROOT_DEVICE = r"\\?\root#image#0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global"


def test_a_usb_camera_without_a_serial() -> None:
    camera = windows_identity("HD Pro Webcam C920", C920)
    assert (camera.vid, camera.pid, camera.serial, camera.bus) == ("046d", "082d", None, "usb")
    assert not camera.virtual
    assert camera.describe() == "HD Pro Webcam C920, USB 046d:082d"


def test_upper_case_paths_parse_alike() -> None:
    camera = windows_identity("Logitech BRIO", BRIO_WITH_SERIAL)
    assert camera.vid_pid == "046d:085e" and camera.serial is None and not camera.virtual


def test_a_usb_camera_with_a_serial_number() -> None:
    camera = windows_identity("USB Camera", SERIAL_CAM)
    assert (camera.vid_pid, camera.serial) == ("0c45:6366", "SN0001A7")


def test_a_media_foundation_virtual_camera() -> None:
    camera = windows_identity("Contoso Camera", MF_VIRTUAL)
    assert camera.virtual and "vcamdevapi" in camera.virtual_reason
    assert camera.vid_pid is None and camera.bus == "swd"


def test_a_root_enumerated_device_is_virtual() -> None:
    assert windows_identity("Some Camera", ROOT_DEVICE).virtual


@pytest.mark.parametrize(
    "name", ["OBS Virtual Camera", "ManyCam Virtual Webcam", "XSplit VCam", "Snap Camera"]
)
def test_known_virtual_names(name: str) -> None:
    assert name_identity(name).virtual
    assert windows_identity(name, "").virtual  # OBS's DirectShow filter has no device path


def test_a_real_name_alone_is_not_virtual() -> None:
    camera = name_identity("Integrated Camera")
    assert not camera.virtual and camera.vid_pid is None


# ------------------------------------------------------------------------------------ Linux


def _usb_camera(
    sysfs: Path, video: str, port: str, vid: str, pid: str, serial: str | None, name: str
) -> None:
    usb = sysfs / "devices/pci0000:00/0000:00:14.0/usb1" / port
    interface = usb / f"{port}:1.0"
    (interface / "video4linux" / video).mkdir(parents=True)
    (usb / "idVendor").write_text(vid + "\n")
    (usb / "idProduct").write_text(pid + "\n")
    if serial is not None:
        (usb / "serial").write_text(serial + "\n")
    driver = sysfs / "bus/usb/drivers/uvcvideo"
    driver.mkdir(parents=True, exist_ok=True)
    os.symlink(driver, interface / "driver")
    _video_node(sysfs, video, interface, name)


def _video_node(sysfs: Path, video: str, device: Path | None, name: str) -> None:
    node = (
        (device / "video4linux" / video)
        if device is not None
        else sysfs / "devices/virtual/video4linux" / video
    )
    node.mkdir(parents=True, exist_ok=True)
    (node / "name").write_text(name + "\n")
    if device is not None:
        os.symlink(device, node / "device")
    klass = sysfs / "class/video4linux"
    klass.mkdir(parents=True, exist_ok=True)
    os.symlink(node, klass / video)


@pytest.fixture
def sysfs(tmp_path: Path) -> Path:
    root = tmp_path / "sys"
    _usb_camera(root, "video0", "1-2", "046d", "085B", "A1B2C3D4", "Logitech Webcam C925e")
    _usb_camera(root, "video2", "1-3", "534d", "2109", None, "USB3. 0 capture")  # an HDMI capture stick
    loop = root / "devices/platform/v4l2loopback.0"
    loop.mkdir(parents=True)
    driver = root / "bus/platform/drivers/v4l2loopback"
    driver.mkdir(parents=True)
    os.symlink(driver, loop / "driver")
    _video_node(root, "video4", loop, "Dummy video device (0x0000)")
    _video_node(root, "video6", None, "OBS Virtual Camera")
    return root


def test_a_usb_camera_from_sysfs(sysfs: Path) -> None:
    camera = linux_identity(0, sysfs)
    assert camera == CameraIdentity(
        name="Logitech Webcam C925e", vid="046d", pid="085b", serial="A1B2C3D4", bus="usb", driver="uvcvideo"
    )
    assert linux_identity("/dev/video0", sysfs) == camera == linux_identity("video0", sysfs)


def test_an_hdmi_capture_stick_is_a_real_usb_device(sysfs: Path) -> None:
    """Not recognisably virtual: only the allowlist keeps it out."""
    camera = linux_identity(2, sysfs)
    assert camera is not None and camera.vid_pid == "534d:2109" and camera.serial is None
    assert not camera.virtual
    assert not camera.approved_by(parse_approved(("046d:085b",)))


def test_v4l2loopback_is_virtual(sysfs: Path) -> None:
    camera = linux_identity(4, sysfs)
    assert camera is not None and camera.virtual and camera.driver == "v4l2loopback"
    assert camera.bus == "platform" and camera.vid_pid is None


def test_a_node_with_no_device_is_virtual(sysfs: Path) -> None:
    camera = linux_identity(6, sysfs)
    assert camera is not None and camera.virtual and camera.bus == "virtual"


def test_a_missing_node(sysfs: Path) -> None:
    assert linux_identity(9, sysfs) is None


def test_the_real_sysfs_of_this_machine() -> None:
    """The real enumeration code on the real /sys: this machine has no camera (no node, no
    error); on a machine with one, the node is identified."""
    if not Path("/sys/class/video4linux/video0").exists():
        assert linux_identity(0) is None
    else:
        camera = linux_identity(0)
        assert camera is not None and camera.name


# ------------------------------------------------------------------------------------ allowlist


def test_approved_entries() -> None:
    approved = parse_approved(("046D:085b", "0c45:6366:SN0001A7"))
    assert approved == (("046d", "085b", None), ("0c45", "6366", "SN0001A7"))
    c925e = CameraIdentity("cam", vid="046d", pid="085b", serial="X", bus="usb")
    assert c925e.approved_by(approved)
    assert CameraIdentity("cam", vid="0c45", pid="6366", serial="SN0001A7").approved_by(approved)
    assert not CameraIdentity("cam", vid="0c45", pid="6366", serial="OTHER").approved_by(approved)
    assert not CameraIdentity("cam", vid="0c45", pid="6366").approved_by(approved)  # serial unknown
    assert not CameraIdentity("cam").approved_by(approved)  # no USB ids at all


@pytest.mark.parametrize("bad", ["046d", "046d:85b", "zzzz:085b", "046d:085b:", "046d:085b:a b", ""])
def test_bad_approved_entries_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="VID:PID"):
        parse_approved((bad,))


# ------------------------------------------------------------------------------------ registry


class FakeRegistry:
    """The part of ``winreg`` the camera list uses, over a dict of key paths (a test's stand-in,
    as the policy reader's tests use): ``{path: {value name: value}}``."""

    HKEY_LOCAL_MACHINE = "HKLM"

    def __init__(self, keys: dict[str, dict[str, str]]) -> None:
        self.keys = {k.lower(): v for k, v in keys.items()}
        self.names = list(keys)

    def OpenKey(self, key: str, sub_key: str) -> str:
        path = f"{key}\\{sub_key}"
        if path.lower() not in self.keys and not any(k.startswith(path.lower() + "\\") for k in self.keys):
            raise OSError(2, "not found")
        return path

    def EnumKey(self, key: str, index: int) -> str:
        prefix = key + "\\"
        children = sorted(
            {n[len(prefix) :].split("\\", 1)[0] for n in self.names if n.lower().startswith(prefix.lower())}
        )
        if index >= len(children):
            raise OSError(259, "no more data")
        return children[index]

    def QueryValueEx(self, key: str, name: str) -> tuple[str, int]:
        values = self.keys.get(key.lower(), {})
        if name not in values:
            raise OSError(2, "not found")
        return values[name], 1


CLASSES = r"HKLM\SYSTEM\CurrentControlSet\Control\DeviceClasses"
VIDEO = "{e5323777-f976-4f5b-9b55-b94699c46e44}"
CAPTURE = "{65e8773d-8f56-11d0-a3b9-00a0c9223196}"


def _registered(klass: str, key: str, friendly: str) -> dict[str, dict[str, str]]:
    return {f"{CLASSES}\\{klass}\\{key}\\#\\Device Parameters": {"FriendlyName": friendly}}


def test_windows_cameras_from_the_registry() -> None:
    c920 = "##?#USB#VID_046D&PID_082D&MI_00#7&2b3bd7a7&0&0000#" + VIDEO
    vcam = "##?#SWD#VCAMDEVAPI#{5d6a5c9e-2c0a-4b4c-8b8e-5c2a0a4b1c33}#" + VIDEO
    registry = FakeRegistry(
        {
            **_registered(VIDEO, c920, "HD Pro Webcam C920"),
            **_registered(VIDEO, vcam, "Contoso Camera"),
            **_registered(
                CAPTURE, "##?#USB#VID_046D&PID_082D&MI_00#7&2b3bd7a7&0&0000#" + CAPTURE, "HD Pro Webcam C920"
            ),
        }
    )
    cameras = windows_cameras(registry)
    by_name = {c.name: c for c in cameras}
    assert by_name["HD Pro Webcam C920"].vid_pid == "046d:082d"
    assert by_name["Contoso Camera"].virtual
    chosen = identify_device("hd pro webcam c920", windows=cameras)
    assert chosen.vid_pid == "046d:082d" and not chosen.virtual


def test_no_registry_no_cameras() -> None:
    assert windows_cameras(FakeRegistry({})) == []
    if sys.platform != "win32":
        assert windows_cameras() == []


def test_registry_keys_become_device_paths() -> None:
    assert registry_key_to_path("##?#USB#VID_046D&PID_082D#x#{g}") == r"\\?\USB#VID_046D&PID_082D#x#{g}"


def test_a_device_by_index_and_by_name_on_linux(sysfs: Path) -> None:
    assert identify_device(0, sysfs=sysfs).vid_pid == "046d:085b"
    assert identify_device("Logitech Webcam C925e", sysfs=sysfs).serial == "A1B2C3D4"
    assert identify_device("OBS Virtual Camera", sysfs=sysfs).virtual
    unknown = identify_device(7, sysfs=sysfs)
    assert unknown.vid_pid is None and not unknown.virtual


# ------------------------------------------------------------------------------------ the policy

C925E = CameraIdentity("Logitech Webcam C925e", vid="046d", pid="085b", serial="A1B2C3D4", bus="usb")
STICK = CameraIdentity("USB3. 0 capture", vid="534d", pid="2109", bus="usb")
LOOP = CameraIdentity("Dummy video device", bus="platform", virtual_reason="a v4l2loopback device")


def test_outside_production_nothing_is_refused() -> None:
    assert camera_refusal(LOOP, "046d:085b", production=False) == ""


def test_production_refuses_a_virtual_camera_even_without_a_list() -> None:
    message = camera_refusal(LOOP, "", production=True)
    assert "virtual camera" in message and "v4l2loopback" in message
    assert camera_refusal(C925E, "", production=True) == ""
    assert camera_refusal(STICK, "", production=True) == ""  # only an allowlist keeps a stick out


def test_production_with_a_list_runs_only_listed_cameras() -> None:
    assert camera_refusal(C925E, "046d:085b", production=True) == ""
    assert camera_refusal(C925E, "046d:085b:A1B2C3D4", production=True) == ""
    refused = camera_refusal(STICK, "046d:085b", production=True)
    assert "534d:2109" in refused and "not one of the bank's approved cameras" in refused
    assert "approved" in camera_refusal(C925E, "046d:085b:OTHER", production=True)
    assert "cannot tell which camera" in camera_refusal(
        CameraIdentity("camera 0"), "046d:085b", production=True
    )


def test_a_listed_camera_that_is_virtual_is_still_refused() -> None:
    spoof = CameraIdentity("OBS Virtual Camera", vid="046d", pid="085b", virtual_reason="known name")
    assert "virtual" in camera_refusal(spoof, "046d:085b", production=True)


def test_a_device_path_is_identified_by_its_node_not_taken_for_a_name(sysfs: Path) -> None:
    """``device:/dev/video4`` names the v4l2loopback node: it must not pass as an unknown name."""
    assert identify_device("/dev/video4", sysfs=sysfs).virtual
    assert identify_device("video4", sysfs=sysfs).virtual
    assert identify_device("/dev/video0", sysfs=sysfs).vid_pid == "046d:085b"
    missing = identify_device("/dev/video9", sysfs=sysfs)
    assert missing.vid_pid is None and "cannot tell" in camera_refusal(missing, "046d:085b", production=True)


def test_a_device_path_is_normalised_to_its_node(sysfs: Path) -> None:
    """``/dev/../dev/video4`` (and a udev alias under /dev, resolved the same way) is the
    loopback node, not an unknown name."""
    assert identify_device("/dev/../dev/video4", sysfs=sysfs).virtual
