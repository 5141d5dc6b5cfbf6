"""The station service as a Windows service: the control handler, its states, and the Event Log.

``station-console.exe service run``, started by the Service Control Manager (``sc start Station``),
calls :func:`run`: it hands the process to the SCM (``StartServiceCtrlDispatcherW``), whose
``ServiceMain`` reports ``SERVICE_START_PENDING``, opens the named pipe
(:class:`~station.service.windows_pipe.PipeListener`), reports ``SERVICE_RUNNING`` and serves
callers until a stop or shutdown control, which it answers with ``SERVICE_STOP_PENDING``, then
``SERVICE_STOPPED``. A service that cannot open its pipe (another process took the name) stops
with a service-specific exit code and says why in the Event Log.

Each caller's connection is served on its own thread: ``dispatch(request, peer)`` gets the request
bytes and the caller's account from the pipe (:class:`~station.service.windows_pipe.PipePeer`) and
returns the answer bytes. The station service's own dispatcher (the verifier port's server) is
plugged in there; this module knows nothing of the protocol.

Event Log lines go through ``RegisterEventSourceW``/``ReportEventW`` under the service's name as
source (the installer registers it under
``HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application``). Under Wine 8.0 ``ReportEventW``
writes the strings to Wine's ``eventlog`` debug channel instead (README, "The station service on
Windows"). No message ever carries a request's content: only states, pipe names, exception types.

Qt-free; importable on every OS (the calls fail with ``NotOnWindowsError`` off Windows).
"""

from __future__ import annotations

import asyncio
import ctypes
import enum
import threading
from collections.abc import Callable
from ctypes import wintypes
from typing import Any, Final

from station.service import win32_api as win
from station.service.windows_pipe import (
    MessageTooLargeError,
    PipeClosedError,
    PipeError,
    PipeListener,
    PipePeer,
    PipeTransport,
)

__all__ = [
    "Dispatch",
    "EventKind",
    "EventLog",
    "NotStartedByServiceManagerError",
    "ServiceControl",
    "ServiceState",
    "run",
    "run_as_service",
    "serve_pipe",
]

#: The answer to one request: the request's bytes and who sent it in, the answer's bytes out.
Dispatch = Callable[[bytes, PipePeer], bytes]


class ServiceState(enum.IntEnum):
    """``SERVICE_STATUS.dwCurrentState``."""

    STOPPED = 1
    START_PENDING = 2
    STOP_PENDING = 3
    RUNNING = 4


class EventKind(enum.IntEnum):
    """``ReportEventW``'s ``wType``."""

    ERROR = 0x1
    WARNING = 0x2
    INFORMATION = 0x4


class NotStartedByServiceManagerError(RuntimeError):
    """``service run`` was typed at a console: only the Service Control Manager may start it."""


_SERVICE_WIN32_OWN_PROCESS: Final = 0x10
_SERVICE_ACCEPT_STOP: Final = 0x1
_SERVICE_ACCEPT_SHUTDOWN: Final = 0x4
_CONTROL_STOP: Final = 1
_CONTROL_INTERROGATE: Final = 4
_CONTROL_SHUTDOWN: Final = 5
_NO_ERROR: Final = 0
_ERROR_CALL_NOT_IMPLEMENTED: Final = 120
_ERROR_FAILED_SERVICE_CONTROLLER_CONNECT: Final = 1063
_ERROR_SERVICE_SPECIFIC_ERROR: Final = 1066
#: The service-specific exit code of a service that could not start serving (the Event Log says why).
EXIT_COULD_NOT_SERVE: Final = 1
_START_WAIT_HINT_MS: Final = 30_000
_STOP_WAIT_HINT_MS: Final = 30_000
#: How long a stopping service waits for the callers' threads before it reports STOPPED.
_DRAIN_SECONDS: Final = 20.0


class _SERVICE_STATUS(ctypes.Structure):  # noqa: N801 - the Win32 name
    _fields_ = [
        ("dwServiceType", wintypes.DWORD),
        ("dwCurrentState", wintypes.DWORD),
        ("dwControlsAccepted", wintypes.DWORD),
        ("dwWin32ExitCode", wintypes.DWORD),
        ("dwServiceSpecificExitCode", wintypes.DWORD),
        ("dwCheckPoint", wintypes.DWORD),
        ("dwWaitHint", wintypes.DWORD),
    ]


