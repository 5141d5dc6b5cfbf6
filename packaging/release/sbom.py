"""A CycloneDX 1.6 SBOM (JSON) of exactly what one bundle contains.

Each component (a Python distribution, a native library inside a wheel, the Python runtime, a
build-machine library, the PyInstaller bootloader) carries its licence, purl and source, the
modules it contributes to the executable's archive, and, nested as ``file`` components, every
file it put into the bundle with its SHA-256. The document is reproducible: its serial number is
derived from the content and its timestamp is ``SOURCE_DATE_EPOCH``, so two builds of the same
commit give the same SBOM byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from release.inventory import Component, Inventory

SPEC_VERSION = "1.6"
PROPERTY_PREFIX = "station:"


def _licences(expression: str) -> list[dict[str, Any]]:
    if expression.startswith("LicenseRef-") and " " not in expression:
        return [{"license": {"name": expression.removeprefix("LicenseRef-")}}]
    return [{"expression": expression}]


def _file(path: str, digest: str) -> dict[str, Any]:
    return {
        "type": "file",
        "bom-ref": f"file:{path}",
        "name": path,
        "hashes": [{"alg": "SHA-256", "content": digest}],
    }


#: CycloneDX component types by inventory kind; everything else is a library.
_TYPES = {
    "application": "application",
    "runtime": "framework",
    "font": "file",
    "model": "machine-learning-model",
}


def _component(c: Component) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": _TYPES.get(c.kind, "library"),
        "bom-ref": c.ref,
        "name": c.name,
        "version": c.version,
        "licenses": _licences(c.licence),
    }
    if c.purl:
        entry["purl"] = c.purl
    properties = [{"name": f"{PROPERTY_PREFIX}kind", "value": c.kind}]
    if c.taken_licence != c.licence:
        properties.append({"name": f"{PROPERTY_PREFIX}licence-taken", "value": c.taken_licence})
    if c.lgpl:
        properties.append({"name": f"{PROPERTY_PREFIX}lgpl-dynamically-linked", "value": "true"})
    properties.append({"name": f"{PROPERTY_PREFIX}source", "value": c.source})
    if c.parent:
        properties.append({"name": f"{PROPERTY_PREFIX}inside", "value": c.parent})
    if c.modules:
        properties.append(
            {"name": f"{PROPERTY_PREFIX}archived-modules", "value": " ".join(sorted(c.modules))}
        )
    entry["properties"] = properties
    if c.files:
        entry["components"] = [_file(path, digest) for path, digest in sorted(c.files.items())]
    return entry


def document(inventory: Inventory, version: str, platform_tag: str, source_date_epoch: int) -> dict[str, Any]:
    station = inventory.components["station"]
    others = [c for c in inventory.components.values() if c.ref != "station"]
    fingerprint = hashlib.sha256(
        json.dumps(sorted(inventory.all_files().items())).encode("utf-8") + platform_tag.encode()
    ).hexdigest()
    timestamp = datetime.fromtimestamp(source_date_epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    application = _component(station)
    application["properties"].append({"name": f"{PROPERTY_PREFIX}platform", "value": platform_tag})
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'station-sbom:' + fingerprint)}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [{"type": "application", "name": "station packaging/build"}]},
            "component": application,
        },
        "components": [_component(c) for c in others],
        "dependencies": [
            {"ref": "station", "dependsOn": sorted(c.ref for c in others if not c.parent)},
            *[
                {"ref": parent.ref, "dependsOn": sorted(c.ref for c in others if c.parent == parent.ref)}
                for parent in others
                if any(c.parent == parent.ref for c in others)
            ],
        ],
    }


def render(inventory: Inventory, version: str, platform_tag: str, source_date_epoch: int) -> str:
    return (
        json.dumps(document(inventory, version, platform_tag, source_date_epoch), indent=1, sort_keys=False)
        + "\n"
    )
