"""Camera capture for the station: sources, a capture thread and a latest-frame slot.

Why a package of its own, free of Qt: the same capture code feeds the operator's preview, the
headless benchmark and the CLI self-test. The UI polls :meth:`LatestFrameSlot.latest` on a timer
and marshals :class:`CaptureWorker`'s ``on_state`` callback to the GUI thread itself.

Typical use::

    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: parse_source("device:0"), slot, on_state=print)
    worker.start()
    frame = slot.wait_for_seq(0, timeout=5.0)
    worker.stop()
"""

from station.camera.frames import BGRImage, Frame, FullPicture, LatestFrameSlot
from station.camera.sources import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    CameraError,
    CameraRefusedError,
    DeviceSource,
    FramePacer,
    FrameSource,
    SourceExhaustedError,
    SourceKind,
    StillImageSource,
    StreamSource,
    TwoSizeSource,
    VideoFileSource,
    describe_source,
    list_devices,
    parse_source,
    source_kind,
)
from station.camera.worker import CameraState, CameraStatus, CaptureWorker, StateCallback

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "BGRImage",
    "CameraError",
    "CameraRefusedError",
    "CameraState",
    "CameraStatus",
    "CaptureWorker",
    "DeviceSource",
    "Frame",
    "FramePacer",
    "FrameSource",
    "FullPicture",
    "LatestFrameSlot",
    "SourceExhaustedError",
    "SourceKind",
    "StateCallback",
    "StillImageSource",
    "StreamSource",
    "TwoSizeSource",
    "VideoFileSource",
    "describe_source",
    "list_devices",
    "parse_source",
    "source_kind",
]
