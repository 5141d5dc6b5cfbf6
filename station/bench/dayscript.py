"""The scripted counter day, read from ``resources/bench/day.json``: customers, faults, the
operator's habits and the verdict each customer must get.

Why data and not code: anyone (a bank's reviewer, the next engineer) can read what was simulated
and change it without reading the runner. A script that does not fit is refused with the field
that is wrong (:class:`DayScriptError`), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from station.bench.scenes import Picture
from station.bench.servicelink import RESET, Trouble
from station.emulator import Scenario, ScenarioError
from station.resources import resource_path

__all__ = ["Customer", "DayScript", "DayScriptError", "Operator", "load_day"]

PERSONS = ("live", "spoof")
VERDICTS = ("LIVE", "SPOOF")


class DayScriptError(ValueError):
    """The day's script cannot be used; the message names the field."""


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    person: str
    first_picture: Picture
    press_after_s: float
    expected: str
    fix_after_s: float = 1.0
    double_press: bool = False
    fault: str | None = None
    note: str = ""

    @property
    def spoof(self) -> bool:
        return self.person == "spoof"


@dataclass(frozen=True, slots=True)
class Operator:
    reads_verdict_s: float
    double_press_gap_s: float
    presses_again_after_error_s: float
    tries_again_after_spoof_s: float
    max_presses_per_customer: int


@dataclass(frozen=True, slots=True)
class DayScript:
    service_latency_s: float
    operator: Operator
    customers: tuple[Customer, ...]
    faults: Mapping[str, Trouble]
    #: The emulator scenario the service answers with, per picture ("person": live or spoof).
    service_answers: Mapping[Picture, str]

    def answer(self, customer: Customer, picture: Picture) -> dict[str, str]:
        """The emulator headers for a capture of ``picture`` with ``customer`` at the counter."""
        scenario = self.service_answers[picture]
        if scenario == "person":
            scenario = "spoof" if customer.spoof else "live"
        return {"X-Emulator-Scenario": scenario}

    def first(self, count: int) -> DayScript:
        """The first ``count`` customers (the list again, with new ids, if it is shorter)."""
        if count < 1:
            raise DayScriptError("at least one customer is needed")
        people = list(self.customers)
        chosen = []
        for index in range(count):
            base = people[index % len(people)]
            suffix = "" if index < len(people) else f"-{index // len(people) + 1}"
            chosen.append(replace(base, id=base.id + suffix))
        return replace(self, customers=tuple(chosen))


def _number(data: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise DayScriptError(f"{where}.{key} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _customer(data: Any, index: int, faults: Mapping[str, Trouble]) -> Customer:
    where = f"customers[{index}]"
    if not isinstance(data, dict):
        raise DayScriptError(f"{where} must be an object")
    person = data.get("person")
    if person not in PERSONS:
        raise DayScriptError(f"{where}.person must be one of {', '.join(PERSONS)}, got {person!r}")
    expected = data.get("expected")
    if expected not in VERDICTS:
        raise DayScriptError(f"{where}.expected must be one of {', '.join(VERDICTS)}, got {expected!r}")
    try:
        picture = Picture(str(data.get("first_picture")))
    except ValueError:
        names = ", ".join(p.value for p in Picture)
        raise DayScriptError(f"{where}.first_picture must be one of {names}") from None
    fault = data.get("fault")
    if fault is not None and fault not in faults:
        raise DayScriptError(f"{where}.fault must be one of {', '.join(faults)}, got {fault!r}")
    if fault is not None and person == "spoof" and fault != "reset":
        # After the fault the emulator answers like "auto" (live scores): a spoof's verdict would
        # then be the script's doing, not the station's.
        raise DayScriptError(f"{where}: service faults other than a reset are for live customers")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise DayScriptError(f"{where}.id must be a non-empty string")
    return Customer(
        id=ident,
        person=str(person),
        first_picture=picture,
        press_after_s=_number(data, "press_after_s", where, 0.0, 30.0),
        expected=str(expected),
        fix_after_s=_number({"fix_after_s": data.get("fix_after_s", 1.0)}, "fix_after_s", where, 0.0, 30.0),
        double_press=bool(data.get("double_press", False)),
        fault=fault,
        note=str(data.get("note", "")),
    )


def load_day(path: Path | None = None) -> DayScript:
    """The day's script (the bundled one by default)."""
    path = path or resource_path("bench", "day.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DayScriptError(f"{path} cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DayScriptError(f"{path}: the script must be a JSON object")
    headers = data.get("fault_headers", {})
    if not isinstance(headers, dict) or not all(isinstance(h, dict) for h in headers.values()):
        raise DayScriptError("fault_headers must map a fault's name to an object of headers")
    faults: dict[str, Trouble] = {
        name: Trouble(name, {str(k): str(v) for k, v in fields.items()}) for name, fields in headers.items()
    }
    faults["reset"] = RESET
    habits = data.get("operator")
    if not isinstance(habits, dict):
        raise DayScriptError("operator must be an object")
    operator = Operator(
        reads_verdict_s=_number(habits, "reads_verdict_s", "operator", 0.0, 30.0),
        double_press_gap_s=_number(habits, "double_press_gap_s", "operator", 0.0, 2.0),
        presses_again_after_error_s=_number(habits, "presses_again_after_error_s", "operator", 0.0, 30.0),
        tries_again_after_spoof_s=_number(habits, "tries_again_after_spoof_s", "operator", 0.0, 30.0),
        max_presses_per_customer=int(_number(habits, "max_presses_per_customer", "operator", 1, 50)),
    )
    answers = data.get("service_answers")
    if not isinstance(answers, dict):
        raise DayScriptError("service_answers must be an object")
    service_answers: dict[Picture, str] = {}
    for kind in Picture:
        scenario = answers.get(kind.value)
        if scenario != "person":
            try:
                Scenario.parse(str(scenario))
            except ScenarioError:
                raise DayScriptError(
                    f"service_answers.{kind.value} must be 'person' or an emulator scenario, got {scenario!r}"
                ) from None
        service_answers[kind] = str(scenario)
    people = data.get("customers")
    if not isinstance(people, list) or not people:
        raise DayScriptError("customers must be a non-empty list")
    customers = tuple(_customer(entry, index, faults) for index, entry in enumerate(people))
    return DayScript(
        service_latency_s=_number(data, "service_latency_s", "the script", 0.0, 30.0),
        operator=operator,
        customers=customers,
        faults=faults,
        service_answers=service_answers,
    )