class EventLog:
    """The Windows Event Log under ``source`` (the Application log)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._handle = win.advapi32().RegisterEventSourceW(None, source)
        if not self._handle:
            raise win.Win32Error("RegisterEventSourceW", win.last_error())
        self._lock = threading.Lock()

    def write(self, kind: EventKind, message: str, event_id: int = 1) -> None:
        strings = (wintypes.LPCWSTR * 1)(message)
        with self._lock:
            if self._handle:
                win.advapi32().ReportEventW(self._handle, int(kind), 0, event_id, None, 1, 0, strings, None)

    def close(self) -> None:
        with self._lock:
            if self._handle:
                win.advapi32().DeregisterEventSource(self._handle)
                self._handle = None


class ServiceControl:
    """What the service's body sees of the SCM: report RUNNING once serving, and the stop request."""

    def __init__(self, report: Callable[[ServiceState], None]) -> None:
        self._report = report
        #: Set when the SCM asked the service to stop (stop or shutdown control).
        self.stop = threading.Event()

    def running(self) -> None:
        self._report(ServiceState.RUNNING)

    async def wait_for_stop(self) -> None:
        """For an asyncio body (``asyncio.run`` inside ``body``): returns once a stop was asked."""
        await asyncio.to_thread(self.stop.wait)


def run_as_service(name: str, body: Callable[[ServiceControl], None], log: EventLog) -> None:
    """Hand this process to the SCM as the service ``name``; ``body`` runs in ``ServiceMain``.

    ``body`` calls ``control.running()`` when it serves and returns once ``control.stop`` is set.
    Returns when the service has stopped. Raises :class:`NotStartedByServiceManagerError` when the
    process was not started by the SCM.
    """
    api = win.advapi32()
    winfunctype: Any = getattr(ctypes, "WINFUNCTYPE")  # noqa: B009 - Windows-only; advapi32() checked the OS
    dword, pointer = wintypes.DWORD, ctypes.c_void_p
    handler_type = winfunctype(dword, dword, dword, pointer, pointer)
    main_type = winfunctype(None, wintypes.DWORD, ctypes.POINTER(wintypes.LPWSTR))
    status = _SERVICE_STATUS(dwServiceType=_SERVICE_WIN32_OWN_PROCESS)
    status_lock = threading.Lock()
    holder: dict[str, Any] = {}

    def report(state: ServiceState, exit_code: int = 0) -> None:
        with status_lock:
            status.dwCurrentState = int(state)
            status.dwControlsAccepted = (
                _SERVICE_ACCEPT_STOP | _SERVICE_ACCEPT_SHUTDOWN if state == ServiceState.RUNNING else 0
            )
            pending = state in (ServiceState.START_PENDING, ServiceState.STOP_PENDING)
            status.dwCheckPoint = status.dwCheckPoint + 1 if pending else 0
            status.dwWaitHint = _START_WAIT_HINT_MS if pending else 0
            status.dwWin32ExitCode = _ERROR_SERVICE_SPECIFIC_ERROR if exit_code else _NO_ERROR
            status.dwServiceSpecificExitCode = exit_code
            api.SetServiceStatus(holder["handle"], ctypes.byref(status))

    control = ServiceControl(report)

    def handler(code: int, _event_type: int, _data: object, _context: object) -> int:
        if code in (_CONTROL_STOP, _CONTROL_SHUTDOWN):
            if not control.stop.is_set():
                why = "shutdown" if code == _CONTROL_SHUTDOWN else "stop"
                log.write(EventKind.INFORMATION, f"{name}: stopping ({why} control)")
                report(ServiceState.STOP_PENDING)
                control.stop.set()
            return _NO_ERROR
        if code == _CONTROL_INTERROGATE:
            return _NO_ERROR
        return _ERROR_CALL_NOT_IMPLEMENTED

    def service_main(_argc: int, _argv: object) -> None:
        holder["handle"] = api.RegisterServiceCtrlHandlerExW(name, holder["handler"], None)
        if not holder["handle"]:
            log.write(EventKind.ERROR, f"{name}: RegisterServiceCtrlHandlerExW failed ({win.last_error()})")
            return
        report(ServiceState.START_PENDING)
        exit_code = 0
        try:
            body(control)
        except Exception as exc:  # the SCM and the Event Log must hear of any failure
            exit_code = EXIT_COULD_NOT_SERVE
            # Starting or accepting failed (no request is read there): the text says why.
            log.write(EventKind.ERROR, f"{name}: could not serve: {type(exc).__name__}: {exc}")
        log.write(EventKind.INFORMATION if exit_code == 0 else EventKind.ERROR, f"{name}: stopped")
        report(ServiceState.STOPPED, exit_code)

    holder["handler"] = handler_type(handler)
    holder["main"] = main_type(service_main)

    class _ENTRY(ctypes.Structure):
        _fields_ = [("lpServiceName", wintypes.LPWSTR), ("lpServiceProc", ctypes.c_void_p)]

    service_name = ctypes.create_unicode_buffer(name)
    table = (_ENTRY * 2)()
    table[0].lpServiceName = ctypes.cast(service_name, wintypes.LPWSTR)
    table[0].lpServiceProc = ctypes.cast(holder["main"], ctypes.c_void_p)
    if not api.StartServiceCtrlDispatcherW(table):
        error = win.last_error()
        if error == _ERROR_FAILED_SERVICE_CONTROLLER_CONNECT:
            raise NotStartedByServiceManagerError(
                f"the {name} service is started by Windows (sc start {name}), not from a console"
            )
        raise win.Win32Error("StartServiceCtrlDispatcherW", error)


