"""What the relay wrote: one :class:`Arrival` per line of ``received.log``.

The line is rsyslog's own parse (see :mod:`station.bench.fleet.relay`): arrival time, MSGID, the
row's timestamp, the structured data, and for heartbeats the body. Reading it back is the SIEM's
side of the simulation; the alert rules (:mod:`station.bench.fleet.alerts`) query these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["Arrival", "read_arrivals"]

_SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class Arrival:
    arrived: float  # unix time the relay received it
    msgid: str
    recorded_at: float  # unix time of the row (the syslog TIMESTAMP)
    station: str
    journal: str
    seq: int
    eid: str
    mac: str
    body: str  # heartbeats only; "-" otherwise

    def health(self) -> dict[str, Any]:
        """A heartbeat's health (its ``notes``), e.g. ``head_sequence``."""
        notes = json.loads(self.body).get("notes") or "{}"
        return dict(json.loads(notes))


def _time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def read_arrivals(path: Path) -> Iterator[Arrival]:
    """Every complete line of ``path`` in the order the relay wrote them."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.endswith("\n"):
                return  # a line still being written
            arrived, msgid, recorded, sd, body = line[:-1].split("\t", 4)
            params = {k: _UNESCAPE.sub(r"\1", v) for k, v in _SD_PARAM.findall(sd)}
            if "seq" not in params:
                continue
            yield Arrival(
                _time(arrived),
                msgid,
                _time(recorded),
                params["station"],
                params["journal"],
                int(params["seq"]),
                params["eid"],
                params["mac"],
                body,
            )
