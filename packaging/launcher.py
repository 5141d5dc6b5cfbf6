"""Entry point of the frozen station (PyInstaller runs this file as ``__main__``)."""

from station.cli import main

raise SystemExit(main())