def serve_pipe(listener: PipeListener, dispatch: Dispatch, stop: threading.Event, log: EventLog) -> None:
    """Serve callers on ``listener`` until ``stop`` is set; each connection on its own thread."""
    open_connections: set[PipeTransport] = set()
    guard = threading.Lock()
    workers: list[threading.Thread] = []

    def closer() -> None:
        stop.wait()
        listener.close()
        with guard:
            for transport in list(open_connections):
                transport.close()

    def serve_one(transport: PipeTransport) -> None:
        try:
            while not stop.is_set():
                request = transport.receive()
                transport.send(dispatch(request, transport.peer()))
        except MessageTooLargeError as exc:
            log.write(EventKind.WARNING, f"{log.source}: a caller's message was refused: {exc}")
        except PipeClosedError:
            pass
        except Exception as exc:  # one caller's failure never stops the service
            log.write(EventKind.ERROR, f"{log.source}: a request failed: {type(exc).__name__}: {_safe(exc)}")
        finally:
            transport.close()
            with guard:
                open_connections.discard(transport)

    threading.Thread(target=closer, name="pipe-closer", daemon=True).start()
    while True:
        try:
            transport = listener.accept()
        except PipeClosedError:
            break
        with guard:
            if stop.is_set():
                transport.close()
                break
            open_connections.add(transport)
        worker = threading.Thread(target=serve_one, args=(transport,), name="pipe-caller", daemon=True)
        worker.start()
        workers = [w for w in workers if w.is_alive()] + [worker]
    for worker in workers:
        worker.join(_DRAIN_SECONDS)


def run(name: str, pipe_name: str, dispatch: Dispatch) -> None:
    """``service run`` on Windows: the service ``name`` serving ``dispatch`` on the pipe ``pipe_name``."""
    log = EventLog(name)

    def body(control: ServiceControl) -> None:
        listener = PipeListener(pipe_name)
        try:
            control.running()
            log.write(EventKind.INFORMATION, f"{name}: running, listening on {listener.path}")
            serve_pipe(listener, dispatch, control.stop, log)
        finally:
            listener.close()

    try:
        run_as_service(name, body, log)
    finally:
        log.close()


def _safe(exc: BaseException) -> str:
    """A failed request's exception for the Event Log: pipe and Windows errors in full (they carry
    no request content); anything else by its type alone, since its text might quote the request."""
    return str(exc) if isinstance(exc, (PipeError, win.Win32Error)) else "(text not logged)"
