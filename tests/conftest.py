"""Session-wide test setup: headless Qt, isolated settings and secrets, no real keyring."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Generator, Iterator

# Imported up front: hypothesis's pytest plugin otherwise imports it lazily in the terminal summary,
# after the Qt tests, where CPython 3.11's assertion-rewriting compile hit "AST constructor
# recursion depth mismatch" (a SystemError) and failed a green run.
import hypothesis  # noqa: F401
import keyring
import pytest

from tests.keyrings import MemoryKeyring, NoKeyring

# Before anything can import Qt: the tests run headless, whatever the shell says.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# No test may reach a real token or the developer's keyring.
for _name in ("SUREPASS_SANDBOX_TOKEN", "SUREPASS_PRODUCTION_TOKEN", "STATION_AUDIT_DB"):
    os.environ.pop(_name, None)
# Settings, data (audit journal and key), logs and caches go to a throwaway home for the session.
_home = tempfile.mkdtemp(prefix="station-tests-")
for _name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = os.path.join(_home, _name.lower())
os.environ["STATION_CONFIG_DIR"] = os.path.join(_home, "config")
os.environ["STATION_LOG_DIR"] = os.path.join(_home, "logs")
# The machine folders (policy, journal, administrator's settings) of a station that is not installed.
os.environ["STATION_MACHINE_CONFIG_DIR"] = os.path.join(_home, "machine-config")
os.environ["STATION_MACHINE_DATA_DIR"] = os.path.join(_home, "machine-data")
# The service's private store (PIN hashes, the wrong-PIN ledger), likewise.
os.environ["STATION_SERVICE_STORE_DIR"] = os.path.join(_home, "service-store")
# The OS keyring is never consulted by tests unless a test installs its own backend.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"


def _machine_folders_snapshot() -> dict[str, object]:
    """What the OS's own machine folders hold (``/etc/opt/station``, ``/var/lib/station`` or
    ProgramData): every path with its size and modification time, or None where there is none."""
    from station.locations import installed_config_dir, installed_data_dir

    snapshot: dict[str, object] = {}
    for folder in (installed_config_dir(), installed_data_dir()):
        if not folder.exists():
            snapshot[str(folder)] = None
            continue
        entries = []
        for path in sorted(folder.rglob("*")):
            info = path.lstat()
            entries.append((str(path.relative_to(folder)), info.st_size, info.st_mtime_ns))
        snapshot[str(folder)] = entries
    return snapshot


#: Taken before any test runs: the tests never write the real machine folders (issue 22, failure 8).
_MACHINE_FOLDERS_BEFORE = _machine_folders_snapshot()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import shutil

    shutil.rmtree(_home, ignore_errors=True)
    after = _machine_folders_snapshot()
    if after != _MACHINE_FOLDERS_BEFORE:
        changed = sorted(folder for folder in after if after[folder] != _MACHINE_FOLDERS_BEFORE.get(folder))
        print(f"\nThe tests changed the real machine folders: {', '.join(changed)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


#: The fixtures of a test that runs Qt's event loop.
_QT_FIXTURES = frozenset({"qtbot", "qapp"})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """No cyclic garbage collection while a Qt test runs; one collection after it.

    A closed window lives on in reference cycles (its slots hold the objects that own it) until the
    cyclic collector runs, and that can be anywhere: inside ``qtbot.waitUntil`` of the next test,
    while Qt dispatches events, where deleting a window under the dispatch crashed a whole CI run
    once (a segmentation fault in ``Garbage-collecting``, 2026-12-07). The same crash and the same
    remedy are reported for PySide6 6.11 with pytest-qt elsewhere. Collected between tests, no event
    is being dispatched.
    """
    if not _QT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return (yield)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring installed for one test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No secure store at all, as on a headless Linux kiosk."""
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


#: The administrator PIN the ``admin_policy`` fixture configures.
ADMIN_PIN = "482913"


@pytest.fixture
def admin_policy(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    """A machine policy (a real, root-owned policy file) with a one-day retention, and the
    administrator PIN set in the station's private store as `station admin init` sets it; yields
    the PIN. The tests run as root, as CI does."""
    import json

    from station.security.people import People, write_people
    from station.security.pin import hash_pin
    from station.security.private_store import PrivateStore

    machine = tmp_path_factory.mktemp("machine-config")
    managed = machine / "policies" / "managed"
    managed.mkdir(parents=True)
    for folder in (machine / "policies", managed):
        os.chmod(folder, 0o755)
    policy = managed / "10-test.json"
    policy.write_text(json.dumps({"audit_retention_days": 1}))
    os.chmod(policy, 0o644)
    store = tmp_path_factory.mktemp("service-store") / "private"
    write_people(PrivateStore(store), People(hash_pin(ADMIN_PIN)))
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(machine))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(tmp_path_factory.mktemp("machine-data")))
    monkeypatch.setenv("STATION_SERVICE_STORE_DIR", str(store))
    return ADMIN_PIN
