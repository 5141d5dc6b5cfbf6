"""The station service as a Windows service, under Wine: installed, started, asked, stopped, deleted.

    .venv/bin/python -m pytest tests/packaging/test_windows_service.py   # about a minute
    .venv/bin/python -m pytest -m "not windows"                          # skips it locally

Marker ``windows``, like ``test_windows_bundle.py``, but no PyInstaller build: the point is the
service machinery, so the test runs the project's own modules (``station.service.windows_service``
and ``windows_pipe``) in the embeddable Windows CPython the Windows build uses
(``build/windows/python``, made by ``packaging/windows/wine_build.py`` if missing; its standard
library is copied, nothing else), with a tiny echo dispatcher in place of the verifier port's
server (``tests/packaging/wine_service/echo_service.py``).

In a fresh prefix (Windows 10, Wine's null graphics driver, as the bundle test sets it):
``sc create`` with a virtual account, ``sc start``, a client in another Windows process over the
named pipe gets its own account and process id back from the service, ``sc stop``, ``sc delete``.
The Event Log lines are read where Wine 8.0 puts them: ``ReportEventW`` is a stub that writes the
strings to the ``eventlog`` debug channel (trace for information, warn, err), on the standard error
of the process that started the prefix's session (services.exe and its services inherit it).

Measured facts this rests on (README, "The station service on Windows"):
* a service lives only while an ordinary Wine process does, unless the wineserver is persistent:
  the test starts ``wineserver -p``;
* ``obj=`` is accepted (LocalSystem, ``NT AUTHORITY\\LocalService``, ``NT SERVICE\\Name``) and not
  applied: every Wine process runs as the one Wine user, so the service's account and the
  caller's are the same here, and the test tells them apart by process id;
* Wine enforces neither the pipe's security descriptor nor ``FILE_FLAG_FIRST_PIPE_INSTANCE``:
  those two protections are not shown here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, load_script
from tests.ship.relay import wait_until

pytestmark = [pytest.mark.windows, pytest.mark.timeout(900)]

IN_CI = os.environ.get("CI") == "true"
WINE_NEEDS = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR")
SERVICE = "StationTest"
PIPE = "station-service-test"
HERE = Path(__file__).resolve().parent / "wine_service"
PORT_TOKEN = "wine-port-token-7d1e"  # the emulator's bearer token for the port's round trip


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture(scope="module")
def python_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embeddable CPython's standard library (no site-packages), with the checkout on its path."""
    if shutil.which("wine") is None:
        if IN_CI:
            pytest.fail("needs Wine (python3 packaging/dev.py windows installs it)")
        pytest.skip("needs Wine (apt-get install wine wine64)")
    source = ROOT / "build" / "windows" / "python"
    if not (source / "python.exe").is_file():  # the Windows build's own step (pip, hash-checked)
        load_script(PACKAGING / "windows" / "wine_build.py", "station_wine_build").ensure_python()
    target = tmp_path_factory.mktemp("windows-python") / "python"
    shutil.copytree(
        source, target, ignore=lambda folder, _names: ["site-packages"] if folder.endswith("Lib") else []
    )
    site = target / "Lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "station-source.pth").write_text(windows_path(ROOT) + "\r\n", encoding="utf-8")
    return target


