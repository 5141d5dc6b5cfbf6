#!/usr/bin/env python3
"""Mutation testing of the code that decides and keeps evidence (issue 19), with mutmut.

    python3 packaging/mutate.py              # set up .venv, run mutmut, print the figures per module
    python3 packaging/mutate.py --fresh      # forget earlier results first (a full, timed run)
    python3 packaging/mutate.py --survivors  # also show the diff of every surviving mutant

The modules and the tests that hold them are listed once, in ``[tool.mutmut]`` of pyproject.toml
(``only_mutate`` and ``pytest_add_cli_args_test_selection``): adding a module is one line there.
mutmut keeps its work in ``mutants/`` and re-tests only what changed, so a second run is quick.
Exits 1 when a module kills fewer than :data:`TARGET` of its mutants. Not part of ``dev.py test``:
a full run takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MUTANTS = ROOT / "mutants"
#: At least this share of the non-equivalent mutants of each module must be killed.
TARGET = 0.95
#: What counts as killed: the tests failed, pytest broke, the mutant hung, or mypy refused it.
DETECTED = ("killed", "timeout", "caught by type check")


def _in_venv() -> bool:
    venv = (ROOT / ".venv").resolve()
    return Path(sys.prefix).resolve() == venv


def _run_in_venv() -> int | None:
    """Outside the venv: build or refresh it as ``dev.py`` does, then run this script in it."""
    if _in_venv():
        return None
    sys.path.insert(0, str(HERE))
    import dev

    dev.ensure_venv()
    return subprocess.call([str(dev._bin("python")), str(Path(__file__).resolve()), *sys.argv[1:]], cwd=ROOT)


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def _mutmut_run(children: int, *mutants: str) -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    # mutmut draws a progress line per mutant; keep the terminal to the summary.
    done = subprocess.run(
        [str(mutmut), "run", "--max-children", str(children), *mutants],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"mutmut run failed (exit {done.returncode})")


def run_mutmut(children: int) -> float:
    started = time.monotonic()
    _mutmut_run(children)
    # mutmut re-tests a mutant when its function changes, not when the tests do: give the last
    # run's survivors one more try against today's tests.
    survivors = [name for module in modules() for name, s in statuses(module).items() if s not in DETECTED]
    if survivors:
        _mutmut_run(children, *survivors)
    return time.monotonic() - started


def statuses(module: str) -> dict[str, str]:
    """Mutant name → mutmut's status, read from mutmut's own record for ``module``."""
    from mutmut.stats import status_by_exit_code

    meta = MUTANTS / f"{module}.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def show(mutant: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    done = subprocess.run([str(mutmut), "show", mutant], cwd=ROOT, capture_output=True, text=True)
    return done.stdout


def report(seconds: float | None, with_diffs: bool) -> bool:
    print(f"{'module':34} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'score':>7}")
    all_met = True
    survivors: list[str] = []
    for module in modules():
        found = statuses(module)
        counts = Counter(found.values())
        total = len(found) - counts["skipped"]
        killed = sum(counts[s] for s in DETECTED)
        score = killed / total if total else 0.0
        met = total > 0 and score >= TARGET
        all_met &= met
        mark = "" if met else f"  < {TARGET:.0%}"
        print(
            f"{module:34} {total:7d} {killed:7d} {counts['survived']:8d} {counts['no tests']:8d} "
            f"{score:7.1%}{mark}"
        )
        survivors += sorted(name for name, status in found.items() if status not in DETECTED)
    if seconds is not None:
        print(f"run time: {seconds:.0f} s")
    for name in survivors:
        print(f"survivor: {name}")
        if with_diffs:
            print(show(name))
    return all_met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier results (mutants/) first")
    parser.add_argument("--survivors", action="store_true", help="show the diff of every survivor")
    parser.add_argument("--report-only", action="store_true", help="print the figures of the last run")
    parser.add_argument(
        "--max-children", type=int, default=os.cpu_count() or 1, help="mutants at once (default: cores)"
    )
    args = parser.parse_args()
    outside = _run_in_venv()
    if outside is not None:
        return outside
    seconds = None
    if not args.report_only:
        if args.fresh:
            shutil.rmtree(MUTANTS, ignore_errors=True)
        seconds = run_mutmut(args.max_children)
    return 0 if report(seconds, args.survivors) else 1


if __name__ == "__main__":
    raise SystemExit(main())
