"""The relay under test: a real ``rsyslogd`` configured like the README's relay sample.

``imtcp`` with the GnuTLS stream driver (RFC 5425), optionally ``imrelp`` over TLS, both asking
the stations for a certificate signed by the CA (mutual TLS, as in the README), both into a
``stations`` ruleset whose one action writes what rsyslog parsed to ``received.log`` (the SIEM's
stand-in: arrival time, MSGID, the row's own time, the structured data, and the body of heartbeat
rows, which the alert rules read). ``impstats`` writes rsyslog's own counters every second
(queue size, enqueued, discarded) and rsyslog's internal messages (refused sessions) go to
``internal.log``. :class:`RelaySampler` reads the relay's CPU time and its established sessions
from ``/proc`` while it runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Relay", "RelaySampler", "RelaySettings", "Sample", "free_port"]

#: MSGID of the rows whose body the received file keeps (the alert rules read their head).
_HEARTBEAT = "heartbeat"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class RelaySettings:
    """What the relay is told: ``max_sessions`` (imtcp's default is 200), the TLS priority
    string for GnuTLS (None: rsyslog's default), RELP on or off, a CPU to pin it to, and the
    queue in front of the SIEM action."""

    max_sessions: int = 2000
    tls_priority: str | None = None
    relp: bool = False
    cpu: int | None = None
    #: The stations ruleset's queue: ``LinkedList`` (in memory, rsyslog's usual) or ``Direct``
    #: (the action runs before the input returns: a RELP acknowledgement then means "written").
    queue: str = "LinkedList"


class Relay:
    """``start()`` / ``stop()`` / ``kill()`` one rsyslogd; ``port`` (TLS syslog), ``relp_port``."""

    def __init__(
        self, rsyslogd: str, folder: Path, cert: Path, key: Path, ca: Path, settings: RelaySettings
    ) -> None:
        self.rsyslogd = rsyslogd
        self.folder = folder
        self.settings = settings
        self.port = free_port()
        self.relp_port = free_port() if settings.relp else None
        self.received = folder / "received.log"
        self.impstats = folder / "impstats.json"
        self.internal = folder / "internal.log"
        self.conf = folder / "rsyslog.conf"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(self._config(cert, key, ca), encoding="utf-8")

    def _config(self, cert: Path, key: Path, ca: Path) -> str:
        s = self.settings
        priority = f' gnutlsPriorityString="{s.tls_priority}"' if s.tls_priority else ""
        queue = f'queue.type="{s.queue}"' + (' queue.size="200000"' if s.queue != "Direct" else "")
        relp = ""
        if self.relp_port is not None:
            relp = (
                'module(load="imrelp")\n'
                f'input(type="imrelp" port="{self.relp_port}" address="127.0.0.1" ruleset="stations"\n'
                f'  maxDataSize="64k" tls="on" tls.cacert="{ca}" tls.mycert="{cert}" tls.myprivkey="{key}"\n'
                '  tls.authmode="certvalid")\n'
            )
        return f"""
global(workDirectory="{self.folder}" maxMessageSize="64k"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="{ca}"
  defaultNetstreamDriverCertFile="{cert}"
  defaultNetstreamDriverKeyFile="{key}")
module(load="impstats" interval="1" format="json" resetCounters="on" log.syslog="off"
  log.file="{self.impstats}")
module(load="imtcp" maxSessions="{s.max_sessions}" streamDriver.name="gtls" streamDriver.mode="1"
  streamDriver.authMode="x509/certvalid")
template(name="siem" type="string"
  string="%timegenerated:::date-rfc3339%\\t%msgid%\\t%timereported:::date-rfc3339%\\t%structured-data%\\t%$!body%\\n")
ruleset(name="stations" {queue}) {{
  set $!body = "-";
  if $msgid == "{_HEARTBEAT}" then {{ set $!body = $msg; }}
  action(type="omfile" file="{self.received}" template="siem")
}}
input(type="imtcp" port="{self.port}" address="127.0.0.1" ruleset="stations"{priority})
{relp}
*.* action(type="omfile" file="{self.internal}")
"""

    def start(self, timeout: float = 30.0) -> None:
        assert self.process is None, "already running"
        command: list[str] = [self.rsyslogd, "-n", "-f", str(self.conf), "-i", str(self.folder / "pid")]
        if self.settings.cpu is not None:
            command = ["taskset", "-c", str(self.settings.cpu), *command]
        out = (self.folder / "rsyslogd.out").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - rsyslogd (and taskset) found on the machine
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        out.close()
        ports = [self.port] if self.relp_port is None else [self.port, self.relp_port]
        deadline = time.monotonic() + timeout
        while not all(_listening(p) for p in ports):
            if self.process.poll() is not None:
                raise RuntimeError(f"rsyslogd exited ({self.process.returncode}): {self.log_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"rsyslogd did not listen within {timeout:g} s: {self.log_text()}")
            time.sleep(0.05)  # polling the listening socket

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        self._end(signal.SIGKILL)

    def _end(self, sig: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)

    def log_text(self) -> str:
        texts = []
        for path in (self.folder / "rsyslogd.out", self.internal):
            if path.exists():
                texts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(texts)

    def refused_sessions(self) -> int:
        """Sessions imtcp turned away (it logs one line for each)."""
        if not self.internal.exists():
            return 0
        return self.internal.read_text(errors="replace").count("too many tcp sessions")

    def stats(self) -> list[dict[str, Any]]:
        """impstats' lines: ``{"t": unix time, "name": …, counters…}``; one block a second."""
        if not self.impstats.exists():
            return []
        out: list[dict[str, Any]] = []
        for line in self.impstats.read_text(errors="replace").splitlines():
            # log.file lines: "<ctime> <hostname> rsyslogd-pstats: {json}" in 8.2302
            brace = line.find("{")
            if brace < 0:
                continue
            with contextlib.suppress(ValueError):
                out.append(json.loads(line[brace:]))
        return out


def _listening(port: int) -> bool:
    """A listening socket on ``port`` (read from /proc: a probe connection would be a TLS
    handshake failure in the relay's log)."""
    return _count_state(f"{port:04X}", "0A") > 0


def _count_state(port_hex: str, state: str) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as fh:
            next(fh, None)
            for line in fh:
                parts = line.split(None, 4)
                if len(parts) > 3 and parts[3] == state and parts[1].rsplit(":", 1)[1] == port_hex:
                    count += 1
    return count


@dataclass(slots=True)
class Sample:
    t: float  # time.time()
    cpu_s: float  # the relay's user + system CPU seconds so far
    sessions: int  # established TCP sessions on the relay's ports


@dataclass(slots=True)
class RelaySampler:
    """Samples the relay's CPU and sessions every ``every`` seconds on its own thread."""

    ports: Sequence[int]
    every: float = 0.25
    samples: list[Sample] = field(default_factory=list)
    _pid: int | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def follow(self, pid: int | None) -> None:
        """Sample this process from now on (None while the relay is down)."""
        self._pid = pid

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="relay-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(self.every):
            pid = self._pid
            cpu = 0.0
            if pid is not None:
                with contextlib.suppress(OSError, IndexError, ValueError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    cpu = (int(fields[11]) + int(fields[12])) / ticks
            self.samples.append(Sample(time.time(), cpu, established(self.ports) if pid else 0))


def established(ports: Sequence[int]) -> int:
    """Established TCP sessions whose local port is one of ``ports`` (the relay's side)."""
    return sum(_count_state(f"{p:04X}", "01") for p in ports)
