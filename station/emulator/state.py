"""What the emulator remembers between requests, shared by its server thread and its callers.

Why one object behind one condition variable: the scenario is switched from the GUI or a test
thread while requests are answered on the server's thread, and the ``wait_for_*`` helpers must
wake the moment a request, a hang or a disconnect happens, so tests synchronise without sleeping.

Never stored: the ``Authorization`` header's value. Only its scheme is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from station.emulator.scenarios import Scenario, ScenarioConfig

__all__ = ["HISTORY_LENGTH", "EmulatorState", "RecordedRequest"]

#: Requests kept for inspection: enough for any test, bounded for a demo left running all day.
HISTORY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What a client sent, for tests to check. Holds no credential.

    A request refused before its body was read (no token, too large) has no fields or file.
    """

    method: str
    path: str
    content_type: str | None
    fields: tuple[str, ...] = ()
    file_name: str | None = None
    file_content_type: str | None = None
    file_size: int | None = None
    use_pdf: str | None = None
    link: str | None = None
    scenario: Scenario = Scenario.AUTO
    authorization_scheme: str | None = None  # "Bearer"; the token itself is never kept
    headers: tuple[str, ...] = ()  # header *names*, lower-cased, in order


@dataclass
class EmulatorState:
    """Everything the server thread and the callers share; every access holds ``cond``."""

    token: str
    config: ScenarioConfig
    balance: int
    cond: threading.Condition = field(default_factory=threading.Condition)
    counters: dict[ScenarioConfig, int] = field(default_factory=dict)
    requests_received: int = 0
    disconnects: int = 0
    hanging: int = 0
    history: list[RecordedRequest] = field(default_factory=list)
    timers: list[Callable[[float], None]] = field(default_factory=list)

    def next_call(self, config: ScenarioConfig) -> int:
        """The 0-based index of this call under ``config`` (for N-failures scenarios)."""
        with self.cond:
            index = self.counters.get(config, 0)
            self.counters[config] = index + 1
            return index

    def set_config(self, config: ScenarioConfig) -> None:
        with self.cond:
            self.config = config
            self.counters.clear()
            self.cond.notify_all()

    def current_config(self) -> ScenarioConfig:
        with self.cond:
            return self.config

    def record(self, request: RecordedRequest, *, counted: bool) -> None:
        """Keep ``request``; ``counted`` for liveness POSTs (what ``requests_received`` counts)."""
        with self.cond:
            self.history.append(request)
            del self.history[:-HISTORY_LENGTH]
            if counted:
                self.requests_received += 1
            self.cond.notify_all()

    def charge(self) -> None:
        """One credit for one liveness answer, as the service bills."""
        with self.cond:
            self.balance = max(0, self.balance - 1)

    def hang_started(self) -> None:
        with self.cond:
            self.hanging += 1
            self.cond.notify_all()

    def hang_ended(self, *, client_left: bool) -> None:
        with self.cond:
            self.hanging -= 1
            if client_left:
                self.disconnects += 1
            self.cond.notify_all()

    def answered(self, seconds: float) -> None:
        """Tell the timing listeners (the benchmark) how long a liveness answer took."""
        with self.cond:
            listeners = list(self.timers)
        for listener in listeners:
            listener(seconds)

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)
