"""The service's benchmark runs and prints every figure (the figures are in the README)."""

from __future__ import annotations

import pytest

from station.service.bench import main


def test_the_benchmark_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--attempts", "2"]) == 0
    out = capsys.readouterr().out
    for label in ("verify in-process", "verify through the service", "the socket's cost", "refresh()"):
        assert label in out
