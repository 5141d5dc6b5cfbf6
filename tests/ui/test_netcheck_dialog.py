"""The network check dialog against the emulator on loopback, and against a closed port."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from pytestqt.qtbot import QtBot

from station.api import Credential, Environment
from station.emulator import Emulator
from station.netcheck import CHECK_BALANCE, CHECK_DNS, CHECK_TCP, CHECK_TLS, CheckResult
from station.ui.netcheck_dialog import NetworkCheckDialog
from tests.api.tls import TLSService

TOKEN = "netcheck-dialog-token-0123456789"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live", balance=420) as running:
        yield running


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _finish(qtbot: QtBot, dialog: NetworkCheckDialog) -> None:
    closing = asyncio.ensure_future(dialog.wait_idle())
    qtbot.waitUntil(closing.done, timeout=5_000)
    closing.result()


def _row(dialog: NetworkCheckDialog, name: str) -> tuple[str, str, str]:
    return next(row for row in dialog.rows() if row[1] == name)


def test_against_the_emulator_every_step_passes_and_the_balance_shows(
    qtbot: QtBot, emulator: Emulator
) -> None:
    dialog = NetworkCheckDialog(
        emulator.base_url,
        Environment.SANDBOX,
        credential=Credential(Environment.SANDBOX, emulator.token),
        timeout=5.0,
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_checks, timeout=20_000) as blocker:
        dialog.show()  # autostart: the check starts when the dialog appears
        assert dialog.running
        assert not dialog.run_button.isEnabled()
    results: list[CheckResult] = blocker.args[0]
    assert {r.name: r.ok for r in results}[CHECK_BALANCE] is True
    status, _, detail = _row(dialog, CHECK_BALANCE)
    assert status == "✔ Passed"
    assert "420 credits left" in detail
    assert _row(dialog, CHECK_DNS)[0] == "✔ Passed"
    assert _row(dialog, CHECK_TCP)[0] == "✔ Passed"
    assert "No step failed" in dialog.summary_label.text()
    assert dialog.run_button.isEnabled()
    assert TOKEN not in dialog.report_text()

    with qtbot.waitSignal(dialog.finished_checks, timeout=20_000):
        dialog.run_button.click()
    assert not dialog.running
    _finish(qtbot, dialog)


def test_a_closed_port_is_a_plain_failure(qtbot: QtBot) -> None:
    port = _closed_port()
    dialog = NetworkCheckDialog(
        f"http://127.0.0.1:{port}",
        Environment.SANDBOX,
        credential=Credential(Environment.SANDBOX, TOKEN),
        timeout=3.0,
        autostart=False,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.running
    with qtbot.waitSignal(dialog.finished_checks, timeout=20_000):
        assert dialog.start()
        assert not dialog.start()  # one run at a time
    status, _, detail = _row(dialog, CHECK_TCP)
    assert status == "✖ Failed"
    assert f"Connection refused by 127.0.0.1:{port}" in detail
    assert _row(dialog, CHECK_BALANCE)[0] == "– Skipped"
    assert "1 step failed: Connection (TCP)" in dialog.summary_label.text()
    _finish(qtbot, dialog)


def test_closing_the_dialog_stops_a_run(qtbot: QtBot, emulator: Emulator) -> None:
    dialog = NetworkCheckDialog(emulator.base_url, Environment.SANDBOX, credential=None, autostart=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    dialog.reject()
    _finish(qtbot, dialog)
    assert not dialog.running
    assert dialog.results() == []


def test_the_policys_pin_reaches_the_dialogs_check(qtbot: QtBot, tmp_path: Path) -> None:
    """The dialog checks the key machine policy pinned (issue 22), not only the certificate."""
    ca = trustme.CA()
    service = TLSService(ca)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    try:
        dialog = NetworkCheckDialog(
            service.url,
            Environment.SANDBOX,
            ca_bundle=bundle,
            spki_pins=(base64.b64encode(b"\x00" * 32).decode(),),
            credential=Credential(Environment.SANDBOX, TOKEN),
            timeout=5.0,
            autostart=False,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        with qtbot.waitSignal(dialog.finished_checks, timeout=20_000):
            assert dialog.start()
        status, _, detail = _row(dialog, CHECK_TLS)
        assert status == "✖ Failed"
        assert "not the one machine policy pinned" in detail
        assert service.requests == []
        _finish(qtbot, dialog)
    finally:
        service.close()
