"""``station --self-test``: check an installation end to end, offline, in a few seconds.

Meant for the installed bundle (IT runs it after installing, CI runs it on every build), and it
works the same from a source checkout. Each step is named; the first failure stops the run::

    self-test FAILED at step <name>: <reason>

and the exit status is 1. On success every step is printed with its time and the exit status is 0.

Steps, in order:

``resources``     every file the station ships under ``resources/`` loads through
                  :mod:`station.resources`: the face models (their SHA-256 checked; the detector
                  finds the sample face, with plausible keypoints), every
                  sample picture, the sample PDF (rendered with pdfium) and the application icons.
``camera``        the demo camera (``parse_source("demo")``) delivers a frame through a
                  :class:`~station.camera.CaptureWorker` and a :class:`~station.camera.LatestFrameSlot`.
``encode``        that frame is encoded as the JPEG the service receives.
``emulator``      the local emulator starts in-process on a loopback port.
``journal``       a fresh audit journal opens in a temporary directory with a fixed key (never the
                  keyring, never the station's real journal).
``verification``  one verification end to end: :class:`~station.api.LivenessClient` →
                  :func:`~station.application.attempt.run_attempt` →
                  :class:`~station.application.recording.JournalRecorder`; the verdict must be
                  LIVE and recorded.
``audit``         the journal holds that record and its HMAC chain verifies.
``gui``           as ``station --demo`` starts (offscreen unless ``QT_QPA_PLATFORM`` says
                  otherwise): the camera opened early and its first frame painted in the early
                  window (a ``..   gui`` line, printed at once), then the Qt window built and
                  its first camera frame painted; this proves the Qt plugins are in the bundle.

``STATION_SELFTEST_STEPS`` (comma-separated step names) runs only those steps; steps a chosen
step depends on run too. ``packaging/measure_cold_start.py`` uses ``STATION_SELFTEST_STEPS=gui``
to time a cold start to the first painted frame (its ``..   gui`` line). This module imports no
Qt at module level.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

__all__ = ["STEPS", "SelfTestError", "run_self_test"]

#: Step names in the order they run.
STEPS: tuple[str, ...] = (
    "resources",
    "camera",
    "encode",
    "emulator",
    "journal",
    "verification",
    "audit",
    "gui",
)

#: What each step needs to have run before it.
_NEEDS: dict[str, tuple[str, ...]] = {
    "encode": ("camera",),
    "verification": ("encode", "emulator", "journal"),
    "audit": ("verification",),
}

ENV_STEPS = "STATION_SELFTEST_STEPS"

#: A fixed HMAC key for the throwaway journal: the self-test never touches the keyring.
_SELFTEST_KEY = bytes(range(32))
_FRAME_TIMEOUT_S = 10.0
_VERIFY_TIMEOUT_S = 30.0
_GUI_TIMEOUT_S = 20.0

#: Icons the station ships (``resources/icons/``); the Windows exe and the Linux launcher use them.
ICON_FILES: tuple[str, ...] = ("station.png", "station.ico")


class SelfTestError(Exception):
    """A step failed; the message says why in one line."""


@dataclass
class _State:
    """What the steps hand to each other."""

    stack: ExitStack
    workdir: Path
    frame: Any = None
    jpeg: bytes = b""
    emulator: Any = None
    journal: Any = None
    audit_sequence: int | None = None
    notes: dict[str, str] = field(default_factory=dict)
    #: Prints a step's progress line at once (``..   <step> <text>``), before its ``ok`` line.
    progress: Callable[[str, str], None] = field(default=lambda _step, _text: None)


# ---------------------------------------------------------------------------------------- steps


def _step_resources(state: _State) -> str:
    import cv2
    import numpy as np
    import pypdfium2 as pdfium

    from station.resources import resource_path, resources_root, sample_path
    from station.vision.faces import FaceDetector

    root = resources_root()
    if not root.is_dir():
        raise SelfTestError(f"the resources folder is missing ({root})")
    detector = FaceDetector()
    samples = sorted(p for p in resource_path("samples").iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if not samples:
        raise SelfTestError(f"no sample pictures in {root / 'samples'}")
    for path in samples:
        if cv2.imread(str(path), cv2.IMREAD_COLOR) is None:
            raise SelfTestError(f"sample picture {path.name} cannot be read")
    face = cv2.imread(str(sample_path("face.jpg")), cv2.IMREAD_COLOR)
    found = [] if face is None else detector.detect(np.asarray(face, dtype=np.uint8))
    if len(found) != 1:
        raise SelfTestError(f"the face detector found {len(found)} faces in samples/face.jpg, not one")
    pdf = pdfium.PdfDocument(sample_path("face.pdf").read_bytes())
    try:
        if len(pdf) < 1 or pdf[0].render(scale=0.5).to_numpy().size == 0:
            raise SelfTestError("samples/face.pdf has no page that renders")
    finally:
        pdf.close()
    for name in ICON_FILES:
        if resource_path("icons", name).stat().st_size == 0:
            raise SelfTestError(f"icons/{name} is empty")
    icon = cv2.imread(str(resource_path("icons", "station.png")), cv2.IMREAD_UNCHANGED)
    if icon is None:
        raise SelfTestError("icons/station.png cannot be read")
    files = sum(1 for p in root.rglob("*") if p.is_file())
    return f"{files} files in {root}; the sample face found (score {found[0].confidence:.2f})"


def _step_camera(state: _State) -> str:
    from station.camera import CaptureWorker, LatestFrameSlot, parse_source

    slot = LatestFrameSlot()
    worker = CaptureWorker(lambda: parse_source("demo"), slot, name="selftest-camera")
    worker.start()
    try:
        frame = slot.wait_for_seq(0, timeout=_FRAME_TIMEOUT_S)
    finally:
        worker.stop()
    if frame is None:
        status = worker.status
        detail = f": {status.detail or status.message}" if status.detail or status.message else ""
        raise SelfTestError(f"the demo camera gave no frame in {_FRAME_TIMEOUT_S:.0f} s{detail}")
    state.frame = frame.image
    return f"{frame.width}x{frame.height} frame from the demo camera"


def _step_encode(state: _State) -> str:
    from station.core.encode import encode_jpeg

    state.jpeg = encode_jpeg(state.frame)
    if not state.jpeg.startswith(b"\xff\xd8"):
        raise SelfTestError("the encoded frame is not a JPEG")
    return f"{len(state.jpeg) // 1024} kB JPEG"


def _step_emulator(state: _State) -> str:
    from station.emulator import Emulator, Scenario

    state.emulator = Emulator(scenario=Scenario.LIVE).start()
    state.stack.callback(state.emulator.stop)
    return f"listening on {state.emulator.base_url}"


def _step_journal(state: _State) -> str:
    from station.audit import AuditJournal

    path = state.workdir / "audit.sqlite3"
    state.journal = AuditJournal.open(path, _SELFTEST_KEY)
    state.stack.callback(state.journal.close)
    return f"temporary journal {path}"


def _step_verification(state: _State) -> str:
    from station.api import Credential, Environment, LivenessClient
    from station.application.attempt import Submission, SubmissionKind, run_attempt
    from station.application.recording import AttemptContext, JournalRecorder
    from station.core.decision import DecisionPolicy
    from station.core.models import OutcomeKind

    emulator = state.emulator
    recorder = JournalRecorder(state.journal, AttemptContext(station_id="self-test"))

    async def verify() -> Any:
        credential = Credential(Environment.SANDBOX, emulator.token)
        async with LivenessClient(credential, base_url=emulator.base_url) as client:
            submission = Submission(SubmissionKind.IMAGE, state.jpeg, filename="selftest.jpg")
            attempt = run_attempt(client, submission, DecisionPolicy(), recorder, notes=("self-test",))
            return await asyncio.wait_for(attempt, _VERIFY_TIMEOUT_S)

    try:
        report = asyncio.run(verify())
    except TimeoutError as exc:
        raise SelfTestError(f"no answer from the emulator in {_VERIFY_TIMEOUT_S:.0f} s") from exc
    if report.error is not None:
        raise SelfTestError(f"{type(report.error).__name__}: {report.error.message}")
    if report.audit_error is not None:
        raise SelfTestError(f"the attempt was not recorded: {report.audit_error}")
    if report.kind is not OutcomeKind.LIVE:
        raise SelfTestError(f"expected LIVE from the emulator, got {report.kind.value}: {report.message}")
    state.audit_sequence = report.audit_sequence
    return f"{report.kind.value} in {report.elapsed_ms:.0f} ms, audit record #{report.audit_sequence}"


def _step_audit(state: _State) -> str:
    result = state.journal.verify()
    if not result.ok:
        raise SelfTestError(f"the journal does not verify: {result.message}")
    if state.audit_sequence is None or result.last_sequence != state.audit_sequence:
        raise SelfTestError(
            f"the journal ends at #{result.last_sequence}, expected the new record #{state.audit_sequence}"
        )
    return f"{result.rows_checked} record(s), HMAC chain verified"


def _step_gui(state: _State) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from station.application.factory import StationConfig
    from station.ui.camera_feed import open_camera_early
    from station.ui.early_window import show_early_preview
    from station.ui.fonts import offscreen_uses_windows_fonts

    offscreen_uses_windows_fonts()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # The same early camera and first frame, then loop and composition as ``station --demo``
    # (station.launch.run_gui): the camera's picture is on screen before the station is built.
    config = StationConfig(demo=True)
    camera = open_camera_early(config)
    if camera is None:
        raise SelfTestError("the demo camera was refused")
    early = show_early_preview(camera)
    if not early.wait_for_first_frame(_FRAME_TIMEOUT_S):
        early.hand_over()
        camera.stop()
        raise SelfTestError(f"the early window painted no camera frame in {_FRAME_TIMEOUT_S:.0f} s")
    state.progress("gui", f"first camera frame #{early.first_frame_seq} painted before the station is built")
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    from station.app import build_station
    from station.application.recording import JournalRecorder
    from station.audit import AuditJournal

    # Never the station's real journal or the keyring: attempts would go to a throwaway journal.
    journal = AuditJournal.open(state.workdir / "gui-audit.sqlite3", _SELFTEST_KEY)
    state.stack.callback(journal.close)
    with loop:
        station = build_station(config, recorder=JournalRecorder(journal), camera=camera)
        first: asyncio.Future[int] = loop.create_future()

        def painted(seq: int) -> None:
            if not first.done():
                first.set_result(seq)

        station.window.preview.frame_painted.connect(painted)
        try:
            station.start()
            early.hand_over()
            try:
                seq = loop.run_until_complete(asyncio.wait_for(first, _GUI_TIMEOUT_S))
            except TimeoutError as exc:
                raise SelfTestError(f"the preview painted no camera frame in {_GUI_TIMEOUT_S:.0f} s") from exc
            title = station.window.windowTitle()
        finally:
            station.window.close()
            loop.run_until_complete(station.aclose())
    asyncio.set_event_loop(None)
    return f"window '{title}' painted camera frame #{seq} ({app.platformName()})"


_RUNNERS: dict[str, Callable[[_State], str]] = {
    "resources": _step_resources,
    "camera": _step_camera,
    "encode": _step_encode,
    "emulator": _step_emulator,
    "journal": _step_journal,
    "verification": _step_verification,
    "audit": _step_audit,
    "gui": _step_gui,
}


# ---------------------------------------------------------------------------------------- driver


def _selected(spec: str | None) -> tuple[str, ...]:
    """The steps to run for ``STATION_SELFTEST_STEPS`` (all when unset), in their order."""
    if not spec or not spec.strip():
        return STEPS
    wanted = {name.strip() for name in spec.split(",") if name.strip()}
    unknown = sorted(wanted - set(STEPS))
    if unknown:
        raise SelfTestError(f"unknown step(s) {', '.join(unknown)}; steps are {', '.join(STEPS)}")
    todo: set[str] = set()
    pending = list(wanted)
    while pending:
        name = pending.pop()
        if name not in todo:
            todo.add(name)
            pending.extend(_NEEDS.get(name, ()))
    return tuple(name for name in STEPS if name in todo)


@contextmanager
def _workdir() -> Iterator[Path]:
    # ignore_cleanup_errors: on Windows SQLite may hold the WAL for a moment after close.
    with tempfile.TemporaryDirectory(prefix="station-selftest-", ignore_cleanup_errors=True) as name:
        yield Path(name)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, SelfTestError) else f"{type(exc).__name__}: {text or 'no detail'}"


def run_self_test(out: TextIO | None = None, steps: str | None = None) -> int:
    """Run the steps (``steps`` or ``$STATION_SELFTEST_STEPS``, default all); 0 if all passed."""
    out = out if out is not None else sys.stdout
    from station import __version__

    try:
        names = _selected(steps if steps is not None else os.environ.get(ENV_STEPS))
    except SelfTestError as exc:
        print(f"self-test FAILED at step selection: {exc}", file=out, flush=True)
        return 1
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(
        f"station {__version__} self-test ({frozen}, Python {sys.version.split()[0]})", file=out, flush=True
    )
    started = time.perf_counter()
    current = "setup"
    try:
        with _workdir() as workdir, ExitStack() as stack:
            state = _State(
                stack=stack,
                workdir=workdir,
                progress=lambda step, text: print(f"..   {step:<13} {text}", file=out, flush=True),
            )
            for current in names:
                step_started = time.perf_counter()
                detail = _RUNNERS[current](state)
                elapsed = time.perf_counter() - step_started
                print(f"ok   {current:<13} {elapsed:6.2f} s  {detail}", file=out, flush=True)
            current = "cleanup"
    except Exception as exc:
        print(f"self-test FAILED at step {current}: {_one_line(exc)}", file=out, flush=True)
        return 1
    total = time.perf_counter() - started
    print(f"self-test passed: {len(names)} steps in {total:.2f} s", file=out, flush=True)
    return 0
