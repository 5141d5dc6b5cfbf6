"""A machine policy of the test's own: a real, root-owned policy file in a folder the test owns."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def write_machine_policy(config_dir: Path, document: dict[str, Any], name: str = "10-test.json") -> Path:
    """``config_dir/policies/managed/<name>`` holding ``document`` (the tests run as root, as CI
    does, so the file is root-owned as the station requires)."""
    managed = config_dir / "policies" / "managed"
    managed.mkdir(parents=True, exist_ok=True)
    for folder in (config_dir / "policies", managed):
        os.chmod(folder, 0o755)
    policy = managed / name
    policy.write_text(json.dumps(document), encoding="utf-8")
    os.chmod(policy, 0o644)
    return policy


def use_machine_policy(monkeypatch: pytest.MonkeyPatch, config_dir: Path, document: dict[str, Any]) -> Path:
    """The policy above, made this test's machine policy (``STATION_MACHINE_CONFIG_DIR``)."""
    policy = write_machine_policy(config_dir, document)
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(config_dir))
    return policy
