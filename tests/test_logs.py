"""The redaction filter and console logging: no token reaches a log line, exactly as documented."""

from __future__ import annotations

import io
import logging
import sys
import uuid
from collections.abc import Iterator

import pytest

from station.logs import RedactingFilter, configure_console_logging, redact, register_secret

R = "[REDACTED]"


def fresh_secret(length: int = 24) -> str:
    """A secret no other test registered (the registry is process-wide)."""
    return uuid.uuid4().hex[:length]


# -- redact -------------------------------------------------------------------------------------


def test_a_registered_secret_is_scrubbed_wherever_it_appears() -> None:
    secret = fresh_secret()
    register_secret(secret)
    assert redact(f"a {secret} b {secret}c") == f"a {R} b {R}c"


def test_six_characters_are_enough_to_register_five_are_not() -> None:
    six, five = "Q" + fresh_secret(5), "Z" + fresh_secret(4)
    register_secret(six)
    register_secret(five)
    assert redact(f"{six} {five}") == f"{R} {five}"


def test_given_secrets_replace_the_registry() -> None:
    registered, given = fresh_secret(), fresh_secret()
    register_secret(registered)
    assert redact(f"{registered} {given}", secrets=[given]) == f"{registered} {R}"
    assert redact(f"{registered} {given}", secrets=[]) == f"{registered} {given}"


def test_the_longest_secret_is_scrubbed_first() -> None:
    """Else a short secret inside a long one would leave the rest of the long one showing."""
    short = "zzzz" + fresh_secret(8)
    long = "aaaa" + short + "TAIL99"  # sorts before the short one, contains it
    assert redact(f"x{long}y", secrets=[short, long]) == f"x{R}y"
    assert redact(f"x{long}y", secrets=[long, short]) == f"x{R}y"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def-ghi", f"Authorization: Bearer {R}"),
        ("authorization: bearer abc", f"authorization: bearer {R}"),
        ("BEARER   a/b+c~d_e=", f"BEARER   {R}"),
        ('{"h": "Bearer tok-123", "x": 1}', f'{{"h": "Bearer {R}", "x": 1}}'),
        ("Bearer\ttok next", f"Bearer\t{R} next"),
        ("bearer", "bearer"),
        ("no token here", "no token here"),
    ],
)
def test_bearer_values_are_scrubbed_and_nothing_else(text: str, expected: str) -> None:
    assert redact(text, secrets=[]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jwt eyJabcde.fghij.klmno end", f"jwt {R} end"),
        ("t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl;", f"t={R};"),
        ("glued:tokeneyJabcde.fghij.klmno", f"glued:token{R}"),
        ("eyJab-_e.fg_-j.k-_no", R),
        ("short eyJabcd.fghij.klmno", "short eyJabcd.fghij.klmno"),
        ("short eyJabcde.fghi.klmno", "short eyJabcde.fghi.klmno"),
        ("short eyJabcde.fghij.klmn", "short eyJabcde.fghij.klmn"),
        ("two parts eyJabcde.fghij", "two parts eyJabcde.fghij"),
    ],
)
def test_jwt_shaped_text_is_scrubbed(text: str, expected: str) -> None:
    assert redact(text, secrets=[]) == expected


# -- the filter ---------------------------------------------------------------------------------


def make_record(
    msg: str, *args: object, exc: BaseException | None = None, stack: str | None = None
) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    record = logging.LogRecord("station.test", logging.WARNING, __file__, 1, msg, args, exc_info)
    record.stack_info = stack
    return record


def test_the_filter_merges_the_arguments_then_scrubs() -> None:
    secret = fresh_secret()
    register_secret(secret)
    record = make_record("sent %s to %s", f"Bearer {secret}", {"token": secret})
    assert RedactingFilter().filter(record) is True
    assert record.msg == f"sent Bearer {R} to {{'token': '{R}'}}"
    assert record.args is None
    assert record.getMessage() == record.msg
    assert record.exc_info is None and record.exc_text is None and record.stack_info is None


def test_the_filter_scrubs_exception_text_and_drops_the_live_exception() -> None:
    secret = fresh_secret()
    register_secret(secret)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError as caught:
        record = make_record("boom", exc=caught)
    RedactingFilter().filter(record)
    assert record.exc_info is None
    assert record.exc_text is not None
    assert record.exc_text.startswith("Traceback (most recent call last):")
    assert record.exc_text.endswith(f"RuntimeError: failed with {R}")
    formatted = logging.Formatter().format(record)
    assert secret not in formatted
    assert formatted.startswith("boom\nTraceback")


def test_the_filter_scrubs_the_stack() -> None:
    secret = fresh_secret()
    register_secret(secret)
    record = make_record("here", stack=f"Stack (most recent call last):\n  token {secret}")
    RedactingFilter().filter(record)
    assert record.stack_info == f"Stack (most recent call last):\n  token {R}"


# -- console logging ----------------------------------------------------------------------------


@pytest.fixture
def root_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    monkeypatch.delenv("STATION_LOG_LEVEL", raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def console_handlers(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if h.get_name() == "station-console"]


def test_console_lines_go_to_the_current_stderr_scrubbed_and_formatted(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = fresh_secret()
    register_secret(secret)
    configure_console_logging(logging.INFO)
    (handler,) = console_handlers(root_logger)
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)  # swapped after the handler was made
    assert handler.stream is later  # type: ignore[attr-defined]
    handler.setStream(io.StringIO())  # type: ignore[attr-defined]
    assert handler.stream is later  # type: ignore[attr-defined]
    logging.getLogger("station.demo").info("token %s", secret)
    logging.getLogger("station.demo").debug("not shown")
    assert later.getvalue() == f"INFO station.demo: token {R}\n"


def test_configuring_twice_keeps_one_console_handler_and_the_others(root_logger: logging.Logger) -> None:
    other = logging.NullHandler()
    root_logger.addHandler(other)
    configure_console_logging(logging.WARNING)
    configure_console_logging(logging.ERROR)
    (handler,) = console_handlers(root_logger)
    assert handler.level == logging.ERROR
    assert other in root_logger.handlers
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ("debug", logging.DEBUG),
        ("ERROR", logging.ERROR),
        ("chatty", logging.WARNING),
        (None, logging.WARNING),
    ],
)
def test_the_level_comes_from_station_log_level(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, named: str | None, expected: int
) -> None:
    if named is not None:
        monkeypatch.setenv("STATION_LOG_LEVEL", named)
    configure_console_logging()
    (handler,) = console_handlers(root_logger)
    assert handler.level == expected


def test_an_explicit_level_wins_over_the_environment(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_LOG_LEVEL", "DEBUG")
    configure_console_logging(logging.CRITICAL)
    assert console_handlers(root_logger)[0].level == logging.CRITICAL


@pytest.mark.parametrize(
    ("root_level", "console_level", "expected"),
    [
        (logging.INFO, logging.WARNING, logging.INFO),  # a log file may want INFO: the root keeps it
        (logging.ERROR, logging.DEBUG, logging.DEBUG),
        (logging.NOTSET, logging.WARNING, logging.WARNING),
    ],
)
def test_the_root_passes_what_any_handler_wants(
    root_logger: logging.Logger, root_level: int, console_level: int, expected: int
) -> None:
    root_logger.setLevel(root_level)
    configure_console_logging(console_level)
    assert root_logger.level == expected
