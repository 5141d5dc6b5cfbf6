"""``python -m station.emulator``: the same as ``station emulator``, for use before the CLI exists."""

from __future__ import annotations

import argparse

from station.emulator.cli import add_arguments, run


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m station.emulator", description="Local Surepass face-liveness v5 emulator."
    )
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
