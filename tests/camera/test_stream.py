"""An IP camera that reboots: a real loopback HTTP MJPEG camera is stopped and started again
while a real CaptureWorker + StreamSource (OpenCV's FFmpeg backend) watches it."""

from __future__ import annotations

from station.camera import CameraState, CaptureWorker, LatestFrameSlot, StreamSource
from tests.camera.support import MjpegCamera, StateRecorder

S = CameraState


def test_stream_reads_frames(mjpeg_camera: MjpegCamera) -> None:
    source = StreamSource(mjpeg_camera.url, open_timeout=3.0, read_timeout=3.0)
    source.open()
    try:
        frames = [source.read() for _ in range(3)]
    finally:
        source.close()
    for frame in frames:
        assert frame.shape == (240, 320, 3)


def test_ip_camera_reboot_is_lost_then_live_again(mjpeg_camera: MjpegCamera, recorder: StateRecorder) -> None:
    slot = LatestFrameSlot()
    worker = CaptureWorker(
        lambda: StreamSource(mjpeg_camera.url, open_timeout=2.0, read_timeout=2.0),
        slot,
        on_state=recorder,
        reconnect_delay=0.05,
        max_reconnect_delay=0.2,
    )
    worker.start()
    try:
        assert recorder.wait_for_state(S.LIVE, timeout=10.0)
        before = slot.wait_for_seq(2, timeout=5.0)
        assert before is not None
        assert worker.status.source == f"Stream {mjpeg_camera.url}"

        mjpeg_camera.stop()  # power cut: connection dropped, port closed
        assert recorder.wait_for_state(S.RECONNECTING, timeout=10.0)
        assert worker.status.state is S.RECONNECTING
        assert worker.is_running

        mjpeg_camera.start()  # back on the same address
        assert recorder.wait_for_state(S.LIVE, count=2, timeout=10.0)
        seq_back = slot.seq
        after = slot.wait_for_seq(seq_back, timeout=5.0)
        assert after is not None
        assert after.seq > before.seq
    finally:
        assert worker.stop(timeout=3.0)
    assert recorder.states() == [S.OPENING, S.LIVE, S.LOST, S.RECONNECTING, S.LIVE, S.STOPPED]
    lost = next(s for s in recorder.statuses if s.state is S.LOST)
    assert lost.message == "Camera disconnected — reconnecting…"
    assert "stopped sending pictures" in lost.detail
