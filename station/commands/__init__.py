"""The ``station`` subcommands, one module each; :mod:`station.cli` only parses and dispatches."""
