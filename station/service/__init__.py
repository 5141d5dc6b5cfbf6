"""The station service: the trusted side in its own process, under its own account (issue 24).

``windows_pipe`` and ``windows_service`` are its Windows half: the named-pipe transport and the
Windows service entry (issue 25).
"""
