"""The real Windows build, installed into a fresh Wine prefix and used as a branch's IT would.

    .venv/bin/python -m pytest tests/packaging/test_windows_bundle.py      # builds, then runs
    .venv/bin/python -m pytest -m "not windows"                            # skips it locally

Marker ``windows``: part of the default run (CI), like the Linux ``bundle`` tests. The module
builds the setup first with ``packaging/windows/wine_build.py --compression none`` (Wine, ISCC,
the embeddable CPython, the Windows wheels and PyInstaller; the release keeps lzma2 compression)
plus a setup of the same bundle numbered ``OLDER`` for the upgrade, then installs into a prefix of
its own: Windows 10, Wine's null graphics driver, and ``QT_QPA_PLATFORM=offscreen`` in
``HKCU\\Environment`` (Wine does not hand that variable from the Linux environment to a Windows
process; the registry's user environment it does). Every command runs the installed
``C:\\Program Files\\Station\\station-console.exe`` or ``station.exe``, against the project's
emulator on 127.0.0.1 (a Windows process under Wine reaches a Linux loopback server).

Needs Wine (installed by the build as root on Debian) and npm; without them the module is
skipped, and under ``CI=true`` it fails instead. ``STATION_WINDOWS_SETUP_DIR`` names a folder
that already holds both setups (skips the build; for iterating on the tests).

What Wine cannot show (the README's release note says so): ACLs (Wine's icacls accepts the
installer's grants and enforces nothing), a real camera, the ``windows`` platform plugin,
Authenticode and SmartScreen. Ctrl+Break is pressed the way the console host delivers it
(``windows_ctrl_break.py``): under Wine 8.0 neither AttachConsole nor a parent's
GenerateConsoleCtrlEvent reaches a console program whose standard streams are pipes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from station import __version__
from station.emulator.server import Emulator
from tests.packaging.conftest import PACKAGING, ROOT
from tests.ship.relay import wait_until

pytestmark = [pytest.mark.windows, pytest.mark.timeout(3000)]

OLDER = "0.0.9"
TOKEN = "wine-test-token-5f2c9a"  # the emulator's bearer token; enrolled from standard input
APP_DIR = r"C:\Program Files\Station"
POLICY_KEY = r"HKLM\SOFTWARE\Policies\Station"
SERVICE = "Station"  # the station service, as the setup registers it
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
FACE = ROOT / "resources" / "samples" / "face.jpg"
IN_CI = os.environ.get("CI") == "true"
WINE_NEEDS = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR")

# Exit codes of station verify (README, "station verify exit codes").
LIVE, SPOOF, AUTH, USAGE, STOPPED = 0, 2, 4, 64, 130


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture(scope="module")
def setups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The setup of this version and one numbered OLDER, built now (or found in STATION_WINDOWS_SETUP_DIR)."""
    given = os.environ.get("STATION_WINDOWS_SETUP_DIR")
    # Not dist/: this checkout's Linux build and its reproducibility check own dist/SHA256SUMS.
    folder = Path(given) if given else tmp_path_factory.mktemp("windows-dist")
    names = {v: folder / f"station-{v}-windows-x86_64-setup.exe" for v in (__version__, OLDER)}
    if not given:
        can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
        if shutil.which("wine") is None and not can_install:
            _skip_or_fail("needs Wine (apt-get install wine wine64 wine32:i386) or root on Debian")
        log = folder / "build.log"
        command = [
            sys.executable,
            str(PACKAGING / "windows" / "wine_build.py"),
            "--compression",
            "none",
            "--also-version",
            OLDER,
            "--dist",
            str(folder),
        ]
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
        assert done.returncode == 0, log.read_text(encoding="utf-8", errors="replace")[-4000:]
    for path in names.values():
        assert path.is_file(), f"no {path}"
    return names


