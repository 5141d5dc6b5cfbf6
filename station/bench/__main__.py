"""``python -m station.bench``: see :mod:`station.bench.cli`."""

from station.bench.cli import main

raise SystemExit(main())
