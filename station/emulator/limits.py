"""Every bound the emulator puts on a client, each with the reason for its value.

Why bounds at all: the emulator runs inside the GUI process in demo mode and under every test, so
a client that can exhaust its memory, CPU, threads or sockets takes the station down with it. Each
value below is far above what the station or ``curl`` sends and far below what hurts a 2-core
branch PC. The README's *Limits* section repeats them; ``tests/emulator/test_limits.py`` checks
each one with a hostile client.

:class:`Limits` carries them into one :class:`~station.emulator.Emulator`, so a test can shorten a
wait (the idle time, the link deadline) without waiting out the real value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from station.core.pixels import MAX_PIXELS

__all__ = [
    "ANALYSIS_WORKERS",
    "BODY_DEADLINE_SECONDS",
    "IDLE_SECONDS",
    "LINGER_SECONDS",
    "LINK_DEADLINE_SECONDS",
    "LISTEN_BACKLOG",
    "MAX_BODY_BYTES",
    "MAX_FIELD_BYTES",
    "MAX_FILE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_PARTS",
    "MAX_PART_HEADER_BYTES",
    "MAX_PIXELS",
    "REQUESTS_IN_FLIGHT",
    "Limits",
]

#: An uploaded file: the station's own upload cap (``station verify`` refuses larger files), so
#: everything the station sends is accepted; a 1080p capture is about 0.2 MB.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: A whole request body, chunked or not: one file plus the multipart envelope and small fields.
MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
#: Form parts: the contract knows three (``file``, ``link``, ``use_pdf``); eight leave room for a
#: client that adds its own, and stop a body of 60,000 tiny parts at the ninth.
MAX_PARTS = 8
#: A part's headers (Content-Disposition, Content-Type): the same 8 KiB a web server allows a line.
MAX_PART_HEADER_BYTES = 8 * 1024
#: A text field (``link``, ``use_pdf``): a URL longer than 8 KiB is not one a browser would follow.
MAX_FIELD_BYTES = 8 * 1024
#: A JSON body (``{"link": ...}`` or the control endpoint's scenario): a few hundred bytes in use.
MAX_JSON_BYTES = 64 * 1024
#: JSON nesting: both JSON bodies are flat objects (depth 1). Python's parser recurses once per
#: level; a 100,000-deep body would end in a RecursionError, so it is refused while it streams in.
MAX_JSON_DEPTH = 32
#: Requests holding a body in memory at once (reading, parsing or analysing it): 8 x 20 MiB is the
#: worst case, 160 MiB. The rest wait before their bodies are read, so TCP holds their bytes.
REQUESTS_IN_FLIGHT = 8
#: Pictures decoded and searched for faces at once: one per core of a branch PC. A 25-megapixel
#: picture decodes to 75 MB, so two fit easily; more would only queue for the same cores.
ANALYSIS_WORKERS = 2
#: Connections the kernel queues before the emulator accepts them: 200 clients connecting at
#: once must all get in (the old server's 5 answered only 27-35 of 200). Linux caps it at
#: ``net.core.somaxconn`` (4096 on current kernels).
LISTEN_BACKLOG = 512
#: A connection that sends no complete request for this long is closed, kept-alive or new (a
#: thousand idle sockets once locked the old server). Longer than httpx's 5 s pool expiry, so the
#: station's client always closes an idle connection before the emulator does.
IDLE_SECONDS = 15.0
#: Reading one body, start to end: 20 MiB over loopback takes well under a second; a client that
#: drips its body is cut off instead of holding a request slot for ever.
BODY_DEADLINE_SECONDS = 30.0
#: After refusing a request whose body was not read (401, 413), the body is drained and dropped
#: for this long so the client can read the refusal before the connection closes.
LINGER_SECONDS = 2.0
#: A ``link`` fetch, connect to last byte: loopback answers in milliseconds; a server that drips
#: one byte a second is abandoned after this and the request answered ``ok: false``.
LINK_DEADLINE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds one emulator applies; the defaults are the module's constants."""

    max_body_bytes: int = MAX_BODY_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    max_parts: int = MAX_PARTS
    max_part_header_bytes: int = MAX_PART_HEADER_BYTES
    max_field_bytes: int = MAX_FIELD_BYTES
    max_json_bytes: int = MAX_JSON_BYTES
    max_json_depth: int = MAX_JSON_DEPTH
    max_pixels: int = MAX_PIXELS
    requests_in_flight: int = REQUESTS_IN_FLIGHT
    analysis_workers: int = ANALYSIS_WORKERS
    listen_backlog: int = LISTEN_BACKLOG
    idle_seconds: float = IDLE_SECONDS
    body_deadline_seconds: float = BODY_DEADLINE_SECONDS
    linger_seconds: float = LINGER_SECONDS
    link_deadline_seconds: float = LINK_DEADLINE_SECONDS

    def __post_init__(self) -> None:
        for field in fields(self):
            name, value = field.name, getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
