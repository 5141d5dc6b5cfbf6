#!/usr/bin/env python3
"""Write the Group Policy templates (``station.admx`` + ``en-US/station.adml``) from the settings model.

Every setting of :class:`station.config.Settings` gets one policy under
``HKLM|HKCU\\SOFTWARE\\Policies\\Station`` (category "Station") and one under ``…\\Recommended``
(category "Station (recommended)"), so IT can set each of them with Group Policy or import the
templates into Intune. Switches are DWORDs, whole numbers DWORDs with their bounds, choices a list,
everything else text (numbers with a decimal point, paths, URLs), exactly as
:mod:`station.config.policy` reads them. No policy holds a PIN or its hash: any account can read
the registry, so the administrator and the supervisors are set on the station with
``station admin init`` / ``supervisor add`` (the former ``admin_pin_hash`` and ``supervisors``
policies are ignored by the station and absent from the templates).

It also writes the README's policy table (between ``<!-- policy-table -->`` markers) from the same
model, so the table an administrator reads is the one the station enforces.

    python3 packaging/windows/make_admx.py          # rewrite the two files and the README's table
    python3 packaging/windows/make_admx.py --check  # exit 1 if they are not current (the tests do this)
"""

from __future__ import annotations

import argparse
import sys
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from station.config.model import FIELD_RULES, Settings  # noqa: E402
from station.config.policy import POLICY_KEY  # noqa: E402
from station.core import bounds  # noqa: E402

HERE = Path(__file__).resolve().parent
ADMX = HERE / "station.admx"
ADML = HERE / "en-US" / "station.adml"
README = ROOT / "README.md"
TABLE_START = "<!-- policy-table: written by packaging/windows/make_admx.py -->"
TABLE_END = "<!-- /policy-table -->"
NAMESPACE = "Bank.Policies.Station"

_INT_BOUNDS = {
    "jpeg_quality": bounds.JPEG_QUALITY,
    "retry_attempts": bounds.RETRY_ATTEMPTS,
    "audit_retention_days": bounds.RETENTION_DAYS,
    "max_attempts": bounds.ATTEMPTS_PER_CUSTOMER,
}


def _kind(name: str) -> tuple[str, Any]:
    """("bool" | "int" | "enum" | "text", detail) for a settings field."""
    annotation = Settings.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    inner = args[0] if isinstance(annotation, types.UnionType) and args else annotation
    if inner is bool:
        return "bool", None
    if inner is int:
        return "int", _INT_BOUNDS.get(name)
    if isinstance(inner, type) and issubclass(inner, Enum):
        return "enum", [member.value for member in inner]
    return "text", None


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _explain(name: str) -> str:
    rule = FIELD_RULES[name]
    security = " Security-relevant: only policy or the administrator may set it." if rule.security else ""
    return f"Locks {rule.locks}.{security} See the README's policy table for values."


def _policy(name: str, recommended: bool) -> str:
    key = POLICY_KEY + ("\\Recommended" if recommended else "")
    policy_id = f"{name}_recommended" if recommended else name
    category = "Station_Recommended" if recommended else "Station"
    kind, detail = _kind(name)
    klass = "Both"
    head = (
        f'    <policy name="{policy_id}" class="{klass}" displayName="$(string.{policy_id})" '
        f'explainText="$(string.{name}_Explain)" key="{key}"'
    )
    parent = f'      <parentCategory ref="{category}" />\n      <supportedOn ref="SUPPORTED_Station" />\n'
    if kind == "bool":
        return (
            f'{head} valueName="{name}">\n{parent}'
            '      <enabledValue><decimal value="1" /></enabledValue>\n'
            '      <disabledValue><decimal value="0" /></disabledValue>\n'
            "    </policy>\n"
        )
    head += f' presentation="$(presentation.{policy_id})">\n{parent}      <elements>\n'
    if kind == "int":
        low, high = (int(detail.low), int(detail.high)) if detail is not None else (0, 2**31 - 1)
        element = (
            f'        <decimal id="{name}" valueName="{name}" required="true" '
            f'minValue="{low}" maxValue="{high}" />\n'
        )
    elif kind == "enum":
        items = "".join(
            f'          <item displayName="$(string.{name}_{value})">'
            f"<value><string>{value}</string></value></item>\n"
            for value in detail
        )
        element = f'        <enum id="{name}" valueName="{name}" required="true">\n{items}        </enum>\n'
    else:
        element = f'        <text id="{name}" valueName="{name}" required="true" maxLength="4096" />\n'
    return head + element + "      </elements>\n    </policy>\n"