@dataclass
class Wine:
    prefix: Path
    env: dict[str, str]
    python: str
    #: Where the session's Wine debug output goes: services.exe and the services inherit it.
    debug_log: Path

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        # Pipes for all three streams: a Windows program given a file gets "Invalid handle".
        return subprocess.run(
            ["wine", *args],
            env=self.env,
            input="",
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )

    def sc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("sc", *args)

    def state(self, service: str) -> str:
        """``sc query``'s STATE line, e.g. ``4  RUNNING`` (empty when there is no such service)."""
        out = self.sc("query", service).stdout
        return next((line.split(":", 1)[1].strip() for line in out.splitlines() if "STATE" in line), "")

    def events(self) -> list[str]:
        """The Event Log strings written so far, from Wine's eventlog channel."""
        marker = ":eventlog:ReportEventW L"
        found = []
        for line in self.debug_log.read_text(encoding="utf-8", errors="replace").splitlines():
            if marker in line:
                kind = line.split(":", 2)[1]  # trace, warn or err
                found.append(f"{kind}: {line.split(marker, 1)[1].strip()}")
        return found

    def service_processes(self) -> list[int]:
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                environ = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"WINEPREFIX={self.prefix}".encode() in environ and "echo_service.py" in cmdline:
                found.append(int(proc.name))
        return found


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory, python_dir: Path) -> Iterator[Wine]:
    root = tmp_path_factory.mktemp("station-wine-service")
    prefix = root / "prefix"
    kept = {k: v for k, v in os.environ.items() if k in WINE_NEEDS or k.startswith("LC_")}
    env = dict(
        kept, WINEPREFIX=str(prefix), WINEARCH="win64", WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml="
    )
    subprocess.run(["wineboot", "--init"], env=env, check=True, capture_output=True, timeout=900)
    subprocess.run(["winecfg", "-v", "win10"], env=env, check=True, capture_output=True, timeout=300)
    subprocess.run(
        ["wine", "reg", "add", r"HKCU\Software\Wine\Drivers", "/v", "Graphics", "/d", "null", "/f"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(["wineserver", "-w"], env=env, check=False, capture_output=True, timeout=300)
    # A new session: a persistent wineserver (services outlive the commands that started them),
    # and a first process whose standard error, with the eventlog channel on, services.exe and
    # every service inherit.
    debug_log = root / "wine-session.log"
    traced = dict(env, WINEDEBUG="-all,+eventlog")
    # (no pipes: the server stays in the background and would hold them open)
    subprocess.run(
        ["wineserver", "-p"],
        env=traced,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )
    with debug_log.open("w", encoding="utf-8") as err:
        subprocess.run(
            ["wine", "sc", "query", "eventlog"],
            env=traced,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=False,
            timeout=300,
        )
    yield Wine(prefix, env, windows_path(python_dir / "python.exe"), debug_log)
    subprocess.run(["wineserver", "-k"], env=env, check=False, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def service(wine: Wine) -> Iterator[Wine]:
    """``StationTest`` installed under a virtual account and started with ``sc start``."""
    command = f'"{wine.python}" "{windows_path(HERE / "echo_service.py")}" {SERVICE} {PIPE}'
    created = wine.sc("create", SERVICE, "binPath=", command, "obj=", rf"NT SERVICE\{SERVICE}")
    assert created.returncode == 0, created.stdout + created.stderr
    started = wine.sc("start", SERVICE)
    assert started.returncode == 0, started.stdout + started.stderr
    wait_until(lambda: wine.state(SERVICE).endswith("RUNNING"), 120, "the service to report RUNNING")
    yield wine
    if wine.state(SERVICE):
        wine.sc("stop", SERVICE)
        wine.sc("delete", SERVICE)


def ask(wine: Wine, message: str) -> dict[str, object]:
    done = wine.run(wine.python, windows_path(HERE / "pipe_client.py"), PIPE, message, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_the_service_answers_over_its_pipe_with_the_callers_identity(service: Wine) -> None:
    assert f'trace: "{SERVICE}: running, listening on \\\\\\\\.\\\\pipe\\\\{PIPE}"' in service.events()
    # The account the installer asked for is recorded (Wine then runs the service as its one user).
    key = rf"HKLM\System\CurrentControlSet\Services\{SERVICE}"
    recorded = service.run("reg", "query", key, "/v", "ObjectName").stdout
    assert rf"NT SERVICE\{SERVICE}" in recorded, recorded
    pids = service.service_processes()
    assert len(pids) == 1, pids
    reply = ask(service, "hello, station")
    answer = reply["answer"]
    assert isinstance(answer, dict)
    assert answer["echo"] == "hello, station"
    caller, server = answer["caller"], answer["service"]
    # The service named its caller from the pipe: the client's own process id and account.
    assert caller["pid"] == reply["pid"] and caller["pid"] != server["pid"]
    assert caller["account"] == reply["account"] and caller["sid"] == reply["sid"]
    assert str(caller["sid"]).startswith("S-1-5-")
    # The client reached the service's process, as the pipe names it.
    assert reply["server_pid"] == server["pid"]
    # A second caller is another process, named as such; the service kept running between them.
    again = ask(service, "second caller")
    assert isinstance(again["answer"], dict)
    assert again["answer"]["caller"]["pid"] == again["pid"] != reply["pid"]
    assert service.service_processes() == pids


def test_an_oversize_frame_is_refused_and_the_service_keeps_serving(service: Wine) -> None:
    reply = ask(service, "--oversize")
    assert reply["answer"] == "closed"  # dropped unanswered
    wait_until(
        lambda: any(e.startswith("warn:") and "message was refused" in e for e in service.events()),
        60,
        "the refusal in the Event Log",
    )
    answer = ask(service, "after the refusal")["answer"]
    assert isinstance(answer, dict) and answer["echo"] == "after the refusal"


def test_callers_that_hang_up_do_not_stop_the_listener(service: Wine) -> None:
    for _ in range(3):
        assert ask(service, "--hangup")["answer"] == "hung up"
    answer = ask(service, "after three hang-ups")["answer"]
    assert isinstance(answer, dict) and answer["echo"] == "after three hang-ups"


def test_stop_and_delete(service: Wine) -> None:
    stopped = service.sc("stop", SERVICE)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    wait_until(lambda: service.state(SERVICE).endswith("STOPPED"), 120, "the service to report STOPPED")
    query = service.sc("query", SERVICE).stdout
    assert "WIN32_EXIT_CODE    : 0" in query, query
    wait_until(lambda: not service.service_processes(), 120, "the service's process to end")
    events = service.events()
    assert f'trace: "{SERVICE}: stopping (stop control)"' in events
    assert f'trace: "{SERVICE}: stopped"' in events
    assert not any(e.startswith("err:") for e in events), events
    deleted = service.sc("delete", SERVICE)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert service.state(SERVICE) == ""
    gone = service.run(service.python, windows_path(HERE / "pipe_client.py"), PIPE, "anyone?")
    assert gone.returncode != 0 and "not running" in gone.stderr


def test_started_from_a_console_it_refuses_with_a_clear_error(wine: Wine) -> None:
    done = wine.run(
        wine.python, windows_path(HERE / "echo_service.py"), "StationConsole", "station-console-test"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is started by Windows (sc start StationConsole), not from a console" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_service_that_cannot_serve_stops_with_its_exit_code_and_says_why(wine: Wine) -> None:
    name = "StationBroken"
    command = f'"{wine.python}" "{windows_path(HERE / "echo_service.py")}" {name} not/a/pipe/name'
    created = wine.sc("create", name, "binPath=", command)
    assert created.returncode == 0, created.stdout + created.stderr
    try:
        wine.sc("start", name)
        wait_until(lambda: wine.state(name).endswith("STOPPED"), 120, "the broken service to stop")
        query = wine.sc("query", name).stdout
        assert "WIN32_EXIT_CODE    : 1066" in query, query  # ERROR_SERVICE_SPECIFIC_ERROR
        assert "SERVICE_EXIT_CODE  : 1 " in query, query
        wait_until(
            lambda: any(e.startswith("err:") and f"{name}: could not serve" in e for e in wine.events()),
            60,
            "the reason in the Event Log",
        )
        assert any("ValueError: not a pipe name" in e for e in wine.events()), wine.events()
    finally:
        wine.sc("delete", name)


def test_the_asyncio_listener_serves_as_a_service_too(wine: Wine) -> None:
    """The shape the station service's server plugs into: a coroutine per caller, peer known first."""
    name, pipe = "StationAsync", "station-async-test"
    command = f'"{wine.python}" "{windows_path(HERE / "echo_service.py")}" {name} {pipe} --async'
    created = wine.sc("create", name, "binPath=", command, "obj=", r"NT AUTHORITY\LocalService")
    assert created.returncode == 0, created.stdout + created.stderr
    try:
        assert wine.sc("start", name).returncode == 0
        wait_until(lambda: wine.state(name).endswith("RUNNING"), 120, "the asyncio service to run")
        done = wine.run(wine.python, windows_path(HERE / "pipe_client.py"), pipe, "over asyncio")
        assert done.returncode == 0, done.stdout + done.stderr
        reply = json.loads(done.stdout.strip().splitlines()[-1])
        answer = reply["answer"]
        assert answer["echo"] == "over asyncio"
        assert answer["caller"]["pid"] == reply["pid"] != answer["service"]["pid"]
        assert answer["caller"]["account"] == reply["account"]
        assert wine.sc("stop", name).returncode == 0
        wait_until(lambda: wine.state(name).endswith("STOPPED"), 120, "the asyncio service to stop")
        assert "WIN32_EXIT_CODE    : 0" in wine.sc("query", name).stdout
        events = wine.events()
        assert f'trace: "{name}: stopping (stop control)"' in events and f'trace: "{name}: stopped"' in events
    finally:
        wine.sc("delete", name)


@pytest.fixture(scope="module")
def station_python(tmp_path_factory: pytest.TempPathFactory, python_dir: Path) -> str:
    """The Windows Python with the Windows build's wheels too (the server needs pydantic, httpx)."""
    if importlib.util.find_spec("station.service.server") is None:
        pytest.skip("the station service's server (issue 24) is not in this checkout yet")
    build = ROOT / "build" / "windows" / "python"
    site = build / "Lib" / "site-packages"
    if not (site / "pydantic").is_dir():  # the Windows build's own steps (pip, hash-checked)
        script = load_script(PACKAGING / "windows" / "wine_build.py", "station_wine_build")
        script.ensure_python()
        script.ensure_wheels()
    target = tmp_path_factory.mktemp("windows-python-full") / "python"
    shutil.copytree(python_dir, target)
    # The build's wheels on the path, read in place (python -B: nothing is written there).
    (target / "Lib" / "site-packages" / "station-wheels.pth").write_text(
        windows_path(site) + "\r\n", encoding="utf-8"
    )
    return windows_path(target / "python.exe")


def test_the_station_service_answers_a_verification_over_the_pipe(wine: Wine, station_python: str) -> None:
    """The verifier port's own server and client, across the pipe, the service under Wine's SCM."""
    from station.emulator.server import Emulator

    name, pipe = "Station", "station-service-test-port"
    data = wine.prefix.parent / "service-data"
    data.mkdir()
    with Emulator(token=PORT_TOKEN, scenario="live") as emulator:
        script = windows_path(HERE / "station_service.py")
        args = f"{name} {pipe} {emulator.base_url} {PORT_TOKEN} {windows_path(data)}"
        command = f'"{station_python}" -B "{script}" {args}'
        created = wine.sc("create", name, "binPath=", command, "obj=", rf"NT SERVICE\{name}")
        assert created.returncode == 0, created.stdout + created.stderr
        try:
            assert wine.sc("start", name).returncode == 0
            wait_until(lambda: wine.state(name).endswith("RUNNING"), 300, "the station service to run")
            picture = windows_path(ROOT / "resources" / "samples" / "face.jpg")
            done = wine.run(station_python, "-B", windows_path(HERE / "station_client.py"), pipe, picture)
            assert done.returncode == 0, done.stdout + done.stderr
            answer = json.loads(done.stdout.strip().splitlines()[-1])
            assert answer["holds"] == []
            assert answer["outcome"] == "LIVE" and answer["final"] is True
            # The service named the caller's account from the pipe in its welcome.
            assert answer["account"] == answer["me"] and "\\" in answer["account"]
            assert emulator.requests_received == 1  # the one paid call, sent by the service
            assert (data / "audit.sqlite3").is_file()  # journaled by the service
            assert wine.sc("stop", name).returncode == 0
            wait_until(lambda: wine.state(name).endswith("STOPPED"), 120, "the station service to stop")
            assert "WIN32_EXIT_CODE    : 0" in wine.sc("query", name).stdout
            assert not any(e.startswith(f'err: "{name}: ') for e in wine.events()), wine.events()
        finally:
            wine.sc("delete", name)
