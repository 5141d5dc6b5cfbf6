"""Describe a built bundle: its third-party notices (inside it) and its SBOM (beside the archive).

    PYTHONPATH=packaging .venv/bin/python -m release describe --bundle dist/station \\
        --toc build/pyinstaller/station/COLLECT-00.toc --version 0.1.0 --platform linux-x86_64 \\
        --sbom dist/station-0.1.0-linux-x86_64.cdx.json --epoch 1700000000

Run by packaging/build in the build venv. Exit 1 (and nothing written) if a file or module
cannot be attributed, or if a component would force the GPL on the station.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from release import inventory, notices, sbom


def describe(args: argparse.Namespace) -> int:
    try:
        found = inventory.take_inventory(args.bundle, args.toc, args.version)
    except inventory.UnknownComponentError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    offenders = found.gpl_only()
    if offenders:
        for component in offenders:
            print(
                f"release: {component.name} {component.version} is {component.licence}: GPL-only code may "
                f"not ship in the station ({', '.join(sorted(component.files)) or 'archived modules'})",
                file=sys.stderr,
            )
        return 1
    title = f"Station {args.version} ({args.platform})"
    notices_path = args.bundle / inventory.NOTICES_NAME
    notices_path.write_text(notices.render(found, title), encoding="utf-8", newline="\n")
    found.components["station"].files[inventory.NOTICES_NAME] = inventory.sha256(notices_path)
    args.sbom.write_text(
        sbom.render(found, args.version, args.platform, args.epoch), encoding="utf-8", newline="\n"
    )
    print(
        f"release: {len(found.components)} components, {len(found.all_files())} files: "
        f"{notices_path.name} in the bundle, {args.sbom.name} beside it"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("describe")
    d.add_argument("--bundle", type=Path, required=True)
    d.add_argument("--toc", type=Path)
    d.add_argument("--version", required=True)
    d.add_argument("--platform", required=True)
    d.add_argument("--sbom", type=Path, required=True)
    d.add_argument("--epoch", type=int, required=True)
    args = parser.parse_args(argv)
    return describe(args)


if __name__ == "__main__":
    raise SystemExit(main())