#: Defaults the model computes or leaves to the station, in words.
_DEFAULT_TEXT = {
    "audit_db": "machine data folder",
    "station_id": "host name",
    "consent_required": "on in production, off in sandbox",
    "auto_capture": "off (seconds ready before it captures)",
}


def _table_type(name: str) -> str:
    kind, detail = _kind(name)
    if kind == "bool":
        return "switch (DWORD 0/1, JSON true/false)"
    if kind == "int":
        return "whole number (DWORD)"
    if kind == "enum":
        return " \\| ".join(f"`{value}`" for value in detail)
    annotation = Settings.model_fields[name].annotation
    if float in (annotation, *typing.get_args(annotation)):
        return 'number (string, e.g. "0.8")'
    return "text"


def _table_default(name: str) -> str:
    if name in _DEFAULT_TEXT:
        return _DEFAULT_TEXT[name]
    value = Settings.model_fields[name].default
    if value is None:
        return "—"
    return str(value.value if isinstance(value, Enum) else value)


def readme_table() -> str:
    """The README's policy table: every policy, its type, default and what it locks."""
    rows = ["| policy | type | default | what it locks |", "|---|---|---|---|"]
    for name in names():
        locks = FIELD_RULES[name].locks
        rows.append(f"| `{name}` | {_table_type(name)} | {_table_default(name)} | {locks} |")
    return "\n".join([TABLE_START, *rows, TABLE_END])


def readme_with_table(readme: str) -> str:
    start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
    return readme[:start] + readme_table() + readme[end:]


def names() -> list[str]:
    return list(Settings.model_fields)


def admx() -> str:
    policies = "".join(_policy(name, False) for name in names())
    policies += "".join(_policy(name, True) for name in Settings.model_fields)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!-- Written by packaging/windows/make_admx.py from the settings model: do not edit. -->\n"
        '<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" '
        'xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">\n'
        "  <policyNamespaces>\n"
        f'    <target prefix="station" namespace="{NAMESPACE}" />\n'
        '    <using prefix="windows" namespace="Microsoft.Policies.Windows" />\n'
        "  </policyNamespaces>\n"
        '  <resources minRequiredRevision="1.0" />\n'
        "  <supportedOn>\n    <definitions>\n"
        '      <definition name="SUPPORTED_Station" displayName="$(string.SUPPORTED_Station)" />\n'
        "    </definitions>\n  </supportedOn>\n"
        "  <categories>\n"
        '    <category name="Station" displayName="$(string.Station)" />\n'
        '    <category name="Station_Recommended" displayName="$(string.Station_Recommended)" />\n'
        "  </categories>\n"
        f"  <policies>\n{policies}  </policies>\n"
        "</policyDefinitions>\n"
    )


def adml() -> str:
    strings = [
        ("SUPPORTED_Station", "Station 0.2 and later"),
        ("Station", "Station (face-liveness verification)"),
        ("Station_Recommended", "Station (recommended: defaults the administrator may change)"),
    ]
    presentations = []
    for name in names():
        title = _label(name)
        strings.append((name, title))
        strings.append((f"{name}_Explain", _explain(name)))
        kind, detail = _kind(name)
        strings.append((f"{name}_recommended", f"{title} (recommended)"))
        if kind == "enum":
            strings.extend((f"{name}_{value}", str(value)) for value in detail)
        if kind == "bool":
            continue
        control = {
            "int": f'<decimalTextBox refId="{name}">{escape(title)}</decimalTextBox>',
            "enum": f'<dropdownList refId="{name}">{escape(title)}</dropdownList>',
            "text": f'<textBox refId="{name}"><label>{escape(title)}</label></textBox>',
        }[kind]
        ids = [name, f"{name}_recommended"]
        presentations.extend(f'      <presentation id="{i}">{control}</presentation>\n' for i in ids)
    body = "".join(f"      <string id={quoteattr(sid)}>{escape(text)}</string>\n" for sid, text in strings)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!-- Written by packaging/windows/make_admx.py from the settings model: do not edit. -->\n"
        '<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" '
        'xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">\n'
        "  <displayName>Station</displayName>\n"
        "  <description>Policies for the Station face-liveness verification station.</description>\n"
        "  <resources>\n"
        f"    <stringTable>\n{body}    </stringTable>\n"
        f"    <presentationTable>\n{''.join(presentations)}    </presentationTable>\n"
        "  </resources>\n"
        "</policyDefinitionResources>\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are not current")
    args = parser.parse_args()
    wanted = {ADMX: admx(), ADML: adml(), README: readme_with_table(README.read_text(encoding="utf-8"))}
    if args.check:
        stale = [str(path) for path, text in wanted.items() if not path.exists() or path.read_text() != text]
        for path in stale:
            print(f"{path} is not current: run python3 packaging/windows/make_admx.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
