"""``idle_cpu_percent_xvfb``: the idle station in a real X11 window, measured from outside.

Run as ``python -m station.bench.xvfb [--seconds 20] [--picture customer|nobody]``. It starts an
``Xvfb`` server (1920x1080, 24 bit, no TCP) and, on it, the same child as
:mod:`station.bench.idle` (the demo station as ``station --demo`` builds it, a 30 fps 1080p
counter camera, the guide) on Qt's ``xcb`` platform: a real X11 window, every frame sent to the X
server. After the child's warm-up (it prints a line when it is over) this process reads the CPU
time of every station process from ``/proc/PID/stat`` (user + system, its threads and any
children it has waited for) over ``--seconds`` of wall time, and the X server's beside it (which is
not the station's, but what a branch PC pays for showing it). No figure comes from inside the
station's process. Prints one JSON object.

Needs ``Xvfb`` and Qt's xcb libraries (see /work/shared/ECOSYSTEM.md: ``xvfb xauth libxcb-*``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from station.bench.idle import WARM_LINE

__all__ = ["WarmUpError", "XvfbIdle", "measure_idle_xvfb", "measure_or_skip"]

#: The screen a counter PC has.
SCREEN = "1920x1080x24"
_START_TIMEOUT_S = 60.0
#: Display numbers are chosen at random from here up: far from :0 and xvfb-run's :99.
_FIRST_DISPLAY = 300
_NO_TCP = ("-nolisten", "tcp", "-noreset")


class WarmUpError(RuntimeError):
    """The station did not show its window on the X server. Seen on this shared machine: the X
    server gone before the window (another job ending X servers), or a display number another
    mount namespace also used; tried again on a new server."""


@dataclass(frozen=True, slots=True)
class XvfbIdle:
    """CPU as a percentage of one core over ``wall_s``: the station's processes, and Xvfb's."""

    station_cpu_percent: float
    xserver_cpu_percent: float
    wall_s: float
    processes: int
    inside: dict[str, float]


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` (all its threads) and of its waited-for children, from
    ``/proc/PID/stat``: fields 14-17 (utime, stime, cutime, cstime), counted after the command
    name, which may itself contain spaces and parentheses."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): utime is field 14, so index 11.
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / _ticks()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (the station's processes: the GUI and any it spawned)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _display_free(number: int) -> bool:
    """No X server here, nor in another mount namespace on this machine, owns display ``number``.

    Why both checks: tests elsewhere run in private mount namespaces (their own ``/tmp``, so their
    lock files are invisible here) while the abstract socket ``@/tmp/.X11-unix/X<n>``, which X
    clients try first, is shared by the whole machine: a server that took a display number only by
    its lock file let our station connect to somebody else's server and fail.
    """
    lock = Path(f"/tmp/.X{number}-lock")  # noqa: S108 - where every X server keeps its lock
    local = Path(f"/tmp/.X11-unix/X{number}")  # noqa: S108 - and its socket
    if lock.exists() or local.exists():
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.bind(f"\0/tmp/.X11-unix/X{number}")
    except OSError:
        return False
    finally:
        probe.close()
    return True


def _server_log(number: int) -> int:
    """A fresh file for the X server's own messages (its fatal error, if it dies)."""
    path = _server_log_path(number)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def _server_log_path(number: int) -> Path:
    return Path(f"/tmp/station-bench-xvfb-{os.getpid()}-{number}.log")  # noqa: S108 - ours alone (pid)


def _server_said(display: str) -> str:
    """The last lines the X server on ``display`` wrote; the file is removed."""
    path = _server_log_path(int(display.lstrip(":")))
    try:
        return path.read_text(errors="replace")[-1500:]
    except OSError:
        return ""
    finally:
        path.unlink(missing_ok=True)


def _read_display(read_end: int, deadline: float) -> str:
    """The display number the X server writes to ``-displayfd``, read up to its newline.

    The server writes the number and the newline in two writes, and dies ("Cannot write display
    number to fd") if the pipe is closed between them: closing after the first read killed the
    server under load, so this reads until the newline (or the end, or the deadline)."""
    said = b""
    while b"\n" not in said:
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(read_end, 64)
        if not chunk:
            break
        said += chunk
    return said.decode(errors="replace").strip()


