"""One measured number, its naive baseline and its target; the table and the JSON object.

Why the target lives beside the number: the table must say pass or miss without the reader
looking anything up, and the JSON stays flat (``name`` and ``name_naive``) for dashboards.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Metric", "format_table", "to_json"]


@dataclass(frozen=True, slots=True)
class Metric:
    """A benchmark result. ``limit`` is the upper bound the value must not exceed (None: report only);
    ``min_speedup`` additionally requires ``naive / value`` to be at least that much."""

    name: str
    value: float
    naive: float
    unit: str
    target: str
    limit: float | None = None
    min_speedup: float | None = None
    naive_label: str = ""
    note: str = ""
    extras: Mapping[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """``pass``, ``MISS`` or ``report`` (no target)."""
        if self.limit is None and self.min_speedup is None:
            return "report"
        if not math.isfinite(self.value):
            return "MISS"
        ok = self.limit is None or self.value <= self.limit
        if self.min_speedup is not None:
            ok = ok and self.value > 0 and self.naive / self.value >= self.min_speedup
        return "pass" if ok else "MISS"


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(metrics: Sequence[Metric], context: Mapping[str, float | str]) -> str:
    """A plain-text table: name, target, value, naive value, verdict; notes underneath."""
    rows = [("metric", "target", "value", "naive", "result")]
    for m in metrics:
        rows.append((m.name, m.target, f"{_fmt(m.value)} {m.unit}", f"{_fmt(m.naive)} {m.unit}", m.verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("naive baselines and notes:")
    for m in metrics:
        lines.append(f"  {m.name}: naive = {m.naive_label}")
        if m.note:
            lines.append(f"      {m.note}")
        for key, extra in m.extras.items():
            lines.append(f"      {key} = {_fmt(extra)}")
    lines.append("")
    lines.append("machine: " + ", ".join(f"{k}={v}" for k, v in context.items()))
    return "\n".join(lines)


def to_json(metrics: Sequence[Metric], context: Mapping[str, float]) -> str:
    """One JSON object: ``name``, ``name_naive`` and each extra, all numbers (NaN becomes null)."""
    data: dict[str, float | None] = {}
    for m in metrics:
        data[m.name] = m.value
        data[f"{m.name}_naive"] = m.naive
        data.update(m.extras)
    data.update(context)
    cleaned = {k: (v if v is None or math.isfinite(v) else None) for k, v in data.items()}
    return json.dumps(cleaned, indent=2, sort_keys=False)
