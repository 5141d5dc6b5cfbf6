"""Exports for auditors: JSONL to re-check every MAC, CSV for a spreadsheet that stays inert.

CSV and formula injection
    A ``client_id`` of ``=HYPERLINK(…)`` from a hostile service would become a live formula when
    an auditor opens the CSV in a spreadsheet. Following OWASP's advice on CSV injection, every
    *text* cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
    with a leading apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as text. Columns that
    SQLite stores as numbers (``sequence``, ``score``, ``http_status`` …) are written as plain
    numbers and never prefixed: a score of ``-0.5`` stays ``-0.5`` and sorts as a number, because
    a number cannot carry a formula; the same text ``-0.5`` in a text column (a customer
    reference, say) becomes ``'-0.5``. The CSV is for reading; the JSONL carries the exact stored
    values an auditor needs to recompute each MAC (:func:`~station.audit.records.compute_mac`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TextIO

from station.audit.records import COLUMN_NAMES, COLUMNS, stored_columns

__all__ = ["ExportFormat", "neutralise_cell", "write_rows"]

ExportFormat = Literal["csv", "jsonl"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = frozenset(name for name, decl in COLUMNS if decl.startswith("TEXT"))


def neutralise_cell(value: str) -> str:
    """``value`` made inert for a spreadsheet (OWASP CSV injection): see the module docstring."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name in _TEXT_COLUMNS and isinstance(value, str):
        return neutralise_cell(value)
    return value


def write_rows(fmt: ExportFormat, rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write ``rows`` (stored column values) as CSV with a header, or JSONL; return the count."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (use 'csv' or 'jsonl')")
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(COLUMN_NAMES)
        for row in rows:
            values = stored_columns(row)
            writer.writerow([_csv_cell(name, values[name]) for name in COLUMN_NAMES])
            count += 1
    else:
        for row in rows:
            out.write(json.dumps(stored_columns(row), ensure_ascii=False) + "\n")
            count += 1
    return count