@dataclass
class Wine:
    """One fresh prefix and the commands a branch's IT would type in it."""

    prefix: Path
    env: dict[str, str]

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        # Pipes, never a redirect to a file: Wine gives a redirected Windows program "Invalid handle".
        return subprocess.run(
            ["wine", *args],
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )

    def console(
        self, *args: str, stdin: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return self.run(f"{APP_DIR}\\station-console.exe", *args, stdin=stdin, timeout=timeout)

    def reg(self, *args: str) -> None:
        done = self.run("reg", *args)
        assert done.returncode == 0, done.stdout + done.stderr

    def policy(self, name: str, value: str) -> None:
        self.reg("add", POLICY_KEY, "/v", name, "/t", "REG_SZ", "/d", value, "/f")

    def drop_policy(self, name: str) -> None:
        self.reg("delete", POLICY_KEY, "/v", name, "/f")

    def setup(self, exe: Path, *args: str) -> tuple[int, str]:
        log = self.prefix.parent / f"setup-{exe.stem}-{len(args)}.log"
        done = self.run(
            str(exe), "/VERYSILENT", "/SUPPRESSMSGBOXES", f"/LOG={windows_path(log)}", *args, timeout=900
        )
        return done.returncode, log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def drive_c(self, windows: str) -> Path:
        assert windows[:3].upper() == "C:\\", windows
        return self.prefix / "drive_c" / Path(*windows[3:].split("\\"))

    def journal(self) -> list[dict[str, object]]:
        done = self.console("audit", "export", "--jsonl")
        assert done.returncode == 0, done.stdout + done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def state(self, service: str = SERVICE) -> str:
        """``sc query``'s STATE line, e.g. ``4  RUNNING`` (empty when there is no such service)."""
        out = self.run("sc", "query", service).stdout
        return next((line.split(":", 1)[1].strip() for line in out.splitlines() if "STATE" in line), "")

    def processes(self, exe: str, *, service: bool = False) -> list[int]:
        """Unix process ids of this prefix's Windows processes running ``exe`` (by their command
        line): the station service's (``… service run``) with ``service``, else all the others."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                environ = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            mine = f"WINEPREFIX={self.prefix}".encode() in environ
            named = mine and f"\\{exe}" in cmdline and "start.exe" not in cmdline
            if named and ("service run" in cmdline) == service:
                found.append(int(proc.name))
        return found


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory, setups: dict[str, Path]) -> Iterator[Wine]:
    prefix = tmp_path_factory.mktemp("station-wine") / "prefix"
    # Only what Wine needs from here: the test session's own settings (STATION_*, XDG_*, the null
    # keyring backend, QT_*) would otherwise reach the Windows station through Wine.
    kept = {k: v for k, v in os.environ.items() if k in WINE_NEEDS or k.startswith("LC_")}
    env = dict(
        kept, WINEPREFIX=str(prefix), WINEARCH="win64", WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml="
    )
    subprocess.run(["wineboot", "--init"], env=env, check=True, capture_output=True, timeout=900)
    subprocess.run(["winecfg", "-v", "win10"], env=env, check=True, capture_output=True, timeout=300)
    box = Wine(prefix, env)
    box.reg("add", r"HKCU\Software\Wine\Drivers", "/v", "Graphics", "/d", "null", "/f")
    box.reg("add", r"HKCU\Environment", "/v", "QT_QPA_PLATFORM", "/t", "REG_SZ", "/d", "offscreen", "/f")
    # A Windows PC has its system fonts in C:\\Windows\\Fonts; this Wine's prefix has none, and the
    # offscreen platform reads them from there (station/ui/fonts.py): give it a Latin font.
    fonts = prefix / "drive_c" / "windows" / "Fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        if (SYSTEM_FONTS / name).is_file():
            shutil.copyfile(SYSTEM_FONTS / name, fonts / name)
    subprocess.run(["wineserver", "-w"], env=env, check=False, capture_output=True, timeout=300)
    # A persistent server: Wine ends services.exe and its services with the last program of a
    # session, and the station service is to run from setup to uninstall (no pipes: it stays).
    subprocess.run(
        ["wineserver", "-p"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )
    # The session's first program starts services.exe (and the services it starts) with its own
    # standard streams: none here, so no later command's pipes are held open by the service.
    subprocess.run(
        ["wine", "sc", "query", "eventlog"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=300,
    )
    yield box
    subprocess.run(["wineserver", "-k"], env=env, check=False, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live") as running:
        yield running


@pytest.fixture(scope="module")
def installed(wine: Wine, setups: dict[str, Path], emulator: Emulator) -> Wine:
    """The older setup, a journal written by it, then this version installed over it (an upgrade)."""
    code, log = wine.setup(setups[OLDER])
    assert code == 0, log[-2000:]
    wine.policy("environment", "sandbox")
    wine.policy("base_url", emulator.base_url)
    enrolled = wine.console("token", "set", "--env", "sandbox", stdin=TOKEN + "\n")
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr
    first = wine.console("verify", "--json", windows_path(FACE))
    assert first.returncode == LIVE, first.stdout + first.stderr
    code, log = wine.setup(setups[__version__])
    assert code == 0, log[-2000:]
    return wine


def test_version_and_self_test(installed: Wine) -> None:
    version = installed.console("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"station {__version__}"
    selftest = installed.console("--self-test", timeout=600)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert "(bundle, Python 3.11." in selftest.stdout
    assert "self-test passed" in selftest.stdout
    assert "(offscreen)" in selftest.stdout


def test_upgrade_kept_the_journal(installed: Wine) -> None:
    rows = installed.journal()
    verifications = [r for r in rows if r.get("kind") == "verification"]
    assert verifications and verifications[0]["outcome"] == "LIVE"
    data = installed.drive_c(r"C:\ProgramData\Station\data")
    assert (data / "audit.sqlite3").is_file() and (data / "audit.key").is_file()


def test_the_installer_set_the_machine_folders_acls(installed: Wine, setups: dict[str, Path]) -> None:
    """What Wine can show of the ACLs: icacls ran on both folders with the grants by SID and exit 0.

    Wine's icacls enforces nothing, so who may write there is for the pilot PC (README)."""
    log = (installed.prefix.parent / f"setup-{setups[__version__].stem}-0.log").read_text(
        encoding="utf-8", errors="replace"
    )
    config = r'"C:\ProgramData\Station\config" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F '
    data = r'"C:\ProgramData\Station\data" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F '
    assert config + r"*S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX" in log
    assert data + r"*S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)M" in log
    assert log.count("icacls.exe") >= 2
    assert "Process exit code: 0" in log
    for folder in ("config", "data"):
        assert installed.drive_c(rf"C:\ProgramData\Station\{folder}").is_dir()


def test_the_token_is_the_services_sealed_for_the_machine(installed: Wine) -> None:
    """`token set` (the setup's administrator) wrote the service's store: machine-scope DPAPI in
    ProgramData\\Station\\private, never Credential Manager or a file of the operator's profile."""
    status = installed.console("token", "status", "--env", "sandbox")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "sandbox: enrolled (the station service's store)" in status.stdout
    assert TOKEN not in status.stdout + status.stderr
    sealed = installed.drive_c(r"C:\ProgramData\Station\private\token-sandbox").read_text(encoding="utf-8")
    assert sealed.startswith("dpapi-machine:1:") and TOKEN not in sealed
    # Nothing under the prefix holds the token in clear: not the profile, not Credential Manager's
    # registry (Wine keeps it in user.reg), not ProgramData.
    files = [*installed.drive_c(r"C:\users").rglob("*"), *installed.drive_c(r"C:\ProgramData").rglob("*")]
    for path in [*files, installed.prefix / "user.reg", installed.prefix / "system.reg"]:
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert TOKEN.encode() not in path.read_bytes(), path
    assert installed.state().endswith("RUNNING")


def test_verify_exit_codes_live_and_spoof(installed: Wine, emulator: Emulator) -> None:
    emulator.set_scenario("live")
    sent = emulator.requests_received
    live = installed.console("verify", "--json", windows_path(FACE))
    assert live.returncode == LIVE, live.stdout + live.stderr
    answer = json.loads(live.stdout)
    assert answer["outcome"] == "LIVE" and answer["api_host"] == f"127.0.0.1:{emulator.port}"
    assert emulator.requests_received == sent + 1
    emulator.set_scenario("spoof")
    spoof = installed.console("verify", "--json", windows_path(FACE))
    assert spoof.returncode == SPOOF, spoof.stdout + spoof.stderr
    assert json.loads(spoof.stdout)["outcome"] == "SPOOF"


def test_policy_threshold_holds_and_a_lower_one_is_refused(installed: Wine, emulator: Emulator) -> None:
    emulator.set_scenario("live")
    installed.policy("liveness_threshold", "0.9")
    try:
        held = installed.console("verify", "--json", windows_path(FACE))
        answer = json.loads(held.stdout)
        assert answer["station_threshold"] == 0.9
        assert answer["service_verdict"] == "live" and answer["score"] < 0.9
        assert held.returncode != LIVE and answer["outcome"] != "LIVE"
        sent = emulator.requests_received
        lower = installed.console("verify", "--threshold", "0.5", "--json", windows_path(FACE))
        assert lower.returncode == USAGE, lower.stdout + lower.stderr
        assert "--threshold" in lower.stderr + lower.stdout and "policy" in lower.stderr + lower.stdout
        assert emulator.requests_received == sent  # refused before anything was sent
    finally:
        installed.drop_policy("liveness_threshold")


def _stopped_while_the_service_hangs(installed: Wine, emulator: Emulator, press: Callable[[], None]) -> str:
    """``station-console.exe verify`` held by the emulator, then ``press()``: it must exit 130 with
    no traceback, and the service must journal the attempt as cancelled. Returns its output."""
    emulator.set_scenario("hang")
    command = ["wine", f"{APP_DIR}\\station-console.exe", "verify", "--json", windows_path(FACE)]
    proc = subprocess.Popen(
        command,
        env=installed.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    try:
        assert emulator.wait_for_hanging(1, timeout=120), "the request never reached the emulator"
        press()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        emulator.set_scenario("live")
    assert proc.returncode == STOPPED, out + err
    assert "Traceback" not in out + err

    def cancelled() -> bool:  # journaled by the station service, once it saw its caller go
        last = installed.journal()[-1]
        return last["kind"] == "verification" and "cancelled" in str(last["notes"])

    wait_until(cancelled, 120, "the service to journal the cancelled attempt")
    last = installed.journal()[-1]
    assert last["kind"] == "verification" and last["outcome"] == "ERROR"
    assert "cancelled" in str(last["error_message"]).lower()
    return out + err


def test_ctrl_c_during_a_request_is_journaled_as_cancelled(installed: Wine, emulator: Emulator) -> None:
    def press() -> None:
        pids = installed.processes("station-console.exe")
        assert len(pids) == 1, pids
        # Wine turns SIGINT to a console program's process into CTRL_C_EVENT (its Ctrl+C handler).
        os.kill(pids[0], signal.SIGINT)

    _stopped_while_the_service_hangs(installed, emulator, press)


def test_ctrl_break_during_a_request_is_journaled_as_cancelled(installed: Wine, emulator: Emulator) -> None:
    """Ctrl+Break as Windows delivers it: a thread at ``kernel32!CtrlRoutine`` in the console program
    (``windows_ctrl_break.py``, run by the Windows CPython the build used). Wine's C runtime has no
    ``SIGBREAK`` for it, so this fails unless the station takes Ctrl+Break from the console itself."""
    helper_python = ROOT / "build" / "windows" / "python" / "python.exe"
    if not helper_python.is_file():
        _skip_or_fail(f"needs the Windows CPython the build unpacks ({helper_python})")

    def press() -> None:
        helper = Path(__file__).with_name("windows_ctrl_break.py")
        pressed = subprocess.run(
            ["wine", str(helper_python), windows_path(helper), "station-console.exe"],
            env=installed.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )
        assert pressed.returncode == 0, pressed.stdout + pressed.stderr

    said = _stopped_while_the_service_hangs(installed, emulator, press)
    assert "(SIGBREAK)" in said  # the station's own stop, not the process ended by the default


def test_audit_verify_with_the_journal_under_programdata(installed: Wine) -> None:
    done = installed.console("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert r"C:\ProgramData\Station\data\audit.sqlite3" in done.stdout
    assert "intact" in done.stdout


def test_a_second_kiosk_hands_over_to_the_first(installed: Wine) -> None:
    """The single-instance named pipe: a second ``station.exe --kiosk`` asks the first to come forward."""
    log = installed.drive_c(r"C:\ProgramData\Station\data\logs")
    started = f"station {__version__} started"

    def lines() -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in log.rglob("station.log"))

    before = lines().count(started)
    first = subprocess.Popen(
        ["wine", f"{APP_DIR}\\station.exe", "--kiosk", "--demo"],
        env=installed.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: lines().count(started) > before, 300, "the first kiosk to start")
        second = installed.run(f"{APP_DIR}\\station.exe", "--kiosk", "--demo", timeout=300)
        assert second.returncode == 0
        assert "a kiosk station is already running here: asked it to come to the front" in lines()
        assert lines().count(started) == before + 1  # the second never built a window
        assert installed.processes("station.exe"), "the first kiosk is gone"
    finally:
        for pid in installed.processes("station.exe"):
            os.kill(pid, signal.SIGKILL)
        first.wait(timeout=120)


def test_it_acceptance_as_written_with_the_service_running(installed: Wine, emulator: Emulator) -> None:
    """Issue 25's check as IT types it, the station service running under Wine throughout: one
    service process from the first command to the last, so it followed the token and the policy
    as they changed. (``--self-test`` is test_version_and_self_test's, the uninstall the last
    test's: the same prefix.)"""
    assert installed.state().endswith("RUNNING")
    service = installed.processes("station-console.exe", service=True)
    assert len(service) == 1, service
    assert installed.console("--version").stdout.strip() == f"station {__version__}"
    installed.policy("environment", "sandbox")
    installed.policy("base_url", emulator.base_url)
    enrolled = installed.console("token", "set", "--env", "sandbox", stdin=TOKEN + "\n")
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr

    def verify(*extra: str) -> tuple[int, dict[str, Any]]:
        done = installed.console("verify", *extra, "--json", windows_path(FACE))
        lines = done.stdout.strip().splitlines()
        return done.returncode, json.loads(lines[-1]) if lines else {}

    emulator.set_scenario("live")
    sent = emulator.requests_received
    assert verify()[0] == LIVE and emulator.requests_received == sent + 1
    emulator.set_scenario("spoof")
    assert verify()[0] == SPOOF and emulator.requests_received == sent + 2
    emulator.set_scenario("live")
    cleared = installed.console("token", "clear", "--env", "sandbox")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert verify()[0] == AUTH and emulator.requests_received == sent + 2  # nothing sent
    audit = installed.console("audit", "verify")
    assert audit.returncode == 0 and r"C:\ProgramData\Station\data\audit.sqlite3" in audit.stdout
    assert installed.console("token", "set", "--env", "sandbox", stdin=TOKEN + "\n").returncode == 0
    installed.policy("liveness_threshold", "0.9")
    try:
        code, answer = verify()
        assert code != LIVE and answer["outcome"] != "LIVE" and answer["score"] < 0.9
        code, answer = verify("--threshold", "0.5")
        assert code == USAGE or answer["outcome"] != "LIVE"
    finally:
        installed.drop_policy("liveness_threshold")
    # The journal rows of the paid calls are the service's, with the caller's Windows account.
    rows = [r for r in installed.journal() if r.get("kind") == "verification"]
    assert rows and "\\" in str(rows[-1].get("caller_account", ""))
    assert installed.processes("station-console.exe", service=True) == service


def test_the_offscreen_verdict_screenshot(installed: Wine, tmp_path: Path) -> None:
    """The installed station.exe's real window, offscreen, after one SPOOF capture (README:
    "Windows build, offscreen")."""
    from tests.ui.test_verdict_shot import verdict_pixels

    shot = tmp_path / "windows-offscreen-spoof.png"
    done = installed.run(
        f"{APP_DIR}\\station.exe",
        "-platform",
        "offscreen",
        "--demo",
        "--scenario",
        "spoof",
        "--screenshot",
        windows_path(shot),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    width, height, colours, red = verdict_pixels(shot)
    assert width >= 1024 and height >= 768
    assert colours > 500 and red > 1000, (colours, red)  # not blank; the SPOOF banner is on it
    keep = os.environ.get("STATION_WINDOWS_SCREENSHOT")
    if keep:  # packaging: the README's copy
        shutil.copyfile(shot, keep)


def test_the_installed_window_verifies_through_the_service(
    installed: Wine, emulator: Emulator, tmp_path: Path
) -> None:
    """The windowed ``station.exe`` itself, not the demo: a sandbox station whose camera is, by
    policy, the sample picture (a training room's stand-in). One capture goes from the window's
    client through the station service's named pipe to the service; the service's row names the
    caller's Windows account. ``--screenshot`` outside the demo is refused in production."""
    from tests.ui.test_verdict_shot import verdict_pixels

    emulator.set_scenario("live")
    installed.policy("camera", windows_path(FACE))
    installed.policy("allow_non_live_camera", "true")
    service_pids = installed.processes("station-console.exe", service=True)
    before, sent = len(installed.journal()), emulator.requests_received
    shot = tmp_path / "window-through-the-service.png"
    try:
        window = f"{APP_DIR}\\station.exe"
        args = ("-platform", "offscreen", "--screenshot", windows_path(shot))
        done = installed.run(window, *args, timeout=600)
    finally:
        installed.drop_policy("camera")
        installed.drop_policy("allow_non_live_camera")
    logs = installed.prefix / "drive_c" / "ProgramData" / "Station" / "data" / "logs"
    said = "".join(path.read_text(errors="replace")[-3000:] for path in sorted(logs.rglob("station.log")))
    assert done.returncode == 0, done.stdout + done.stderr + said
    assert emulator.requests_received == sent + 1, said  # the window's one capture, sent by the service
    width, height, colours, _ = verdict_pixels(shot)
    assert width >= 1024 and height >= 768 and colours > 500
    rows = [row for row in installed.journal()[before:] if row["kind"] == "verification"]
    assert [row["outcome"] for row in rows] == ["LIVE"], rows
    assert rows[0]["caller_account"], rows[0]  # the pipe's word for who called
    assert installed.processes("station-console.exe", service=True) == service_pids  # the same service


def test_token_clear_then_verify_sends_nothing(installed: Wine, emulator: Emulator) -> None:
    emulator.set_scenario("live")
    cleared = installed.console("token", "clear", "--env", "sandbox")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    sent = emulator.requests_received
    done = installed.console("verify", "--json", windows_path(FACE))
    assert done.returncode == AUTH, done.stdout + done.stderr
    assert emulator.requests_received == sent  # nothing was sent


def test_downgrade_refused_and_uninstall_keeps_the_evidence(installed: Wine, setups: dict[str, Path]) -> None:
    code, log = installed.setup(setups[OLDER])
    assert code != 0
    assert f"Refusing to downgrade: {__version__} is installed, this is {OLDER}" in log
    assert installed.console("--version").stdout.strip() == f"station {__version__}"
    app = installed.drive_c(APP_DIR)
    data = installed.drive_c(r"C:\ProgramData\Station\data")
    # The service holds the journal open (SQLite's -wal and -shm beside it) until it stops: stopped
    # first, it closes the journal, and what stays can be compared byte for byte.
    assert installed.run("sc", "stop", SERVICE).returncode == 0
    wait_until(lambda: installed.state().endswith("STOPPED"), 120, "the station service to stop")
    wait_until(lambda: not (data / "audit.sqlite3-wal").exists(), 60, "the journal to be closed")
    evidence = {
        p.relative_to(data): p.read_bytes() for p in data.rglob("*") if p.is_file() and "logs" not in p.parts
    }
    assert {Path("audit.sqlite3"), Path("audit.key")} <= set(evidence)
    done = installed.run(f"{APP_DIR}\\unins000.exe", "/VERYSILENT", "/SUPPRESSMSGBOXES", timeout=600)
    assert done.returncode == 0
    wait_until(
        lambda: not (app / "station-console.exe").exists(), 120, "the uninstaller to remove the program"
    )
    assert installed.state() == ""  # the service was stopped and deleted
    assert not installed.processes("station-console.exe", service=True)
    assert installed.drive_c(r"C:\ProgramData\Station\private").is_dir()  # the service's store stays
    # The journal, its key and the anchor (when one was written) stay, byte for byte.
    for name, content in evidence.items():
        assert (data / name).read_bytes() == content, name