def _start_xvfb(attempts: int = 8) -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb; see ECOSYSTEM.md)")
    chooser = random.SystemRandom()
    for _ in range(attempts):
        number = chooser.randrange(_FIRST_DISPLAY, _FIRST_DISPLAY + 500)
        if not _display_free(number):
            continue
        read_end, write_end = os.pipe()
        log = _server_log(number)
        server = subprocess.Popen(  # noqa: S603 - the X server found on PATH
            [xvfb, f":{number}", "-displayfd", str(write_end), "-screen", "0", SCREEN, *_NO_TCP],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=log,  # why a server died, for the error that says so
        )
        os.close(write_end)
        os.close(log)
        reported = _read_display(read_end, time.monotonic() + _START_TIMEOUT_S)
        os.close(read_end)
        if reported == str(number) and server.poll() is None:
            return server, f":{number}"
        server.kill()  # another server took the number meanwhile: try another one
        server.wait()
        _server_said(f":{number}")
    raise RuntimeError(f"Xvfb could not start on a free display in {attempts} tries")


def measure_idle_xvfb(seconds: float = 20.0, picture: str = "customer") -> XvfbIdle:
    """The idle station on Xvfb, its CPU read from ``/proc`` over ``seconds`` after its warm-up."""
    server, display = _start_xvfb()
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", STATION_LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "station.bench.idle", "--seconds", str(seconds + 4.0)]
    command += ["--picture", picture, "--announce"]
    try:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline().strip()
            if line != WARM_LINE:
                child.kill()
                _, errors = child.communicate(timeout=30)
                gone = server.poll() is not None
                raise WarmUpError(
                    f"the station did not warm up under Xvfb {display} (server "
                    f"{'gone' if gone else 'running'}): {line!r} {errors[-2000:]}"
                    + (f"\nthe X server said: {_server_said(display)}" if gone else "")
                )
            pids = descendants(child.pid)
            wall0 = time.monotonic()
            cpu0 = sum(process_cpu_seconds(pid) for pid in pids)
            x0 = process_cpu_seconds(server.pid)
            time.sleep(seconds)  # the measurement window itself: nothing to wait on but the clock
            pids_after = descendants(child.pid)
            cpu1 = sum(process_cpu_seconds(pid) for pid in pids if pid in pids_after)
            x1 = process_cpu_seconds(server.pid)
            wall = time.monotonic() - wall0
            out, errors = child.communicate(timeout=seconds + 90)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if child.returncode != 0:
            raise RuntimeError(f"the Xvfb idle child failed ({child.returncode}): {errors[-2000:]}")
        inside: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)
        _server_said(display)  # removes its log
    return XvfbIdle(
        station_cpu_percent=100.0 * (cpu1 - cpu0) / wall,
        xserver_cpu_percent=100.0 * (x1 - x0) / wall,
        wall_s=wall,
        processes=len(pids),
        inside=inside,
    )


def measure_or_skip(seconds: float, attempts: int = 3) -> XvfbIdle | None:
    """:func:`measure_idle_xvfb` with a customer seated, or None where there is no Xvfb; a station
    that did not warm up is tried again on a new X server, ``attempts`` times in all."""
    if shutil.which("Xvfb") is None:
        return None
    for attempt in range(attempts):
        try:
            return measure_idle_xvfb(seconds)
        except WarmUpError:
            if attempt == attempts - 1:
                raise
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.bench.xvfb")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--picture", choices=["customer", "nobody"], default="customer")
    args = parser.parse_args(argv)
    result = measure_idle_xvfb(args.seconds, args.picture)
    print(
        json.dumps(
            {
                "station_cpu_percent": round(result.station_cpu_percent, 2),
                "xserver_cpu_percent": round(result.xserver_cpu_percent, 2),
                "wall_s": round(result.wall_s, 2),
                "processes": result.processes,
                "inside": result.inside,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
