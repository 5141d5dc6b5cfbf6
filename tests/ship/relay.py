"""A real rsyslog relay on a loopback port with TLS, started and stopped by the tests.

rsyslog runs in the foreground (``-n``) with a configuration of our own: imtcp with the GnuTLS
stream driver on 127.0.0.1, and one omfile action writing what rsyslog *parsed* (MSGID,
structured data, host, message) as one tab-separated line per record. The tests read that file,
so they check rsyslog's understanding of the frames, not their own.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Received", "RsyslogRelay", "free_port", "wait_until"]

_SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def wait_until(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)  # the poll interval of a condition poll, not a synchronising sleep


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One record as rsyslog parsed it."""

    msgid: str
    sd: dict[str, str]
    app: str
    host: str
    msg: str

    @property
    def sequence(self) -> int:
        return int(self.sd["seq"])

    def body(self) -> dict[str, Any]:
        return dict(json.loads(self.msg))


def _parse_sd(text: str) -> dict[str, str]:
    return {k: re.sub(r"\\(.)", r"\1", v) for k, v in _SD_PARAM.findall(text)}


class RsyslogRelay:
    """``start()``, ``kill()`` (SIGKILL), ``stop()``; ``received()`` reads what it wrote."""

    def __init__(
        self,
        rsyslogd: str,
        workdir: Path,
        cert: Path,
        key: Path,
        ca: Path,
        port: int | None = None,
        *,
        client_ca: Path | None = None,
    ) -> None:
        self.rsyslogd = rsyslogd
        self.workdir = workdir
        self.port = port or free_port()
        self.output = workdir / "received.log"
        self.conf = workdir / "rsyslog.conf"
        self.process: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)
        # x509/certvalid: a client must present a certificate signed by client_ca (mutual TLS).
        auth = 'streamDriver.authMode="x509/certvalid"' if client_ca else 'streamDriver.authMode="anon"'
        self.conf.write_text(
            f"""
global(workDirectory="{workdir}" maxMessageSize="64k"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="{client_ca or ca}"
  defaultNetstreamDriverCertFile="{cert}"
  defaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" {auth})
template(name="parsed" type="string"
  string="%msgid%\\t%structured-data%\\t%app-name%\\t%hostname%\\t%msg%\\n")
input(type="imtcp" port="{self.port}" address="127.0.0.1")
action(type="omfile" file="{self.output}" template="parsed" flushOnTXEnd="on" asyncWriting="off")
""",
            encoding="utf-8",
        )

    def start(self) -> None:
        assert self.process is None, "already running"
        log = (self.workdir / "rsyslogd.out").open("ab")
        self.process = subprocess.Popen(
            [self.rsyslogd, "-n", "-f", str(self.conf), "-i", str(self.workdir / "rsyslogd.pid")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        wait_until(self._listening, 20, f"rsyslogd to listen on 127.0.0.1:{self.port}")

    def _listening(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"rsyslogd exited ({self.process.returncode}): {self.log_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    def kill(self) -> None:
        """SIGKILL: whatever rsyslogd holds in memory is lost, as in a crash."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
        process.wait(timeout=20)

    def log_text(self) -> str:
        path = self.workdir / "rsyslogd.out"
        return path.read_text(errors="replace") if path.exists() else ""

    def received(self) -> list[Received]:
        if not self.output.exists():
            return []
        data = self.output.read_text(encoding="utf-8", errors="replace")
        out = []
        for line in data.split("\n")[:-1]:  # only complete lines
            msgid, sd, app, host, msg = line.split("\t", 4)
            out.append(Received(msgid, _parse_sd(sd), app, host, msg))
        return out

    def sequences(self) -> list[int]:
        return [r.sequence for r in self.received() if "seq" in r.sd]
